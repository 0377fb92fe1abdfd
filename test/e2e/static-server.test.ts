// scripts/static-server.mjs, the demo's web server and proxy, without a
// browser: what it serves, and that the proxy is honest about streams.

import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { request } from 'node:http'
import { connect } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
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

/** Send `target` as the request target over a raw socket; resolve with the status line and body. */
function rawTarget(url: string, target: string, extra = ''): Promise<{ status: number; text: string }> {
  const { hostname, port } = new URL(url)
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname)
    let text = ''
    socket.setEncoding('utf8')
    socket.on('data', (s: string) => (text += s))
    socket.on('error', reject)
    socket.setTimeout(10_000, () => socket.destroy(new Error(`no answer to GET ${target}`)))
    socket.on('end', () => resolve({ status: Number(/^HTTP\/1\.1 (\d{3})/.exec(text)?.[1] ?? 0), text }))
    socket.write(`GET ${target} HTTP/1.1\r\nHost: ${hostname}:${port}\r\nConnection: close\r\n${extra}\r\n`)
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

test('an unreachable backend is a 502 that names it only in the server log', async () => {
  const gone = await serve(() => {})
  await gone.close()
  const web = await startStaticServer({ backend: gone.url })
  open.push(web)
  const res = await fetch(`${web.url}/stream/get`)
  expect(res.status).toBe(502)
  // The backend's address is for the server log, not for the page.
  const text = await res.text()
  expect(text).toContain('the backend is not reachable')
  expect(text).not.toContain(gone.url)
})

test('proxyHeaders are added to proxied requests', async () => {
  const backend = await backendServer((req, res) => res.end(String(req.headers['x-mock-delay'])))
  const web = await start(backend)
  web.setProxyHeaders({ 'X-Mock-Delay': '30' })
  expect(await (await fetch(`${web.url}/stream/get`)).text()).toBe('30')
})

test('a malformed or absolute-form request target is a 400 or is served as a path, and the server keeps answering', async () => {
  const backend = await backendServer((req, res) => res.end(`backend saw ${req.url}`))
  const web = await start(backend)
  // A port past 65535 used to throw outside any try and kill the demo.
  expect((await rawTarget(web.url, 'http://a:99999/')).status).toBe(400)
  expect((await rawTarget(web.url, 'http://[::1/stream/get')).status).toBe(400)
  expect((await rawTarget(web.url, '*')).status).toBe(400)
  // Absolute-form is legal HTTP/1.1: its path is served, its host ignored.
  const page = await rawTarget(web.url, 'http://elsewhere.invalid/examples/script-tag.html')
  expect(page.status).toBe(200)
  expect(page.text).toContain('<!doctype html>')
  expect((await fetch(`${web.url}/examples/script-tag.html`)).status).toBe(200)
})

test('no request target turns the proxy towards another host', async () => {
  const victim = await backendServer((_req, res) => res.end('victim'))
  const backend = await backendServer((req, res) => res.end(`backend saw ${req.url}`))
  const web = await start(backend)
  const { host } = new URL(victim.url)
  const absolute = await rawTarget(web.url, `http://${host}/stream/get?x=1`)
  expect(absolute.text).toContain('backend saw /stream/get?x=1')
  // `//host:port/...` is a path whose first segment is empty, not an authority.
  expect((await rawTarget(web.url, `//${host}/stream/get`)).status).toBe(404)
  expect((await rawTarget(web.url, `//${host}/stream/../stream/get`)).status).toBe(404)
  expect(victim.requests).toEqual([])
  expect(backend.requests.map((r) => r.url)).toEqual(['/stream/get?x=1'])
})

test('symlinks under a served folder do not serve files outside it', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'static-server-'))
  open.push({ close: async () => rmSync(dir, { recursive: true, force: true }) })
  const outside = join(dir, 'outside')
  mkdirSync(outside)
  writeFileSync(join(outside, 'secret.txt'), 'secret')
  writeFileSync(join(outside, 'secret.html'), 'secret')
  const dist = join(dir, 'dist')
  mkdirSync(dist)
  writeFileSync(join(dist, 'inside.js'), 'inside')
  symlinkSync(join(outside, 'secret.txt'), join(dist, 'leak.txt'))
  symlinkSync(outside, join(dist, 'linked'))
  symlinkSync(join(dist, 'inside.js'), join(dist, 'alias.js'))
  const examples = join(dir, 'examples')
  mkdirSync(examples)
  symlinkSync(join(outside, 'secret.html'), join(examples, 'page.html'))
  const web = await startStaticServer({ root: dir })
  open.push(web)
  expect(await (await fetch(`${web.url}/dist/inside.js`)).text()).toBe('inside')
  // A link that stays inside the folder is fine.
  expect(await (await fetch(`${web.url}/dist/alias.js`)).text()).toBe('inside')
  for (const path of ['/dist/leak.txt', '/dist/linked/secret.txt', '/examples/page.html']) {
    const res = await fetch(web.url + path)
    expect({ path, status: res.status }).toEqual({ path, status: 404 })
    expect(await res.text()).not.toContain('secret')
  }
})

test('x-mock-* headers from the public port reach the backend only when forwarding was asked for', async () => {
  const backend = await backendServer((req, res) =>
    res.end(JSON.stringify({ delay: req.headers['x-mock-delay'] ?? null, other: req.headers['x-other'] ?? null })),
  )
  const web = await start(backend)
  const headers = { 'X-Mock-Delay': '2147483647', 'X-Other': 'kept' }
  expect(await (await fetch(`${web.url}/stream/get`, { headers })).json()).toEqual({ delay: null, other: 'kept' })
  const forwarding = await startStaticServer({ backend: backend.url, forwardFaultHeaders: true })
  open.push(forwarding)
  expect(await (await fetch(`${forwarding.url}/stream/get`, { headers })).json()).toEqual({ delay: '2147483647', other: 'kept' })
})
