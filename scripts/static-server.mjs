// The demo's web server (node:http, no dependencies): serves the example
// pages, dist/ and the built Vite app, and proxies the stream routes to the
// Flask backend so pages and API share one origin (no CORS, cookies work,
// as behind nginx in production). Used by scripts/demo.mjs and test/e2e.

import { createReadStream, realpathSync, statSync } from 'node:fs'
import { Agent, createServer, request as httpRequest } from 'node:http'
import { request as httpsRequest } from 'node:https'
import { extname, join, normalize, resolve, sep } from 'node:path'
import { fileURLToPath } from 'node:url'

/** The repository root (this file lives in scripts/). */
export const REPO_ROOT = resolve(fileURLToPath(new URL('..', import.meta.url)))

/**
 * Sent on every HTML page unless `csp: false`: no inline script, no eval,
 * scripts only from this origin. The examples must work under it (they use
 * external files and text nodes only), which is what real deployments need.
 */
export const STRICT_CSP = "script-src 'self'; object-src 'none'; base-uri 'none'"

const TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.cjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.md': 'text/markdown; charset=utf-8',
  '.ts': 'text/plain; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.txt': 'text/plain; charset=utf-8',
}

// Hop-by-hop headers (RFC 9110 §7.6.1) describe one connection, not the
// message: Werkzeug's `Connection: close` must not close the browser's socket.
const USE_CHAT = '/ai-sdk-useChat'
const USE_CHAT_API = `${USE_CHAT}/api/`
const HOP = new Set(['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'upgrade', 'te', 'trailer', 'host'])

/**
 * Start the server.
 *
 * @param {import('./static-server.d.mts').StaticServerOptions} [options]
 * @returns {Promise<import('./static-server.d.mts').StaticServer>}
 */
export async function startStaticServer(options = {}) {
  const root = options.root ?? REPO_ROOT
  const appDir = options.appDir ?? join(root, 'examples', 'app', 'dist')
  const reactChatDir = options.reactChatDir ?? join(root, 'examples', 'react-chat', 'dist')
  const useChatDir = options.useChatDir ?? join(root, 'examples', 'ai-sdk-useChat', 'dist')
  const distDir = options.distDir ?? join(root, 'dist')
  let proxyHeaders = options.proxyHeaders ?? {}
  const proxyPrefixes = options.proxy ?? ['/stream/', '/api/']
  const csp = options.csp === undefined ? STRICT_CSP : options.csp
  let backend = options.backend
  // The AI SDK's useChat page speaks to a backend in `--format ai-sdk`: its
  // own `/ai-sdk-useChat/api/*`, forwarded there as `/api/*`.
  const useChatBackend = options.useChatBackend
  const forwardFaultHeaders = options.forwardFaultHeaders === true
  // No keep-alive towards the backend: Werkzeug closes every connection
  // anyway, and a pooled socket it already closed would fail the next request.
  const agent = new Agent({ keepAlive: false })

  const mounts = [
    { prefix: '/dist/', dir: distDir },
    // Only the example pages themselves: not the Flask sources or the app's.
    { prefix: '/examples/', dir: join(root, 'examples'), only: /^[\w.-]+\.(html|js|css|md)$/ },
    { prefix: '/app/', dir: appDir, spa: true },
    { prefix: '/react-chat/', dir: reactChatDir, spa: true },
    { prefix: '/ai-sdk-useChat/', dir: useChatDir, spa: true },
  ]

  const server = createServer((req, res) => {
    try {
      route(req, res)
    } catch (error) {
      // Whatever a request does, it must not take the server (and the demo's
      // children) down: log the detail here, tell the client nothing about it.
      console.error('static-server:', error)
      if (res.headersSent) res.destroy()
      else send(res, 500, 'Internal error')
    }
  })

  function route(req, res) {
    const url = requestPath(req.url)
    if (!url) return send(res, 400, 'Bad request target')
    if (useChatBackend && url.pathname.startsWith(USE_CHAT_API)) return proxy(req, res, url, useChatBackend, url.pathname.slice(USE_CHAT.length))
    if (backend && proxyPrefixes.some((p) => url.pathname.startsWith(p))) return proxy(req, res, url)
    if (req.method !== 'GET' && req.method !== 'HEAD') return send(res, 405, 'Method not allowed')
    if (url.pathname === '/') return sendHtml(res, indexPage())
    if (url.pathname === '/app') return redirect(res, '/app/' + url.search)
    if (url.pathname === '/react-chat') return redirect(res, '/react-chat/' + url.search)
    if (url.pathname === '/ai-sdk-useChat') return redirect(res, '/ai-sdk-useChat/' + url.search)
    for (const m of mounts) if (url.pathname.startsWith(m.prefix)) return serveFile(req, res, m, url.pathname.slice(m.prefix.length))
    send(res, 404, 'Not found')
  }

  function serveFile(req, res, mount, rel) {
    let name
    try {
      name = decodeURIComponent(rel)
    } catch {
      return send(res, 400, 'Bad path')
    }
    if (mount.only && !mount.only.test(name)) return send(res, 404, 'Not found')
    const file = normalize(join(mount.dir, name || 'index.html'))
    if (file !== mount.dir && !file.startsWith(mount.dir + sep)) return send(res, 403, 'Forbidden')
    let path = file
    let stat = statOrNull(path)
    if (stat?.isDirectory()) stat = statOrNull((path = join(path, 'index.html')))
    // Client-side routes of the app fall back to its index.html; files with an extension do not.
    if (!stat && mount.spa && !extname(name)) stat = statOrNull((path = join(mount.dir, 'index.html')))
    if (!stat?.isFile()) return send(res, 404, mount.spa ? 'Not found (did you build the app? npx vite build examples/app)' : 'Not found')
    // A symlink inside a served folder must not serve what lies outside it
    // (`dist/x -> /etc/passwd`, a linked folder): judge the resolved path.
    const real = realpathOrNull(path)
    const realDir = realpathOrNull(mount.dir)
    if (!real || !realDir || !real.startsWith(realDir + sep)) return send(res, 404, 'Not found')
    path = real
    const type = TYPES[extname(path)] ?? 'application/octet-stream'
    const headers = { 'Content-Type': type, 'Content-Length': stat.size, 'Cache-Control': 'no-store', 'X-Content-Type-Options': 'nosniff' }
    if (type.startsWith('text/html') && csp) headers['Content-Security-Policy'] = csp
    res.writeHead(200, headers)
    if (req.method === 'HEAD') return res.end()
    createReadStream(path).pipe(res)
  }

  function proxy(req, res, url, to = backend, path = url.pathname) {
    // Only the path and query of the request reach the backend: its origin
    // comes from `backend` alone, so no request target can point the proxy
    // at another host.
    const base = new URL(to)
    const target = new URL(base.origin)
    target.pathname = path
    target.search = url.search
    if (target.origin !== base.origin) return send(res, 400, 'Bad request target')
    const headers = {}
    for (const [k, v] of Object.entries(req.headers)) {
      if (HOP.has(k) || v === undefined) continue
      // Mock fault knobs from the public port would let any page make the
      // upstream stall or flood: only the operator's `proxyHeaders` set them,
      // unless forwarding was asked for.
      if (!forwardFaultHeaders && k.startsWith('x-mock-')) continue
      headers[k] = v
    }
    for (const [k, v] of Object.entries(proxyHeaders)) headers[k.toLowerCase()] = v
    const send_ = target.protocol === 'https:' ? httpsRequest : httpRequest
    const upstream = send_(target, { method: req.method, headers, agent: target.protocol === 'https:' ? undefined : agent })
    upstream.on('response', (up) => {
      const out = {}
      for (const [k, v] of Object.entries(up.headers)) if (!HOP.has(k) && v !== undefined) out[k] = v
      res.writeHead(up.statusCode ?? 502, up.statusMessage, out)
      // Headers now, not with the first body bytes: EventSource's `open` and
      // fetch's response must not wait for the first token.
      res.flushHeaders()
      up.pipe(res)
      // A backend that dies mid-stream ends its chunked body without the
      // last chunk. Pass that on as a cut, not a clean end, or the browser
      // would take a truncated answer for a finished one.
      up.on('close', () => {
        if (!up.complete) res.destroy()
      })
    })
    upstream.on('error', (error) => {
      if (res.headersSent) res.destroy()
      else {
        // The backend's address and the socket error are for the operator, not for the page.
        console.error(`static-server: the backend at ${to} is not reachable (${error.message})`)
        send(res, 502, 'Bad gateway: the backend is not reachable.')
      }
    })
    // The browser went away (Stop, tab closed): close the backend connection
    // too, so Flask's generator stops and the LLM stops generating.
    res.on('close', () => {
      if (!res.writableFinished) upstream.destroy()
    })
    req.pipe(upstream)
  }

  await new Promise((ok, fail) => {
    server.once('error', fail)
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => {
      server.off('error', fail)
      ok()
    })
  })
  const address = server.address()
  const host = options.host && options.host !== '0.0.0.0' ? options.host : '127.0.0.1'
  return {
    url: `http://${host.includes(':') ? `[${host}]` : host}:${address.port}`,
    port: address.port,
    setBackend(url) {
      backend = url
    },
    setProxyHeaders(headers) {
      proxyHeaders = headers ?? {}
    },
    close: () =>
      new Promise((ok) => {
        server.close(() => ok())
        server.closeAllConnections()
        agent.destroy()
      }),
  }
}

/**
 * The path and query of a request target, or null when it is neither
 * origin-form (`/path?q`) nor absolute-form (`http://host/path`, RFC 9112
 * §3.2.2, which a server must accept; only its path is used). The base is
 * fixed, so `//host/x` stays a path here instead of naming a host.
 */
function requestPath(raw) {
  if (typeof raw !== 'string') return null
  try {
    if (raw.startsWith('/')) return new URL(`http://localhost${raw}`)
    if (/^https?:\/\//i.test(raw)) {
      const absolute = new URL(raw)
      return new URL(`http://localhost${absolute.pathname}${absolute.search}`)
    }
  } catch {
    // Malformed (a port past 65535, a bad host): a 400 below.
  }
  return null
}

function realpathOrNull(path) {
  try {
    return realpathSync(path)
  } catch {
    return null
  }
}

function statOrNull(path) {
  try {
    return statSync(path)
  } catch {
    return null
  }
}

function send(res, status, text) {
  res.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8', 'Cache-Control': 'no-store' })
  res.end(text + '\n')
}

function redirect(res, location) {
  res.writeHead(302, { Location: location })
  res.end()
}

function sendHtml(res, html) {
  res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8', 'Cache-Control': 'no-store', 'Content-Security-Policy': STRICT_CSP })
  res.end(html)
}

function indexPage() {
  return `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>llm-sse-client examples</title><link rel="stylesheet" href="/examples/script-tag.css"></head>
<body><main>
<h1>llm-sse-client <span class="sub">examples</span></h1>
<ul class="links">
<li><a href="/examples/script-tag.html">Script tag</a>: the UMD build, GET (EventSource) and POST (fetch), one answer.</li>
<li><a href="/app/">Vite + TypeScript app</a>: a chat with history, Stop and Retry.</li>
<li><a href="/ai-sdk-useChat/">AI SDK useChat</a>: the AI SDK's own <code>useChat</code> (<code>@ai-sdk/react</code>, unmodified) against the Python kit in <code>--format ai-sdk</code>: reasoning, a server-side tool call, Stop, and an answer that survives a reload.</li>
<li><a href="/react-chat/">React chat</a>: <code>useChat</code> with Markdown answers, tool calls as cards, attachments, Stop, Regenerate, Edit (with the versions kept), Retry and history kept across reloads.</li>
</ul>
<p class="note">Streams go to <code>/stream/get</code>, <code>/stream/post</code> and <code>/api/chat</code> on this origin, proxied to the Flask backend.</p>
</main></body></html>
`
}
