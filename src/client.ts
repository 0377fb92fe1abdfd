import { connect } from './connect.js'
import type { LlmStream } from './handle.js'
import type { ClientOptions, RequestOptions } from './options.js'
import { settle, validate } from './settle.js'

/** What {@link createClient} returns. @public */
export interface Client {
  /**
   * Stream a GET (the Flask tutorial's `/stream/get?text=`). Uses the native
   * `EventSource` when there is one and no headers are set, else fetch.
   */
  get(path: string | URL, options?: RequestOptions): LlmStream
  /** Stream a POST over fetch (the Flask tutorial's `/stream/post`). Never re-sent unless `retry` allows it. */
  post(path: string | URL, options?: RequestOptions): LlmStream
}

/**
 * Create a client. Options given here are defaults for every call; each
 * call may override them. Both are checked at once: a wrong option throws
 * a `StreamError` with code `invalid-options` whose message says what to do.
 *
 * @example
 * ```ts
 * const client = createClient({ baseUrl: 'http://127.0.0.1:5000' })
 * const s = client.post('/stream/post', { json: { prompt: 'Hi' } })
 * for await (const e of s) if (e.type === 'delta') out.append(e.text)
 * ```
 * @public
 */
export function createClient(options: ClientOptions = {}): Client {
  // Copied so that later changes to the caller's object do not leak in.
  const client = { ...options }
  validate(client)
  return {
    get: (path, call) => connect(settle('GET', path, client, call)),
    post: (path, call) => connect(settle('POST', path, client, call)),
  }
}
