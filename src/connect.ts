import { StreamError } from './errors.js'
import { createStreamReducer } from './reduce.js'
import { createHandle, report } from './handle.js'
import type { LlmStream } from './handle.js'
import type { DebugEntry } from './options.js'
import type { StreamResult } from './result.js'
import type { Settled } from './settle.js'
import type { Attempt, AttemptOutcome } from './transport/attempt.js'
import { fetchAttempt } from './transport/fetch.js'
import { corsHint } from './transport/cors.js'
import { lastEventIdHeader } from './transport/last-event-id.js'

/** Statuses after which nothing was generated yet, so a retry costs nothing. */
const RETRYABLE_STATUS = [408, 429, 502, 503, 504]

/** An error for a debug line: its code and HTTP status, never its message (it may quote the server). */
const why = (e: StreamError) => e.code + (e.status ? ' ' + e.status : '')

/** Our own errors as they are; anything else (a bug, a misconfiguration) as a `network` error. */
const asError = (error: unknown) => (error instanceof StreamError ? error : new StreamError('network', String(error), { cause: error }))

/**
 * One attempt over `EventSource`, its transport loaded on first use: a
 * method of the client cannot be tree-shaken, so an app that only POSTs
 * would otherwise ship it. A bundler puts it in its own chunk; the stream
 * may have been stopped while it loaded.
 */
const viaEventSource = async (a: Attempt): Promise<AttemptOutcome> => {
  const { eventSourceAttempt } = await import('./transport/eventsource.js')
  return a.isFinal() ? { kind: 'ended' } : eventSourceAttempt(a, { StreamError, corsHint })
}

/**
 * Run one stream: attempts, retries, timeouts and cancellation around a
 * transport, feeding one reducer. Starts on the next microtask, so that
 * listeners attached right after `get()`/`post()` see every event.
 * @internal
 */
