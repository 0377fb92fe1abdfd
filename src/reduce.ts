import { StreamError, excerpt } from './errors.js'
import { resolveDialect } from './payload/dialects.js'
import { createThinkSplitter } from './payload/think.js'
import type { Decoded, Dialect, Usage } from './payload/types.js'
import type { FinalStatus, StreamEvent, StreamResult, StreamStatus, StreamWarning } from './result.js'
import type { SseEvent } from './sse/types.js'

/** Options of {@link createReducer}. @public */
export interface ReducerOptions {
  /** How event data becomes tokens. @default 'auto' */
  dialect?: Dialect | undefined
  /** Receives every {@link StreamEvent} in order; `done` comes last, exactly once. */
  emit: (event: StreamEvent) => void
  /** Clock for `timings`, in milliseconds. @default Date.now */
  now?: (() => number) | undefined
  /** Split inline `<think>…</think>` out of the answer into `reasoning` (`'open'`: the text starts inside the block). @default true */
  thinkTags?: boolean | 'open' | undefined
}

/**
 * The state machine of one stream: what the transport saw goes in, the
 * user's {@link StreamEvent}s come out. Pure: no timers, no I/O. Once a
 * final status is reached every call is a no-op, so a late network error
 * after `abort()`, or a second `end()`, cannot change the outcome.
 * @public
 */
export interface Reducer {
  /** A connection attempt starts (1 for the first): status `connecting`. */
  connecting(attempt: number): void
  /** The response was accepted: status `streaming`, `timings.firstByte`. */
  open(): void
  /** One dispatched SSE event. */
  event(event: SseEvent): void
  /**
   * The body ended properly. `completed` if the stream said it was done (or
   * its dialect is plain text), else `incomplete`. `discarded` is the
   * parser's unterminated last event (`SseEnd.discarded`).
   */
  end(discarded?: string): void
  /**
   * The transport failed: status `error` (`incomplete` for code
   * `incomplete`). If the model had already sent a `finish_reason` the
   * answer is whole: `completed` with a warning instead.
   */
  fail(error: StreamError): void
  /** You stopped it: status `aborted`, no error. */
  abort(): void
  /** Report a problem that does not stop the stream. */
  warn(warning: StreamWarning): void
  /** True once a final status is reached. */
  readonly final: boolean
  readonly status: StreamStatus
  /** The answer text so far. */
  readonly text: string
  /** The reasoning text so far. */
  readonly reasoning: string
  /** Meta fields so far, merged. */
  readonly meta: Record<string, unknown>
  /**
   * A snapshot of the outcome. Before a final status its `status` is
   * `incomplete`: what arrived so far may be only part of the answer.
   */
  result(): StreamResult
}

/** One output channel of the reducer: the text emitted so far and a held-back tail. */
interface Channel {
  readonly type: 'delta' | 'reasoning'
  text: string
  held: string
}

// Meta values compared by content: the seed repeats the same dict on every event.
const key = (v: unknown) => (typeof v === 'object' ? JSON.stringify(v, (_, x) => (typeof x === 'bigint' ? `${x}n` : x)) : v)


/**
 * Create the state machine of one stream.
 *
 * @example
 * ```ts
 * const r = createReducer({ emit: (e) => console.log(e) })
 * r.connecting(1); r.open()
 * const parser = createSseParser({ onEvent: r.event })
 * parser.feed(bytes); r.end(parser.end().discarded)
 * ```
 * @public
 */
export function createReducer(options: ReducerOptions): Reducer {
  return createStreamReducer(options)
}

/** The reducer plus what the connection loop needs to decide on a resume. @internal */
export interface StreamReducer extends Reducer {
  /**
   * Whether `end(discarded)` now would give `completed`. Lets a caller that
   * can resume (`Last-Event-ID`) retry a clean but early close instead of
   * ending the stream `incomplete`.
   */
  wouldComplete(discarded?: string): boolean
}

