import type { Dialect } from './payload/types.js'
import type { EventSourceConstructor } from './transport/eventsource.js'
import type { HeadersInput } from './transport/headers.js'
import type { RedirectMode } from './transport/redirect.js'

/**
 * A raw request body, as fetch takes it: the DOM's `BodyInit` spelled out, so
 * the declarations compile without the DOM lib (Node has every one of these
 * types, but not the name `BodyInit`).
 * @public
 */
export type RequestBody = string | ArrayBuffer | ArrayBufferView | Blob | FormData | URLSearchParams | ReadableStream<Uint8Array>

/** Time limits, in milliseconds up to 2147483647 (the longest a timer can wait); `0` turns one off. @public */
export interface Timeouts {
  /**
   * From the call to the first answer or reasoning token (streamed
   * reasoning counts). A deadline: keep-alive comments, empty tokens and
   * metadata-only events do not push it back, so a server that only sends
   * those cannot hold the stream open. Generous for models that think before
   * they stream; raise it (or 0) for one that thinks longer without
   * streaming its reasoning.
   * @default 300000 (5 minutes)
   */
  firstToken?: number | undefined
  /**
   * Longest silence: no bytes at all (fetch), or no event (EventSource).
   * A stalled HTTP 200 stream would otherwise hang forever.
   * @default 120000
   */
  idle?: number | undefined
  /**
   * From the call to the final status, retries included: a deadline for
   * the whole answer, e.g. against a server that trickles a byte every
   * 100 ms forever. Off by default, since a long answer is legitimate.
   * @default 0 (off)
   */
  total?: number | undefined
}

/**
 * Opt-in reconnection. Off by default: once a request may have reached the
 * server, sending it again can start a second, billed generation.
 *
 * When on, a stream is retried only when that is safe:
 * - the connection failed before any response;
 * - HTTP 408, 429, 502, 503 or 504 (honouring `Retry-After`);
 * - the stream broke after events, and the server sent event ids: the retry
 *   carries `Last-Event-ID` so the server can resume instead of starting over.
 *   A server that starts over anyway (its first id after the resume is the
 *   stream's first id, the same id, or a smaller number) ends the stream
 *   `incomplete` rather than repeating the answer.
 * Delays grow exponentially with jitter, never below the server's `retry:`.
 * @public
 */
export interface RetryOptions {
  /**
   * Most attempts over the whole stream, the first one included: every
   * reconnect counts, also after one that went well, so a server that cuts
   * every answer short cannot keep a stream reconnecting forever. Raise it
   * (up to 100) for long answers over a flaky network.
   * @default 3
   */
  attempts?: number | undefined
  /** Delay before the first retry. @default 1000 */
  baseDelay?: number | undefined
  /** Upper bound for any computed delay. @default 30000 */
  maxDelay?: number | undefined
}

/** One step of a stream's connection, for {@link StreamOptions.debug}. @public */
export interface DebugEntry {
  /**
   * - `attempt`: a connection attempt starts (method, URL without its query, transport, the event id it resumes from);
   * - `reconnect`: `EventSource` reconnects by itself, resuming with `Last-Event-ID`;
   * - `retry`: a failed attempt, and whether it is retried (after how long) or why not;
   * - `timeout`: a time limit ran out;
   * - `done`: the final status and its reason (an error's code and HTTP status, a finish reason).
   */
  type: 'attempt' | 'reconnect' | 'retry' | 'timeout' | 'done'
  /** The attempt it concerns, 1 for the first. */
  attempt: number
  /**
   * One line for a person. It never holds a header, a body, a query string
   * or a message that came from the server, so a log can be shared.
   */
  message: string
}

