import type { StreamError } from '../errors.js'

/**
 * One dispatched Server-Sent Event, as the WHATWG "interpreting an event
 * stream" algorithm defines it.
 * @public
 */
export interface SseEvent {
  /** The `event:` field, or `'message'` when the block had none (or an empty one). */
  type: string
  /** The `data:` lines joined with `\n` (the final `\n` removed). */
  data: string
  /** The `id:` field of this block, if it had one (an id containing U+0000 is ignored). */
  id: string | undefined
  /** The last event ID in force after this block: persists across blocks without `id:`. */
  lastEventId: string
}

/** Options of {@link createSseParser}. @public */
export interface SseParserOptions {
  /** Called for every dispatched event, in order. */
  onEvent: (event: SseEvent) => void
  /**
   * Called with the text of each comment line (`: keep-alive` gives
   * `' keep-alive'`). A comment longer than `maxEventBytes` is skipped
   * without a call (and never kept in memory).
   */
  onComment?: ((comment: string) => void) | undefined
  /** Called with a valid `retry:` value in milliseconds (ASCII digits only, as the spec says). */
  onRetry?: ((ms: number) => void) | undefined
  /**
   * Called when one event grows past `maxEventBytes`. The parser then drops
   * that event up to its terminating blank line, so memory stays bounded.
   * Without it the error is thrown from `feed()`.
   */
  onError?: ((error: StreamError) => void) | undefined
  /**
   * Largest size of one event (its `data`, `event`, `id` and `retry` lines
   * with their line ends, in UTF-16 code units of decoded text) before it is
   * treated as an error. Comments and unknown fields never count: they are
   * skipped without being kept, however long.
   * @default 4194304 (4 MiB)
   */
  maxEventBytes?: number | undefined
}

/** What {@link SseParser.end} reports about input that never became an event. @public */
export interface SseEnd {
  /**
   * Text of the last, unterminated event (its field lines, including a
   * partial last line that is or may become one), or `undefined` when
   * nothing but blank lines, comments or unknown fields was pending. Per spec it is discarded; this lets a caller report it.
   */
  discarded: string | undefined
}

/** A push parser for `text/event-stream` bodies. @public */
export interface SseParser {
  /** Feed the next chunk: bytes (decoded as streaming UTF-8) or already-decoded text. */
  feed(chunk: Uint8Array | string): void
  /** The body ended: flush the decoder, discard an unterminated event and report it. */
  end(): SseEnd
  /** Forget all state (buffers, BOM handling, last event ID) as for a new connection. */
  reset(): void
  /** The last event ID in force (updated at dispatch, also by id-only blocks), for `Last-Event-ID`. */
  readonly lastEventId: string
}
