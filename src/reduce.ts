import { StreamError, excerpt } from './errors.js'
import { resolveDialect } from './payload/dialects/index.js'
import { MAX_TOOL_CALLS } from './payload/tool-calls.js'
import type { ToolCall } from './payload/tool-calls.js'
import { createThinkSplitter } from './payload/think.js'
import { setOwn } from './payload/own.js'
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
  /**
   * Count a clean end of the body as `completed` for a format without an end
   * marker (plain text). See `StreamOptions.closeMeansDone`.
   * @default false
   */
  closeMeansDone?: boolean | undefined
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
   * it is plain text and `closeMeansDone` is set), else `incomplete`.
   * `discarded` is the parser's unterminated last event (`SseEnd.discarded`).
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
  /** Meta fields so far, merged (at most 64 distinct keys per stream). */
  readonly meta: Record<string, unknown>
  /** Tool calls so far, in `index` order; the last one may still be growing. */
  readonly toolCalls: ToolCall[]
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

// Meta values compared by content: a content dict repeats the same meta on every event.
const key = (v: unknown) => (typeof v === 'object' ? JSON.stringify(v, (_, x) => (typeof x === 'bigint' ? `${x}n` : x)) : v)

/**
 * Most distinct meta keys one stream keeps. Every meta change copies the
 * merged meta (each `meta` event holds a snapshot), so without a bound a
 * server that sends a new key per event makes the stream quadratic (20,000
 * such events took minutes); real servers send a handful.
 */
const MAX_META_KEYS = 64

/**
 * Most warnings `result.warnings` keeps (`counts.warnings` counts them all, and
 * each is still emitted). A hostile server can make every event a warning
 * (each holds an excerpt of up to ~2 KB), so keeping all would let one stream
 * grow without bound.
 */
const MAX_WARNINGS = 100

