// scripts/static-server.mjs, the demo's web server and proxy, without a
// browser: what it serves, and that the proxy is honest about streams.

import { request } from 'node:http'
import { afterEach, expect, test } from 'vitest'
import { startStaticServer, STRICT_CSP } from '../../scripts/static-server.mjs'
import type { StaticServer } from '../../scripts/static-server.d.mts'
import { serve } from '../helpers/http.js'
import type { TestServer } from '../helpers/http.js'

const open: { close(): Promise<void> }[] = []
afterEach(async () => {
  for (const s of open.splice(0).reverse()) await s.close()
})

async function start(backend?: TestServer): Promise<StaticServer> {
  const web = await startStaticServer({ backend: backend?.url })
  open.push(web)
  return web
}

async function backendServer(handler: Parameters<typeof serve>[0]): Promise<TestServer> {
  const s = await serve(handler)
  open.push(s)
  return s
}

/** A GET with the path sent exactly as given (fetch would normalise `..`). */
function rawGet(url: string, path: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(`${url}${path}`, { method: 'GET', path }, (res) => {
      res.resume()
      resolve(res.statusCode ?? 0)
    })
    req.on('error', reject)
    req.end()
  })
}

test('serves the example pages with the strict CSP and nosniff, and only the pages from examples/', async () => {
  const web = await start()
  const page = await fetch(`${web.url}/examples/script-tag.html`)
  expect(page.status).toBe(200)
  expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8')
  expect(page.headers.get('content-security-policy')).toBe(STRICT_CSP)
  expect(page.headers.get('x-content-type-options')).toBe('nosniff')
  expect((await fetch(`${web.url}/examples/script-tag.js`)).headers.get('content-type')).toBe('text/javascript; charset=utf-8')
  // The backend's sources and the app's sources are not served.
  expect((await fetch(`${web.url}/examples/flask-backend/app.py`)).status).toBe(404)
  expect((await fetch(`${web.url}/examples/app/src/main.ts`)).status).toBe(404)
  expect(await rawGet(web.url, '/dist/..%2Fpackage.json')).toBe(403)
  expect(await rawGet(web.url, '/examples/..%2F..%2Fetc%2Fpasswd')).toBe(404)
})

test('proxies /stream/ to the backend with method, body and headers, and streams each write as it comes', async () => {
  let release!: () => void
  const gate = new Promise<void>((resolve) => (release = resolve))
  const backend = await backendServer((req, res, body) => {
    res.writeHead(200, { 'Content-Type': 'text/event-stream', Connection: 'close' })
    res.write(`data: ${JSON.stringify({ method: req.method, url: req.url, body, header: req.headers['x-test'] })}\n\n`)
    void gate.then(() => res.end('data: done\n\n'))
  })
  const web = await start(backend)
  const res = await fetch(`${web.url}/stream/post?x=1`, { method: 'POST', body: '{"prompt":"hi"}', headers: { 'x-test': 'yes' } })
  expect(res.headers.get('content-type')).toBe('text/event-stream')
  // Werkzeug's `Connection: close` is hop-by-hop: not passed on.
  expect(res.headers.get('connection')).not.toBe('close')
  const reader = res.body!.getReader()
  // The first event arrives while the backend is still holding the rest: no buffering.
  const first = new TextDecoder().decode((await reader.read()).value)
  expect(JSON.parse(first.slice('data: '.length))).toEqual({ method: 'POST', url: '/stream/post?x=1', body: '{"prompt":"hi"}', header: 'yes' })
  release()
  let rest = ''
  for (let r = await reader.read(); !r.done; r = await reader.read()) rest += new TextDecoder().decode(r.value)
  expect(rest).toBe('data: done\n\n')
})

test('a backend that dies mid-stream reaches the browser as a cut, not as a clean end', async () => {
  const backend = await backendServer((_req, res) => {
    res.writeHead(200, { 'Content-Type': 'text/event-stream' })
    res.write('data: one\n\n', () => res.socket?.destroy())
  })
  const web = await start(backend)
  const res = await fetch(`${web.url}/stream/get`)
  const reader = res.body!.getReader()
  expect(new TextDecoder().decode((await reader.read()).value)).toBe('data: one\n\n')
  await expect(reader.read()).rejects.toThrow(/terminated/)
})

test('a browser that goes away closes the backend connection too (Stop stops the generation)', async () => {
  const backend = await backendServer((_req, res) => {
    res.writeHead(200, { 'Content-Type': 'text/event-stream' })
    res.write('data: one\n\n') // and nothing more: a slow model
  })
  const web = await start(backend)
  const abort = new AbortController()
  const res = await fetch(`${web.url}/stream/get`, { signal: abort.signal })
  await res.body!.getReader().read()
  expect(backend.open).toBe(1)
  abort.abort()
  await backend.drained()
  expect(backend.open).toBe(0)
})

test('an unreachable backend is a 502 that names it', async () => {
  const gone = await serve(() => {})
  await gone.close()
  const web = await startStaticServer({ backend: gone.url })
  open.push(web)
  const res = await fetch(`${web.url}/stream/get`)
  expect(res.status).toBe(502)
  expect(await res.text()).toContain(`the backend at ${gone.url} is not reachable`)
})

test('proxyHeaders are added to proxied requests', async () => {
  const backend = await backendServer((req, res) => res.end(String(req.headers['x-mock-delay'])))
  const web = await start(backend)
  web.setProxyHeaders({ 'X-Mock-Delay': '30' })
  expect(await (await fetch(`${web.url}/stream/get`)).text()).toBe('30')
})
