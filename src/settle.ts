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

/** A check of one option: the test its value must pass, and what it must be (the message says so). */
type Rule = [ok: (v: never) => unknown, what: string]

const fail = (message: string): never => {
  throw new StreamError('invalid-options', message)
}
/** A number from `min` to `max`, whole when `whole` is set. */
const num = (min: number, max: number, what: string, whole?: boolean): Rule => [
  (v: number) => typeof v === 'number' && v >= min && v <= max && (!whole || Number.isInteger(v)),
  what,
]
const MS = num(0, MAX_TIMER, `ms from 0 (off) to ${MAX_TIMER}`)
/** One of `allowed`, or a function too when `fn` is set. */
const oneOf = (allowed: unknown[], fn?: boolean): Rule => {
  const names = allowed.map((a) => (typeof a === 'string' ? `'${a}'` : String(a)))
  if (fn) names.push('a function')
  return [(v) => allowed.includes(v) || (fn && typeof v === 'function'), names.slice(0, -1).join(', ') + ' or ' + names.at(-1)]
}
const isFunction: Rule = [(v) => typeof v === 'function', 'a function']

/** Every option with a rule, by its name in the message; `timeouts.*` share one. */
const RULES: Record<string, Rule> = {
  dialect: oneOf(['auto', 'content-dict', 'openai', 'ai-sdk', 'text', 'seed'], true),
  transport: oneOf(['auto', 'eventsource', 'fetch']),
  redirect: oneOf(['same-origin', 'follow', 'error']),
  thinkTags: oneOf([true, false, 'open']),
  retry: [(v) => typeof v === 'boolean' || (typeof v === 'object' && v), 'true, false or { attempts, baseDelay, maxDelay }'],
  'retry.attempts': num(1, 100, 'a whole number from 1 to 100', true),
  'retry.baseDelay': MS,
  'retry.maxDelay': MS,
  maxEventBytes: num(1, Number.MAX_SAFE_INTEGER, 'a whole number ≥ 1', true),
  eventTypes: [Array.isArray, "an array of event names, e.g. ['progress']"],
  // Sent as a header, which cannot hold control characters (see lastEventIdHeader).
  lastEventId: [(v) => typeof v === 'string' && lastEventIdHeader(v) !== undefined, 'a string without control characters (a header)'],
  fetch: isFunction,
  debug: oneOf([true, false], true),
}

/** A wrong value as a message shows it: strings quoted, objects and functions by their type (never their contents). */
const shown = (v: unknown) => {
  const t = typeof v
  return t === 'string' ? JSON.stringify(v) : (t === 'object' && v) || t === 'function' ? t : String(v)
}

/** Throw unless `value` (when given) passes `rule`: one message for every option, naming what it must be and what it was. */
function check(name: string, value: unknown, [ok, what]: Rule = RULES[name]!): void {
  if (value !== undefined && !ok(value as never)) fail(`${name} must be ${what}, not ${shown(value)}.`)
}

/**
 * Fail fast, with a message that says what to do. `createClient()` calls it
 * with the client's options alone; each call with the merged options and
 * the request (`at`), which the URL, body and transport checks need.
 */
export function validate(o: AllOptions, at?: { method: 'GET' | 'POST'; path: unknown; headers: (HeadersInput | undefined)[] }): void {
  const base = o.baseUrl
  if (base && !/^[a-z][a-z\d+.-]*:\/\//i.test(base) && !/^\.{0,2}\//.test(base))
    fail(`baseUrl ${JSON.stringify(base)} has no scheme: did you mean ${JSON.stringify('http://' + base)}?`)
  for (const name in RULES) if (!name.includes('.')) check(name, o[name as keyof AllOptions])
  for (const [name, value] of Object.entries(o.timeouts ?? {})) check('timeouts.' + name, value, MS)
  if (typeof o.retry === 'object') for (const name of ['attempts', 'baseDelay', 'maxDelay'] as const) check('retry.' + name, o.retry[name])
  if (!at) return

  const { method, path, headers } = at
  check('path', path, [(v: unknown) => typeof v === 'string' || v instanceof URL, "a path or URL, e.g. client.post('/stream/post', { json })"])
  if (o.json !== undefined && o.body !== undefined) fail('Pass either `json` or `body`, not both.')
  if (method === 'GET' && (o.json !== undefined || o.body !== undefined)) fail('A GET sends no body (`json`/`body` would be lost): use post(), or `query`.')
  const url = String(path)
  if (!SCHEME.test(url) && !SCHEME.test(o.baseUrl ?? '') && !hasLocation())
    fail(`${JSON.stringify(url)} is relative and there is no page: pass baseUrl: 'http://127.0.0.1:5000' or a full URL.`)
  if (method === 'GET' && o.transport === 'eventsource') {
    if (eventSource(o) === undefined) fail("transport: 'eventsource' but no EventSource here: pass `EventSource` (npm 'eventsource') or use 'fetch'.")
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
