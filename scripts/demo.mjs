#!/usr/bin/env node
// `npm run demo`: everything the examples need, offline, on loopback:
//
//   browser ──> static server :8080 ──/stream/*──> Flask backend :5000 ──> mock LLM :8787/v1
//                                    └─/ai-sdk-useChat/api/*──> Flask backend --format ai-sdk ─┘
//               (examples/, dist/, the built Vite app)                    (or OPENAI_BASE_URL)
//
// Builds the SDK (rollup) and the Vite app, makes the Python venv, starts the
// three servers, prints their URLs; Ctrl-C stops them all. Ports fall back to
// free ones when taken.
//
//   npm run demo                      # then open the printed URL
//   npm run demo -- --check           # start, stream once through the proxy, print OK, exit
//   npm run demo -- --no-build        # reuse dist/ and examples/app/dist/
//   npm run demo -- --forward-faults  # let pages ask the mock for faults (x-mock-* headers)
//   npm run demo -- --cross-origin    # also serve the pages on a second port, calling Flask cross-origin (CORS)
//
// Environment: DEMO_PORT (8080), FLASK_PORT (5000), MOCK_PORT (8787);
// MOCK_FAULTS: mock knobs for every stream, as a query string (default
// `delay=30`, a token every 30 ms like a real model; try `delay=50&dropAfter=40`
// to see a broken stream; see src/mock/README.md); OPENAI_BASE_URL +
// OPENAI_API_KEY + LLM_MODEL use a real OpenAI-compatible server instead of
// the mock (e.g. Ollama: http://127.0.0.1:11434/v1); SSE_FORMAT=json makes
// Flask send JSON instead of Python repr.

import { spawn } from 'node:child_process'
import { existsSync } from 'node:fs'
import { createServer } from 'node:net'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { ensurePythonEnv } from './python-env.mjs'
import { REPO_ROOT, startStaticServer } from './static-server.mjs'

const HOST = '127.0.0.1'
const USAGE = `usage: npm run demo [-- --check] [-- --no-build] [-- --forward-faults]
  --check           start everything, stream one answer through the static server's proxy, print OK and exit
  --no-build        skip the rollup and vite builds (use what dist/ and the examples' dist/ folders hold)
  --forward-faults  pass x-mock-* request headers from the browser on to the mock LLM (off: only MOCK_FAULTS sets them)
  --cross-origin    also serve the pages on a second port (DEMO_PAGE_PORT) that call the Flask backend directly,
                    from another origin, with the backend's ALLOWED_ORIGINS set to that page's origin
env: DEMO_PORT=8080 DEMO_PAGE_PORT=8081 FLASK_PORT=5000 MOCK_PORT=8787, MOCK_FAULTS='delay=30' (mock knobs, see src/mock/README.md),
     OPENAI_BASE_URL / OPENAI_API_KEY / LLM_MODEL for a real LLM, SSE_FORMAT=json`

const args = new Set(process.argv.slice(2))
for (const a of args)
  if (!['--check', '--no-build', '--forward-faults', '--cross-origin', '--help', '-h'].includes(a)) {
    console.error(`unknown argument ${a}\n${USAGE}`)
    process.exit(2)
  }
if (args.has('--help') || args.has('-h')) {
  console.log(USAGE)
  process.exit(0)
}
const check = args.has('--check')
const build = !args.has('--no-build')
const forwardFaults = args.has('--forward-faults')
const crossOrigin = args.has('--cross-origin')

const say = (line) => console.error(`demo: ${line}`)
/** Stop callbacks, run in reverse order. */
const stops = []
let stopping
/** Every child process still running, killed outright if the demo exits without stopping them. */
const children = new Set()

function track(child) {
  children.add(child)
  child.once('exit', () => children.delete(child))
  return child
}

function port(name, fallback) {
  const raw = process.env[name]
  if (raw === undefined || raw === '') return fallback
  const n = Number(raw)
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new Error(`${name} must be a port number (0-65535), got ${raw}`)
  return n
}

