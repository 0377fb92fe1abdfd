// One exchange with the endpoint under test, recorded with timings: the
// status and headers, every SSE event with the time it arrived, and how the
// body ended. The checks judge the recording; nothing here judges.

import { createSseParser } from '../index.js'
import type { SseEvent } from '../index.js'

/** What to request. */
export interface Target {
  url: string
  method: string
  /** Request body (POST), sent as given. */
  body?: string | undefined
  /** Request headers, in order; later ones win. */
  headers: [string, string][]
}

/** One event and when it arrived, in ms since the request started. */
export interface TimedEvent {
  event: SseEvent
  at: number
}

/** What one exchange looked like. */
export interface Exchange {
  /** 0 when no response arrived. */
  status: number
  headers: Headers
  /** ms until the status line and headers. */
  headersAt: number
  events: TimedEvent[]
  /** ms until the body ended (or the exchange was given up). */
  endAt: number
  /**
   * How it ended: `end` the body ended cleanly, `cut` the connection broke,
   * `timeout` the time limit passed, `stopped` we stopped reading on purpose,
   * `unreachable` no response at all.
   */
  ended: 'end' | 'cut' | 'timeout' | 'stopped' | 'unreachable'
  /** Why it was cut or unreachable. */
  reason?: string | undefined
  /** The start of a body that is not an event stream (an error page, JSON). */
  text: string
}

/** Options of {@link exchange}. */
export interface ExchangeOptions {
  /** Give up after this many ms. */
  timeout: number
  /** Extra request headers for this exchange. */
  headers?: [string, string][] | undefined
  /** Stop reading (and abort the request) once this returns true. */
  stopWhen?: ((events: TimedEvent[]) => boolean | Promise<boolean>) | undefined
}

// A hostile or runaway endpoint must not hold the checker's memory: the
// body beyond this is not read.
const MAX_BODY = 16 * 1024 * 1024
const MAX_TEXT = 4096

/** Send `target` and record the answer. */
export async function exchange(target: Target, options: ExchangeOptions): Promise<Exchange> {
  const started = performance.now()
  const since = (): number => Math.round(performance.now() - started)
  const controller = new AbortController()
  let timedOut = false
  const timer = setTimeout(() => {
    timedOut = true
    controller.abort()
  }, options.timeout)
  const headers = new Headers()
  for (const [k, v] of [...target.headers, ...(options.headers ?? [])]) headers.set(k, v)
  const out: Exchange = { status: 0, headers: new Headers(), headersAt: 0, events: [], endAt: 0, ended: 'end', text: '' }
  try {
    let res: Response
    try {
      res = await fetch(target.url, { method: target.method, headers, body: target.body ?? null, signal: controller.signal, redirect: 'manual' })
    } catch (error) {
      out.ended = timedOut ? 'timeout' : 'unreachable'
      out.reason = describe(error)
      return out
    }
    out.status = res.status
    out.headers = res.headers
    out.headersAt = since()
    if (!res.body) return out
    const isSse = (res.headers.get('content-type') ?? '').split(';')[0]!.trim().toLowerCase() === 'text/event-stream'
    const parser = createSseParser({ onEvent: (event) => out.events.push({ event, at: since() }) })
    const decoder = new TextDecoder()
    const reader = res.body.getReader()
    let size = 0
    try {
      for (;;) {
        const { done, value } = await reader.read()
        if (done) break
        size += value.length
        if (isSse) parser.feed(value)
        else if (out.text.length < MAX_TEXT) out.text += decoder.decode(value, { stream: true })
        if (options.stopWhen && (await options.stopWhen(out.events))) {
          out.ended = 'stopped'
          break
        }
        if (size > MAX_BODY) {
          out.ended = 'stopped'
          out.reason = `the body passed ${MAX_BODY} bytes; the rest was not read`
          break
        }
      }
      if (isSse && out.ended === 'end') parser.end()
    } catch (error) {
      out.ended = timedOut ? 'timeout' : 'cut'
      out.reason = describe(error)
    } finally {
      reader.cancel().catch(() => {})
      controller.abort()
    }
    out.text = out.text.slice(0, MAX_TEXT)
    return out
  } finally {
    clearTimeout(timer)
    out.endAt = since()
  }
}

/** An error's message with its cause's (undici puts the reason there). */
export function describe(error: unknown): string {
  const e = error as { message?: unknown; cause?: { message?: unknown; code?: unknown } }
  const inner = e?.cause?.code ?? e?.cause?.message
  return (typeof e?.message === 'string' ? e.message : String(error)) + (typeof inner === 'string' ? ` (${inner})` : '')
}
