// msw handlers that answer with the same plans as the mock server, for
// tests in jsdom or a browser where no real server runs. A Plan becomes a
// Response whose body is a pull-driven ReadableStream: one step per read,
// so the client sees every write as its own chunk, as over a socket.

import { http } from 'msw'
import type { HttpHandler } from 'msw'
import { MOCK_ROUTES, planResponse } from './scenarios.js'
import type { Plan, Step } from './scenarios.js'
import { createMockStats } from './stats.js'
import type { MockStats } from './stats.js'

/** Options of {@link createMockHandlers}. @public */
export interface MockHandlersOptions {
  /**
   * Origin (and optional path prefix) the routes live under, e.g.
   * `'http://api.test'`. `'*'` matches any origin.
   * @default '*'
   */
  baseUrl?: string | undefined
  /** Counters to share (read them with `stats.snapshot()`); a fresh set by default. */
  stats?: MockStats | undefined
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve()
    const timer = setTimeout(done, ms)
    function done(): void {
      signal.removeEventListener('abort', done)
      clearTimeout(timer)
      resolve()
    }
    signal.addEventListener('abort', done, { once: true })
  })
}

/**
 * Turn a plan into a `Response`. `destroy` errors the body with
 * `TypeError('terminated')`, what undici's fetch gives for a cut chunked
 * body; `stall` leaves the read pending until the request is aborted.
 */
export function planToResponse(plan: Plan, signal: AbortSignal, stats?: MockStats): Response {
  const steps = plan.steps[Symbol.iterator]()
  // Steps to run before the iterator's next one (a heartbeat's beat, then the stall again).
  const pending: Step[] = []
  const next = (): Step | undefined => pending.shift() ?? steps.next().value
  // Fetch forbids a body on 204/205/304.
  const empty = [204, 205, 304].includes(plan.status)
  let open = !plan.control && !empty
  if (open) stats?.opened()
  const finish = (): void => {
    if (open) stats?.closed()
    open = false
  }
  let stream: ReadableStreamDefaultController<Uint8Array> | undefined
  const onAbort = (): void => {
    finish()
    // fetch errors the body with the abort reason ("abort the fetch() call",
    // WHATWG Fetch); msw leaves a mocked body alone, so a reader would wait
    // forever.
    try {
      stream?.error(signal.reason ?? new DOMException('This operation was aborted', 'AbortError'))
    } catch {
      // Already closed or errored.
    }
  }
  signal.addEventListener('abort', onAbort, { once: true })
  const body = empty
    ? null
    : new ReadableStream<Uint8Array>(
        {
          start(controller) {
            stream = controller
          },
          async pull(controller) {
            // highWaterMark 0: pull runs only when the reader waits, so
            // nothing sits in the queue when `destroy` errors the stream.
            for (;;) {
              const step = next()
              if (signal.aborted) return
              if (!step) {
                finish()
                return controller.close()
              }
              if ('bytes' in step) return controller.enqueue(step.bytes)
              if ('delay' in step) {
                if (step.delay > 0) await sleep(step.delay, signal)
                continue
              }
              if ('destroy' in step) {
                finish()
                return controller.error(new TypeError('terminated'))
              }
              const beat = step.heartbeat
              if (beat) pending.push({ delay: beat.every }, { bytes: beat.bytes }, step)
              else await new Promise<void>((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }))
            }
          },
          cancel: finish,
        },
        { highWaterMark: 0 },
      )
  // Aborted while the head was delayed: the listener above will never fire.
  if (signal.aborted) onAbort()
  return new Response(body, { status: plan.status, statusText: plan.statusText, headers: plan.headers })
}

async function readBody(request: Request): Promise<unknown> {
  if (request.method === 'GET' || request.method === 'HEAD') return undefined
  const text = await request.text()
  if (!text) return undefined
  try {
    return JSON.parse(text)
  } catch {
    return text
  }
}

/**
 * msw request handlers for every mock route, answering exactly what the mock
 * server answers (same routes, knobs, bytes, and `/__stats`).
 *
 * @example
 * ```ts
 * import { setupServer } from 'msw/node'
 * const server = setupServer(...createMockHandlers({ baseUrl: 'http://api.test' }))
 * server.listen()
 * ```
 * @public
 */
export function createMockHandlers(options: MockHandlersOptions = {}): HttpHandler[] {
  const { baseUrl = '*', stats = createMockStats() } = options
  const base = baseUrl.replace(/\/+$/, '')
  const answer = async (request: Request, path: string): Promise<Response> => {
    const url = new URL(request.url)
    const body = await readBody(request)
    const plan = planResponse({ method: request.method, path, query: url.searchParams, headers: request.headers, body }, stats)
    if (plan.headDelay > 0) await sleep(plan.headDelay, request.signal)
    return planToResponse(plan, request.signal, stats)
  }
  const handlers = MOCK_ROUTES.map((route) => http.all(`${base}${route.path}`, ({ request }) => answer(request, route.path)))
  // Under a real origin every other path is the mock's 404, as on the server;
  // with '*' that would swallow the whole test's traffic, so it is left out.
  if (base !== '*') {
    const prefix = new URL(base, 'http://localhost').pathname.replace(/\/+$/, '')
    handlers.push(http.all(`${base}/*`, ({ request }) => answer(request, new URL(request.url).pathname.slice(prefix.length) || '/')))
  }
  return handlers
}