/** `preferred` if it can be bound on loopback right now, else 0 (let the server pick). */
function freeOr0(preferred) {
  return new Promise((resolve) => {
    if (preferred === 0) return resolve(0)
    const probe = createServer()
    probe.once('error', () => resolve(0))
    probe.listen(preferred, HOST, () => probe.close(() => resolve(preferred)))
  })
}

/** Start with the preferred port; on EADDRINUSE, on any free one. */
async function withPortFallback(name, preferred, start) {
  try {
    return await start(preferred)
  } catch (error) {
    if (error?.code !== 'EADDRINUSE' || preferred === 0) throw error
    say(`port ${preferred} is taken; the ${name} uses a free one`)
    return start(0)
  }
}

function run(cmd, argv, label) {
  return new Promise((resolve, reject) => {
    const child = track(spawn(cmd, argv, { cwd: REPO_ROOT, stdio: ['ignore', 'inherit', 'inherit'] }))
    child.on('error', reject)
    child.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`${label} failed (exit ${code})`))))
  })
}

async function buildAll() {
  const started = Date.now()
  say('building the SDK (rollup) and the Vite app...')
  await run(process.execPath, [join(REPO_ROOT, 'node_modules', 'rollup', 'dist', 'bin', 'rollup'), '-c', 'rollup.config.mjs', '--silent'], 'rollup build')
  // The three apps build side by side: most of each build waits on its own files.
  await Promise.all(
    ['examples/app', 'examples/react-chat', 'examples/ai-sdk-useChat'].map((app) =>
      run(process.execPath, [join(REPO_ROOT, 'node_modules', 'vite', 'bin', 'vite.js'), 'build', app, '--logLevel', 'warn'], `vite build ${app}`),
    ),
  )
  say(`built in ${((Date.now() - started) / 1000).toFixed(1)} s`)
}

/**
 * Start examples/flask-backend/app.py; resolves with its URL once it prints
 * LISTENING. `extraEnv`: settings of this backend (the AI SDK's useChat gets
 * one of its own, `SSE_FORMAT=ai-sdk`, resumable).
 */
async function startFlask(python, preferredPort, upstream, allowedOrigin, extraEnv = {}, label = 'flask') {
  const portArg = await freeOr0(preferredPort)
  if (portArg !== preferredPort) say(`port ${preferredPort} is taken; the Flask backend uses a free one`)
  const env = { ...process.env, PYTHONUNBUFFERED: '1', ...extraEnv }
  // The backend's CORS setting: off unless a page on another origin must call it.
  if (allowedOrigin) env.ALLOWED_ORIGINS = allowedOrigin
  // Fault knobs reach the mock as x-mock-* headers, which Flask forwards only when told to.
  if (upstream) Object.assign(env, { OPENAI_BASE_URL: upstream, OPENAI_API_KEY: process.env.OPENAI_API_KEY || 'mock-key', FLASK_FORWARD_FAULTS: '1' })
  const child = track(
    spawn(python, [join(REPO_ROOT, 'examples', 'flask-backend', 'app.py'), '--host', HOST, '--port', String(portArg)], {
      cwd: join(REPO_ROOT, 'examples', 'flask-backend'),
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    }),
  )
  let log = ''
  child.stderr.setEncoding('utf8')
  child.stderr.on('data', (s) => {
    log += s
    // Werkzeug's request log is the interesting part of a demo; in --check only on failure.
    if (!check) for (const line of s.split('\n')) if (line.trim()) console.error(`[${label}] ${line}`)
  })
  const exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })))
  stops.push(async () => {
    if (child.exitCode !== null || child.signalCode !== null) return
    child.kill('SIGTERM')
    const timer = setTimeout(() => child.kill('SIGKILL'), 5000)
    await exited
    clearTimeout(timer)
  })
  const url = await new Promise((resolve, reject) => {
    let out = ''
    child.stdout.setEncoding('utf8')
    child.stdout.on('data', (s) => {
      out += s
      const m = /^LISTENING (http:\/\/\S+)$/m.exec(out)
      if (m) resolve(m[1])
    })
    child.once('error', reject)
    exited.then(({ code, signal }) => reject(new Error(`the Flask backend exited (${signal ?? code}) before listening:\n${log.slice(-3000)}`)))
  })
  // After start-up, a dying backend ends the demo instead of leaving a proxy to nowhere.
  exited.then(({ code, signal }) => {
    if (!stopping) {
      say(`the Flask backend exited (${signal ?? code})`)
      void shutdown(1)
    }
  })
  return { url, log: () => log }
}

