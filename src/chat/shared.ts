import { StreamError, createClient, isStreamError } from '../index.js'
import type { Client, ClientOptions, LlmStream } from '../index.js'
import type { ChatRequest } from './types.js'

/** A thrown wrong call. @internal */
export const invalid = (message: string, cause?: unknown) => new StreamError('invalid-options', message, { cause })

/** A value with listeners, the Svelte store contract: `subscribe` calls the listener at once. @internal */
export interface Signal<T> {
  get(): T
  set(value: T): void
  subscribe(listener: (value: T) => void): () => void
}

/** Report an error thrown by a listener or callback without breaking the store, as `EventTarget` does. @internal */
export function report(error: unknown): void {
  ;(
    (globalThis as { reportError?: (e: unknown) => void }).reportError ??
    ((e) =>
      setTimeout(() => {
        throw e
      }))
  )(error)
}

/** Call a user callback; what it throws is reported, so it cannot wedge the state. @internal */
export function call<A extends unknown[]>(fn: ((...args: A) => void) | undefined, ...args: A): void {
  try {
    fn?.(...args)
  } catch (error) {
    report(error)
  }
}

/** @internal */
export function signal<T>(value: T): Signal<T> {
  // One entry per subscription, so the same function subscribed twice is two listeners.
  const listeners = new Set<(value: T) => void>()
  return {
    get: () => value,
    set(next) {
      value = next
      // A copy: a listener added during the loop was already called by subscribe().
      // Each reads `value` when called, so after a nested set() nobody gets a stale one.
      for (const l of [...listeners]) call(l, value)
    },
    subscribe(listener) {
      const entry = (v: T) => listener(v)
      listeners.add(entry)
      listener(value)
      return () => void listeners.delete(entry)
    },
  }
}

/**
 * Start `request()` on `client` (a `Client`, or the options to make one:
 * `createClient` only copies and checks them, so a new one per request costs
 * nothing and follows options that changed). Anything thrown, by a `request`
 * function or by the client's option check, is returned as a `StreamError`.
 * @internal
 */
export function open(client: Client | ClientOptions | undefined, request: () => ChatRequest): LlmStream | StreamError {
  try {
    const c = client && typeof (client as Client).post === 'function' ? (client as Client) : createClient(client as ClientOptions)
    const { method, path, ...rest } = request()
    return c[method === 'GET' ? 'get' : 'post'](path, rest)
  } catch (error) {
    return isStreamError(error) ? error : invalid(String(error), error)
  }
}
