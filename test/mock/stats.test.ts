import { afterEach, beforeEach, expect, test, vi } from 'vitest'
import { startMockServer } from '../../src/mock/server.js'
import type { MockServer } from '../../src/mock/server.js'
import { raw } from './wire.js'

let mock: MockServer
beforeEach(async () => {
  mock = await startMockServer()
})
afterEach(() => mock.close())

test('requests are counted per path, control routes and preflights are not', async () => {
  await raw(`${mock.url}/stream/get?length=1`)
  await raw(`${mock.url}/stream/get?length=1&status=500`)
  await raw(`${mock.url}/stream/post`, { method: 'POST', body: '{"prompt":"x"}' })
  await raw(`${mock.url}/stream/post`, { method: 'OPTIONS', headers: { origin: 'http://a.test' } })
  await raw(`${mock.url}/health`)
  const viaHttp = JSON.parse((await raw(`${mock.url}/__stats`)).text) as unknown
  expect(viaHttp).toEqual({ requests: { '/stream/get': 2, '/stream/post': 1 }, open: 0 })
  expect(mock.stats()).toMatchObject({ requests: { '/stream/get': 2, '/stream/post': 1 }, open: 0 })
})

test('POST /__reset zeroes the counts, as resetStats() does', async () => {
  await raw(`${mock.url}/stream/get?length=1`)
  await raw(`${mock.url}/__reset`, { method: 'POST' })
  expect(mock.stats().requests).toEqual({})
  await raw(`${mock.url}/stream/text?length=1`)
  mock.resetStats()
  expect(mock.stats().requests).toEqual({})
})

test('a stalled stream counts as open until the client aborts, then open returns to 0', async () => {
  const controller = new AbortController()
  const res = await fetch(`${mock.url}/stream/get?text=hi&stallAfter=1`, { signal: controller.signal })
  const reader = res.body!.getReader()
  await reader.read()
  expect(mock.stats().open).toBe(1)
  controller.abort()
  await expect(reader.read()).rejects.toThrow()
  // Not `sockets`: undici may open a spare connection right after an abort.
  await vi.waitFor(() => expect(mock.stats().open).toBe(0))
})

test('aborting during a long delay clears the timers: open returns to 0 and close() is prompt', async () => {
  const controller = new AbortController()
  const res = await fetch(`${mock.url}/stream/get?text=hi&delay=5000`, { signal: controller.signal })
  expect(res.status).toBe(200)
  expect(mock.stats().open).toBe(1)
  controller.abort()
  await vi.waitFor(() => expect(mock.stats().open).toBe(0))
  const started = Date.now()
  await mock.close()
  expect(Date.now() - started).toBeLessThan(1000)
})

test('close() destroys a stalled connection that the client never released', async () => {
  const res = await fetch(`${mock.url}/v1/chat/completions?stallAfter=1`, {
    method: 'POST',
    body: JSON.stringify({ model: 'm', stream: true, messages: [{ role: 'user', content: 'x' }] }),
  })
  const reader = res.body!.getReader()
  await reader.read()
  expect(mock.stats().open).toBe(1)
  await mock.close()
  await expect(reader.read()).rejects.toThrow('terminated')
  expect(mock.stats()).toMatchObject({ open: 0, sockets: 0 })
})

test('a client that reads a stream to the end leaves nothing open', async () => {
  const res = await fetch(`${mock.url}/stream/text?text=hi`)
  await res.text()
  await vi.waitFor(() => expect(mock.stats().open).toBe(0))
})
