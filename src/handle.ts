import type { ToolCall } from './payload/tool-calls.js'
import type { StreamEvent, StreamEventType, StreamResult, StreamStatus } from './result.js'

/** The event of a given `type`. @public */
export type StreamEventOf<T extends StreamEventType> = Extract<StreamEvent, { type: T }>

/**
 * The handle `client.get()` / `client.post()` return. Consume it any way you
 * like, several ways at once: `for await`, `on()`, `result`, or the live
 * getters.
 *
 * @example
 * ```ts
 * const s = client.post('/stream/post', { json: { prompt } })
 * s.on('delta', (e) => output.append(e.text))
 * const { status, text, error } = await s.result
 * ```
 * @public
 */
export interface LlmStream extends AsyncIterable<StreamEvent> {
  /**
   * `for await (const e of stream)` yields every event from the start of the
   * stream, however late the loop starts, and ends after `done` (it throws
   * the error of an `error` or `incomplete` stream). Memory stays bounded
   * by the answer's text, not by the number of events:
   * - a loop started after events arrived first gets a replay of them in
   *   which all answer text so far is one `delta` event, all reasoning one
   *   `reasoning` event and `meta` only the latest (at the place of the
   *   first of each), then the live events;
   * - a loop that falls more than 16384 events behind gets its backlog
   *   merged the same way (a network chunk holds a few thousand events at
   *   most, so a loop that keeps up sees each event as it came).
   */
  [Symbol.asyncIterator](): AsyncIterator<StreamEvent>
  /**
   * Resolves once with the final outcome; never rejects. Holds whatever text
   * arrived, also when `status` is `error`, `incomplete` or `aborted`.
   */
  readonly result: Promise<StreamResult>
  /** The status now. */
  readonly status: StreamStatus
  /** The answer text so far. */
  readonly text: string
  /** The reasoning text so far. */
  readonly reasoning: string
  /** Non-token fields so far (`request_id`, `userid`, `model`, ...). */
  readonly meta: Record<string, unknown>
  /**
   * Tool calls so far, in `index` order; the last one may still be growing.
   * A `tool-call` event announces each one once it is whole.
   */
  readonly toolCalls: ToolCall[]
  /**
   * The id of the last event received (SSE `id:`; the spec carries it over
   * to later events without one), or `undefined` until one arrived. Store it
   * with a partial answer to continue it later, e.g. after a page reload,
   * through the request option `lastEventId`.
   * @default undefined
   */
  readonly lastEventId: string | undefined
  /**
   * Listen to one event type. Returns a function that removes the listener.
   * A listener that throws does not break the stream; its error is reported
   * like an `EventTarget` listener's (`reportError`).
   */
  on<T extends StreamEventType>(type: T, listener: (event: StreamEventOf<T>) => void): () => void
  /**
   * Stop the stream: the request is cancelled (the server sees the
   * connection close) and the status becomes `aborted`, keeping the text so
   * far. Safe to call at any time, from any callback, any number of times.
   */
  abort(): void
}

/** What the connection side of a stream needs from its handle. @internal */
export interface StreamSink {
  /** Deliver one event to every consumer. */
  dispatch(event: StreamEvent): void
}

/** @internal */
export interface HandleParts {
  /** Live state, read through for the getters. */
  state(): { status: StreamStatus; text: string; reasoning: string; meta: Record<string, unknown>; toolCalls: ToolCall[]; lastEventId: string | undefined }
  /** Called by `abort()` and by a `break` out of `for await`. */
  abort(): void
}

/** A backlog this long is merged (see {@link LlmStream}); it then may grow to twice its merged size. Far more than one 64 KiB chunk can hold (≈ 9,000 events). */
const BACKLOG = 16_384

/** Event types that are merged: text is appended, `meta` is a whole snapshot. */
type Mergeable = 'delta' | 'reasoning' | 'meta'
/** Where the merged entry of each type is, and merges since the text was last made flat (`d`, `r`). */
type Slots = Partial<Record<Mergeable | 'd' | 'r', number>>

/**
 * Append `e` to `out`, merging it into the entry of its type that `slots`
 * points to: keeping every event for an iterator that may come late (or
 * never reads) would hold some 50 bytes per token, without bound.
 */
