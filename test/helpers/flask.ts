import { spawn } from 'node:child_process'
import type { ChildProcess } from 'node:child_process'
import { existsSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { ensurePythonEnv, REPO_ROOT } from '../../scripts/python-env.mjs'

/** What the reference backend's `GET /__stats` answers. */
export interface FlaskStats {
  /** Stream requests per route: one per click, no hidden retry. */
  requests: { '/stream/get': number; '/stream/post': number }
  /** Answers that reached `completed` (and were passed to `after_event`). */
  completed: number
  /** Streams whose client went away before the end. */
  disconnected: number
  /** Streams that ended with an error (JSON error response or `event: error`). */
  errors: number
  /** Streams still being generated. */
  open: number
}

/** Options of {@link startFlask}. */
export interface FlaskOptions {
  /** Which reference backend: examples/flask-backend or examples/fastapi-backend (same routes and counters). @default 'flask' */
  server?: 'flask' | 'fastapi' | undefined
  /**
   * The OpenAI-compatible server, e.g. the mock's `url`. An origin without a
   * path gets `/v1` appended; a URL with a path is used as the base URL.
   */
  upstream: string
  /** Event payloads: Python `repr()` as the seed, JSON, or the AI SDK's UI-message stream (useChat on /api/chat). @default 'repr' */
  format?: 'repr' | 'json' | 'ai-sdk' | undefined
  /** Forward `x-mock-*` request headers to the upstream, so a test can ask the mock for a fault. @default true */
  forwardFaults?: boolean | undefined
  /** Extra environment (`LLM_MODEL`, `LLM_TIMEOUT`...). @default none */
  env?: Record<string, string> | undefined
}

/** A running backend. */
export interface FlaskBackend {
  /** `http://127.0.0.1:<port>`, no trailing slash. */
  url: string
  /** The backend's counters. */
  stats(): Promise<FlaskStats>
  /** Everything the process wrote to stderr so far (Werkzeug's and the app's log). */
  log(): string
  /** Stop the process (SIGTERM, then SIGKILL after 5 s). */
  close(): Promise<void>
  /** Send `signal` now and resolve once the process exited (`SIGKILL` plays a crash). */
  kill(signal: NodeJS.Signals): Promise<void>
}

const READY_TIMEOUT_MS = 30_000
const APPS = {
  flask: join(REPO_ROOT, 'examples', 'flask-backend', 'app.py'),
  fastapi: join(REPO_ROOT, 'examples', 'fastapi-backend', 'app.py'),
}
/** The seed app as the CI lays it out: `../shared` beside the repo. */
const SEED_DIR = join(REPO_ROOT, '..', 'shared', 'seed')

// One exit hook for all backends: a test run that dies must not leave Python servers behind.
const running = new Set<ChildProcess>()
process.once('exit', () => {
  for (const child of running) child.kill('SIGKILL')
})

function baseUrl(upstream: string): string {
  const u = new URL(upstream)
  return u.pathname === '/' ? `${u.origin}/v1` : upstream.replace(/\/$/, '')
}

/** A Python server process started by {@link startPython}. */
interface PythonServer {
  url: string
  log(): string
  close(): Promise<void>
  kill(signal: NodeJS.Signals): Promise<void>
}

/**
 * Run `script` with the repo's venv (created on first use: allow ~2 min in a
 * `beforeAll`) and resolve with the URL once stdout or stderr matches
 * `ready` (its group 1). Killed on `close()` and when this process exits.
 */
async function startPython(script: string, args: string[], env: Record<string, string>, ready: RegExp): Promise<PythonServer> {
  const python = await ensurePythonEnv()
  const child = spawn(python, [script, ...args], {
    cwd: dirname(script),
    // No __pycache__ written next to the seed in ../shared.
    env: { ...process.env, PYTHONUNBUFFERED: '1', PYTHONDONTWRITEBYTECODE: '1', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let stderr = ''
  let output = ''
  running.add(child)
  const exited = new Promise<void>((resolve) =>
    child.once('exit', () => {
      running.delete(child)
      resolve()
    }),
  )

  const url = await new Promise<string>((resolve, reject) => {
    const fail = (why: string): void => {
      clearTimeout(timer)
      child.kill('SIGKILL')
      reject(new Error(`${script} ${why}\n--- stderr ---\n${stderr.slice(-4000)}`))
    }
    const timer = setTimeout(() => fail(`printed no line matching ${ready} within ${READY_TIMEOUT_MS} ms`), READY_TIMEOUT_MS)
    const scan = (s: string): void => {
      output += s
      const m = ready.exec(output)
      if (m) {
        clearTimeout(timer)
        resolve(m[1]!)
      }
    }
    child.stdout.setEncoding('utf8')
    child.stdout.on('data', scan)
    child.stderr.setEncoding('utf8')
    child.stderr.on('data', (s: string) => {
      stderr += s
      scan(s)
    })
    child.once('exit', (code, signal) => fail(`exited (${signal ?? code}) before listening`))
  })

  return {
    url,
    log: () => stderr,
    async close() {
      if (child.exitCode !== null || child.signalCode !== null) return
      child.kill('SIGTERM')
      const timer = setTimeout(() => child.kill('SIGKILL'), 5_000)
      await exited
      clearTimeout(timer)
    },
    async kill(signal) {
      if (child.exitCode !== null || child.signalCode !== null) return
      child.kill(signal)
      await exited
    },
  }
}

/** Start a reference backend (examples/flask-backend/app.py by default) on a free port; resolves once it prints `LISTENING <url>`. */
export async function startFlask(options: FlaskOptions): Promise<FlaskBackend> {
  const args = ['--host', '127.0.0.1', '--port', '0']
  if (options.format) args.push('--format', options.format)
  const server = await startPython(
    APPS[options.server ?? 'flask'],
    args,
    {
      OPENAI_BASE_URL: baseUrl(options.upstream),
      OPENAI_API_KEY: 'mock-key',
      FLASK_FORWARD_FAULTS: options.forwardFaults === false ? '0' : '1',
      ...options.env,
    },
    /^LISTENING (http:\/\/\S+)$/m,
  )
  const { url } = server
  return {
    ...server,
    async stats() {
      // Bounded: a backend that stopped answering fails the test with this message, not a bare timeout.
      const res = await fetch(`${url}/__stats`, { signal: AbortSignal.timeout(15_000) }).catch((error: unknown) => {
        throw new Error(`GET ${url}/__stats failed: ${String(error)}\n--- backend stderr ---\n${server.log().slice(-4000)}`)
      })
      if (!res.ok) throw new Error(`GET /__stats: HTTP ${res.status}`)
      return (await res.json()) as FlaskStats
    },
  }
}

/**
 * Start the seed's own app (`../shared/seed/app.py`, bugs kept) on a free
 * port, its `deepseek.py` streaming from `upstream` (an OpenAI-compatible
 * base URL, e.g. the mock's `/_/<knobs>/v1`). Resolves once Werkzeug prints
 * `Running on <url>`.
 */
export async function startSeed(upstream: string, dir = SEED_DIR): Promise<PythonServer> {
  // Say what is missing at once, not after the start-up timeout.
  for (const file of ['app.py', 'deepseek.py'])
    if (!existsSync(join(dir, file)))
      throw new Error(
        `The Flask tutorial app is missing: ${join(dir, file)} does not exist. These tests run the SDK against that app, ` +
          'checked out as ../shared/seed beside this repository.',
      )
  return startPython(
    join(dir, 'app.py'),
    [],
    { SEED_PORT: '0', SEED_HOST: '127.0.0.1', OPENAI_BASE_URL: upstream, OPENAI_API_KEY: 'mock-key' },
    /Running on (http:\/\/[\d.:]+)/,
  )
}
