import { afterAll, beforeAll, expect, onTestFinished, test } from 'vitest'
import { createClient } from '../../src/index.js'
import { expectedReasoning, expectedText } from '../../src/mock/script.js'
import { startMockServer } from '../../src/mock/server.js'
import type { MockServer } from '../../src/mock/server.js'
import { until } from '../helpers/eventually.js'
import { startFlask } from '../helpers/flask.js'
import type { FlaskBackend } from '../helpers/flask.js'
import { startProxy } from '../helpers/proxy.js'
import { startRedis } from '../helpers/redis.js'
import type { RedisServer } from '../helpers/redis.js'

// Resumable mode across processes: the two reference backends (Flask and
// FastAPI) share one Redis behind a proxy standing in for a load balancer. A
// stream cut on one worker continues on the other from its Last-Event-ID,
// and the upstream LLM (the mock) is asked exactly once.

const PROMPT = '详解一下flask框架 😀'
const TEXT = expectedText(PROMPT)
const REASONING = expectedReasoning(PROMPT, { think: true })
const GENERATIONS = '/v1/chat/completions'
// Slow enough that a cut lands mid-answer: ~110 events at 15 ms.
const SLOW = { 'x-mock-delay': '15' }
const LIVENESS_S = 1
const GRACE_S = 2

let mock: MockServer
let redis: RedisServer
let a: FlaskBackend
let b: FlaskBackend

function backend(server: 'flask' | 'fastapi', env: Record<string, string> = {}): Promise<FlaskBackend> {
  return startFlask({
    server,
    upstream: mock.url,
    format: 'json',
    env: { REDIS_URL: redis.url, RESUME_LIVENESS: String(LIVENESS_S), RESUME_GRACE: String(GRACE_S), ...env },
  })
}

beforeAll(async () => {
  mock = await startMockServer()
  redis = await startRedis()
  // a: Flask (a generation thread per answer), b: FastAPI (an asyncio task per answer).
  ;[a, b] = await Promise.all([backend('flask'), backend('fastapi')])
  await Promise.all([a.stats(), b.stats()])
}, 180_000)
afterAll(async () => {
  await Promise.all([a?.close(), b?.close()])
  await redis?.close()
  await mock?.close()
})

const generations = (): number => mock.stats().requests[GENERATIONS] ?? 0

for (const [from, to] of [
  ['Flask', 'FastAPI'],
  ['FastAPI', 'Flask'],
] as const) {
  test(`a stream cut on one worker resumes on another (${from} to ${to}): exact text, one generation`, { timeout: 60_000 }, async () => {
    const [first, second] = from === 'Flask' ? [a, b] : [b, a]
    const before = generations()
    const firstBefore = (await first.stats()).completed
    const secondBefore = (await second.stats()).completed
    // A fresh proxy: the client's kept-alive connections from earlier tests must not carry this stream.
    const proxy = await startProxy(first.url)
    onTestFinished(() => proxy.close())
    const routed = proxy.routed.length
    const client = createClient({ baseUrl: proxy.url, retry: { attempts: 3, baseDelay: 20, maxDelay: 200 } })
    const s = client.post('/stream/post', { json: { prompt: PROMPT }, headers: SLOW })
    let cutAt = -1
    s.on('delta', () => {
      if (cutAt < 0 && s.text.length > 30) {
        cutAt = s.text.length
        proxy.target = second.url
        proxy.cut()
      }
    })
    const r = await s.result
    expect(r.status).toBe('completed')
    expect(r.text).toBe(TEXT)
    expect(r.reasoning).toBe(REASONING)
    // Cut mid-answer, continued on the other worker.
    expect(cutAt).toBeGreaterThan(0)
    expect(cutAt).toBeLessThan(TEXT.length)
    expect(proxy.routed.slice(routed)).toEqual([first.url, second.url])
    expect(r.warnings.some((w) => w.code === 'retry')).toBe(true)
    expect(generations() - before).toBe(1)
    // The answer was saved once, by the worker that generated it.
    await until(
      () => first.stats(),
      (st) => st.completed === firstBefore + 1,
    )
    expect((await second.stats()).completed).toBe(secondBefore)
  })
}

test('a page reload resumes from the stored id on any worker (lastEventId option, EventSource query too)', { timeout: 60_000 }, async () => {
  const before = generations()
  const first = createClient({ baseUrl: a.url }).post('/stream/post', { json: { prompt: PROMPT }, headers: SLOW })
  first.on('delta', () => {
    if (first.text.length > 20) first.abort()
  })
  const cut = await first.result
  expect(cut.status).toBe('aborted')
  expect(cut.lastEventId).toMatch(/^[0-9a-f]{32}:\d+$/)
  // The "reloaded page" asks the other worker, by POST and by GET.
  const [post, get] = await Promise.all([
    createClient({ baseUrl: b.url }).post('/stream/post', { json: { prompt: PROMPT }, lastEventId: cut.lastEventId }).result,
    createClient({ baseUrl: b.url }).get('/stream/get', { transport: 'fetch', lastEventId: cut.lastEventId }).result,
  ])
  for (const rest of [post, get]) {
    expect(rest.status).toBe('completed')
    expect(cut.reasoning + rest.reasoning).toBe(REASONING)
    expect(cut.text + rest.text).toBe(TEXT)
  }
  expect(generations() - before).toBe(1)
})

