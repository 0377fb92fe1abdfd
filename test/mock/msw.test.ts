import { setupServer } from 'msw/node'
import { afterAll, beforeAll, expect, test, vi } from 'vitest'
import { createMockHandlers } from '../../src/mock/msw.js'
import { MOCK_SCENARIOS } from '../../src/mock/scenarios.js'
import { startMockServer } from '../../src/mock/server.js'
import type { MockServer } from '../../src/mock/server.js'
import { createMockStats } from '../../src/mock/stats.js'

const MSW = 'http://mock.test'
const stats = createMockStats()
const msw = setupServer(...createMockHandlers({ baseUrl: MSW, stats }))
let mock: MockServer

beforeAll(async () => {
  mock = await startMockServer()
  msw.listen({ onUnhandledRequest: 'bypass' })
})
afterAll(async () => {
  msw.close()
  await mock.close()
})

interface Read {
  status: number
  statusText: string
  headers: Record<string, string>
  body: string
  errored: string | undefined
}

// Headers the transport adds on its own: not part of the plan.
const TRANSPORT = new Set(['date', 'transfer-encoding', 'connection', 'keep-alive'])

async function read(url: string, init: RequestInit = {}): Promise<Read> {
  const res = await fetch(url, init)
  const chunks: Uint8Array[] = []
  let errored: string | undefined
  if (res.body) {
    const reader = res.body.getReader()
    try {
      for (;;) {
        const { done, value } = await reader.read()
        if (done) break
        chunks.push(value)
      }
    } catch (error) {
      errored = (error as Error).message
    }
  }
  const bytes = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0))
  chunks.reduce((at, c) => (bytes.set(c, at), at + c.length), 0)
  const headers = Object.fromEntries([...res.headers].filter(([name]) => !TRANSPORT.has(name)))
  // latin1 keeps invalid UTF-8 visible byte for byte.
  return { status: res.status, statusText: res.statusText, headers, body: Buffer.from(bytes).toString('latin1'), errored }
}

const chat = (extra: Record<string, unknown>): RequestInit => ({
  method: 'POST',
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }], ...extra }),
})

const CASES: [string, RequestInit?][] = [
  ['/stream/get?text=hi'],
  ['/stream/get?text=hi&think=1&ids=1&retry=100'],
  ['/stream/get?text=hi&format=json&lastContent=empty'],
  ['/stream/get?text=%E4%BD%A0%E5%A5%BD&eol=crlf&keepalive=1'],
  ['/stream/get?text=hi&chunk=random&seed=5&eol=cr'],
  ['/stream/get?text=hi&errorEvent=2'],
  ['/stream/get?text=hi&seedError=2'],
  ['/stream/get?text=hi&badPayload=1&badUtf8=1&loneSurrogates=1'],
  ['/stream/get?text=hi&noDone=1&oversize=70000'],
  ['/stream/get?status=500'],
  ['/stream/get?status=429&retryAfter=2&body=json'],
  ['/stream/get?status=204'],
  ['/stream/get?contentType=text/html'],
  ['/stream/get?body=html'],
  ['/stream/get?text=hi&ids=1', { headers: { 'Last-Event-ID': '7' } }],
  ['/stream/get?text=hi', { headers: { 'X-Mock-Length': '3', origin: 'http://app.test' } }],
  ['/stream/post', { method: 'POST', body: JSON.stringify({ prompt: 'posted' }) }],
  ['/stream/post', { method: 'OPTIONS', headers: { origin: 'http://app.test', 'access-control-request-headers': 'last-event-id' } }],
  ['/stream/text?text=hi'],
  ['/stream/text', { method: 'POST', body: JSON.stringify({ prompt: 'posted' }) }],
  ['/v1/chat/completions', chat({ stream: true })],
  ['/v1/chat/completions?think=1', chat({ stream: true, stream_options: { include_usage: true } })],
  ['/v1/chat/completions', chat({ model: 'deepseek-r1', stream: false })],
  ['/v1/chat/completions', chat({ messages: [] })],
  ['/v1/chat/completions?status=401', chat({ stream: true })],
  ['/nope'],
  ['/stream/get', { method: 'POST' }],
  ['/stream/get?dropAfter=nope'],
  ['/health'],
  ...MOCK_SCENARIOS.filter((s) => s.name !== 'stalled').map((s): [string] => [`/stream/get?text=hi&scenario=${s.name}`]),
]