/** Options shared by the client and each call. @public */
export interface StreamOptions {
  /** Extra request headers. Per-call headers are merged over the client's. */
  headers?: HeadersInput | undefined
  /** How event data becomes tokens. @default 'auto' */
  dialect?: Dialect | undefined
  /**
   * Whether the server closing the body means the answer is done, for a
   * stream without an end marker (plain text: `dialect: 'text'`, or `auto`
   * while every event was text). Off, such a stream ends `incomplete`
   * unless it sends `data: [DONE]` or `event: done`, because a cut answer
   * also ends cleanly (a proxy's `Connection: close`, a server framework
   * that closes the response when the handler throws). Turn it on only for
   * a server that closes the response only when the answer is done.
   * Formats with an end marker (OpenAI, AI SDK, content dict) still need it.
   * `EventSource` cannot tell a cut body from a finished one, so over it any
   * end of the body counts; use `transport: 'fetch'` to tell them apart.
   * @default false
   */
  closeMeansDone?: boolean | undefined
  /** Time limits. @default { firstToken: 300000, idle: 120000, total: 0 } */
  timeouts?: Timeouts | undefined
  /** Opt-in reconnection; `false` or absent means never. @default false */
  retry?: RetryOptions | boolean | undefined
  /**
   * GET only: `'eventsource'` uses the native `EventSource`; `'fetch'` uses
   * fetch streaming (needed for headers, and where `EventSource` is missing);
   * `'auto'` picks `EventSource` when it exists and no headers are set.
   * POST always uses fetch.
   * @default 'auto'
   */
  transport?: 'auto' | 'eventsource' | 'fetch' | undefined
  /**
   * What a fetch stream does when the server answers with a redirect
   * (301, 302, 303, 307, 308).
   * - `'same-origin'`: follow it only within the request's origin (scheme,
   *   host and port), as fetch would (303, and 301/302 after a POST, become
   *   a GET). One to another origin is an `http` error that names the
   *   target: following it would send your headers (an API key) there, and
   *   re-send the body on 307/308. In a browser the target of a redirect is
   *   hidden from scripts, so there any redirect is that error.
   * - `'error'`: every redirect is that error.
   * - `'follow'`: the platform's own behaviour, to any origin, with your
   *   headers. Only for servers you trust with them.
   * `EventSource` (GET without headers) follows redirects itself; it sends
   * no custom headers.
   * @default 'same-origin'
   */
  redirect?: RedirectMode | undefined
  /** Send cookies cross-origin (`EventSource` `withCredentials`, fetch `credentials: 'include'`). @default false */
  withCredentials?: boolean | undefined
  /**
   * Split inline `<think>…</think>` out of the answer into `reasoning`.
   * `'open'`: the answer starts inside the block, for templates that put
   * `<think>` in the prompt so the model only writes `…</think>` (DeepSeek-R1
   * 0528 and QwQ served raw, e.g. by vLLM without a reasoning parser);
   * everything before `</think>` is reasoning (a leading `<think>` is
   * accepted too). `false` leaves the tags in the text.
   * @default true
   */
  thinkTags?: boolean | 'open' | undefined
  /** Largest single event before the stream fails with `too-large`: a whole number ≥ 1. @default 4194304 */
  maxEventBytes?: number | undefined
  /**
   * Named SSE event types to listen for with `EventSource` (it only reports
   * types it was told about). `message`, `error` and `done` are always on.
   */
  eventTypes?: string[] | undefined
  /**
   * Log what the connection does: each attempt, reconnect, retry decision,
   * timeout and the final status with its reason. `true` writes each entry's
   * line to `console.debug`; a function receives every {@link DebugEntry}
   * (one that throws is reported, the stream goes on). Nothing is logged by
   * default, and no entry holds headers, bodies or query strings.
   * @default false
   */
  debug?: boolean | ((entry: DebugEntry) => void) | undefined
}

/** Options of {@link createClient}. @public */
export interface ClientOptions extends StreamOptions {
  /** Prefix for relative paths: `'http://127.0.0.1:5000'`, `'/api'`. @default '' */
  baseUrl?: string | undefined
  /** A `fetch` to use instead of `globalThis.fetch` (looked up at request time, so msw works). */
  fetch?: typeof fetch | undefined
  /** An `EventSource` to use instead of `globalThis.EventSource` (e.g. the `eventsource` npm package in Node). */
  EventSource?: EventSourceConstructor | undefined
}

/** Options of one `get()` / `post()` call. @public */
export interface RequestOptions extends StreamOptions {
  /** Query parameters appended to the URL (`{ text: prompt }` gives `?text=...`). */
  query?: Record<string, string | number | boolean | undefined> | URLSearchParams | undefined
  /** A JSON body (POST): serialised, with `Content-Type: application/json`. */
  json?: unknown
  /** A raw body (POST), used as is. */
  body?: RequestBody | undefined
  /**
   * Start from after this event id, e.g. the `lastEventId` of an answer that
   * a page reload cut off (`StreamResult.lastEventId`). Sent as the
   * `Last-Event-ID` header over fetch (UTF-8, as `EventSource` sends it);
   * `EventSource` cannot set headers, so there it is a `lastEventId` query
   * parameter (its own reconnects later also send the header, which a
   * server should prefer). A server that ignores both starts over. Later
   * retries resume from the newest id received. Must not contain control
   * characters other than tab: they cannot be sent in a header.
   * @default undefined (start from the beginning)
   */
  lastEventId?: string | undefined
  /** Cancels the stream, like `abort()`. An already-aborted signal starts nothing. */
  signal?: AbortSignal | undefined
}
