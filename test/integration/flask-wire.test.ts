// The reference backends (examples/flask-backend, examples/fastapi-backend)
// on the wire: raw HTTP against the real Python apps, their upstream being
// the mock's OpenAI route. Faults reach the mock as `x-mock-*` headers, which
// the backends forward in test mode (FLASK_FORWARD_FAULTS=1, set by startFlask).

import { connect, createServer } from 'node:net'
import type { AddressInfo } from 'node:net'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { startMockServer } from '../../src/mock/server.js'
import type { MockServer } from '../../src/mock/server.js'
import { DEFAULT_PROMPT, expectedReasoning, expectedText, scriptFor } from '../../src/mock/script.js'
import { pyRepr } from '../../src/mock/repr.js'
import { until } from '../helpers/eventually.js'
import { startFlask } from '../helpers/flask.js'
import type { FlaskBackend, FlaskStats } from '../helpers/flask.js'

const UPSTREAM = '/v1/chat/completions'
const PLAIN = { 'x-mock-think': 'off' }

let mock: MockServer

beforeAll(async () => {
  mock = await startMockServer()
})

afterAll(async () => {
  await mock?.close()
})

interface WireEvent {
  event: string | undefined
  id: string | undefined
  data: string
}

/** The backend writes LF only, an id on every event and one `data:` line per event. */
function parseEvents(body: string): WireEvent[] {
  expect(body.endsWith('\n\n')).toBe(true)
  return body
    .slice(0, -2)
    .split('\n\n')
    .map((block) => {
      let event: string | undefined
      let id: string | undefined
      const data: string[] = []
      for (const line of block.split('\n')) {
        if (line.startsWith('event: ')) event = line.slice(7)
        else if (line.startsWith('id: ')) id = line.slice(4)
        else if (line.startsWith('data: ')) data.push(line.slice(6))
        else throw new Error(`unexpected line ${JSON.stringify(line)}`)
      }
      return { event, id, data: data.join('\n') }
    })
}

/** The exact body the backend must send in repr format: the seed's shape, completed repeating the last token, ids `<request id>:<n>`. */
function seedBody(tokens: string[], requestId: string): string {
  const last = { ...seedDict(tokens.at(-1) ?? '', requestId), status: 'completed' }
  return seedEvents(tokens, requestId) + `id: ${requestId}:${tokens.length}\ndata: ${pyRepr(last)}\n\n`
}

const seedDict = (content: string, requestId: string) => ({ content, request_id: requestId, userid: '789465' })

/** One repr event per token, without the final one. */
const seedEvents = (tokens: string[], requestId: string): string =>
  tokens.map((t, i) => `id: ${requestId}:${i}\ndata: ${pyRepr(seedDict(t, requestId))}\n\n`).join('')

async function get(backend: FlaskBackend, text: string | undefined, headers: Record<string, string> = {}) {
  const query = text === undefined ? '' : `?text=${encodeURIComponent(text)}`
  const res = await fetch(`${backend.url}/stream/get${query}`, { headers })
  return { res, body: await res.text() }
}

/** Stats after the backend closed every stream (it counts a stream as open until Werkzeug closes it). */
const settled = (backend: FlaskBackend): Promise<FlaskStats> =>
  until(
    () => backend.stats(),
    (s) => s.open === 0,
  )

/** Read the body until `count` events arrived, then abort the request. */
async function readThenAbort(url: string, headers: Record<string, string>, count: number): Promise<string> {
  const controller = new AbortController()
  const res = await fetch(url, { headers, signal: controller.signal })
  const reader = res.body!.getReader()
  const decoder = new TextDecoder()
  let text = ''
  while (text.split('\n\n').length - 1 < count) {
    const { value, done } = await reader.read()
    if (done) throw new Error(`stream ended after ${JSON.stringify(text)}`)
    text += decoder.decode(value, { stream: true })
  }
  controller.abort()
  return text
}