test.each(CASES)('msw handlers answer %s with the same status, headers and bytes as the server', async (path, init) => {
  const [fromServer, fromMsw] = [await read(mock.url + path, init), await read(MSW + path, init)]
  expect(fromMsw.status).toBe(fromServer.status)
  expect(fromMsw.statusText).toBe(fromServer.statusText)
  expect(fromMsw.headers).toEqual(fromServer.headers)
  expect(fromMsw.body).toBe(fromServer.body)
  expect(fromMsw.body.length + fromMsw.status).toBeGreaterThan(0)
})

test('a cut stream from msw errors the read with TypeError terminated after the same bytes', async () => {
  const [fromServer, fromMsw] = [
    await read(`${mock.url}/v1/chat/completions?dropAfter=3`, chat({ stream: true })),
    await read(`${MSW}/v1/chat/completions?dropAfter=3`, chat({ stream: true })),
  ]
  expect(fromMsw.body).toBe(fromServer.body)
  expect(fromMsw.errored).toBe('terminated')
  expect(fromServer.errored).toBe('terminated')
})

test('a stalled msw stream stays open until the request is aborted, then the read rejects and open returns to 0', async () => {
  const controller = new AbortController()
  const res = await fetch(`${MSW}/stream/get?text=hi&stallAfter=2&keepalive=5ms`, { signal: controller.signal })
  const reader = res.body!.getReader()
  await reader.read()
  await reader.read()
  // Stalled but alive: heartbeats keep coming.
  expect(new TextDecoder().decode((await reader.read()).value)).toBe(': keep-alive\n\n')
  expect(stats.snapshot().open).toBe(1)
  const pending = reader.read()
  controller.abort()
  await expect(pending).rejects.toMatchObject({ name: 'AbortError' })
  await vi.waitFor(() => expect(stats.snapshot().open).toBe(0))
})

test('msw counts requests and serves /__stats and /__reset from the shared counters', async () => {
  await fetch(`${MSW}/__reset`, { method: 'POST' })
  await (await fetch(`${MSW}/stream/get?length=1`)).text()
  await (await fetch(`${MSW}/stream/text?length=1`)).text()
  expect(await (await fetch(`${MSW}/__stats`)).json()).toEqual({ requests: { '/stream/get': 1, '/stream/text': 1 }, open: 0 })
  expect(stats.snapshot().requests).toEqual({ '/stream/get': 1, '/stream/text': 1 })
})

test('firstByteDelay delays the msw response and delay the tokens', async () => {
  const started = Date.now()
  const res = await fetch(`${MSW}/stream/get?length=3&firstByteDelay=80&delay=20`)
  expect(Date.now() - started).toBeGreaterThanOrEqual(75)
  await res.text()
  expect(Date.now() - started).toBeGreaterThanOrEqual(75 + 3 * 20 - 5)
})

test('with baseUrl "*" the handlers answer on any origin', async () => {
  const any = setupServer(...createMockHandlers())
  msw.close()
  any.listen({ onUnhandledRequest: 'error' })
  try {
    const res = await fetch('https://anything.example/stream/get?length=1')
    expect(await res.text()).toContain("'status': 'completed'")
  } finally {
    any.close()
    msw.listen({ onUnhandledRequest: 'bypass' })
  }
})

test('the testing entry bundles for browsers with no Node built-ins (msw left external)', async () => {
  const { build } = await import('esbuild')
  const out = await build({
    entryPoints: [new URL('../../src/testing/index.ts', import.meta.url).pathname],
    bundle: true,
    platform: 'browser',
    format: 'esm',
    external: ['msw'],
    write: false,
    logLevel: 'silent',
  })
  const code = out.outputFiles[0]!.text
  expect(code).not.toMatch(/from\s*["']node:|require\(["']node:/)
  expect(code).toMatch(/from\s*["']msw["']/)
})
