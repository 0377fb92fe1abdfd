import type { RedirectMode } from './redirect.js'
import type { StreamError } from '../errors.js'
import type { RequestBody } from '../options.js'
import type { StreamWarning } from '../result.js'
import type { EventSourceConstructor } from './eventsource.js'
import type { HeadersInput } from './headers.js'
import type { SseEvent } from '../sse/types.js'

/**
 * What a transport gets for one connection attempt. Transports know nothing
 * about dialects, retries or timers: they move bytes or events in and report
 * how the attempt ended.
 * @internal
 */
export interface Attempt {
  url: string
  method: string
  body: RequestBody | undefined
  withCredentials: boolean
  /** What fetch does with a redirect. */
  redirect: RedirectMode
  maxEventBytes: number
  eventTypes: string[]
  /** The id to resume from (`Last-Event-ID`), '' for none. */
  lastEventId: string
  fetch?: typeof fetch | undefined
  EventSource?: EventSourceConstructor | undefined
  /** Client headers, then call headers (resolved again for each attempt: a token may be refreshed). */
  headers: (HeadersInput | undefined)[]
  /** Content-Type implied by `json`. */
  contentType: string | undefined
  /** Register how to cancel the attempt's request (called on abort, timeout, end marker). */
  setCancel(cancel: () => void): void
  /** True once the stream has a final status: stop reading and release the connection. */
  isFinal(): boolean
  /** The response was accepted (200, `text/event-stream`). */
  opened(): void
  /** Bytes arrived (idle timer). */
  bytes(): void
  event(event: SseEvent): void
  retryHint(ms: number): void
  /** A problem that does not stop the stream. */
  warn(warning: StreamWarning): void
  /** A fatal error found while reading (e.g. an oversized event). */
  fail(error: StreamError): void
  /**
   * The connection dropped after it had opened; returns true when the
   * transport may let the platform reconnect by itself (EventSource with
   * retry on), false when it must stop.
   */
  mayReconnect(): boolean
}

/** How an attempt ended. @internal */
export type AttemptOutcome =
  | { kind: 'ended'; discarded?: string | undefined }
  | {
      kind: 'failed'
      error: StreamError
      /** A response (any status) was received, so the server may have started work. */
      responded: boolean
      /** Events had arrived before it failed. */
      events?: boolean
    }
