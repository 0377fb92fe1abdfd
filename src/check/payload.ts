// What each event's data is (JSON, a Python literal, plain text), where a
// token's text sits in it, and whether it marks the end of the answer.
// Covers the shapes the SDK reads: the Flask-dict format (`content`,
// `status: 'completed'`), OpenAI chunks (`choices[0].delta`,
// `finish_reason`, `[DONE]`), `event: done` and `event: error`.

import { parseJsonish } from '../index.js'
import type { SseEvent } from '../index.js'

/** How one event's data reads. */
export interface Reading {
  /** `sentinel`: `[DONE]` or empty data; `text`: neither JSON nor a Python literal. */
  kind: 'json' | 'python' | 'text' | 'sentinel'
  value: unknown
  /** The token text it carries, if any (`undefined`: none, as opposed to `''`). */
  content: string | undefined
  /** It says the answer is finished. */
  end: boolean
  /** It reports a failure. */
  error: boolean
}

const SENTINELS = new Set(['', '[DONE]'])
const END_STATUSES = new Set(['completed', 'complete', 'done', 'finished', 'stop'])

function decode(data: string): Pick<Reading, 'kind' | 'value'> {
  if (SENTINELS.has(data.trim())) return { kind: 'sentinel', value: data }
  // Only an object or a list counts as a payload: a plain-text token such
  // as `42` or `true` also parses, and is still text.
  const structured = (v: unknown): boolean => typeof v === 'object' && v !== null
  try {
    const value = JSON.parse(data) as unknown
    if (structured(value)) return { kind: 'json', value }
  } catch {
    // Not JSON: maybe a Python literal (`str(dict)`).
  }
  try {
    const value = parseJsonish(data, { bigInt: 'number' })
    if (structured(value)) return { kind: 'python', value }
  } catch {
    // Neither: text.
  }
  return { kind: 'text', value: data }
}

const record = (v: unknown): Record<string, unknown> | undefined =>
  typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined

/** Read one event. */
export function read(event: SseEvent): Reading {
  const { kind, value } = decode(event.data)
  const named = event.type.toLowerCase()
  const base: Reading = { kind, value, content: undefined, end: named === 'done' || event.data.trim() === '[DONE]', error: named === 'error' }
  // The Flask tutorial's intended error event is plain text: `data: 错误发生:...`.
  if (kind === 'text') return { ...base, content: event.data, error: base.error || event.data.startsWith('错误发生') }
  const o = record(value)
  if (!o) return base
  const choice = Array.isArray(o.choices) ? record(o.choices[0]) : undefined
  const delta = record(choice?.delta) ?? record(choice?.message)
  const content = delta ? delta.content : (o.content ?? o.text ?? o.delta)
  const status = o.status
  return {
    ...base,
    content: typeof content === 'string' ? content : undefined,
    end:
      base.end ||
      (typeof status === 'string' && END_STATUSES.has(status.toLowerCase())) ||
      (choice !== undefined && choice.finish_reason != null) ||
      o.type === 'finish',
    error: base.error || o.error != null || status === 'error' || o.type === 'error',
  }
}
