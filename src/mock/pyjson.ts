// Python's `json.dumps(value, ensure_ascii=False)` with its default
// separators `', '` and `': '` (Lib/json/encoder.py): what a Flask backend
// sends when it does the right thing instead of printing a dict.

import { pyFloatRepr } from './repr.js'
import type { PyKey, PyValue } from './repr.js'

const ESCAPES: Record<string, string> = { '"': '\\"', '\\': '\\\\', '\n': '\\n', '\r': '\\r', '\t': '\\t', '\b': '\\b', '\f': '\\f' }

// With ensure_ascii=False only `"`, `\` and C0 controls are escaped
// (encoder.py ESCAPE); DEL, U+2028 and all non-ASCII stay raw.
function dumpStr(text: string): string {
  return `"${text.replace(/["\\\u0000-\u001f]/g, (c) => ESCAPES[c] ?? '\\u' + c.charCodeAt(0).toString(16).padStart(4, '0'))}"`
}

function dumpFloat(x: number): string {
  if (Number.isNaN(x)) return 'NaN'
  if (x === Infinity) return 'Infinity'
  if (x === -Infinity) return '-Infinity'
  return pyFloatRepr(x)
}

// json.dumps turns non-string keys into strings: 1 → "1", True → "true", None → "null".
function dumpKey(key: PyKey): string {
  if (typeof key === 'string') return dumpStr(key)
  const json = pyJsonDumps(key)
  return json.startsWith('"') ? json : `"${json}"`
}

/**
 * `json.dumps(value, ensure_ascii=False)` of a {@link PyValue}: tuples print
 * as lists, `float('nan')` as `NaN`.
 */
export function pyJsonDumps(value: PyValue): string {
  if (value === null || value === undefined) return 'null'
  if (value === true) return 'true'
  if (value === false) return 'false'
  if (typeof value === 'string') return dumpStr(value)
  if (typeof value === 'bigint') return value.toString()
  if (typeof value === 'number') return Number.isInteger(value) ? BigInt(value).toString() : dumpFloat(value)
  if (Array.isArray(value)) return `[${value.map((v: PyValue) => pyJsonDumps(v)).join(', ')}]`
  const entries: [PyKey, PyValue][] = value instanceof Map ? [...(value as ReadonlyMap<PyKey, PyValue>)] : []
  if (!(value instanceof Map)) {
    const object = value as Record<string, unknown>
    if (object.__pyValue__ === 'float') return dumpFloat(object.value as number)
    if (object.__pyValue__ === 'tuple') return pyJsonDumps(object.items as PyValue[])
    entries.push(...(Object.entries(object) as [string, PyValue][]))
  }
  return `{${entries.map(([k, v]) => `${dumpKey(k)}: ${pyJsonDumps(v)}`).join(', ')}}`
}
