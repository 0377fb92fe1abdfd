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
  state(): { status: StreamStatus; text: string; reasoning: string; meta: Record<string, unknown>; toolCalls: ToolCall[] }
  /** Called by `abort()` and by a `break` out of `for await`. */
  abort(): void
}

/**
 * Build the user-facing handle. Events are kept in one log so that every
 * iterator sees the whole stream from its start, however late it was
 * created (`for await` after an `await` must not miss the first tokens).
 * @internal
 */
export function createHandle(parts: HandleParts): LlmStream & StreamSink {
  const log: StreamEvent[] = []
  // Copy-on-write arrays: on() and its undo build a new array, so dispatch can
  // walk the current one without copying it per event, and a listener added
  // during a dispatch waits for the next event (as with EventTarget).
  const listeners = new Map<StreamEventType, ((event: never) => void)[]>()
  const wakers: (() => void)[] = []
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
    log.push(event)
    for (const listener of listeners.get(event.type) ?? []) {
      try {
        ;(listener as (event: StreamEvent) => void)(event)
      } catch (error) {
        report(error)
      }
    }
    if (wakers.length) for (const wake of wakers.splice(0)) wake()
  }

  function iterate(): AsyncIterator<StreamEvent> {
    let index = 0
    return {
      async next() {
        while (index >= log.length) {
          if (done) return finish()
          // Each dispatch wakes and drops every waiting iterator; woken ones wait again if need be.
          await new Promise<void>((resolve) => wakers.push(resolve))
        }
        return { done: false, value: log[index++] as StreamEvent }
      },
      async return() {
        // `break` out of `for await`: the consumer is gone, so stop the request.
        if (!done) parts.abort()
        index = Infinity
        return { done: true, value: undefined }
      },
    }
    async function finish(): Promise<IteratorResult<StreamEvent>> {
      const { status, error } = await result
      if ((status === 'error' || status === 'incomplete') && error) throw error
      return { done: true, value: undefined }
    }
  }

  return {
    dispatch,
    result,
    get status() {
      return parts.state().status
    },
    get text() {
      return parts.state().text
    },
    get reasoning() {
      return parts.state().reasoning
    },
    get meta() {
      return parts.state().meta
    },
    get toolCalls() {
      return parts.state().toolCalls
    },
    on(type, listener) {
      const fn = listener as (event: never) => void
      const current = listeners.get(type) ?? []
      if (!current.includes(fn)) listeners.set(type, [...current, fn])
      return () => void listeners.set(type, (listeners.get(type) ?? []).filter((l) => l !== fn))
    },
    abort: () => parts.abort(),
    [Symbol.asyncIterator]: iterate,
  }
}

/** Report a listener's error without breaking the stream, as EventTarget does. */
function report(error: unknown): void {
  const g = globalThis as { reportError?: (e: unknown) => void }
  if (typeof g.reportError === 'function') g.reportError(error)
  else
    setTimeout(() => {
      throw error
    })
}
