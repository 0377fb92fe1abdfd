import { afterEach, expect, test } from 'vitest'
import { createClient, isStreamError } from '../../src/index.js'
import type { StreamEvent } from '../../src/index.js'
import { seedEvent, seedStream, serve, sseHead } from '../helpers/http.js'
import type { TestServer } from '../helpers/http.js'

const servers: TestServer[] = []
async function server(...args: Parameters<typeof serve>) {
  const s = await serve(...args)
  servers.push(s)
  return s
}
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()))
})

const TOKENS = ['你好', "'s", ' 👨\u200d💻', '\n', 'it\'s "ok"', 'C:\\path']

test('a seed POST stream completes with the exact text, no repeated last token, and its meta', async () => {
  const s = await server((_req, res) => {
    sseHead(res)
    res.end(seedStream(TOKENS))
  })
  const stream = createClient({ baseUrl: s.url }).post('/stream/post', { json: { prompt: 'hi' } })
  const r = await stream.result
  expect(r.status).toBe('completed')
  expect(r.text).toBe(TOKENS.join(''))
  expect(r.meta).toMatchObject({ request_id: '123456789', userid: '789465' })
  expect(r.error).toBeUndefined()
  expect(s.requests).toHaveLength(1)
  expect(s.requests[0]!.method).toBe('POST')
  expect(JSON.parse(s.requests[0]!.body)).toEqual({ prompt: 'hi' })
  expect(s.requests[0]!.headers['content-type']).toBe('application/json')
  expect(s.requests[0]!.headers.accept).toBe('text/event-stream')
  await s.drained()
})

// Browsers report a chunked body without its last chunk as a network error.
// Node's fetch (undici) ends such a body cleanly when the response said
// `Connection: close`, as Werkzeug's does: then only the missing end marker
// tells, and the status is `incomplete`. Either way it is never `completed`.
test('the seed cut stream (socket destroyed mid chunked body) is never completed and keeps the partial text', async () => {
  const s = await server((_req, res) => {
    sseHead(res)
    res.write(seedEvent('部分'))
    res.write(seedEvent('答案'), () => res.socket?.destroy())
  })
  const stream = createClient({ baseUrl: s.url }).post('/stream/post', { json: {} })
  const r = await stream.result
  expect(['error', 'incomplete']).toContain(r.status)
  expect(['network', 'incomplete']).toContain(r.error?.code)
  expect(r.text).toBe('部分答案')
  await s.drained()
})

test("Werkzeug's HTML 500 page becomes an http error with the page's message, not its markup", async () => {
  const html =
    '<!doctype html>\n<html lang=en>\n<title>500 Internal Server Error</title>\n<h1>Internal Server Error</h1>\n<p>The server encountered an internal error and was unable to complete your request. Either the server is overloaded or there is an error in the application.</p>\n'
  const s = await server((_req, res) => {
    res.writeHead(500, { 'Content-Type': 'text/html; charset=utf-8' })
    res.end(html)
  })
  const r = await createClient({ baseUrl: s.url }).post('/stream/post').result
  expect(r.status).toBe('error')
  expect(r.error?.code).toBe('http')
  expect(r.error?.status).toBe(500)
  expect(r.error?.message).toContain('Internal Server Error')
  expect(r.error?.message).toContain('unable to complete your request')
  expect(r.error?.message).not.toContain('<')
  expect(r.error?.body).toBe(html)
})

test('a JSON error body gives its message, and 429 carries Retry-After in milliseconds', async () => {
  const s = await server((_req, res) => {
    res.writeHead(429, { 'Content-Type': 'application/json', 'Retry-After': '2' })
    res.end(JSON.stringify({ error: { message: 'Rate limit reached', type: 'rate_limit' } }))
  })
  const r = await createClient({ baseUrl: s.url }).post('/v1/x').result
  expect(r.error?.code).toBe('http')
  expect(r.error?.status).toBe(429)
  expect(r.error?.message).toBe('HTTP 429: Rate limit reached')
  expect(r.error?.retryAfter).toBe(2000)
  expect(s.requests).toHaveLength(1)
})

test('204 No Content is an http error, not an empty success', async () => {
  const s = await server((_req, res) => {
    res.writeHead(204)
    res.end()
  })
  const r = await createClient({ baseUrl: s.url }).post('/x').result
  expect(r.status).toBe('error')
  expect(r.error).toMatchObject({ code: 'http', status: 204 })
})

test('a 200 with the wrong content type is a content-type error that keeps the body', async () => {
  const s = await server((_req, res) => {
    res.writeHead(200, { 'Content-Type': 'text/html' })
    res.end('<h1>Login required</h1>')
  })
  const r = await createClient({ baseUrl: s.url }).post('/x').result
  expect(r.error?.code).toBe('content-type')
  expect(r.error?.message).toContain('Login required')
  expect(r.error?.body).toBe('<h1>Login required</h1>')
})