/** Stream one answer through the static server's proxy with the built SDK, over POST and GET. */
/**
 * The cross-origin page's calls as a browser makes them: a preflight for the
 * JSON POST, then requests carrying `Origin`. Each answer must allow the
 * page's origin, or the browser would keep it from the page.
 */
async function corsCheck(pageOrigin, apiUrl) {
  const preflight = await fetch(`${apiUrl}/stream/post`, {
    method: 'OPTIONS',
    headers: { Origin: pageOrigin, 'Access-Control-Request-Method': 'POST', 'Access-Control-Request-Headers': 'content-type' },
  })
  await preflight.arrayBuffer()
  const allowed = preflight.headers.get('access-control-allow-origin')
  const headers = (preflight.headers.get('access-control-allow-headers') ?? '').toLowerCase()
  if (allowed !== pageOrigin || !headers.includes('content-type'))
    throw new Error(
      `the backend's preflight answer does not allow ${pageOrigin} to POST JSON (Access-Control-Allow-Origin: ${allowed}, Access-Control-Allow-Headers: ${headers || 'none'}); is ALLOWED_ORIGINS supported?`,
    )
  for (const [method, init] of [
    ['POST /stream/post', { method: 'POST', body: JSON.stringify({ prompt: 'cors' }), headers: { Origin: pageOrigin, 'Content-Type': 'application/json' } }],
    ['GET /stream/get', { headers: { Origin: pageOrigin } }],
  ]) {
    const res = await fetch(`${apiUrl}${method.split(' ')[1]}${method.startsWith('GET') ? '?text=cors' : ''}`, init)
    await res.arrayBuffer()
    if (res.headers.get('access-control-allow-origin') !== pageOrigin) throw new Error(`${method} from ${pageOrigin}: no Access-Control-Allow-Origin for it`)
    console.log(`OK ${method} from ${pageOrigin}: CORS allows it`)
  }
}

