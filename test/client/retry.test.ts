import { afterEach, expect, test } from 'vitest'
import { createClient } from '../../src/index.js'
import { seedEvent, serve, sseHead } from '../helpers/http.js'
import type { TestServer } from '../helpers/http.js'

let s: TestServer
afterEach(() => s?.close())
const fast = { attempts: 3, baseDelay: 1, maxDelay: 5 }

test('without retry, a POST that broke after events is sent once', async () => {
  s = await serve((_req, res) => {
    sseHead(res)
    res.write('id: 1\n' + seedEvent('a'), () => res.socket?.destroy())
  })
  const r = await createClient({ baseUrl: s.url }).post('/x').result
  expect(r.status).not.toBe('completed')
  expect(s.requests).toHaveLength(1)
})

test('with retry on, a stream cut after ids resumes with Last-Event-ID and no duplicated text', async () => {
  const tokens = ['one ', 'two ', 'three']
  s = await serve((req, res) => {
    sseHead(res)
    const from = Number(req.headers['last-event-id'] ?? 0)
    if (from === 0) {
      // first attempt: two events, then the connection dies
      res.write(`id: 1\n${seedEvent(tokens[0]!)}id: 2\n${seedEvent(tokens[1]!)}`, () => res.socket?.destroy())
      return
    }
    let out = ''
    for (let i = from; i < tokens.length; i++) out += `id: ${i + 1}\n` + seedEvent(tokens[i]!)
    res.end(out + seedEvent(tokens.at(-1)!, ", 'status': 'completed'"))
  })
  const stream = createClient({ baseUrl: s.url }).post('/x', { retry: fast })
  const statuses: string[] = []
  stream.on('status', (e) => statuses.push(`${e.status}#${e.attempt}`))
  const r = await stream.result
  expect(r.status).toBe('completed')
  expect(r.text).toBe('one two three')
  expect(r.counts.attempts).toBe(2)
  expect(s.requests.map((q) => q.headers['last-event-id'])).toEqual([undefined, '2'])
  expect(statuses).toEqual(['connecting#1', 'streaming#1', 'connecting#2', 'streaming#2', 'completed#2'])
  expect(r.warnings.some((w) => w.code === 'retry')).toBe(true)
})

test('with retry on, a cut without event ids is not retried: the server cannot resume', async () => {
  s = await serve((_req, res) => {
    sseHead(res)
    res.write(seedEvent('a'), () => res.socket?.destroy())
  })
  const r = await createClient({ baseUrl: s.url, retry: fast }).post('/x').result
  expect(r.status).not.toBe('completed')
  expect(s.requests).toHaveLength(1)
})

test('with retry on, 503 with Retry-After is retried after the delay, up to the attempt cap', async () => {
  s = await serve((_req, res) => {
    res.writeHead(503, { 'Retry-After': '0', 'Content-Type': 'application/json' })
    res.end('{"error":{"message":"busy"}}')
  })
  const r = await createClient({ baseUrl: s.url, retry: fast }).post('/x').result
  expect(r.error).toMatchObject({ code: 'http', status: 503 })
  expect(r.error?.message).toContain('busy')
  expect(s.requests).toHaveLength(3)
  expect(r.counts.attempts).toBe(3)
})

test('with retry on, 500 is not retried: the generation may have started', async () => {
  s = await serve((_req, res) => {
    res.writeHead(500, { 'Content-Type': 'text/html' })
    res.end('<title>500</title>')
  })
  await createClient({ baseUrl: s.url, retry: fast }).post('/x').result
  expect(s.requests).toHaveLength(1)
})

test('a Retry-After longer than maxDelay is reported instead of waited for', async () => {
  s = await serve((_req, res) => {
    res.writeHead(429, { 'Retry-After': '3600' })
    res.end()
  })
  const r = await createClient({ baseUrl: s.url, retry: fast }).post('/x').result
  expect(r.error?.retryAfter).toBe(3_600_000)
  expect(s.requests).toHaveLength(1)
})

test('abort() during the backoff wait stops retrying at once', async () => {
  s = await serve((_req, res) => {
    res.writeHead(503, { 'Retry-After': '1' })
    res.end()
  })
  const stream = createClient({ baseUrl: s.url, retry: { attempts: 5, maxDelay: 60_000 } }).post('/x')
  stream.on('warning', (e) => e.warning.code === 'retry' && stream.abort())
  const r = await stream.result
  expect(r.status).toBe('aborted')
  expect(s.requests).toHaveLength(1)
})
