// CPython 3.11 `repr()` for the values a Flask backend puts in an f-string:
// `f"data: {resMap}\n\n"` calls `str(dict)`, which is `repr()` of every key and
// value (Objects/unicodeobject.c `unicode_repr`, Objects/floatobject.c
// `float_repr`, Objects/dictobject.c `dict_repr`).

import { isPyPrintable } from './printable.js'

const BRAND = '__pyValue__'

/** A Python `float`: JavaScript numbers that are integers print as `int` unless wrapped. */
export interface PyFloat {
  readonly [BRAND]: 'float'
  readonly value: number
}

/** A Python `tuple`: arrays print as `list` unless wrapped. */
export interface PyTuple {
  readonly [BRAND]: 'tuple'
  readonly items: readonly PyValue[]
}

/** A value that can be a `dict` key in Python. */
export type PyKey = string | number | bigint | boolean | null | PyFloat | PyTuple

/**
 * A Python value: `str`, `int` (integer `number` or `bigint`), `float`
 * (non-integer `number` or {@link pyFloat}), `bool`, `None` (`null` or
 * `undefined`), `list` (array), `tuple` ({@link pyTuple}) and `dict` (plain
 * object with string keys, or a `Map` for other keys; insertion order kept).
 */
export type PyValue = PyKey | undefined | readonly PyValue[] | ReadonlyMap<PyKey, PyValue> | { readonly [key: string]: PyValue }

/** Mark a number as a Python `float`, so `pyFloat(1)` prints `1.0`. */
export function pyFloat(value: number): PyFloat {
  return { [BRAND]: 'float', value }
}

/** Build a Python `tuple`: `pyTuple(1)` prints `(1,)`. */
export function pyTuple(...items: PyValue[]): PyTuple {
  return { [BRAND]: 'tuple', items }
}

function isBranded(value: object): value is PyFloat | PyTuple {
  return BRAND in value
}

/**
 * `repr()` of a Python `float`: the shortest digits that round-trip (the same
 * digits JavaScript picks), but exponent form when the decimal point would sit
 * more than 16 places right or 4 places left of the first digit, with a sign
 * and at least two exponent digits (`1e+16`, `1e-05`), and always a `.0` on
 * whole numbers (Python/pystrtod.c `format_float_short`, mode 'r').
 */
export function pyFloatRepr(x: number): string {
  if (Number.isNaN(x)) return 'nan'
  if (x === Infinity) return 'inf'
  if (x === -Infinity) return '-inf'
  if (x === 0) return Object.is(x, -0) ? '-0.0' : '0.0'
  const sign = x < 0 ? '-' : ''
  const [mantissa = '', exponent = '0'] = Math.abs(x).toExponential().split('e')
  const digits = mantissa.replace('.', '')
  const exp = Number(exponent)
  const point = exp + 1
  if (point <= -4 || point > 16) {
    const m = digits.length === 1 ? digits : `${digits[0]}.${digits.slice(1)}`
    const e = String(Math.abs(exp)).padStart(2, '0')
    return `${sign}${m}e${exp < 0 ? '-' : '+'}${e}`
  }
  if (point <= 0) return `${sign}0.${'0'.repeat(-point)}${digits}`
  if (point >= digits.length) return `${sign}${digits}${'0'.repeat(point - digits.length)}.0`
  return `${sign}${digits.slice(0, point)}.${digits.slice(point)}`
}

const hex = (n: number, width: number): string => n.toString(16).padStart(width, '0')

// Printable ASCII without `'` and `\`: such strings print as they are.
const PLAIN = /^[ -&(-[\]-~]*$/

/**
 * `repr()` of a Python `str`. Quoted with `'`, or `"` when the text holds `'`
 * and no `"`; only that quote and `\` are backslashed; `\t \n \r`; `\xhh` for
 * other non-printable characters up to U+00FF; `\uhhhh` / `\Uhhhhhhhh` above;
 * printable non-ASCII stays raw. Lone surrogates (a JavaScript string can hold
 * them, like a Python `str`) print as `\udxxx`.
 */
export function pyStrRepr(text: string): string {
  if (PLAIN.test(text)) return `'${text}'`
  const quote = text.includes("'") && !text.includes('"') ? '"' : "'"
  let out = quote
  for (const ch of text) {
    const cp = ch.codePointAt(0) ?? 0
    if (ch === quote || ch === '\\') out += '\\' + ch
    else if (ch === '\t') out += '\\t'
    else if (ch === '\n') out += '\\n'
    else if (ch === '\r') out += '\\r'
    else if (cp < 0x20 || cp === 0x7f) out += '\\x' + hex(cp, 2)
    else if (cp < 0x7f || isPyPrintable(ch)) out += ch
    else if (cp <= 0xff) out += '\\x' + hex(cp, 2)
    else if (cp <= 0xffff) out += '\\u' + hex(cp, 4)
    else out += '\\U' + hex(cp, 8)
  }
  return out + quote
}

function reprEntries(entries: Iterable<[PyValue, PyValue]>): string {
  const parts: string[] = []
  for (const [k, v] of entries) parts.push(`${pyRepr(k)}: ${pyRepr(v)}`)
  return `{${parts.join(', ')}}`
}

/**
 * CPython 3.11 `repr()` of a value, which is also what `str()` and an
 * f-string print for containers: `{'content': "'s", 'n': 1e+16}`.
 *
 * @example
 * ```ts
 * pyRepr({ content: 'it\'s', done: true, n: null }) // `{'content': "it's", 'done': True, 'n': None}`
 * ```
 */
export function pyRepr(value: PyValue): string {
  if (value === null || value === undefined) return 'None'
  if (value === true) return 'True'
  if (value === false) return 'False'
  if (typeof value === 'string') return pyStrRepr(value)
  if (typeof value === 'bigint') return value.toString()
  if (typeof value === 'number') {
    // Integers beyond 2^53 are still ints to the caller; BigInt avoids `1e+21`.
    return Number.isInteger(value) ? BigInt(value).toString() : pyFloatRepr(value)
  }
  if (Array.isArray(value)) return `[${value.map((v: PyValue) => pyRepr(v)).join(', ')}]`
  if (value instanceof Map) return reprEntries(value)
  const object = value as object
  if (isBranded(object)) {
    if (object[BRAND] === 'float') return pyFloatRepr(object.value)
    const items = object.items.map((v) => pyRepr(v))
    return items.length === 1 ? `(${items[0]},)` : `(${items.join(', ')})`
  }
  return reprEntries(Object.entries(object as Record<string, PyValue>))
}
