/**
 * What went wrong, as a string you can `switch` on.
 *
 * - `http`: the server answered with a status other than 200 (or 204, which means "stop").
 * - `content-type`: the answer was not `text/event-stream` (an HTML error page, JSON, ...).
 * - `network`: the connection failed, or broke before the stream said it was done.
 * - `timeout`: no first token, or no bytes at all, within the configured time.
 * - `incomplete`: the stream ended cleanly but never said it was done (a truncated answer).
 * - `server`: the stream itself reported an error (`event: error`, a `错误发生:` line, an OpenAI `{"error": ...}`).
 * - `payload`: an event's data could not be decoded (bad JSON / Python literal).
 * - `too-large`: one event grew past `maxEventBytes`.
 * - `invalid-options`: the call itself was wrong; the message says how to fix it.
 *
 * @public
 */
export type StreamErrorCode = 'http' | 'content-type' | 'network' | 'timeout' | 'incomplete' | 'server' | 'payload' | 'too-large' | 'invalid-options'

/** Fields a {@link StreamError} may carry besides its code and message. @public */
export interface StreamErrorInit {
  /** HTTP status, when a response was received. */
  status?: number | undefined
  /** A bounded excerpt of the response body or of the offending data (at most {@link MAX_EXCERPT} characters). */
  body?: string | undefined
  /** Milliseconds the server asked us to wait (`Retry-After`), when given. */
  retryAfter?: number | undefined
  /** Character offset in the decoded text where a payload error was found. */
  position?: number | undefined
  /** The underlying error (a `TypeError` from `fetch`, a `SyntaxError`, ...). */
  cause?: unknown
  /** A likely cause and its fix, when the SDK can only guess (see {@link StreamError.hint}). */
  hint?: string | undefined
}

/** Longest excerpt of a body or payload an error keeps, in characters. */
export const MAX_EXCERPT = 2048

/**
 * The one error class of this SDK. Every failure has a {@link StreamErrorCode};
 * HTTP failures also carry `status`, a readable `body` excerpt and `retryAfter`.
 *
 * Use {@link isStreamError} rather than `instanceof`: it also recognises errors
 * thrown by a second bundled copy of the SDK.
 *
 * @example
 * ```ts
 * const r = await stream.result
 * if (r.error?.code === 'http' && r.error.status === 429) wait(r.error.retryAfter)
 * ```
 * @public
 */
export class StreamError extends Error {
  override readonly name = 'StreamError' as const
  readonly code: StreamErrorCode
  readonly status: number | undefined
  readonly body: string | undefined
  readonly retryAfter: number | undefined
  readonly position: number | undefined
  /**
   * A likely cause and what to do about it, when the browser hides the real
   * one, so it is a guess, not a finding. Set today for a request to another
   * origin than the page's that failed before any response: the hint says
   * this is most often CORS and which headers the server must send. The
   * message ends with the same text after `Hint:`.
   * @default undefined
   */
  readonly hint: string | undefined

  constructor(code: StreamErrorCode, message: string, init: StreamErrorInit = {}) {
    super(
      init.hint === undefined ? message : `${message}${/[.!?]$/.test(message) ? '' : '.'} Hint: ${init.hint}`,
      init.cause === undefined ? undefined : { cause: init.cause },
    )
    this.code = code
    this.status = init.status
    this.body = init.body === undefined ? undefined : excerpt(init.body)
    this.retryAfter = init.retryAfter
    this.position = init.position
    this.hint = init.hint
  }
}

/**
 * True for a {@link StreamError}, including one created by another copy of
 * this package (where `instanceof` fails), matched by `name` and `code`.
 * @public
 */
export function isStreamError(value: unknown): value is StreamError {
  const v = value as { name?: unknown; code?: unknown } | null
  return value instanceof StreamError || (typeof v === 'object' && v?.name === 'StreamError' && typeof v.code === 'string')
}

/** Cut `text` to {@link MAX_EXCERPT} characters, marking the cut. */
export function excerpt(text: string, max = MAX_EXCERPT): string {
  return text.length <= max ? text : text.slice(0, max) + `… [${text.length - max} more characters]`
}