function add(out: StreamEvent[], slots: Slots, e: StreamEvent): void {
  const k = e.type
  if (k === 'delta' || k === 'reasoning' || k === 'meta') {
    const at = slots[k]
    if (at !== undefined) {
      const prev = out[at] as StreamEvent & { text?: string }
      if (k === 'meta') out[at] = e
      else {
        // `+=` builds a rope of one 32-byte node per token; joining flat
        // once the nodes outnumber a sixteenth of the text keeps that at
        // 2 bytes a character, for 16 copied characters a token.
        const n = (slots[k === 'delta' ? 'd' : 'r'] ?? 0) + 1
        const flat = n > 256 + (prev.text!.length >> 4)
        slots[k === 'delta' ? 'd' : 'r'] = flat ? 0 : n
        out[at] = { type: k, text: flat ? [prev.text, e.text].join('') : prev.text + e.text }
      }
      return
    }
    slots[k] = out.length
  }
  out.push(e)
}

/**
 * Build the user-facing handle. Every iterator sees the whole stream from
 * its start, however late it was created (`for await` after an `await` must
 * not miss the first tokens): a late one starts from a merged replay.
 * @internal
 */
export function createHandle(parts: HandleParts): LlmStream & StreamSink {
  const replay: StreamEvent[] = []
  const replaySlots: Slots = {}
  /** Each live iterator's unread events, from `head`. */
  const backlogs = new Set<{ q: StreamEvent[]; head: number; limit: number; wake?: (() => void) | undefined }>()
  // Copy-on-write arrays: on() and its undo build a new array, so dispatch can
  // walk the current one without copying it per event, and a listener added
  // during a dispatch waits for the next event (as with EventTarget).
  const listeners = new Map<StreamEventType, ((event: never) => void)[]>()
  let done = false
  let resolveResult!: (result: StreamResult) => void
  const result = new Promise<StreamResult>((resolve) => (resolveResult = resolve))

  function dispatch(event: StreamEvent): void {
    // Nothing may follow `done`: an abort() from inside a listener finalises
    // the stream while the event that triggered it is still being handled.
    if (done) return
    if (event.type === 'done') {
      done = true
      resolveResult(event.result)
    }
    add(replay, replaySlots, event)
    for (const b of backlogs) {
      b.q.push(event)
      if (b.q.length - b.head > b.limit) {
        // Fallen far behind (or never reading): merge what it has not read.
        const merged: StreamEvent[] = []
        const slots: Slots = {}
        for (let k = b.head; k < b.q.length; k++) add(merged, slots, b.q[k]!)
        b.q = merged
        b.head = 0
        b.limit = Math.max(BACKLOG, 2 * merged.length)
      }
    }
    for (const listener of listeners.get(event.type) ?? []) {
      try {
        ;(listener as (event: StreamEvent) => void)(event)
      } catch (error) {
        report(error)
      }
    }
    for (const b of backlogs) b.wake?.()
  }

  function iterate(): AsyncIterator<StreamEvent> {
    const b = { q: replay.slice(), head: 0, limit: BACKLOG, wake: undefined as (() => void) | undefined }
    if (!done) backlogs.add(b)
    return {
      async next() {
        while (b.head >= b.q.length) {
          if (done) {
            backlogs.delete(b)
            const { status, error } = await result
            if ((status === 'error' || status === 'incomplete') && error) throw error
            return { done: true, value: undefined }
          }
          await new Promise<void>((resolve) => (b.wake = resolve))
          b.wake = undefined
        }
        const value = b.q[b.head++]!
        // Read to the end: start over, so the array does not keep read events.
        if (b.head === b.q.length) b.q.length = b.head = 0
        return { done: false, value }
      },
      async return() {
        // `break` out of `for await`: the consumer is gone, so stop the request.
        if (!done) parts.abort()
        backlogs.delete(b)
        b.q = []
        b.head = 0
        return { done: true, value: undefined }
      },
    }
  }

  const handle = {
    dispatch,
    result,
    on(type, listener) {
      const fn = listener as (event: never) => void
      const current = () => listeners.get(type) ?? []
      if (!current().includes(fn)) listeners.set(type, [...current(), fn])
      return () =>
        void listeners.set(
          type,
          current().filter((l) => l !== fn),
        )
    },
    abort: () => parts.abort(),
    [Symbol.asyncIterator]: iterate,
  } as LlmStream & StreamSink
  // The live getters, each reading through to the connection's state.
  for (const name of STATE) Object.defineProperty(handle, name, { get: () => parts.state()[name], enumerable: true })
  return handle
}

/** The handle's live getters: the names of {@link HandleParts.state}'s fields. */
const STATE = ['status', 'text', 'reasoning', 'meta', 'toolCalls', 'lastEventId'] as const

/** Report a listener's error without breaking the stream, as EventTarget does. @internal */
export function report(error: unknown): void {
  const g = globalThis as { reportError?: (e: unknown) => void }
  if (typeof g.reportError === 'function') g.reportError(error)
  else
    setTimeout(() => {
      throw error
    })
}
