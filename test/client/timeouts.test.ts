// A server that never sends an answer cannot hold a stream open: keep-alive
// comments and empty tokens do not push back the first-token deadline, which
// is on by default, and timeouts.total bounds a trickle that never ends.
import { afterEach, expect, test, vi } from 'vitest'
import { createClient } from '../../src/index.js'
import { serve, sseHead } from '../helpers/http.js'
import type { TestServer } from '../helpers/http.js'

let s: TestServer
let stopServer: (() => void) | undefined
afterEach(async () => {
  vi.useRealTimers()
  stopServer?.()
  await s?.close()
})

/** A server that writes `chunk` every `ms` until the client goes away. */
async function forever(chunk: string, ms: number, first = '') {
  s = await serve((_req, res) => {
    sseHead(res)
    if (first) res.write(first)
    const t = setInterval(() => res.write(chunk), ms)
    res.on('close', () => clearInterval(t))
    stopServer = () => clearInterval(t)
  })
}

test('keep-alive comments every 20 ms do not hold off timeouts.firstToken', async () => {
  await forever(': keep-alive\n\n', 20)
  const t = performance.now()
  const r = await createClient({ baseUrl: s.url }).post('/x', { timeouts: { firstToken: 300 } }).result
  expect(r.error?.code).toBe('timeout')
  expect(r.error?.message).toBe('No token for 300 ms (timeouts.firstToken)')
  expect(performance.now() - t).toBeLessThan(3000)
})

test('empty tokens and metadata-only events do not count as the first token', async () => {
  await forever(`data: {"choices":[{"index":0,"delta":{"content":""}}]}\n\ndata: {"model":"m"}\n\n`, 20)
  const r = await createClient({ baseUrl: s.url }).post('/x', { timeouts: { firstToken: 300 } }).result
  expect(r.error?.code).toBe('timeout')
  expect(r.text).toBe('')
})

test('streamed reasoning counts as the first token', async () => {
  await forever(`data: {"choices":[{"index":0,"delta":{"reasoning_content":"hm"}}]}\n\n`, 20)
  const r = await createClient({ baseUrl: s.url }).post('/x', { timeouts: { firstToken: 200, total: 600 } }).result
  // It is the total deadline that ends it, not the first-token one.
  expect(r.error?.message).toBe('No final status for 600 ms (timeouts.total)')
  expect(r.reasoning).toMatch(/^(hm)+$/)
})

test('timeouts.total ends a stream that trickles one byte every 20 ms forever, keeping what arrived', async () => {
  let n = 0
  s = await serve((_req, res) => {
    sseHead(res)
    const body = 'data: x\n\n'
    const t = setInterval(() => res.write(body[n++ % body.length]!), 20)
    res.on('close', () => clearInterval(t))
    stopServer = () => clearInterval(t)
  })
  const r = await createClient({ baseUrl: s.url, dialect: 'text' }).post('/x', { timeouts: { total: 800 } }).result
  expect(r.status).toBe('error')
  expect(r.error?.code).toBe('timeout')
  expect(r.error?.message).toContain('timeouts.total')
  expect(r.text).toMatch(/^x+$/)
})

test('by default a server that only ever sends keep-alives is given up after 5 minutes', async () => {
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] })
  s = await serve((_req, res) => {
    sseHead(res)
    res.write(': waiting\n\n')
  })
  // idle off: only the first-token default can end it.
  const stream = createClient({ baseUrl: s.url }).post('/x', { timeouts: { idle: 0 } })
  const opened = new Promise<void>((resolve) => stream.on('status', (e) => e.status === 'streaming' && resolve()))
  await opened
  await vi.advanceTimersByTimeAsync(299_000)
  expect(stream.status).toBe('streaming')
  await vi.advanceTimersByTimeAsync(2_000)
  const r = await stream.result
  expect(r.error?.message).toBe('No token for 300000 ms (timeouts.firstToken)')
})