test('an explicit cancel on another worker stops the generation and its upstream at once', { timeout: 60_000 }, async () => {
  const res = await fetch(`${a.url}/stream/post`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...SLOW, 'x-mock-delay': '200' },
    body: JSON.stringify({ prompt: PROMPT }),
  })
  const streamId = res.headers.get('x-stream-id')
  expect(streamId).toMatch(/^[0-9a-f]{32}$/)
  await until(
    () => mock.stats().open,
    (open) => open >= 1,
  )
  const t0 = Date.now()
  const cancel = await fetch(`${b.url}/stream/${streamId}/cancel`, { method: 'POST' })
  expect(cancel.status).toBe(202)
  const body = await res.text()
  expect(body).toMatch(/event: error\nid: \S+\ndata: .*"cancelled"/)
  await until(
    () => mock.stats().open,
    (open) => open === 0,
  )
  expect(Date.now() - t0).toBeLessThan(5_000)
  expect((await fetch(`${b.url}/stream/${'0'.repeat(32)}/cancel`, { method: 'POST' })).status).toBe(404)
})

test('a generation nobody follows goes on for the grace period, then stops its upstream', { timeout: 60_000 }, async () => {
  await until(
    () => mock.stats().open,
    (open) => open === 0,
  )
  const s = createClient({ baseUrl: a.url }).post('/stream/post', { json: { prompt: PROMPT }, headers: { 'x-mock-delay': '200' } })
  s.on('delta', () => s.abort())
  expect((await s.result).status).toBe('aborted')
  const gone = Date.now()
  expect(mock.stats().open).toBe(1)
  await until(
    () => mock.stats().open,
    (open) => open === 0,
    15_000,
  )
  const waited = Date.now() - gone
  // The grace period, plus the reader presence (3 s), a blocked read and a heartbeat, with slack for a loaded machine.
  expect(waited).toBeGreaterThanOrEqual(GRACE_S * 1000)
  expect(waited).toBeLessThan(GRACE_S * 1000 + 8_000)
})

test('resume requests the server cannot serve get a JSON error, never a hang', async () => {
  const unknown = await fetch(`${b.url}/stream/get`, { headers: { 'last-event-id': `${'a'.repeat(32)}:3` } })
  expect(unknown.status).toBe(404)
  expect((await unknown.json()).error.type).toBe('stream_not_found')
  const foreign = await fetch(`${b.url}/stream/get?lastEventId=42`)
  expect(foreign.status).toBe(400)
})

for (const server of ['flask', 'fastapi'] as const) {
  test(`a ${server} worker killed mid-generation: its readers elsewhere get an error within the liveness period`, { timeout: 60_000 }, async () => {
    const doomed = await backend(server)
    try {
      const proxy = await startProxy(doomed.url)
      onTestFinished(() => proxy.close())
      const client = createClient({ baseUrl: proxy.url, retry: { attempts: 3, baseDelay: 20, maxDelay: 200 } })
      const s = client.post('/stream/post', { json: { prompt: PROMPT }, headers: { 'x-mock-delay': '50' } })
      let killedAt = 0
      s.on('delta', () => {
        if (!killedAt && s.text.length > 10) {
          killedAt = Date.now()
          proxy.target = (server === 'flask' ? b : a).url
          void doomed.kill('SIGKILL') // a crash: no cleanup, no end mark
        }
      })
      const r = await s.result
      expect(killedAt).toBeGreaterThan(0)
      expect(r.status).toBe('error')
      expect(r.error?.code).toBe('server')
      expect(r.error?.body).toContain('generator_gone')
      expect(TEXT.startsWith(r.text)).toBe(true)
      expect(r.text.length).toBeLessThan(TEXT.length)
      // Liveness 1 s, plus the heartbeat before it, one blocked read after and the retry, with slack for a loaded machine.
      expect(Date.now() - killedAt).toBeLessThan(LIVENESS_S * 1000 + 6_000)
    } finally {
      await doomed.close()
    }
  })
}

test('a worker stopped gracefully (SIGTERM) finishes its generations: the resumed reader gets the whole answer', { timeout: 60_000 }, async () => {
  const leaving = await backend('flask')
  try {
    const before = generations()
    const proxy = await startProxy(leaving.url)
    onTestFinished(() => proxy.close())
    const client = createClient({ baseUrl: proxy.url, retry: { attempts: 3, baseDelay: 20, maxDelay: 200 } })
    const s = client.post('/stream/post', { json: { prompt: PROMPT }, headers: SLOW })
    let stopped: Promise<void> | undefined
    s.on('delta', () => {
      if (!stopped && s.text.length > 10) {
        proxy.target = b.url
        stopped = leaving.kill('SIGTERM')
        proxy.cut() // the load balancer moves the client on at once
      }
    })
    const r = await s.result
    await stopped
    expect(r.status).toBe('completed')
    expect(r.text).toBe(TEXT)
    expect(proxy.routed.at(-1)).toBe(b.url)
    expect(generations() - before).toBe(1)
  } finally {
    await leaving.close()
  }
})

test('Redis restarted mid-stream: the reader reports it instead of hanging, and the workers recover', { timeout: 60_000 }, async () => {
  const client = createClient({ baseUrl: a.url })
  const s = client.post('/stream/post', { json: { prompt: PROMPT }, headers: SLOW })
  let restarted: Promise<void> | undefined
  s.on('delta', () => {
    if (!restarted && s.text.length > 10) restarted = redis.stop().then(() => redis.start())
  })
  const t0 = Date.now()
  const r = await s.result
  await restarted
  expect(r.status).toBe('error')
  expect(r.error?.code).toBe('server')
  expect(r.error?.body).toMatch(/stream_lost|store_unavailable/)
  expect(Date.now() - t0).toBeLessThan(20_000)
  // The same workers stream again once Redis is back.
  const again = await createClient({ baseUrl: b.url }).post('/stream/post', { json: { prompt: PROMPT } }).result
  expect(again.status, JSON.stringify(again.error)).toBe('completed')
  expect(again.text).toBe(TEXT)
})
