import type { StreamError } from './errors.js'

// ---------------------------------------------------------------------------
// Bytes → events (src/sse)
// ---------------------------------------------------------------------------

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
  /** Called with the text of each comment line (`: keep-alive` gives `' keep-alive'`). */
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
   * Largest size of one event (its field lines, in UTF-16 code units of
   * decoded text) before it is treated as an error.
   * @default 4194304 (4 MiB)
   */
  maxEventBytes?: number | undefined
}

/** What {@link SseParser.end} reports about input that never became an event. @public */
export interface SseEnd {
  /**
   * Text of the last, unterminated event (its lines, including a partial
   * last line), or `undefined` when nothing but blank lines or comments was
   * pending. Per spec it is discarded; this lets a caller report it.
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

// ---------------------------------------------------------------------------
// Events → tokens (src/payload)
// ---------------------------------------------------------------------------

/** Token counts as an OpenAI-compatible `usage` object reports them. @public */
export interface Usage {
  prompt_tokens?: number
  completion_tokens?: number
  total_tokens?: number
  [key: string]: unknown
}

/**
 * What a dialect made of one event. Every field is optional; an empty object
 * means "nothing to show" (a role chunk, a keep-alive, ...).
 * @public
 */
export interface Decoded {
  /** Answer text to append (may still hold inline `<think>` tags; the reducer splits them). */
  text?: string | undefined
  /** Reasoning text to append (`reasoning_content`, `reasoning`). */
  reasoning?: string | undefined
  /** Fields to merge into `meta` (the seed's `request_id`, `userid`; OpenAI's `id`, `model`). */
  meta?: Record<string, unknown> | undefined
  /** The model said why it stopped (`stop`, `length`, ...): the answer is whole. */
  finishReason?: string | undefined
  usage?: Usage | undefined
  /** The stream's own end marker (seed `status: 'completed'`, `[DONE]`, `event: done`). */
  done?: boolean | undefined
  /** The stream reported an error in-band. */
  error?: { message: string; data?: unknown } | undefined
  /** The data could not be decoded; the stream goes on and the user gets a `warning`. */
  warning?: { message: string; cause?: unknown } | undefined
}

/**
 * Turns one event into tokens. Built-ins: `'auto'` (default), `'seed'`,
 * `'openai'`, `'text'`; or pass your own function.
 * @public
 */
export type DialectFn = (event: SseEvent) => Decoded

/** A built-in dialect name or a function. @public */
export type Dialect = 'auto' | 'seed' | 'openai' | 'text' | DialectFn

// ---------------------------------------------------------------------------
// Tokens → the user (src/reduce.ts, src/stream.ts)
// ---------------------------------------------------------------------------

/**
 * Where a stream is. `connecting` → `streaming` → one of the four final states.
 * - `completed`: the stream itself said it was done.
 * - `incomplete`: it ended without saying so: the text may be truncated.
 * - `error`: HTTP, network, server, timeout or size failure (see `error.code`).
 * - `aborted`: you stopped it.
 * @public
 */
export type StreamStatus = 'connecting' | 'streaming' | 'completed' | 'incomplete' | 'error' | 'aborted'

/** The four statuses a stream can end in. @public */
export type FinalStatus = Extract<StreamStatus, 'completed' | 'incomplete' | 'error' | 'aborted'>

/** A problem that did not stop the stream. @public */
export interface StreamWarning {
  /** `payload`: an event's data could not be decoded; `discarded`: an unterminated last event was dropped; `finish`: the model stopped for a reason other than `stop`. */
  code: 'payload' | 'discarded' | 'finish' | 'retry'
  message: string
  /** The raw event data (or discarded text), bounded. */
  data?: string | undefined
  cause?: unknown
}

/** Milliseconds from the call, for one stream. @public */
export interface StreamTimings {
  /** Time to the response headers (fetch) or `open` (EventSource). */
  firstByte?: number | undefined
  /** Time to the first answer or reasoning token. */
  firstToken?: number | undefined
  /** Time to the final status. */
  total?: number | undefined
}

/** How much arrived. @public */
export interface StreamCounts {
  /** Dispatched SSE events. */
  events: number
  /** Events that carried answer or reasoning text. */
  tokens: number
  warnings: number
  /** Connection attempts made (1 unless retry is enabled). */
  attempts: number
}

/**
 * The outcome of a stream. Always resolves; always holds what arrived.
 * @public
 */
export interface StreamResult {
  status: FinalStatus
  /** The answer text, without reasoning and without a repeated final token. */
  text: string
  /** Reasoning text (`reasoning_content`, `<think>…</think>`). */
  reasoning: string
  /** Non-token fields the server sent (`request_id`, `userid`, `model`, ...), merged. */
  meta: Record<string, unknown>
  finishReason?: string | undefined
  usage?: Usage | undefined
  /** Set when `status` is `error` or `incomplete`. */
  error?: StreamError | undefined
  /** The last SSE event id, useful to resume. */
  lastEventId?: string | undefined
  warnings: StreamWarning[]
  timings: StreamTimings
  counts: StreamCounts
}

/**
 * What a stream yields, in order.
 * @public
 */
export type StreamEvent =
  | { type: 'delta'; text: string }
  | { type: 'reasoning'; text: string }
  | { type: 'meta'; meta: Record<string, unknown> }
  | { type: 'status'; status: StreamStatus; attempt: number }
  | { type: 'warning'; warning: StreamWarning }
  | { type: 'error'; error: StreamError }
  | { type: 'done'; result: StreamResult }

/** The `type` of a {@link StreamEvent}. @public */
export type StreamEventType = StreamEvent['type']