export function connect(p: Settled): LlmStream {
  const policy = p.retry
  const signal = p.signal

  let cancel: (() => void) | undefined
  let timer: ReturnType<typeof setTimeout> | undefined
  let wake: (() => void) | undefined
  let attempt = 0
  let lastEventId = p.lastEventId ?? ''
  /** The first event id of the stream, and the id an attempt resumes from until its first id arrives. */
  let firstId: string | undefined
  let resumedFrom: string | undefined
  let serverRetry = 0
  const start = Date.now()
  /** When bytes last came while an attempt runs; 0 between attempts (no idle limit while waiting to retry). */
  let lastData = 0

  const handle = createHandle({
    state: () => reducer,
    abort: () => onSignal(),
  })

  // Debug lines: off by default, then nothing is built. The URL goes without
  // its query (a prompt, a key), fragment and user info.
  const debug = p.debug
  const log = (type: DebugEntry['type'], message: string) => {
    if (debug)
      try {
        if (debug === true) console.debug(`[llm-sse] #${attempt} ${type}: ${message}`)
        else debug({ type, attempt, message })
      } catch (error) {
        report(error)
      }
  }
  const logDone = ({ status, error, finishReason }: StreamResult) =>
    log('done', status + (error ? ` (${why(error)})` : finishReason ? ` (finish_reason ${finishReason})` : ''))

  const reducer = createStreamReducer({
    dialect: p.dialect,
    emit: debug
      ? (e) => {
          if (e.type === 'done') logDone(e.result)
          handle.dispatch(e)
        }
      : handle.dispatch,
    thinkTags: p.thinkTags,
    closeMeansDone: p.closeMeansDone,
  })

  /** Reach a final status once, then release everything. */
  function stop(finalise: () => void): void {
    if (reducer.final) return
    finalise()
    clearTimeout(timer)
    signal?.removeEventListener('abort', onSignal)
    cancel?.()
    wake?.()
  }
  const fail = (error: StreamError) => stop(() => reducer.fail(error))
  const onSignal = () => stop(() => reducer.abort())

  // One timer for the three limits, set for the nearest one. firstToken and
  // total are deadlines from the call, never pushed back: keep-alive comments
  // and empty tokens must not hold a stream open. Bytes only stamp the time
  // (re-arming a timer per read is measurable at 20k tokens/s); the timer
  // looks at the stamp when it fires and sets itself again.
  function tick() {
    clearTimeout(timer)
    const now = Date.now()
    let next = Infinity
    for (const [name, what, from] of [
      ['firstToken', 'token', reducer.text || reducer.reasoning ? 0 : start],
      ['idle', 'data', lastData],
      ['total', 'final status', start],
    ] as const) {
      const ms = p.timeouts[name]
      if (ms > 0 && from) {
        const left = from + ms - now
        if (left <= 0) {
          log('timeout', `timeouts.${name} ${ms} ms`)
          return fail(new StreamError('timeout', `No ${what} for ${ms} ms (timeouts.${name})`))
        }
        next = Math.min(next, left)
      }
    }
    if (next < Infinity && !reducer.final) timer = setTimeout(tick, next)
  }
  /** Bytes arrived (or an attempt starts): the idle limit counts from now. */
  const fresh = () => {
    const armed = lastData
    lastData = Date.now()
    if (!armed) tick()
  }

  // The request's own fields (url, method, body, ...) are named alike in both.
  const base: Omit<Attempt, 'lastEventId'> = {
    ...p,
    setCancel: (c) => (cancel = c),
    isFinal: () => reducer.final,
    opened: () => {
      reducer.open()
      fresh()
    },
    bytes: fresh,
    event(ev) {
      if (ev.id !== undefined) {
        const from = resumedFrom
        resumedFrom = undefined
        if (from !== undefined && restarted(ev.id, from))
          return fail(
            new StreamError(
              'incomplete',
              `The server answered a resume from event ${from} with event ${ev.id}: it started over (it ignores Last-Event-ID), so the stream stopped rather than repeat the answer.`,
            ),
          )
        firstId ??= ev.id
        lastEventId = ev.lastEventId
      }
      reducer.event(ev)
    },
    // Clamped: `retry:` with hundreds of digits parses to Infinity.
    retryHint: (ms) => (serverRetry = Math.min(ms, policy.maxDelay)),
    fail,
    warn: (w) => reducer.warn(w),
    mayReconnect() {
      if (!resumable() || attempt >= policy.attempts) return false
      attempt++
      resumedFrom = lastEventId
      log('reconnect', `from event ${lastEventId}`)
      reducer.warn({ code: 'retry', message: `Connection lost; reconnecting with Last-Event-ID ${lastEventId}` })
      reducer.connecting(attempt)
      return true
    },
  }

  /**
   * Whether the first id after a resume from `from` shows the server started
   * over: the same id, the stream's first id again, or (numeric ids) one not
   * later. A server that ignores `Last-Event-ID` would otherwise repeat the
   * answer once per reconnect.
   */
  const restarted = (id: string, from: string) => id === from || id === firstId || (/^\d{1,15}$/.test(id) && /^\d{1,15}$/.test(from) && +id <= +from)

  // Resuming needs an id that can be sent (see lastEventIdHeader): with a
  // control character in it the request itself fails, and fetch-event-source
  // retried such a failure forever. Such an id never starts a retry.
  const resumable = () => lastEventId !== '' && lastEventIdHeader(lastEventId) !== undefined

  async function run(): Promise<void> {
    if (signal?.aborted) return onSignal()
    signal?.addEventListener('abort', onSignal)
    while (!reducer.final) {
      attempt++
      log(
        'attempt',
        `${p.method} ${p.url.split(/[?#]/)[0]!.replace(/\/\/[^/]*@/, '//')} over ${p.useEventSource ? 'EventSource' : 'fetch'}${lastEventId ? ` from event ${lastEventId}` : ''}`,
      )
      reducer.connecting(attempt)
      fresh()
      let outcome: AttemptOutcome
      resumedFrom = lastEventId || undefined
      try {
        const a = { ...base, lastEventId }
        outcome = await (p.useEventSource ? viaEventSource(a) : fetchAttempt(a))
      } catch (error) {
        // A bug of ours or a misconfiguration: still a final status, never a hang.
        outcome = { kind: 'failed', responded: false, error: asError(error) }
      }
      lastData = 0
      if (reducer.final) break
      if (outcome.kind === 'ended') {
        // A body that ended cleanly but short of its end marker is resumable
        // like a broken one, when the server sent ids (Node's fetch ends a cut
        // `Connection: close` body cleanly, so this is the common case there).
        const { discarded } = outcome
        if (reducer.wouldComplete(discarded) || !resumable() || attempt >= policy.attempts) return stop(() => reducer.end(discarded))
        outcome = {
          kind: 'failed',
          responded: true,
          events: true,
          error: new StreamError('incomplete', 'The stream ended without its end marker: the answer may be truncated'),
        }
      }
      const delay = retryDelay(outcome)
      log('retry', `${why(outcome.error)}: ${typeof delay === 'string' ? `no retry (${delay})` : `retry in ${Math.round(delay)} ms`}`)
      if (typeof delay === 'string') return fail(outcome.error)
      reducer.warn({ code: 'retry', message: `${outcome.error.message}; retrying in ${Math.round(delay)} ms`, cause: outcome.error })
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, delay)
        wake = () => {
          clearTimeout(t)
          resolve()
        }
      })
      wake = undefined
    }
  }

  /** Milliseconds to wait before the next attempt, or why it is not retried. */
  function retryDelay(o: Extract<AttemptOutcome, { kind: 'failed' }>): number | string {
    if (attempt >= policy.attempts) return policy.attempts > 1 ? 'retry.attempts used' : 'retry off'
    const e = o.error
    const safe =
      !o.responded ||
      (e.code === 'http' && RETRYABLE_STATUS.includes(e.status as number)) ||
      // Resume rather than restart: only when the server identified its events.
      (o.events === true && resumable() && (e.code === 'network' || e.code === 'incomplete'))
    if (!safe || e.code === 'invalid-options') return 'not safe'
    // A server that asks for a longer pause than we would ever wait: report it, do not hang.
    if ((e.retryAfter ?? 0) > policy.maxDelay) return 'Retry-After > retry.maxDelay'
    const backoff = Math.min(policy.maxDelay, policy.baseDelay * 2 ** (attempt - 1))
    // "Full jitter" on the upper half keeps clients from retrying in lockstep.
    const jittered = backoff / 2 + (Math.random() * backoff) / 2
    return Math.max(jittered, serverRetry, e.retryAfter ?? 0)
  }

  queueMicrotask(() => {
    run().catch((error: unknown) => fail(asError(error)))
  })
  return handle
}