async function selfCheck(webUrl, flaskUrl, mocked) {
  const sdk = await import(pathToFileURL(join(REPO_ROOT, 'dist', 'index.js')).href)
  const client = sdk.createClient({ baseUrl: webUrl, timeouts: { idle: 30_000 } })
  for (const path of [
    '/',
    '/examples/script-tag.html',
    '/app/',
    '/react-chat/',
    '/ai-sdk-useChat/',
    '/dist/llm-sse-client.umd.min.js',
    '/dist/llm-sse-client-dom.umd.min.js',
  ]) {
    const res = await fetch(webUrl + path)
    await res.arrayBuffer()
    if (res.status !== 200) throw new Error(`GET ${path}: HTTP ${res.status}`)
  }
  const prompt = 'Is the demo working?'
  const expected = mocked ? (await import(pathToFileURL(join(REPO_ROOT, 'dist', 'mock-server.js')).href)).expectedText(prompt) : undefined
  for (const [method, stream] of [
    ['POST /stream/post', () => client.post('/stream/post', { json: { prompt } })],
    ['GET /stream/get', () => client.get('/stream/get', { query: { text: prompt } })],
  ]) {
    const r = await stream().result
    if (r.status !== 'completed') throw new Error(`${method}: status ${r.status}${r.error ? `: ${r.error.message}` : ''}`)
    if (expected !== undefined ? r.text !== expected : !r.text) throw new Error(`${method}: unexpected answer ${JSON.stringify(r.text.slice(0, 200))}`)
    console.log(
      `OK ${method} through ${webUrl}: ${r.counts.tokens} tokens, first token ${Math.round(r.timings.firstToken ?? 0)} ms, total ${Math.round(r.timings.total ?? 0)} ms`,
    )
  }
  // The backend's tool loop: the mock's model calls get_time, the backend runs it, the model answers.
  const chat = await client.post('/api/chat', { json: { messages: [{ role: 'user', content: prompt }] } }).result
  if (chat.status !== 'completed' || (mocked && chat.toolCalls[0]?.function.name !== 'get_time'))
    throw new Error(`POST /api/chat: status ${chat.status}, tool calls ${JSON.stringify(chat.toolCalls)}${chat.error ? `: ${chat.error.message}` : ''}`)
  console.log(`OK POST /api/chat through ${webUrl}: ${chat.toolCalls.map((c) => c.function.name).join(', ') || 'no'} tool call, ${chat.counts.tokens} tokens`)
  // The useChat page's backend: the AI SDK's request body in, its UI-message stream out.
  const useChat = await client.post('/ai-sdk-useChat/api/chat', {
    json: { id: 'demo-check', trigger: 'submit-message', messages: [{ id: 'u1', role: 'user', parts: [{ type: 'text', text: prompt }] }] },
    dialect: 'ai-sdk',
  }).result
  if (useChat.status !== 'completed' || !useChat.text)
    throw new Error(`POST /ai-sdk-useChat/api/chat: status ${useChat.status}${useChat.error ? `: ${useChat.error.message}` : ''}`)
  console.log(`OK POST /ai-sdk-useChat/api/chat through ${webUrl}: the AI SDK's UI-message stream, ${useChat.counts.tokens} tokens`)
  const stats = await (await fetch(`${flaskUrl}/__stats`)).json()
  if (stats.requests['/stream/post'] !== 1 || stats.requests['/stream/get'] !== 1 || stats.requests['/api/chat'] !== 1 || stats.completed !== 3)
    throw new Error(`the Flask backend counted ${JSON.stringify(stats)}, expected one request per route, all completed`)
}

/**
 * MOCK_FAULTS as knobs. By default a token every 30 ms, so the answer
 * visibly streams and Stop has something to stop; `--check` is not slowed
 * down unless MOCK_FAULTS says so.
 */
function mockFaults() {
  const raw = process.env.MOCK_FAULTS ?? (check ? '' : 'delay=30')
  return Object.fromEntries(new URLSearchParams(raw))
}

/**
 * The mock as the React chat's page-tools backend calls it (directly, not
 * through Flask): the MOCK_FAULTS knobs go in its path, as the page's
 * client can only be given a base URL.
 */
function pageLlm(mockUrl, faults) {
  const knobs = new URLSearchParams(faults).toString()
  return knobs ? `${mockUrl}/_/${encodeURIComponent(knobs)}` : mockUrl
}

async function shutdown(code) {
  if (stopping) return stopping
  stopping = (async () => {
    // A stop that hangs must not keep the demo (and its children) alive.
    const deadline = setTimeout(() => process.exit(code), 10_000)
    deadline.unref()
    for (const stop of stops.splice(0).reverse()) await stop().catch(() => {})
    process.exit(code)
  })()
  return stopping
}

// However the demo ends, it takes its children with it: signals and errors
// stop them in order; `exit` is the last resort for whatever is still
// running (an exit from elsewhere, a stop that timed out).
for (const [signal, code] of [
  ['SIGINT', 130],
  ['SIGTERM', 143],
  ['SIGHUP', 129],
])
  process.once(signal, () => void shutdown(code))
process.on('uncaughtException', (error) => {
  console.error(`demo: unexpected error: ${error?.stack ?? error}`)
  void shutdown(1)
})
process.on('unhandledRejection', (error) => {
  console.error(`demo: unexpected error: ${error?.stack ?? error}`)
  void shutdown(1)
})
process.on('exit', () => {
  for (const child of children) child.kill('SIGKILL')
})

