import { afterEach, expect, test } from 'vitest'
import { createClient } from '../../src/index.js'
import { seedEvent, serve, sseHead } from '../helpers/http.js'
import type { TestServer } from '../helpers/http.js'
import { recordingEventSource } from '../helpers/event-source.js'

let s: TestServer
const { ES, closeAll } = recordingEventSource()
afterEach(async () => {
  closeAll()
  await s?.close()
})
const fast = { attempts: 3, baseDelay: 1, maxDelay: 5 }
/** A header as the bytes on the wire, read as UTF-8 (Node hands header values over as Latin-1). */
const utf8 = (v: string | string[] | undefined) => (typeof v === 'string' ? Buffer.from(v, 'latin1').toString('utf8') : v)
const done = seedEvent('b', ", 'status': 'completed'")

test('lastEventId on a POST is sent as Last-Event-ID, as UTF-8 bytes like EventSource sends it', async () => {
  s = await serve((_req, res) => {
    sseHead(res)
    res.end('id: 8\n' + done)
  })
  const r = await createClient({ baseUrl: s.url }).post('/x', { json: {}, lastEventId: 'café 7' }).result
  expect(r.status).toBe('completed')
  expect(utf8(s.requests[0]!.headers['last-event-id'])).toBe('café 7')
  expect(s.requests[0]!.url).toBe('/x')
})

test('lastEventId on a GET over fetch is a header, not a query parameter', async () => {
  s = await serve((_req, res) => {
    sseHead(res)
    res.end(done)
  })
  const r = await createClient({ baseUrl: s.url }).get('/g', { transport: 'fetch', query: { text: 'hi' }, lastEventId: '41' }).result
  expect(r.status).toBe('completed')
  expect(s.requests[0]!.headers['last-event-id']).toBe('41')
  expect(s.requests[0]!.url).toBe('/g?text=hi')
})

test('lastEventId on a GET over EventSource, which cannot set headers, is a lastEventId query parameter', async () => {
  s = await serve((_req, res) => {
    sseHead(res)
    res.end(done)
  })
  const r = await createClient({ baseUrl: s.url, EventSource: ES }).get('/g', { query: { text: 'hi' }, lastEventId: 'é&1' }).result
  expect(r.status).toBe('completed')
  expect(s.requests[0]!.url).toBe('/g?text=hi&lastEventId=%C3%A9%261')
  expect(s.requests[0]!.headers['last-event-id']).toBeUndefined()
})

test('a lastEventId that cannot be sent in a header is an invalid-options error at the call', () => {
  const client = createClient({ baseUrl: 'http://127.0.0.1:9' })
  for (const bad of ['a\nb', 'a\u0000b', 'a\u0001b', 7])
    expect(() => client.post('/x', { lastEventId: bad as string })).toThrow(expect.objectContaining({ code: 'invalid-options' }))
})

test('with retry on, a non-ASCII event id is resumed with its UTF-8 bytes', async () => {
  s = await serve((req, res) => {
    sseHead(res)
    if (!req.headers['last-event-id']) res.write('id: 价格€\n' + seedEvent('a'), () => res.socket?.destroy())
    else res.end('id: 价格€2\n' + seedEvent('b') + done)
  })
  const r = await createClient({ baseUrl: s.url, retry: fast }).post('/x').result
  expect(r.status).toBe('completed')
  expect(r.text).toBe('ab')
  expect(s.requests.map((q) => utf8(q.headers['last-event-id']))).toEqual([undefined, '价格€'])
})

test('with retry on, an event id with a control character never starts a resume: one request, the real error', async () => {
  s = await serve((_req, res) => {
    sseHead(res)
    res.write('id: a\u0001b\n' + seedEvent('a'), () => res.socket?.destroy())
  })
  const r = await createClient({ baseUrl: s.url, retry: fast }).post('/x').result
  expect(r.status).not.toBe('completed')
  expect(r.text).toBe('a')
  expect(r.lastEventId).toBe('a\u0001b')
  expect(r.counts.attempts).toBe(1)
  expect(r.error?.message).not.toMatch(/header/i)
  expect(s.requests).toHaveLength(1)
})

test('stream.lastEventId is undefined until an event has an id, then follows the last one live (an event without id keeps it)', async () => {
  s = await serve((_req, res) => {
    sseHead(res)
    res.end(seedEvent('a') + 'id: 7\n' + seedEvent('b') + seedEvent('c') + 'id: s:9\n' + done)
  })
  // Started from a given id: that is what was sent, not an event received.
  const stream = createClient({ baseUrl: s.url }).post('/x', { json: {}, lastEventId: '3' })
  const seen: [string, string | undefined][] = []
  seen.push(['start', stream.lastEventId])
  stream.on('delta', (e) => seen.push([e.text, stream.lastEventId]))
  const r = await stream.result
  expect(r.status).toBe('completed')
  expect(seen).toEqual([
    ['start', undefined],
    ['a', undefined],
    ['b', '7'],
    ['c', '7'],
  ])
  expect(stream.lastEventId).toBe('s:9')
  expect(r.lastEventId).toBe('s:9')
})
