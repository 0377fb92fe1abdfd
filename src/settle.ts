// Options are settled here and nowhere else: one defaults object, one merge
// (call over client over defaults) and one validation function. Everything
// after this point reads a `Settled` request and never looks at the caller's
// objects again (they may be mutated after the call).

import { StreamError } from './errors.js'
import type { ClientOptions, RequestOptions, StreamOptions } from './options.js'
import type { Dialect } from './payload/types.js'
import { DEFAULT_MAX_EVENT_BYTES } from './sse/parse.js'
import type { EventSourceConstructor } from './transport/eventsource.js'
import { hasHeaders, snapshotHeaders } from './transport/headers.js'
import type { HeadersInput } from './transport/headers.js'
import { lastEventIdHeader } from './transport/last-event-id.js'
import type { RedirectMode } from './transport/redirect.js'

/** Every default, in one place (the TSDoc `@default` tags of `options.ts` repeat them for readers). */
export const defaults = {
  baseUrl: '',
  dialect: 'auto' as Dialect,
  thinkTags: true as boolean | 'open',
  closeMeansDone: false,
  timeouts: { firstToken: 300_000, idle: 120_000, total: 0 },
  /** What `retry: true` means; absent or `false` is one attempt. */
  retry: { attempts: 3, baseDelay: 1000, maxDelay: 30_000 },
  transport: 'auto' as NonNullable<ClientOptions['transport']>,
  withCredentials: false,
  redirect: 'same-origin' as RedirectMode,
  maxEventBytes: DEFAULT_MAX_EVENT_BYTES,
  eventTypes: [] as string[],
  debug: false as NonNullable<StreamOptions['debug']>,
}

/** Settled retry policy; `attempts: 1` means no retry. */
export interface RetryPolicy {
  attempts: number
  baseDelay: number
  maxDelay: number
}

/** One request with every option decided. */
export interface Settled {
  url: string
  method: 'GET' | 'POST'
  body: RequestOptions['body']
  /** Content-Type implied by `json`. */
  contentType: string | undefined
  useEventSource: boolean
  /** Client headers, then call headers (later wins), copied when the call was made. */
  headers: (HeadersInput | undefined)[]
  dialect: Dialect
  thinkTags: boolean | 'open'
  closeMeansDone: boolean
  timeouts: { firstToken: number; idle: number; total: number }
  retry: RetryPolicy
  withCredentials: boolean
  redirect: RedirectMode
  maxEventBytes: number
  eventTypes: string[]
  debug: NonNullable<StreamOptions['debug']>
  /** The id to resume from, if the caller gave one. */
  lastEventId?: string | undefined
  fetch?: typeof fetch | undefined
  EventSource?: EventSourceConstructor | undefined
  signal?: AbortSignal | undefined
}

type AllOptions = ClientOptions & RequestOptions

/** Largest delay `setTimeout` honours: beyond it Node and browsers fire at once. */
const MAX_TIMER = 2 ** 31 - 1
const SCHEME = /^[a-z][a-z\d+.-]*:/i

/**
 * Merge one call's options over its client's, validate them and apply the
 * defaults. Throws `invalid-options` synchronously on a caller's mistake.
 */
export function settle(method: 'GET' | 'POST', path: unknown, client: ClientOptions, call: RequestOptions = {}): Settled {
  const c = definedOnly(client)
  const r = definedOnly(call)
  const timeouts = { ...defaults.timeouts, ...definedOnly(c.timeouts), ...definedOnly(r.timeouts) }
  const o = { ...defaults, ...c, ...r, timeouts, retry: r.retry ?? c.retry ?? false }
  const headers = [snapshotHeaders(client.headers), snapshotHeaders(call.headers)]
  validate(o, { method, path, headers })
  const json = o.json !== undefined
  return {
    ...o,
    url: buildUrl(o.baseUrl, String(path), o.query),
    method,
    body: json ? JSON.stringify(o.json) : o.body,
    contentType: json ? 'application/json' : undefined,
    useEventSource: method === 'GET' && (o.transport === 'eventsource' || (o.transport === 'auto' && eventSource(o) !== undefined && !hasHeaders(headers))),
    headers,
    retry: o.retry ? { ...defaults.retry, ...definedOnly(o.retry === true ? {} : o.retry) } : { ...defaults.retry, attempts: 1 },
    eventTypes: [...o.eventTypes],
  }
}

/**
 * Fail fast, with a message that says what to do. `createClient()` calls it
 * with the client's options alone; each call with the merged options and
 * the request (`at`), which the URL, body and transport checks need.
 */
