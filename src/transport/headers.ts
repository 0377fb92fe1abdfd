/** A header value, or a function giving one (called on every attempt, so a token can be refreshed). @public */
export type HeaderValue = string | (() => string | undefined | Promise<string | undefined>)

/**
 * Headers in any of the usual shapes: a `Headers` instance, `[name, value]`
 * pairs, a plain object (values may be functions), or one async function
 * returning any of those. They are copied when each request starts.
 * @public
 */
export type HeadersInput = Headers | [string, string][] | Record<string, HeaderValue | undefined> | (() => HeaderPairs | Promise<HeaderPairs>)

/**
 * Headers as a function may return them: what fetch's `HeadersInit` accepts,
 * spelled out so the declarations compile without the DOM lib (Node-only
 * projects have `Headers` from `@types/node`, but no `HeadersInit`).
 * @public
 */
export type HeaderPairs = Headers | [string, string][] | Record<string, string>

/**
 * Copy one or more header inputs into a fresh `Headers`, later inputs
 * winning. Called at the start of every attempt, so function values are
 * re-evaluated (a refreshed token) and later mutation of the caller's
 * object has no effect. A `Headers` instance is iterated, not spread:
 * spreading one gives `{}`, the bug that silently dropped Authorization in
 * fetch-event-source (Azure/fetch-event-source#37).
 */
export async function resolveHeaders(inputs: (HeadersInput | undefined)[]): Promise<Headers> {
  const out = new Headers()
  for (const input of inputs) {
    const h = typeof input === 'function' ? ((await input()) as Plain) : input
    if (h)
      for (const [k, v] of pairs(h)) {
        const value = typeof v === 'function' ? await v() : v
        if (value !== undefined) out.set(k, value)
      }
  }
  return out
}

type Plain = Exclude<HeadersInput, (...args: never[]) => unknown>

/** The `[name, value]` pairs of a header input that is not a function. */
const pairs = (h: Plain) =>
  h instanceof Headers || Array.isArray(h) ? Array.from(h, ([k, v]): [string, HeaderValue | undefined] => [k, v]) : Object.entries(h)

/** True when any input may add a header (so GET must use fetch, as EventSource cannot send headers). */
export function hasHeaders(inputs: (HeadersInput | undefined)[]): boolean {
  return inputs.some((h) => typeof h === 'function' || (!!h && pairs(h).length > 0))
}

/**
 * Copy a header input when the call is made, so that mutating the caller's
 * object afterwards has no effect (rexxars/eventsource-client does the same).
 * Functions are kept: they are meant to be called for each attempt.
 */
export function snapshotHeaders(h: HeadersInput | undefined): HeadersInput | undefined {
  return !h || typeof h === 'function' ? h : h instanceof Headers || Array.isArray(h) ? (pairs(h) as [string, string][]) : { ...h }
}
