import { parseJsonish } from '../jsonish.js'
import type { SseEvent } from '../../sse/types.js'
import type { Decoded, DialectFn } from '../types.js'

// What every built-in dialect shares. No decode failure ever throws: a
// stream that has already shown half an answer must not die on one odd
// event, so a bad payload becomes `Decoded.warning` and the stream goes on.

export type Dict = Record<string, unknown>
export type DataFn = (data: string) => Decoded

// The Flask tutorial's intended error form, `data: 错误发生:{e}`.
const CN_ERROR = /^错误发生[:：]\s*/
// Named types that only keep a connection alive.
const KEEPALIVE = /^(ping|heartbeat|keep-?alive)$/

// Arrays pass too: reading `.content` of one gives undefined, which is harmless.
export const isDict = (v: unknown): v is Dict => typeof v === 'object' && v !== null

export const str = (x: unknown) => (typeof x === 'string' ? x : undefined)

/** The readable message of an error payload: `{error: {message}}`, `{error: 'x'}`, `{detail}`, or the raw data. */
export const messageOf = (v: unknown, raw: string): string =>
  typeof v === 'string' ? v : isDict(v) ? messageOf(v.message ?? v.error ?? v.detail ?? v.errorText, raw) : raw

// JSON (OpenAI chunks, AI SDK parts, `--format json`) goes to the native
// JSON.parse first: 1.4× faster on OpenAI chunks (bench/RESULTS.md), and
// exact unless an integer has 16+ digits, which JSON.parse would round:
// those, Python literals and anything JSON.parse rejects go to parseJsonish,
// which also gives the positioned error.
export const parse = (data: string): unknown => {
  if (data[0] !== '{') return undefined
  if (data[1] === '"' && !/\d{16}/.test(data))
    try {
      return JSON.parse(data)
    } catch {
      // not strict JSON: fall through
    }
  return parseJsonish(data)
}

export const warning = (message: string, cause?: unknown): Decoded => ({
  warning: { message: `${message}${cause instanceof Error ? ': ' + cause.message : ''}`, cause },
})

/** Rules shared by every built-in dialect; `inner` sees only message data. */
export const common =
  (inner: DataFn): DialectFn =>
  ({ type, data }: SseEvent): Decoded => {
    if (type === 'error') {
      let v: unknown
      try {
        v = parse(data)
      } catch {}
      return { error: { message: messageOf(v, data) || 'event: error', data } }
    }
    if (type === 'done' || data === '[DONE]') return { done: true }
    // Tested only when they could match: this runs for every token.
    if ((type !== 'message' && KEEPALIVE.test(type)) || !data) return {}
    if (data[0] === '错' && CN_ERROR.test(data)) return { error: { message: data.replace(CN_ERROR, ''), data } }
    return inner(data)
  }