/** Finish reasons of a whole answer; any other one means the model stopped early. */
const NORMAL_FINISH = ['stop', 'tool_calls', 'function_call']

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
  /** The last event's id (`SseEvent.lastEventId`), `undefined` until one. */
  readonly lastEventId: string | undefined
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
  let metaKeys = 0
  // Tool calls by `index`, and the same in `index` order (rebuilt when a call is added).
  const calls = new Map<number, ToolCall>()
  let sorted: ToolCall[] | undefined
  const callList = () => [...(sorted ??= [...calls.values()].sort((a, b) => a.index - b.index))]
  let callsSent = 0
  let refusal: string | undefined
  let finishReason: string | undefined
  let usage: Usage | undefined
  let error: StreamError | undefined
  let lastEventId: string | undefined
  // Bound warnings already given (meta keys, tool calls): one each per stream.
  const once = new Set<string>()
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
    // event completes (an upstream that cuts an emoji makes a content-dict backend send
    // '\ud83d' and then '\ude80'): held back so every emitted delta is well-formed.
    const cut = text.length - (!flush && last >= 0xd800 && last <= 0xdbff ? 1 : 0)
    ch.held = text.slice(cut)
    text = text.slice(0, cut)
    if (text) {
      ch.text += text
      emit({ type: ch.type, text })
    }
  }

  const setStatus = (s: StreamStatus) => emit({ type: 'status', status: (status = s), attempt: counts.attempts })

  /** Announce every tool call not yet announced: the model has finished, so they are whole. */
  const sendToolCalls = () => {
    for (const toolCall of callList().slice(callsSent)) emit({ type: 'tool-call', toolCall })
    callsSent = calls.size
  }

  const finish = live((s: FinalStatus, err?: StreamError) => {
    final = true
    const rest = think?.flush()
    out(thought, rest?.reasoning ?? '', true)
    out(answer, rest?.text ?? '', true)
    if (s === 'completed') sendToolCalls()
    error = err
    timings.total = since()
    if (err) emit({ type: 'error', error: err })
    setStatus(s)
    emit({ type: 'done', result: result() })
  })

  const warn = live((w: StreamWarning) => {
    if (counts.warnings++ < MAX_WARNINGS) warnings.push(w)
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
    toolCalls: callList().map((c) => ({ ...c, function: { ...c.function } })),
    refusal,
    error,
    lastEventId,
    warnings: [...warnings],
    timings: { ...timings },
    counts: { ...counts },
  })

  /** A `payload` warning with the event's data; only once per stream when it is about a bound (`max`). */
  const bad = (ev: SseEvent, message: string, cause?: unknown, max?: string) => {
    if (!max || !once.has(max)) warn({ code: 'payload', message: max ? `More than ${max}: later ${message} ignored` : message, data: excerpt(ev.data), cause })
    if (max) once.add(max)
  }

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
    let changed: Record<string, unknown> | undefined
    let dropped = false
    // A plain loop: this runs for every token, and a content dict repeats the same meta each time.
    if (m)
      for (const k in m)
        if (m[k] !== meta[k] && key(m[k]) !== key(meta[k]))
          if (Object.hasOwn(meta, k) || metaKeys < MAX_META_KEYS) {
            if (!Object.hasOwn(meta, k)) metaKeys++
            setOwn((changed ??= { ...meta }), k, m[k])
          } else dropped = true
    if (changed) emit({ type: 'meta', meta: { ...(meta = changed) } })
    if (dropped) bad(ev, 'new keys are', undefined, `${MAX_META_KEYS} meta keys`)
    if (final) return
    if (d.text || d.reasoning) {
      counts.tokens++
      timings.firstToken ??= since()
    }
    const split = think && d.text ? think.push(d.text) : { text: d.text ?? '', reasoning: '' }
    out(thought, (d.reasoning ?? '') + split.reasoning)
    out(answer, split.text)
    if (final) return
    if (d.toolCalls) {
      let dropped = false
      for (const t of d.toolCalls) {
        let c = calls.get(t.index)
        if (!c && calls.size < MAX_TOOL_CALLS) {
          calls.set(t.index, (c = { index: t.index, id: '', type: 'function', function: { name: '', arguments: '' } }))
          sorted = undefined
        }
        if (!c) dropped = true
        else {
          // As openai-node's ChatCompletionStream: id, type and name are replaced, arguments appended.
          const f = t.function
          if (t.id) c.id = t.id
          if (t.type) c.type = t.type
          if (f?.name) c.function.name = f.name
          if (f?.arguments) c.function.arguments += f.arguments
        }
      }
      if (dropped) bad(ev, 'ones are', undefined, `${MAX_TOOL_CALLS} tool calls`)
      // One event per piece, with the id and name known so far (a dropped call has none).
      for (const t of d.toolCalls) {
        const c = calls.get(t.index)
        if (c && !final) emit({ type: 'tool-input', index: c.index, id: c.id, name: c.function.name, delta: t.function?.arguments ?? '' })
      }
    }
    if (d.refusal) {
      if (refusal === undefined) warn({ code: 'refusal', message: 'The model refused to answer (its words are in result.refusal)' })
      refusal = (refusal ?? '') + d.refusal
    }
    // The server ran the calls it answers: they are whole.
    if (d.toolResult) {
      sendToolCalls()
      if (!final) emit({ type: 'tool-result', ...d.toolResult })
    }
    if (d.data && !final) emit({ type: 'data', ...d.data })
    if (final) return
    usage = d.usage ?? usage
    const r = d.finishReason
    // `length` or `content_filter`: the stream completes, but the model cut its own answer.
    if (r && r !== finishReason && !NORMAL_FINISH.includes((finishReason = r)))
      warn({ code: 'finish', message: `finish_reason '${r}': the model cut the answer short` })
    // The model has finished: its tool calls are whole.
    if (r) sendToolCalls()
    if (final) return
    if (d.warning) bad(ev, d.warning.message, d.warning.cause)
    if (d.error) finish('error', new StreamError('server', d.error.message, { body: ev.data }))
    else if (d.done) finish('completed')
  }

  // A format without an end marker (plain text) cannot tell a finished
  // answer from a cut one: a clean close proves nothing (Werkzeug's
  // `Connection: close` body and hono/h3/express after a throw both end
  // cleanly), so it is the end only when the caller says the server closes
  // only when done. A discarded event means even then the tail was lost, and
  // an empty 200 body is a failed answer, not an empty one.
  const textEnd = options.closeMeansDone === true
  const wouldComplete = (discarded?: string) => !!finishReason || (textEnd && !discarded && counts.events > 0 && dialect.textLike())

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
      else
        finish(
          'incomplete',
          new StreamError(
            'incomplete',
            `The stream ended without ${
              dialect.textLike() && counts.events > 0
                ? 'an end marker; plain text has none, so the answer may be truncated. End the stream with `data: [DONE]` or `event: done`, or set `closeMeansDone: true` if the server closes only when the answer is done'
                : 'its end marker: the answer may be truncated'
            }`,
          ),
        )
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
    get toolCalls() {
      return callList()
    },
    get lastEventId() {
      return lastEventId
    },
    result,
  }
}