async function main() {
  const ports = { web: port('DEMO_PORT', 8080), page: port('DEMO_PAGE_PORT', 8081), flask: port('FLASK_PORT', 5000), mock: port('MOCK_PORT', 8787) }

  if (build) await buildAll()
  else if (!existsSync(join(REPO_ROOT, 'dist', 'index.js'))) throw new Error('dist/ is empty: run without --no-build')

  say('preparing the Python venv (.venv)...')
  const python = await ensurePythonEnv({ log: say })

  const realLlm = process.env.OPENAI_BASE_URL
  let mockUrl
  if (!realLlm) {
    const { startMockServer } = await import(pathToFileURL(join(REPO_ROOT, 'dist', 'mock-server.js')).href)
    const mock = await withPortFallback('mock LLM', ports.mock, (p) => startMockServer({ port: p, host: HOST }))
    stops.push(() => mock.close())
    mockUrl = mock.url
  }
  // Pages only, no proxy: they call the Flask backend on its own origin.
  const pages = crossOrigin ? await withPortFallback('cross-origin page server', ports.page, (p) => startStaticServer({ port: p, host: HOST })) : undefined
  if (pages) stops.push(() => pages.close())
  const flask = await startFlask(python, ports.flask, mockUrl ? `${mockUrl}/v1` : undefined, pages?.url)
  // The AI SDK's useChat page has a backend of its own: the same app in the AI SDK's format, resumable (in memory).
  const useChatFlask = await startFlask(python, 0, mockUrl ? `${mockUrl}/v1` : undefined, undefined, { SSE_FORMAT: 'ai-sdk', RESUMABLE: '1' }, 'flask ai-sdk')
  const faults = mockUrl ? mockFaults() : {}
  const proxyHeaders = Object.fromEntries(Object.entries(faults).map(([k, v]) => [`x-mock-${k}`, v]))
  const web = await withPortFallback('static server', ports.web, (p) =>
    startStaticServer({ port: p, host: HOST, backend: flask.url, useChatBackend: useChatFlask.url, proxyHeaders, forwardFaultHeaders: forwardFaults }),
  )
  stops.push(() => web.close())

  if (check) {
    try {
      await selfCheck(web.url, flask.url, !realLlm)
      if (pages) await corsCheck(pages.url, flask.url)
      console.log('OK')
    } catch (error) {
      console.error(`demo --check FAILED: ${error.message}\n--- Flask log ---\n${flask.log().slice(-3000)}`)
      return shutdown(1)
    }
    return shutdown(0)
  }

  const rows = [
    ['Examples', `${web.url}/`],
    ['Script tag', `${web.url}/examples/script-tag.html`],
    ['Vite app', `${web.url}/app/`],
    ['React chat', `${web.url}/react-chat/?backend=tools${mockUrl ? `&llm=${encodeURIComponent(pageLlm(mockUrl, faults))}` : ''}`],
    ['', 'pick the backend in its header: the tutorial route, /api/chat (server tool), or the mock LLM with a page tool'],
    ['AI SDK useChat', `${web.url}/ai-sdk-useChat/  (@ai-sdk/react against ${useChatFlask.url}, --format ai-sdk)`],
    ...(pages
      ? [
          ['Cross-origin', `${pages.url}/examples/script-tag.html?api=${flask.url}`],
          ['', `${pages.url}/app/?api=${flask.url}  (the backend allows ${pages.url})`],
        ]
      : []),
    ['Flask backend', `${flask.url}  (counters: ${flask.url}/__stats)`],
    [
      'LLM',
      mockUrl ? `${mockUrl}/v1  (mock, MOCK_FAULTS='${new URLSearchParams(faults)}')` : `${realLlm}  (model ${process.env.LLM_MODEL || 'deepseek-r1:14b'})`,
    ],
  ]
  console.log(['', 'llm-sse-client demo', ...rows.map(([k, v]) => `  ${k.padEnd(15)} ${v}`), '', 'Ctrl-C stops everything.', ''].join('\n'))
}

main().catch((error) => {
  console.error(`demo: ${error?.message ?? error}`)
  void shutdown(1)
})
