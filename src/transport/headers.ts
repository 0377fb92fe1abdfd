import type { HeadersInput } from '../options.js'

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
  for (let input of inputs) {
    if (typeof input === 'function') input = (await input()) as HeadersInput
    if (!input) continue
    if (typeof Headers !== 'undefined' && input instanceof Headers) input.forEach((v, k) => out.set(k, v))
    else if (Array.isArray(input)) for (const [k, v] of input) out.set(k, v)
    else
      for (const [k, v] of Object.entries(input)) {
        const value = typeof v === 'function' ? await v() : v
        if (value !== undefined) out.set(k, value)
      }
  }
  return out
}

/** True when any input may add a header (so GET must use fetch, as EventSource cannot send headers). */
export function hasHeaders(inputs: (HeadersInput | undefined)[]): boolean {
  return inputs.some((h) =>
    !h ? false : typeof h === 'function' ? true : Array.isArray(h) ? h.length > 0 : h instanceof Headers ? [...h.keys()].length > 0 : Object.keys(h).length > 0,
  )
}

/**
 * Copy a header input when the call is made, so that mutating the caller's
 * object afterwards has no effect (rexxars/eventsource-client does the same).
 * Functions are kept: they are meant to be called for each attempt.
 */
export function snapshotHeaders(h: HeadersInput | undefined): HeadersInput | undefined {
  if (!h || typeof h === 'function') return h
  if (h instanceof Headers) return new Headers(h)
  return Array.isArray(h) ? h.map(([k, v]) => [k, v] as [string, string]) : { ...h }
}
