// The long-task bench's page: a chat in React 19 (production build) whose
// answers are <Markdown> from llm-sse-client/react/markdown, fed by useChat.
// `?case=…&mode=…` is passed on to the server, which generates the answer:
// streamed (paced or in a burst) or, with `mode=once`, fetched whole and
// shown at once (a stored answer opened later). The page records every
// long task (PerformanceObserver 'longtask') from the moment the answer is
// asked for, and sets window.__done when the DOM has settled.
import { createElement as h, useEffect, useState } from 'react'
import { createRoot } from 'react-dom/client'
import { createMarkdownRenderer } from '../../src/markdown/index.ts'
import { useChat } from '../../src/react/index.ts'
import { Markdown } from '../../src/react/markdown.ts'

const params = new URLSearchParams(location.search)
const once = params.get('mode') === 'once'
const long = []
let t0 = Number.POSITIVE_INFINITY
new PerformanceObserver((list) => {
  for (const e of list.getEntries()) if (e.startTime >= t0) long.push({ start: e.startTime - t0, duration: e.duration })
}).observe({ type: 'longtask', buffered: true })

// Frames while the answer is rendered: a frozen page shows as a gap between two.
let frames = 0
let lastFrame = 0
let worstGap = 0
const frame = (t) => {
  if (lastFrame) worstGap = Math.max(worstGap, t - lastFrame)
  lastFrame = t
  frames++
  if (!window.__done) requestAnimationFrame(frame)
}

/** After the final status: wait until the answer's DOM has not changed for 300 ms (a renderer may still be writing it). */
function settle(status) {
  const out = document.querySelector('.answer')
  let quiet = 0
  const mo = new MutationObserver(() => (quiet = 0))
  mo.observe(out, { childList: true, subtree: true, characterData: true })
  const tick = () => {
    if ((quiet += 50) < 300) return setTimeout(tick, 50)
    mo.disconnect()
    const wall = performance.now() - t0
    window.__done = { status, wall, long, frames, worstGap, chars: out.textContent.length }
  }
  setTimeout(tick, 50)
}

/** What the answer must look like: the same text rendered at once (called after the measurement). */
window.__check = async () => {
  const text = await (await fetch(`/answer${location.search}`)).text()
  const el = document.createElement('div')
  const view = createMarkdownRenderer(el, { schedule: () => {} })
  view.append(text)
  view.finish()
  return el.innerHTML === document.querySelector('.answer').innerHTML
}

function Chat() {
  const { messages, send } = useChat({ request: () => ({ path: `/stream/post${location.search}`, json: { prompt: 'bench' } }) })
  useEffect(() => {
    t0 = performance.now()
    requestAnimationFrame(frame)
    void send('bench')
  }, [send])
  const a = messages[1]
  const final = a && a.status !== 'connecting' && a.status !== 'streaming'
  // biome-ignore lint/correctness/useExhaustiveDependencies: report once, when the answer becomes final.
  useEffect(() => void (final && settle(a.status)), [final])
  return h('div', null, messages.map(message))
}

/** A question as text, an answer as Markdown. */
const message = (m) =>
  m.role === 'user'
    ? h('p', { key: m.id }, m.text)
    : h(Markdown, { key: m.id, className: 'answer', text: m.text, done: m.status !== 'streaming' && m.status !== 'connecting' })

function Stored() {
  const [text, setText] = useState()
  useEffect(() => {
    fetch(`/answer${location.search}`)
      .then((r) => r.text())
      .then((t) => {
        t0 = performance.now()
        requestAnimationFrame(frame)
        setText(t)
      })
  }, [])
  useEffect(() => void (text !== undefined && settle('completed')), [text])
  return h('div', null, h('p', null, 'bench'), text === undefined ? null : h(Markdown, { className: 'answer', text, done: true }))
}

createRoot(document.getElementById('root')).render(h(once ? Stored : Chat))