export function validate(o: AllOptions, at?: { method: 'GET' | 'POST'; path: unknown; headers: (HeadersInput | undefined)[] }): void {
  const fail = (message: string): never => {
    throw new StreamError('invalid-options', message)
  }
  const oneOf = (name: string, value: unknown, allowed: string[], fn?: boolean) => {
    if (value !== undefined && !(fn && typeof value === 'function') && !allowed.includes(value as string))
      fail(`Unknown ${name} ${JSON.stringify(value)}: use '${allowed.join("', '")}'${fn ? ' or a function' : ''}.`)
  }
  /** `name` must pass `ok`: say what it must be and what it was. */
  const check = (name: string, value: unknown, ok: (v: number) => boolean, what: string) => {
    if (value !== undefined && !(typeof value === 'number' && ok(value))) fail(`${name} must be ${what}, not ${String(value)}.`)
  }
  const ms = (v: number) => v >= 0 && v <= MAX_TIMER
  const whole = (min: number, max: number) => (v: number) => Number.isInteger(v) && v >= min && v <= max

  const base = o.baseUrl
  if (base && !/^[a-z][a-z\d+.-]*:\/\//i.test(base) && !/^\.{0,2}\//.test(base))
    fail(`baseUrl ${JSON.stringify(base)} has no scheme: did you mean ${JSON.stringify('http://' + base)}? (Or '/path' on the page's origin.)`)
  oneOf('dialect', o.dialect, ['auto', 'content-dict', 'openai', 'ai-sdk', 'text', 'seed'], true)
  oneOf('transport', o.transport, ['auto', 'eventsource', 'fetch'])
  oneOf('redirect', o.redirect, ['same-origin', 'follow', 'error'])
  const think = o.thinkTags
  if (think !== undefined && typeof think !== 'boolean' && think !== 'open') fail(`thinkTags must be true, false or 'open', not ${JSON.stringify(think)}.`)
  for (const [name, value] of Object.entries(o.timeouts ?? {})) check(`timeouts.${name}`, value, ms, `ms from 0 (off) to ${MAX_TIMER}`)
  const retry = o.retry
  if (retry !== undefined && typeof retry !== 'boolean') {
    if (typeof retry !== 'object' || !retry) fail(`retry must be true, false or { attempts, baseDelay, maxDelay }, not ${String(retry)}.`)
    check('retry.attempts', retry.attempts, whole(1, 100), 'a whole number from 1 to 100')
    check('retry.baseDelay', retry.baseDelay, ms, `ms from 0 to ${MAX_TIMER}`)
    check('retry.maxDelay', retry.maxDelay, ms, `ms from 0 to ${MAX_TIMER}`)
  }
  check('maxEventBytes', o.maxEventBytes, whole(1, Number.MAX_SAFE_INTEGER), 'a whole number ≥ 1')
  if (o.eventTypes !== undefined && !Array.isArray(o.eventTypes)) fail("eventTypes must be an array of event names, e.g. ['progress'].")
  const id = o.lastEventId
  if (id !== undefined && (typeof id !== 'string' || lastEventIdHeader(id) === undefined))
    fail(`lastEventId must be a string without control characters (other than tab), not ${JSON.stringify(id)}: it is sent as a header.`)
  if (o.fetch !== undefined && typeof o.fetch !== 'function') fail('`fetch` must be a function.')
  if (o.debug !== undefined && typeof o.debug !== 'boolean' && typeof o.debug !== 'function') fail('debug must be a boolean or a function.')
  if (!at) return

  const { method, path, headers } = at
  if (typeof path !== 'string' && !(path instanceof URL))
    fail(`Expected a path or URL first, got ${typeof path}. Did you mean client.post('/stream/post', { json: { prompt } })?`)
  if (o.json !== undefined && o.body !== undefined) fail('Pass either `json` or `body`, not both.')
  if (method === 'GET' && (o.json !== undefined || o.body !== undefined))
    fail('A GET sends no body, so `json`/`body` would be lost: use client.post(), or put it in the URL with `query: { text }`.')
  const url = String(path)
  if (!SCHEME.test(url) && !SCHEME.test(o.baseUrl ?? '') && !hasLocation())
    fail(`${JSON.stringify(url)} is relative and there is no page (no \`location\`): pass createClient({ baseUrl: 'http://127.0.0.1:5000' }) or a full URL.`)
  if (method === 'GET' && o.transport === 'eventsource') {
    if (eventSource(o) === undefined)
      fail("transport: 'eventsource' but no EventSource here: pass `EventSource` (e.g. from the 'eventsource' package) or use transport: 'fetch'.")
    if (hasHeaders(headers)) fail("transport: 'eventsource' cannot send headers: use 'fetch' or 'auto'.")
  }
}

/** The EventSource a GET would use: the injected one, else the global, looked up now. */
const eventSource = (o: AllOptions) => o.EventSource ?? (globalThis as { EventSource?: EventSourceConstructor }).EventSource

const hasLocation = () => typeof (globalThis as { location?: { href?: unknown } }).location?.href === 'string'

/** Drop `undefined` values, so `{ idle: undefined }` keeps the default. */
const definedOnly = <T extends object>(o: T | undefined) =>
  Object.fromEntries(Object.entries(o ?? {}).filter(([, v]) => v !== undefined)) as { [K in keyof T]?: Exclude<T[K], undefined> }

/**
 * Join base and path with exactly one slash and append the query. Plain
 * string work, so relative URLs ('/api') stay relative and resolve against
 * the page, as fetch and EventSource do.
 */
function buildUrl(baseUrl: string, path: string, query: RequestOptions['query']): string {
  let url = SCHEME.test(path) || !baseUrl ? path : baseUrl.replace(/\/+$/, '') + '/' + path.replace(/^\/+/, '')
  if (query) {
    const qs = String(
      query instanceof URLSearchParams ? query : new URLSearchParams(Object.entries(query).flatMap(([k, v]) => (v === undefined ? [] : [[k, String(v)]]))),
    )
    if (qs) url += (url.includes('?') ? '&' : '?') + qs
  }
  return url
}
