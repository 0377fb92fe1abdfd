import { afterEach, expect, test } from 'vitest'
import { createClient } from '../../src/index.js'
import { seedStream, serve, sseHead } from '../helpers/http.js'
import type { TestServer } from '../helpers/http.js'

let s: TestServer
afterEach(() => s?.close())

async function echo(): Promise<TestServer> {
  s = await serve((_req, res) => {
    sseHead(res)
    res.end(seedStream(['ok']))
  })
  return s
}

test('a Headers instance, pairs and a plain object are all sent, call headers over client headers', async () => {
  await echo()
  const client = createClient({ baseUrl: s.url, headers: new Headers({ Authorization: 'Bearer a', 'X-A': '1' }) })
  await client.post('/x', { headers: [['X-B', '2']] }).result
  await client.post('/x', { headers: { Authorization: 'Bearer b' } }).result
  expect(s.requests[0]!.headers).toMatchObject({ authorization: 'Bearer a', 'x-a': '1', 'x-b': '2' })
  expect(s.requests[1]!.headers).toMatchObject({ authorization: 'Bearer b', 'x-a': '1' })
})

test('function header values and an async headers() are evaluated for each request', async () => {
  await echo()
  let n = 0
  const client = createClient({ baseUrl: s.url, headers: { Authorization: () => `Bearer ${++n}` } })
  await client.post('/x').result
  await client.post('/x', { headers: async () => ({ 'X-Trace': 't' }) }).result
  expect(s.requests.map((r) => r.headers.authorization)).toEqual(['Bearer 1', 'Bearer 2'])
  expect(s.requests[1]!.headers['x-trace']).toBe('t')
})

test('headers are copied when the request starts: later mutation has no effect', async () => {
  await echo()
  const headers: Record<string, string> = { 'X-Mode': 'before' }
  const stream = createClient({ baseUrl: s.url }).post('/x', { headers })
  const done = stream.result
  headers['X-Mode'] = 'after'
  await done
  expect(s.requests[0]!.headers['x-mode']).toBe('before')
})

test('GET with headers goes over fetch even where EventSource exists', async () => {
  await echo()
  let constructed = 0
  class NeverES {
    readyState = 0
    constructor() {
      constructed++
    }
    close() {}
    addEventListener() {}
  }
  const client = createClient({ baseUrl: s.url, EventSource: NeverES })
  const r = await client.get('/stream/get', { query: { text: '详解 flask&x' }, headers: { 'X-Key': 'k' } }).result
  expect(r.status).toBe('completed')
  expect(constructed).toBe(0)
  expect(s.requests[0]!.method).toBe('GET')
  expect(new URL(s.requests[0]!.url, s.url).searchParams.get('text')).toBe('详解 flask&x')
})