describe.each(['flask', 'fastapi'] as const)('%s reference backend', (server) => {
  let flask: FlaskBackend
  let flaskJson: FlaskBackend

  beforeAll(async () => {
    // The first start may create .venv and pip install: minutes on a cold machine.
    ;[flask, flaskJson] = await Promise.all([startFlask({ server, upstream: mock.url }), startFlask({ server, upstream: mock.url, format: 'json' })])
  }, 180_000)

  afterAll(async () => {
    await Promise.all([flask?.close(), flaskJson?.close()])
  })

  test('GET /stream/get?text= streams one repr dict per upstream token, then the last dict again with status completed', async () => {
    const prompt = 'hello there'
    const { res, body } = await get(flask, prompt, PLAIN)
    expect(res.status).toBe(200)
    const requestId = res.headers.get('x-request-id')!
    expect(requestId).toMatch(/^[0-9a-f-]{36}$/)
    expect(body).toBe(seedBody(scriptFor(prompt).tokens, requestId))
  })

  test('the stream carries Content-Type text/event-stream, Cache-Control no-cache and X-Accel-Buffering no', async () => {
    const { res } = await get(flask, 'headers', PLAIN)
    expect(res.headers.get('content-type')).toBe('text/event-stream; charset=utf-8')
    expect(res.headers.get('cache-control')).toBe('no-cache')
    expect(res.headers.get('x-accel-buffering')).toBe('no')
  })

  test('GET without text uses the seed prompt', async () => {
    const { res, body } = await get(flask, undefined, PLAIN)
    expect(body).toBe(seedBody(scriptFor(DEFAULT_PROMPT).tokens, res.headers.get('x-request-id')!))
  })

  test('POST /stream/post streams the answer to the JSON prompt, and to the seed prompt without a body', async () => {
    const prompt = "it's a POST prompt"
    const res = await fetch(`${flask.url}/stream/post`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', ...PLAIN },
      body: JSON.stringify({ prompt }),
    })
    expect(res.status).toBe(200)
    expect(res.headers.get('content-type')).toBe('text/event-stream; charset=utf-8')
    expect(await res.text()).toBe(seedBody(scriptFor(prompt).tokens, res.headers.get('x-request-id')!))

    const bare = await fetch(`${flask.url}/stream/post`, { method: 'POST', headers: PLAIN })
    expect(await bare.text()).toBe(seedBody(scriptFor(DEFAULT_PROMPT).tokens, bare.headers.get('x-request-id')!))
  })

  test('POST with a body that is not JSON, or a prompt that is not a string, is a 400 JSON error', async () => {
    for (const body of ['prompt=hi', JSON.stringify({ prompt: 42 })]) {
      const res = await fetch(`${flask.url}/stream/post`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body })
      expect(res.status).toBe(400)
      expect(res.headers.get('content-type')).toBe('application/json')
      expect(((await res.json()) as { error: { message: string } }).error.message).toMatch(/JSON|string/)
    }
  })

  test('--format json sends json.dumps dicts with the same tokens and a final completed event with empty content', async () => {
    const prompt = '详解一下flask框架'
    const { res, body } = await get(flaskJson, prompt, PLAIN)
    const requestId = res.headers.get('x-request-id')!
    const dicts = parseEvents(body).map((e) => {
      expect(e.event).toBeUndefined()
      return JSON.parse(e.data) as Record<string, unknown>
    })
    const tokens = scriptFor(prompt).tokens
    expect(dicts).toEqual([
      ...tokens.map((content) => ({ content, request_id: requestId, userid: '789465' })),
      // JSON clients append every content: the repr format's repeated last token would show twice.
      { content: '', request_id: requestId, userid: '789465', status: 'completed' },
    ])
    // ensure_ascii=False, as the seed's users write it: CJK raw, not \uXXXX.
    expect(body).toContain('"content": "你好"')
  })

  test('a lone surrogate from the upstream is escaped (the seed crashed encoding it in JSON) and rejoins with its other half', async () => {
    const prompt = 'hello'
    const tokens = scriptFor(prompt, { loneSurrogates: true }).tokens
    const json = await get(flaskJson, prompt, { ...PLAIN, 'x-mock-loneSurrogates': '1' })
    expect(json.body).toMatch(/"content": " ?\\ud83d"/)
    expect(json.body).toMatch(/"content": "\\udc4b"/)
    const events = parseEvents(json.body)
    expect(events.slice(0, -1).map((e) => (JSON.parse(e.data) as { content: string }).content)).toEqual(tokens)
    expect(tokens.join('')).toBe(expectedText(prompt))
    expect((JSON.parse(events.at(-1)!.data) as { status?: string }).status).toBe('completed')

    const repr = await get(flask, prompt, { ...PLAIN, 'x-mock-loneSurrogates': '1' })
    expect(repr.body).toBe(seedBody(tokens, repr.res.headers.get('x-request-id')!))
    expect(repr.body).toContain("\\udc4b'")
  })

  test('reasoning_content deltas are forwarded as an extra reasoning_content key next to an empty content', async () => {
    const prompt = 'think about it'
    const { body } = await get(flaskJson, prompt, { 'x-mock-think': 'field' })
    const dicts = parseEvents(body).map((e) => JSON.parse(e.data) as { content: string; reasoning_content?: string; status?: string })
    const reasoning = dicts.filter((d) => d.reasoning_content !== undefined)
    expect(reasoning.every((d) => d.content === '')).toBe(true)
    expect(reasoning.map((d) => d.reasoning_content).join('')).toBe(expectedReasoning(prompt, { think: true }))
    expect(
      dicts
        .slice(0, -1)
        .map((d) => d.content)
        .join(''),
    ).toBe(expectedText(prompt))
    expect(dicts.at(-1)!.status).toBe('completed')
  })

  test('inline <think> in the content is forwarded as-is', async () => {
    const prompt = 'think inline'
    const { res, body } = await get(flask, prompt, { 'x-mock-think': 'inline' })
    const tokens = scriptFor(prompt, { think: true }).tokens
    expect(tokens[0]).toBe('<think>')
    expect(body).toBe(seedBody(tokens, res.headers.get('x-request-id')!))
  })

  test('an upstream cut mid-stream ends with event: error and a clean end of the body, never completed', async () => {
    const before = await settled(flask)
    const { res, body } = await get(flask, 'cut me', { ...PLAIN, 'x-mock-dropAfter': '3' })
    expect(res.status).toBe(200)
    const events = parseEvents(body)
    expect(events).toHaveLength(4)
    expect(body.startsWith(seedEvents(scriptFor('cut me').tokens.slice(0, 3), res.headers.get('x-request-id')!))).toBe(true)
    expect(events[3]!.event).toBe('error')
    expect(events[3]!.data).toMatch(/upstream/)
    expect(body).not.toContain("'status': 'completed'")
    const after = await settled(flask)
    expect(after.errors - before.errors).toBe(1)
    expect(after.completed).toBe(before.completed)
  })

  test('an upstream error event or a body without finish_reason mid-stream also ends with event: error', async () => {
    for (const fault of [{ 'x-mock-errorEvent': '2' }, { 'x-mock-noDone': '1' }]) {
      const { body } = await get(flask, 'faulty', { ...PLAIN, ...fault })
      const events = parseEvents(body)
      expect(events.at(-1)!.event).toBe('error')
      expect(events.filter((e) => e.event === undefined).length).toBeGreaterThan(0)
      expect(body).not.toContain("'status': 'completed'")
    }
  })

  test('an upstream HTTP 500 is one upstream request and a 502 JSON error, not an HTML page', async () => {
    mock.resetStats()
    const started = performance.now()
    const { res, body } = await get(flask, 'fail', { 'x-mock-status': '500' })
    const elapsed = performance.now() - started
    expect(res.status).toBe(502)
    expect(res.headers.get('content-type')).toBe('application/json')
    const error = (JSON.parse(body) as { error: { message: string; type: string; upstream_status: number } }).error
    expect(error).toMatchObject({ type: 'upstream_error', upstream_status: 500 })
    // The status, never the upstream's own text (see backend-hardening.test.ts).
    expect(error.message).toBe('the upstream LLM server answered HTTP 500')
    // max_retries=0: the openai client's two silent retries (~1.4 s) are off.
    expect(mock.stats().requests[UPSTREAM]).toBe(1)
    expect(elapsed).toBeLessThan(1_000)
  })

  test('an upstream error before the first token is a 502 JSON error', async () => {
    for (const fault of [{ 'x-mock-errorEvent': '0' }, { 'x-mock-dropAfter': '0' }]) {
      const { res, body } = await get(flask, 'early', { ...PLAIN, ...fault })
      expect(res.status).toBe(502)
      expect((JSON.parse(body) as { error: { message: string } }).error.message).toMatch(/upstream/)
    }
  })

  // Starts its own backend: a Python start under load takes seconds.
  test('an unreachable upstream is a 502 JSON error naming the connection failure', { timeout: 60_000 }, async () => {
    const closed = createServer()
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve))
    const { port } = closed.address() as AddressInfo
    await new Promise<void>((resolve) => closed.close(() => resolve()))
    const down = await startFlask({ server, upstream: `http://127.0.0.1:${port}` })
    try {
      const res = await fetch(`${down.url}/stream/post`, { method: 'POST', body: '{"prompt": "anyone?"}' })
      expect(res.status).toBe(502)
      expect(await res.json()).toMatchObject({ error: { type: 'upstream_connection', message: expect.stringMatching(/connection/) } })
      expect(await down.stats()).toMatchObject({ requests: { '/stream/post': 1 }, errors: 1, completed: 0, open: 0 })
    } finally {
      await down.close()
    }
  })

  test('after_event runs once per completed answer and never for errors or disconnects', async () => {
    const before = await settled(flask)
    await get(flask, 'ok 1', PLAIN)
    await get(flask, 'ok 2', PLAIN)
    await get(flask, 'bad', { ...PLAIN, 'x-mock-dropAfter': '2' })
    await get(flask, 'bad', { 'x-mock-status': '503' })
    await readThenAbort(`${flask.url}/stream/get?text=gone`, { ...PLAIN, 'x-mock-delay': '20' }, 2)
    const after = await until(
      () => flask.stats(),
      (s) => s.open === 0 && s.disconnected > before.disconnected,
    )
    expect(after.completed - before.completed).toBe(2)
    expect(after.errors - before.errors).toBe(2)
    expect(after.disconnected - before.disconnected).toBe(1)
    expect(after.requests['/stream/get'] - before.requests['/stream/get']).toBe(5)
  })

  test('one stream request is one generation: one backend request and one upstream request', async () => {
    const before = await settled(flask)
    mock.resetStats()
    await fetch(`${flask.url}/stream/post`, { method: 'POST', body: JSON.stringify({ prompt: 'once' }), headers: PLAIN }).then((r) => r.text())
    const after = await settled(flask)
    expect(after.requests['/stream/post'] - before.requests['/stream/post']).toBe(1)
    expect(mock.stats().requests).toEqual({ [UPSTREAM]: 1 })
  })

  test('without resumable mode a resume request (Last-Event-ID or ?lastEventId=) is a 409 JSON error that asks the model nothing', async () => {
    const { res: first } = await get(flaskJson, 'resume me', PLAIN)
    const id = `${first.headers.get('x-request-id')!}:2`
    mock.resetStats()
    const refused = [
      await fetch(`${flaskJson.url}/stream/post`, {
        method: 'POST',
        body: JSON.stringify({ prompt: 'resume me' }),
        headers: { ...PLAIN, 'Last-Event-ID': id },
      }),
      await fetch(`${flaskJson.url}/stream/get?text=resume%20me&lastEventId=${encodeURIComponent(id)}`, { headers: PLAIN }),
    ]
    for (const res of refused) {
      expect(res.status).toBe(409)
      expect(res.headers.get('content-type')).toBe('application/json')
      expect(((await res.json()) as { error: { type: string; message: string } }).error).toMatchObject({
        type: 'not_resumable',
        message: 'this stream cannot be resumed; start a new request',
      })
    }
    // A second generation would be billed and, appended after the first part, shown twice.
    expect(mock.stats().requests).toEqual({})
  })

  test('a client that goes away mid-stream stops the generation and closes the upstream connection', async () => {
    const before = await settled(flask)
    mock.resetStats()
    // 80+ tokens at 50 ms would take 4 s or more to finish on their own.
    const started = performance.now()
    await readThenAbort(`${flask.url}/stream/get?text=long`, { ...PLAIN, 'x-mock-delay': '50' }, 3)
    await until(
      () => mock.stats(),
      (s) => s.open === 0,
    )
    const elapsed = performance.now() - started
    const after = await settled(flask)
    expect(after.disconnected - before.disconnected).toBe(1)
    expect(after.completed).toBe(before.completed)
    expect(mock.stats()).toMatchObject({ requests: { [UPSTREAM]: 1 }, open: 0 })
    expect(elapsed).toBeLessThan(2_000)
  })

  test('a client that leaves while the upstream is silent is noticed at once, not at the next token', async () => {
    const before = await settled(flask)
    // The upstream stalls after 2 tokens: no write to the browser would fail
    // before the 60 s read timeout, so only the backend's socket watch sees it.
    await readThenAbort(`${flask.url}/stream/get?text=stall`, { ...PLAIN, 'x-mock-stallAfter': '2' }, 2)
    const started = performance.now()
    await until(
      () => mock.stats(),
      (s) => s.open === 0,
      3_000,
    )
    const after = await settled(flask)
    expect(performance.now() - started).toBeLessThan(1_000)
    expect(after.disconnected - before.disconnected).toBe(1)
    expect(after.errors).toBe(before.errors)
  })

  test('GET /test answers the seed text and unknown routes are JSON 404s', async () => {
    const res = await fetch(`${flask.url}/test`)
    expect(await res.text()).toBe('欢迎使用DeepSeek流式输出示例!')
    const missing = await fetch(`${flask.url}/nope`)
    expect(missing.status).toBe(404)
    expect(await missing.json()).toMatchObject({ error: { type: 'http_error' } })
  })

  /** GET over a raw socket, reset (RST, not FIN) the moment the body's last chunk arrived. */
  function readToEndThenReset(url: string): Promise<void> {
    const { hostname, port, pathname, search } = new URL(url)
    const socket = connect(Number(port), hostname)
    socket.write(`GET ${pathname}${search} HTTP/1.1\r\nHost: ${hostname}:${port}\r\nx-mock-think: off\r\n\r\n`)
    let text = ''
    return new Promise((resolve, reject) => {
      socket.on('error', reject)
      socket.on('data', (chunk) => {
        text += String(chunk)
        // The last chunk arrived: Werkzeug is now draining the socket before it closes the response.
        if (!text.includes("'status': 'completed'") || !text.endsWith('0\r\n\r\n')) return
        socket.resetAndDestroy()
        resolve()
      })
    })
  }

  test('a client that resets the connection right after completed still ends the stream on the backend', async () => {
    // Werkzeug reads the socket after the last write and, on ECONNRESET,
    // skips closing the response iterator; the backend must not rely on that
    // close to finish its bookkeeping (the stream stayed "open" forever).
    const before = await settled(flask)
    for (let i = 0; i < 8; i++) await readToEndThenReset(`${flask.url}/stream/get?text=reset${i}`)
    const after = await settled(flask)
    expect(after.completed - before.completed).toBe(8)
    expect(after.disconnected).toBe(before.disconnected)
  })
})
