import { afterEach, expect, test } from 'vitest'
import { createClient } from '../../src/index.js'
import { seedEvent, seedStream, serve, sseHead } from '../helpers/http.js'
import type { TestServer } from '../helpers/http.js'
import { recordingEventSource } from '../helpers/event-source.js'

let s: TestServer
const { ES, instances, closeAll } = recordingEventSource()
afterEach(async () => {
  closeAll()
  await s?.close()
})

test('GET over EventSource completes, then the EventSource is closed so it can never reconnect', async () => {
  s = await serve((_req, res) => {
    sseHead(res)
    // retry: 1 would make a left-open EventSource reconnect at once.
    res.end('retry: 1\n\n' + seedStream(['流式', '输出']))
  })
  const r = await createClient({ baseUrl: s.url, EventSource: ES }).get('/stream/get', { query: { text: 'hi' } }).result
  expect(r.status).toBe('completed')
  expect(r.text).toBe('流式输出')
  expect(instances).toHaveLength(1)
  expect(instances[0]!.readyState).toBe(2)
  expect(s.requests).toHaveLength(1)
  expect(s.requests[0]!.url).toBe('/stream/get?text=hi')
})

test('GET over EventSource that ends without completion is incomplete and closed', async () => {
  s = await serve((_req, res) => {
    sseHead(res)
    res.end('retry: 1\n\n' + seedEvent('half'))
  })
  const r = await createClient({ baseUrl: s.url, EventSource: ES }).get('/stream/get').result
  expect(r.status).toBe('incomplete')
  expect(r.error?.code).toBe('incomplete')
  expect(r.text).toBe('half')
  expect(instances[0]!.readyState).toBe(2)
  expect(s.requests).toHaveLength(1)
})

test('GET over EventSource answered with an HTML 500 is an http error', async () => {
  s = await serve((_req, res) => {
    res.writeHead(500, { 'Content-Type': 'text/html' })
    res.end('<title>500 Internal Server Error</title>')
  })
  const r = await createClient({ baseUrl: s.url, EventSource: ES }).get('/stream/get').result
  expect(r.status).toBe('error')
  expect(r.error?.code).toBe('http')
  expect(s.requests).toHaveLength(1)
})

test('GET over EventSource to a closed port is a network or http error, not a hang', async () => {
  s = await serve(() => {})
  const url = s.url
  await s.close()
  const r = await createClient({ baseUrl: url, EventSource: ES }).get('/stream/get').result
  expect(r.status).toBe('error')
  expect(['network', 'http']).toContain(r.error?.code)
  expect(instances[0]!.readyState).toBe(2)
})

test('a server-sent `event: error` reaches the stream as a server error, not a connection error', async () => {
  s = await serve((_req, res) => {
    sseHead(res)
    res.end(seedEvent('partial') + 'event: error\ndata: upstream model crashed\n\n')
  })
  const r = await createClient({ baseUrl: s.url, EventSource: ES }).get('/stream/get').result
  expect(r.status).toBe('error')
  expect(r.error?.code).toBe('server')
  expect(r.error?.message).toContain('upstream model crashed')
  expect(r.text).toBe('partial')
})

test("transport: 'fetch' makes GET use fetch even with an EventSource available", async () => {
  s = await serve((_req, res) => {
    sseHead(res)
    res.end(seedStream(['f']))
  })
  const r = await createClient({ baseUrl: s.url, EventSource: ES, transport: 'fetch' }).get('/g').result
  expect(r.text).toBe('f')
  expect(instances).toHaveLength(0)
})

test('GET in Node without any EventSource falls back to fetch', async () => {
  s = await serve((_req, res) => {
    sseHead(res)
    res.end(seedStream(['n']))
  })
  expect((globalThis as { EventSource?: unknown }).EventSource).toBeUndefined()
  const r = await createClient({ baseUrl: s.url }).get('/g').result
  expect(r.status).toBe('completed')
})
