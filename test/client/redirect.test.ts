// No secret leaves its origin: a redirect to another origin (two loopback
// servers on different ports) is not followed, so the other server receives
// nothing: no headers, no body. Same-origin redirects are followed as fetch
// would follow them.
import { afterEach, expect, test } from 'vitest'
import { createClient } from '../../src/index.js'
import { seedEvent, serve, sseHead } from '../helpers/http.js'
import type { TestServer } from '../helpers/http.js'

let a: TestServer
let b: TestServer
afterEach(async () => {
  await a?.close()
  await b?.close()
})
const answer = seedEvent('ok') + seedEvent('ok', ", 'status': 'completed'")
const secret = { 'X-Api-Key': 'sk-secret' }

async function servers(status: number, sameOrigin = false) {
  b = await serve((_req, res) => {
    sseHead(res)
    res.end(answer)
  })
  a = await serve((req, res) => {
    if (req.url === '/final') {
      sseHead(res)
      return res.end(answer)
    }
    res.writeHead(status, { Location: sameOrigin ? '/final' : `${b.url}/steal` })
    res.end()
  })
}

for (const status of [301, 302, 303, 307, 308]) {
  for (const method of ['GET', 'POST'] as const) {
    test(`a ${status} to another origin after a ${method} is not followed: the other origin receives nothing`, async () => {
      await servers(status)
      const client = createClient({ baseUrl: a.url, headers: secret })
      const s = method === 'GET' ? client.get('/x') : client.post('/x', { json: { prompt: 'private' } })
      const r = await s.result
      expect(r.status).toBe('error')
      expect(r.error?.code).toBe('http')
      expect(r.error?.status).toBe(status)
      expect(r.error?.message).toContain(`redirected to ${b.url}/steal`)
      expect(r.error?.message).toContain('another origin must not get your headers')
      expect(b.requests).toEqual([])
      expect(a.requests).toHaveLength(1)
    })
  }

  test(`a ${status} on the same origin is followed, the way fetch follows it`, async () => {
    await servers(status, true)
    const r = await createClient({ baseUrl: a.url, headers: secret }).post('/x', { json: { prompt: 'p' } }).result
    expect(r.status).toBe('completed')
    expect(r.text).toBe('ok')
    const [first, second] = a.requests
    expect(second!.url).toBe('/final')
    expect(second!.headers['x-api-key']).toBe('sk-secret')
    const keepsBody = status === 307 || status === 308
    expect(second!.method).toBe(keepsBody ? 'POST' : 'GET')
    expect(second!.body).toBe(keepsBody ? first!.body : '')
    expect(second!.headers['content-type']).toBe(keepsBody ? 'application/json' : undefined)
  })
}

test("redirect: 'error' refuses even a same-origin redirect", async () => {
  await servers(302, true)
  const r = await createClient({ baseUrl: a.url, redirect: 'error' }).post('/x').result
  expect(r.error?.code).toBe('http')
  expect(r.error?.message).toMatch(/^HTTP 302: redirected to http:\/\/127\.0\.0\.1:\d+\/final, not followed: redirect is 'error'/)
  expect(a.requests).toHaveLength(1)
})

test("redirect: 'follow' is the explicit opt-in to the platform's behaviour, other origins included", async () => {
  await servers(307)
  const r = await createClient({ baseUrl: a.url, headers: secret, redirect: 'follow' }).post('/x', { json: { n: 1 } }).result
  expect(r.status).toBe('completed')
  expect(b.requests).toHaveLength(1)
})

test('a browser-style opaque redirect, whose target is hidden, is an http error, not followed', async () => {
  const seen: RequestInit[] = []
  const fetch = async (_url: RequestInfo | URL, init?: RequestInit) => {
    seen.push(init!)
    // What a browser's fetch gives for redirect: 'manual'.
    const r = new Response(null, { status: 200 })
    Object.defineProperty(r, 'type', { value: 'opaqueredirect' })
    Object.defineProperty(r, 'status', { value: 0 })
    return r
  }
  const r = await createClient({ baseUrl: 'http://127.0.0.1:9', fetch }).post('/x').result
  expect(r.error?.code).toBe('http')
  expect(r.error?.message).toContain('target hidden by the browser')
  expect(seen.map((i) => i.redirect)).toEqual(['manual'])
})

test('an unknown redirect option is an invalid-options error', () => {
  expect(() => createClient({ redirect: 'manual' as never })).toThrow(/redirect must be 'same-origin', 'follow' or 'error', not "manual"/)
})
