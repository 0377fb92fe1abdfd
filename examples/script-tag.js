// The script-tag example: what the Flask tutorial's two hand-written pages did
// (EventSource on GET, fetch on POST), with llm-sse-client doing the parts
// they got wrong: Python-repr payloads, the repeated last token, UTF-8 split
// across reads, truncated streams shown as finished, EventSource's silent
// reconnect (a second, billed generation) and innerHTML (XSS).
//
// Plain browser JavaScript, no build step. Globals from the UMD builds:
// LlmSse (createClient) and LlmSseDom (renderStream).
'use strict'
;(() => {
  const $ = (id) => document.getElementById(id)
  const form = $('ask')
  const promptInput = $('prompt')
  const buttons = [$('get'), $('post')]
  const stopButton = $('stop')
  const statusLine = $('status')
  const thinking = $('thinking')
  const reasoningOut = $('reasoning')
  const answerOut = $('answer')
  const ttftOut = $('ttft')
  const tpsOut = $('tps')
  const tokensOut = $('tokens')

  // ?api=http://127.0.0.1:5000 talks to a backend on another origin (it must
  // allow CORS); by default the page's own origin, as in the Flask tutorial.
  const api = new URLSearchParams(location.search).get('api') || ''
  $('backend').textContent = api || location.origin
  const client = LlmSse.createClient({ baseUrl: api })

  let current = null

  form.addEventListener('submit', (event) => {
    event.preventDefault()
    start(event.submitter && event.submitter.value === 'get' ? 'get' : 'post')
  })
  promptInput.addEventListener('keydown', (event) => {
    if (event.key === 'Enter' && (event.ctrlKey || event.metaKey)) {
      event.preventDefault()
      start('post')
    }
  })
  stopButton.addEventListener('click', () => current?.abort())

  function start(mode) {
    const prompt = promptInput.value.trim()
    if (!prompt || current) return
    answerOut.replaceChildren()
    reasoningOut.replaceChildren()
    thinking.hidden = true
    thinking.open = false
    ttftOut.textContent = tpsOut.textContent = '–'
    tokensOut.textContent = '0'

    const stream = mode === 'get' ? client.get('/stream/get', { query: { text: prompt } }) : client.post('/stream/post', { json: { prompt } })
    current = stream
    setBusy(true)
    show('connecting', `Connecting (${mode.toUpperCase()})…`)

    // Text nodes only: a prompt-injected answer like <img src=x onerror=...>
    // is shown as those characters, never parsed as HTML.
    LlmSseDom.renderStream(stream, { text: answerOut, reasoning: reasoningOut })

    const started = performance.now()
    let tokens = 0
    let firstToken = 0
    const onToken = () => {
      tokens++
      const now = performance.now()
      if (!firstToken) {
        firstToken = now
        ttftOut.textContent = ms(now - started)
      }
      tokensOut.textContent = String(tokens)
      if (now > firstToken) tpsOut.textContent = rate(tokens - 1, now - firstToken)
    }
    stream.on('delta', onToken)
    stream.on('reasoning', () => {
      thinking.hidden = false
      onToken()
    })
    stream.on('status', (e) => {
      if (e.status === 'streaming') show('streaming', 'Streaming…')
    })
    stream.result.then((result) => {
      current = null
      setBusy(false)
      finish(result)
    })
  }

  function finish(result) {
    const { status, error, timings, counts } = result
    tokensOut.textContent = String(counts.tokens)
    if (timings.firstToken !== undefined) ttftOut.textContent = ms(timings.firstToken)
    if (timings.firstToken !== undefined && timings.total !== undefined && counts.tokens > 1)
      tpsOut.textContent = rate(counts.tokens - 1, timings.total - timings.firstToken)
    const took = timings.total !== undefined ? ` in ${seconds(timings.total)}` : ''
    if (status === 'completed') show(status, `Completed: ${counts.tokens} tokens${took}.`)
    else if (status === 'aborted') show(status, `Stopped. Kept the ${counts.tokens} tokens that arrived.`)
    // The answer may be cut off: say so, with the SDK's explanation.
    else if (status === 'incomplete') show(status, 'Incomplete:', error)
    else show(status, 'Error:', error)
  }

  function show(status, text, error) {
    statusLine.dataset.status = status
    statusLine.replaceChildren(text)
    if (error) {
      const message = document.createElement('span')
      message.className = 'error'
      message.textContent = error.message
      // The code is what a program would switch on: http, network, server, timeout...
      const code = document.createElement('span')
      code.className = 'code'
      code.textContent = error.code
      statusLine.append(' ', message, ' ', code)
    }
  }

  function setBusy(busy) {
    for (const b of buttons) b.disabled = busy
    stopButton.disabled = !busy
    form.setAttribute('aria-busy', String(busy))
  }

  const ms = (t) => `${Math.round(t)} ms`
  const seconds = (t) => `${(t / 1000).toFixed(2)} s`
  // Intervals between tokens, so one token alone has no rate.
  const rate = (n, t) => (n > 0 && t > 0 ? `${((n * 1000) / t).toFixed(1)} tokens/s` : '–')
})()
