import { parseJsonish } from '../jsonish.js'
import type { ToolCallDelta } from '../tool-calls.js'
import type { SseEvent } from '../../sse/types.js'
import type { Decoded, DialectFn } from '../types.js'

// What every built-in dialect shares. No decode failure ever throws: a
// stream that has already shown half an answer must not die on one odd
// event, so a bad payload becomes `Decoded.warning` and the stream goes on.

export type Dict = Record<string, unknown>

// The Flask tutorial's intended error form, `data: 错误发生:{e}`.
const CN_ERROR = /^错误发生[:：]\s*/
// Named types that only keep a connection alive.
const KEEPALIVE = /^(ping|heartbeat|keep-?alive)$/

// Arrays pass too: reading `.content` of one gives undefined, which is harmless.
export const isDict = (v: unknown): v is Dict => typeof v === 'object' && v !== null

export const str = (x: unknown) => (typeof x === 'string' ? x : undefined)

/** The readable message of an error payload: `{error: {message}}`, `{error: 'x'}`, `{detail}`, or the raw data. */
const messageOf = (v: unknown, raw: string): string =>
  typeof v === 'string' ? v : isDict(v) ? messageOf(v.message ?? v.error ?? v.detail ?? v.errorText, raw) : raw

/** An in-band error: its readable message, the raw data kept. */
export const errorOf = (v: unknown, data: string, empty = ''): Decoded => ({ error: { message: messageOf(v, data) || empty, data } })

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

/**
 * Put the checked pieces of OpenAI's `tool_calls` shape (`value`, then
 * `more`) into `d`. A piece without a valid `index` is dropped with a
 * warning: without it we cannot tell which call it continues.
 */
export function addToolCalls(d: Decoded, value: unknown, more: ToolCallDelta[] = []): void {
  const deltas: ToolCallDelta[] = []
  let bad = value != null && !Array.isArray(value)
  if (!bad)
    for (const t of (value ?? []) as Dict[]) {
      const index = isDict(t) && t.index
      if (!Number.isInteger(index) || (index as number) < 0) bad = true
      else {
        const fn = isDict(t.function) ? t.function : undefined
        deltas.push({ index: index as number, id: str(t.id), type: str(t.type), function: fn && { name: str(fn.name), arguments: str(fn.arguments) } })
      }
    }
  deltas.push(...more)
  if (deltas.length) d.toolCalls = deltas
  if (bad) d.warning = { message: 'A tool call piece without a valid index was ignored' }
}

/**
 * The answer fields OpenAI's `delta` and a content dict share: `content`,
 * `reasoning_content` (DeepSeek, vLLM) or `reasoning` (Ollama ≥ 0.11),
 * `refusal`, and `tool_calls` pieces (with `more` after them), into `d`.
 */
export const answerOf = (v: Dict, d: Decoded, calls = v.tool_calls, more?: ToolCallDelta[]): Decoded => {
  d.text = str(v.content)
  d.reasoning = str(v.reasoning_content) ?? str(v.reasoning)
  d.refusal = str(v.refusal) || undefined
  // Tested first: most events carry none.
  if (calls != null || more) addToolCalls(d, calls, more)
  return d
}

/** Rules shared by every built-in dialect; `inner` sees only message data. */
export const common =
  (inner: (data: string) => Decoded): DialectFn =>
  ({ type, data }: SseEvent): Decoded => {
    if (type === 'error') {
      let v: unknown
      try {
        v = parse(data)
      } catch {}
      return errorOf(v, data, 'event: error')
    }
    if (type === 'done' || data === '[DONE]') return { done: true }
    // Tested only when they could match: this runs for every token.
    if ((type !== 'message' && KEEPALIVE.test(type)) || !data) return {}
    if (data[0] === '错' && CN_ERROR.test(data)) return { error: { message: data.replace(CN_ERROR, ''), data } }
    return inner(data)
  }
