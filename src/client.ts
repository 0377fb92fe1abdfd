import { connect } from './connect.js'
import type { ClientOptions, RequestOptions } from './options.js'
import { validate } from './options.js'
import type { LlmStream } from './stream.js'
import { hasHeaders, snapshotHeaders } from './transport/headers.js'

/** What {@link createClient} returns. @public */
export interface Client {
  /**
   * Stream a GET (the seed's `/stream/get?text=`). Uses the native
   * `EventSource` when there is one and no headers are set, else fetch.
   */
  get(path: string | URL, options?: RequestOptions): LlmStream
  /** Stream a POST over fetch (the seed's `/stream/post`). Never re-sent unless `retry` allows it. */
  post(path: string | URL, options?: RequestOptions): LlmStream
}

/**
 * Create a client. Options given here are defaults for every call; each
 * call may override them.
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
  const client = { ...options }
  validate('/', client)
  const start = (method: 'GET' | 'POST', path: string | URL, options: RequestOptions = {}): LlmStream => {
    validate(path, { ...client, ...options })
    const call = { ...options, headers: snapshotHeaders(options.headers) }
    const transport = call.transport ?? client.transport ?? 'auto'
    const ES = client.EventSource ?? (globalThis as { EventSource?: unknown }).EventSource
    const useEventSource =
      method === 'GET' &&
      (transport === 'eventsource' || (transport === 'auto' && typeof ES === 'function' && !hasHeaders([client.headers, call.headers])))
    const json = call.json !== undefined
    return connect({
      url: buildUrl(client.baseUrl, String(path), call.query),
      method,
      body: json ? JSON.stringify(call.json) : call.body,
      contentType: json ? 'application/json' : undefined,
      useEventSource,
      client: { ...client, headers: snapshotHeaders(client.headers) },
      call,
    })
  }
  return {
    get: (path, call) => start('GET', path, call),
    post: (path, call) => start('POST', path, call),
  }
}

/**
 * Join base and path with exactly one slash and append the query. Plain
 * string work, so relative URLs ('/api') stay relative and resolve against
 * the page, as fetch and EventSource do, and no `location` is needed.
 */
function buildUrl(baseUrl: string | undefined, path: string, query: RequestOptions['query']): string {
  let url = /^[a-z][a-z\d+.-]*:/i.test(path) || !baseUrl ? path : baseUrl.replace(/\/+$/, '') + '/' + path.replace(/^\/+/, '')
  if (query) {
    const qs = String(
      query instanceof URLSearchParams
        ? query
        : new URLSearchParams(Object.entries(query).flatMap(([k, v]) => (v === undefined ? [] : [[k, String(v)]]))),
    )
    if (qs) url += (url.includes('?') ? '&' : '?') + qs
  }
  return url
}
