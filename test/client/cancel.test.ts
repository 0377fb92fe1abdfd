import { afterEach, expect, test } from 'vitest'
import { createClient } from '../../src/index.js'
import type { StreamEventType } from '../../src/index.js'
import { seedEvent, serve, sseHead } from '../helpers/http.js'
import type { TestServer } from '../helpers/http.js'

const servers: TestServer[] = []
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()))
})

/** A server that sends `first` tokens, then holds the connection open until the client leaves. */
async function stalling(first: string[], comments = false): Promise<TestServer> {
  const s = await serve((_req, res) => {
    sseHead(res)
    for (const t of first) res.write(seedEvent(t))
    if (comments) res.write(': keep-alive\n\n')
  })
  servers.push(s)
  return s
}

test('abort() mid-stream ends as aborted with the partial text, and the server sees the connection close', async () => {
  const s = await stalling(['one ', 'two'])
  const stream = createClient({ baseUrl: s.url }).post('/x')
  stream.on('delta', (e) => {
    if (e.text === 'two') stream.abort()
  })
  const r = await stream.result
  expect(r.status).toBe('aborted')
  expect(r.error).toBeUndefined()
  expect(r.text).toBe('one two')
  await s.drained()
})

test('an AbortSignal cancels the stream like abort()', async () => {
  const s = await stalling(['a'])
  const controller = new AbortController()
  const stream = createClient({ baseUrl: s.url }).post('/x', { signal: controller.signal })
  stream.on('delta', () => controller.abort())
  const r = await stream.result
  expect(r.status).toBe('aborted')
  expect(r.text).toBe('a')
  await s.drained()
})

test('an already-aborted signal starts no request at all', async () => {
  const s = await stalling(['a'])
  const r = await createClient({ baseUrl: s.url }).post('/x', { signal: AbortSignal.abort() }).result
  expect(r.status).toBe('aborted')
  expect(s.requests).toHaveLength(0)
})

test('break out of for await cancels the request', async () => {
  const s = await stalling(['a', 'b'])
  const stream = createClient({ baseUrl: s.url }).post('/x')
  for await (const e of stream) if (e.type === 'delta') break
  expect((await stream.result).status).toBe('aborted')
  await s.drained()
})

for (const type of ['status', 'meta', 'delta', 'done'] as StreamEventType[]) {
  test(`abort() from inside a ${type} listener leaves one final status and no unhandled error`, async () => {
    const s = await stalling(['a', 'b'])
    // The idle timeout ends the stream when the listener (done) cannot abort it.
    const stream = createClient({ baseUrl: s.url, timeouts: { idle: 300 } }).post('/x')
    const finals: string[] = []
    stream.on(type, () => stream.abort())
    stream.on('done', (e) => finals.push(e.result.status))
    const r = await stream.result
    expect(r.status).toBe(type === 'done' ? 'error' : 'aborted')
    expect(finals).toEqual([r.status])
    await s.drained()
  })
}

test('the idle timeout turns a stalled HTTP 200 stream into a timeout error and closes it', async () => {
  const s = await stalling(['slow'])
  const r = await createClient({ baseUrl: s.url, timeouts: { idle: 150 } }).post('/x').result
  expect(r.status).toBe('error')
  expect(r.error?.code).toBe('timeout')
  expect(r.text).toBe('slow')
  await s.drained()
})

test('keep-alive comments do not count as the first token', async () => {
  const s = await stalling([], true)
  const r = await createClient({ baseUrl: s.url, timeouts: { firstToken: 150 } }).post('/x').result
  expect(r.error?.code).toBe('timeout')
  expect(r.error?.message).toContain('firstToken')
  await s.drained()
})

test('timeouts can be set per call over the client default', async () => {
  const s = await stalling(['x'])
  const client = createClient({ baseUrl: s.url, timeouts: { idle: 60_000 } })
  const r = await client.post('/x', { timeouts: { idle: 100 } }).result
  expect(r.error?.code).toBe('timeout')
})

test('timeouts.idle: 0 turns the idle timeout off', async () => {
  const s = await serve((_req, res) => {
    sseHead(res)
    res.write(seedEvent('a'))
    setImmediate(() => res.end(seedEvent('b') + seedEvent('b', ", 'status': 'completed'")))
  })
  servers.push(s)
  const r = await createClient({ baseUrl: s.url, timeouts: { idle: 0 } }).post('/x').result
  expect(r.status).toBe('completed')
  expect(r.text).toBe('ab')
})

test('data that keeps arriving resets the idle timeout', async () => {
  let n = 0
  const s = await serve((_req, res) => {
    sseHead(res)
    // 8 tokens 40 ms apart: 320 ms in all, each gap well under the 150 ms limit.
    const tick = () => (++n < 8 ? (res.write(seedEvent('t')), setTimeout(tick, 40)) : res.end(seedEvent('t', ", 'status': 'completed'")))
    tick()
  })
  servers.push(s)
  const r = await createClient({ baseUrl: s.url, timeouts: { idle: 150 } }).post('/x').result
  expect(r.status).toBe('completed')
  expect(r.text).toBe('t'.repeat(7))
})