test('a stream that ends cleanly without its end marker is incomplete, never completed', async () => {
  const s = await server((_req, res) => {
    sseHead(res)
    res.end(seedEvent('Trunc') + seedEvent('ated'))
  })
  const r = await createClient({ baseUrl: s.url }).post('/x').result
  expect(r.status).toBe('incomplete')
  expect(r.error?.code).toBe('incomplete')
  expect(r.text).toBe('Truncated')
})

test('for await yields every event, then throws the StreamError of an incomplete stream', async () => {
  const s = await server((_req, res) => {
    sseHead(res)
    res.end(seedEvent('a') + seedEvent('b'))
  })
  const stream = createClient({ baseUrl: s.url }).post('/x')
  const seen: StreamEvent[] = []
  let thrown: unknown
  try {
    for await (const e of stream) seen.push(e)
  } catch (error) {
    thrown = error
  }
  expect(isStreamError(thrown)).toBe(true)
  expect((thrown as { code: string }).code).toBe('incomplete')
  expect(seen.filter((e) => e.type === 'delta').map((e) => (e as { text: string }).text)).toEqual(['a', 'b'])
  expect(seen.at(-1)?.type).toBe('done')
})

test('for await, on() and result consume one stream at the same time and agree', async () => {
  const s = await server((_req, res) => {
    sseHead(res)
    res.end(seedStream(['x', 'y', 'z']))
  })
  const stream = createClient({ baseUrl: s.url }).post('/x')
  let fromOn = ''
  stream.on('delta', (e) => (fromOn += e.text))
  let fromIter = ''
  for await (const e of stream) if (e.type === 'delta') fromIter += e.text
  const r = await stream.result
  expect([fromOn, fromIter, r.text, stream.text]).toEqual(['xyz', 'xyz', 'xyz', 'xyz'])
  expect(stream.status).toBe('completed')
  expect(r.timings.firstByte).toBeGreaterThanOrEqual(0)
  expect(r.timings.firstToken).toBeGreaterThanOrEqual(r.timings.firstByte!)
  expect(r.timings.total).toBeGreaterThanOrEqual(r.timings.firstToken!)
  expect(r.counts).toMatchObject({ events: 4, tokens: 3, attempts: 1 })
})

test('a connection refused before any response is a network error, and is not retried by default', async () => {
  const s = await server(() => {})
  const url = s.url
  await s.close()
  servers.length = 0
  const r = await createClient({ baseUrl: url }).post('/x').result
  expect(r.status).toBe('error')
  expect(r.error?.code).toBe('network')
  expect(r.counts.attempts).toBe(1)
})

test('an event larger than maxEventBytes fails the stream with too-large and releases the connection', async () => {
  const s = await server((_req, res) => {
    sseHead(res)
    res.write(seedEvent('ok'))
    res.write('data: ' + 'x'.repeat(5000))
  })
  const r = await createClient({ baseUrl: s.url, maxEventBytes: 1000 }).post('/x').result
  expect(r.status).toBe('error')
  expect(r.error?.code).toBe('too-large')
  expect(r.text).toBe('ok')
  await s.drained()
})

test('an OpenAI-compatible stream completes on [DONE] with usage and finish reason', async () => {
  const chunk = (delta: object, finish: string | null = null) =>
    `data: ${JSON.stringify({ id: 'c1', object: 'chat.completion.chunk', model: 'm', choices: [{ index: 0, delta, finish_reason: finish }] })}\n\n`
  const s = await server((_req, res) => {
    sseHead(res, 200, 'text/event-stream')
    res.end(
      chunk({ role: 'assistant', content: '' }) +
        chunk({ reasoning_content: 'think' }) +
        chunk({ content: 'Hel' }) +
        chunk({ content: 'lo' }) +
        chunk({}, 'stop') +
        `data: ${JSON.stringify({ id: 'c1', choices: [], usage: { prompt_tokens: 1, completion_tokens: 2, total_tokens: 3 } })}\n\n` +
        'data: [DONE]\n\n',
    )
  })
  const r = await createClient({ baseUrl: s.url }).post('/v1/chat/completions', { json: { stream: true } }).result
  expect(r).toMatchObject({ status: 'completed', text: 'Hello', reasoning: 'think', finishReason: 'stop' })
  expect(r.usage).toMatchObject({ total_tokens: 3 })
})

test('a custom dialect can wrap a built-in one', async () => {
  const { openaiDialect } = await import('../../src/index.js')
  const s = await server((_req, res) => {
    sseHead(res)
    res.end(
      'event: progress\ndata: 50\n\n' +
        `data: ${JSON.stringify({ choices: [{ index: 0, delta: { content: 'hi' }, finish_reason: 'stop' }] })}\n\n` +
        'data: [DONE]\n\n',
    )
  })
  const r = await createClient({
    baseUrl: s.url,
    dialect: (ev) => (ev.type === 'progress' ? { meta: { progress: Number(ev.data) } } : openaiDialect(ev)),
  }).post('/x').result
  expect(r).toMatchObject({ status: 'completed', text: 'hi', meta: { progress: 50 } })
})