/** {@link createReducer} with the resume check, for `connect()`. @internal */
export function createStreamReducer(options: ReducerOptions): StreamReducer {
  const { emit } = options
  const now = options.now ?? Date.now
  const t0 = now()
  const dialect = resolveDialect(options.dialect)
  const think = options.thinkTags === false ? undefined : createThinkSplitter({ open: options.thinkTags === 'open' })
  let status: StreamStatus = 'connecting'
  let final = false
  let meta: Record<string, unknown> = {}
  let finishReason: string | undefined
  let usage: Usage | undefined
  let error: StreamError | undefined
  let lastEventId: string | undefined
  // The two output channels: what was emitted so far, and a held-back tail.
  // Each is its own object with named fields (not acc[type], held[type]):
  // out() runs twice per token, and a property looked up by a variable key
  // takes V8's slower generic path.
  const answer: Channel = { type: 'delta', text: '', held: '' }
  const thought: Channel = { type: 'reasoning', text: '', held: '' }
  const warnings: StreamWarning[] = []
  const timings: StreamResult['timings'] = {}
  const counts = { events: 0, tokens: 0, warnings: 0, attempts: 0 }
  const since = () => now() - t0
  // Every entry point is a no-op once final. A listener may also call
  // abort() from inside emit(), so steps after an emit re-check `final`.
  const live =
    <A extends unknown[]>(f: (...a: A) => void) =>
    (...a: A) => {
      if (!final) f(...a)
    }

  const out = (ch: Channel, text: string, flush?: boolean) => {
    // Most events carry only one of the two channels: the other costs nothing.
    if ((final && !flush) || !(text || ch.held)) return
    text = ch.held + text
    const last = text.charCodeAt(text.length - 1)
    // A high surrogate at the end of a delta may be half of a pair that the next
    // event completes (an upstream that cuts an emoji makes the seed send
    // '\ud83d' and then '\ude80'): held back so every emitted delta is well-formed.
    const cut = text.length - (!flush && last >= 0xd800 && last <= 0xdbff ? 1 : 0)
    ch.held = cut < text.length ? text.slice(cut) : ''
    if (cut < text.length) text = text.slice(0, cut)
    if (text) {
      ch.text += text
      emit({ type: ch.type, text })
    }
  }

  const setStatus = (s: StreamStatus) => emit({ type: 'status', status: (status = s), attempt: counts.attempts })

  const finish = live((s: FinalStatus, err?: StreamError) => {
    final = true
    const rest = think?.flush()
    out(thought, rest?.reasoning ?? '', true)
    out(answer, rest?.text ?? '', true)
    error = err
    timings.total = since()
    if (err) emit({ type: 'error', error: err })
    setStatus(s)
    emit({ type: 'done', result: result() })
  })

  const warn = live((w: StreamWarning) => {
    warnings.push(w)
    counts.warnings++
    emit({ type: 'warning', warning: w })
  })

  const open = live(() => {
    counts.attempts ||= 1
    timings.firstByte ??= since()
    setStatus('streaming')
  })

  const result = (): StreamResult => ({
    status: final ? (status as FinalStatus) : 'incomplete',
    text: answer.text,
    reasoning: thought.text,
    meta: { ...meta },
    finishReason,
    usage,
    error,
    lastEventId,
    warnings: [...warnings],
    timings: { ...timings },
    counts: { ...counts },
  })

  const event = (ev: SseEvent): void => {
    if (final) return
    if (status !== 'streaming') open()
    counts.events++
    lastEventId = ev.lastEventId || undefined
    let d: Decoded
    try {
      d = dialect.decode(ev)
    } catch (cause) {
      // Only a user dialect can throw; like any undecodable payload it must not kill the stream.
      d = { warning: { message: String(cause), cause } }
    }
    const m = d.meta
    let changed = false
    // A plain loop: this runs for every token, and the seed repeats the same meta each time.
    if (m) for (const k in m) if (m[k] !== meta[k] && key(m[k]) !== key(meta[k])) changed = true
    if (changed) {
      emit({ type: 'meta', meta: { ...(meta = { ...meta, ...m }) } })
      if (final) return
    }
    if (d.text || d.reasoning) {
      counts.tokens++
      timings.firstToken ??= since()
    }
    const split = think && d.text ? think.push(d.text) : { text: d.text ?? '', reasoning: '' }
    out(thought, (d.reasoning ?? '') + split.reasoning)
    out(answer, split.text)
    if (final) return
    usage = d.usage ?? usage
    const r = d.finishReason
    // `length` or `content_filter`: the stream completes, but the model cut its own answer.
    if (r && r !== finishReason && (finishReason = r) !== 'stop')
      warn({ code: 'finish', message: `finish_reason '${r}': the model cut the answer short` })
    if (d.warning) warn({ code: 'payload', message: d.warning.message, data: excerpt(ev.data), cause: d.warning.cause })
    if (d.error) finish('error', new StreamError('server', d.error.message, { body: ev.data }))
    else if (d.done) finish('completed')
  }

  // A discarded event means even a plain-text answer lost its tail.
  // A text stream has no end marker, so its clean close is the end, but only
  // once something arrived: an empty 200 body is a failed answer, not an empty one.
  const wouldComplete = (discarded?: string) => !!finishReason || (!discarded && counts.events > 0 && dialect.textLike())

  return {
    connecting: live((attempt: number) => {
      counts.attempts = attempt
      setStatus('connecting')
    }),
    open,
    event,
    end: live((discarded?: string) => {
      if (discarded) warn({ code: 'discarded', message: 'Unterminated last event dropped (no blank line after it)', data: excerpt(discarded) })
      if (wouldComplete(discarded)) finish('completed')
      else finish('incomplete', new StreamError('incomplete', 'The stream ended without its end marker: the answer may be truncated'))
    }),
    wouldComplete,
    fail: live((err: StreamError) => {
      if (!finishReason) return finish(err.code === 'incomplete' ? 'incomplete' : 'error', err)
      warn({ code: 'finish', message: `${err.message} (after finish_reason '${finishReason}': the answer is whole)`, cause: err })
      finish('completed')
    }),
    abort: () => finish('aborted'),
    warn,
    get final() {
      return final
    },
    get status() {
      return status
    },
    get text() {
      return answer.text
    },
    get reasoning() {
      return thought.text
    },
    get meta() {
      return meta
    },
    result,
  }
}
