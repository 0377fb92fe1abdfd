// JSON, or a Python literal as CPython's repr()/str() writes it, to plain JS
// values. A Flask view that writes `f"data: {d}\n\n"` sends `str(dict)`, a Python
// repr: `JSON.parse` fails on it, and swapping quotes breaks on `"'s"` and on
// `'\u200d'`-style escapes. This is a small recursive-descent parser that
// never evaluates anything.
//
// It runs once per token, so it scans with charCodeAt and copies unescaped
// runs of a string with one slice (indexOf for the quote and the backslash)
// instead of concatenating character by character.

import { StreamError } from '../errors.js'
import { setOwn } from './own.js'

/** Options of {@link parseJsonish}. @public */
export interface JsonishOptions {
  /**
   * What an integer outside ±(2^53 − 1) becomes. Integers inside that range
   * are always plain numbers.
   * - `'bigint'`: an exact `BigInt`. Note that `JSON.stringify` throws on a
   *   `BigInt`: convert it before you serialise the value.
   * - `'string'`: its digits, exact, e.g. `'18446744073709551616'`.
   * - `'number'`: a rounded number, as `JSON.parse` gives (opt in to lose digits).
   * @default 'bigint'
   */
  bigInt?: 'bigint' | 'string' | 'number' | undefined
  /**
   * Deepest nesting of lists, tuples, dicts and sets (also `set(…)` and
   * `frozenset(…)`) accepted; deeper input is a
   * `payload` error rather than a stack overflow. A non-negative integer
   * (else `parseJsonish` throws an `invalid-options` error). Raised so high
   * that the JS stack runs out first, that too is a `payload` error.
   * The default takes anything CPython 3.11 can print: its `repr()` fails
   * with `RecursionError` at 998 levels.
   * @default 1000
   */
  maxDepth?: number | undefined
}

// The parser state lives in the module: parseJsonish calls no user code, so
// it cannot be re-entered, and closures per call would cost time per token.
let s = ''
let i = 0
/** Index of the next backslash at or after `i` (or `s.length`), cached so that
 *  many short strings do not each rescan the rest of the text (O(n²)). */
let bs = 0
let depth = 0
let max = 1000
let big: JsonishOptions['bigInt']

// Python's and JSON's spelling of each constant, in pairs (an array, not an
// object, so that `constructor` cannot find Object.prototype's).
const WORDS = 'None null True true False false inf Infinity nan NaN'.split(' ')
const CONSTANTS = [null, true, false, Infinity, NaN]

function fail(what: string, at = i): never {
  throw new StreamError('payload', `${what} at position ${at} ${at < s.length ? 'near ' + JSON.stringify(s.slice(at, at + 24)) : '(end of input)'}`, {
    position: at,
    body: s,
  })
}

function ws(): number {
  let c
  while ((c = s.charCodeAt(i)) === 32 || c === 10 || c === 13 || c === 9) i++
  return c
}

function value(): unknown {
  const c = ws()
  if (c === 39 || c === 34) return str()
  if (c === 123) return dict()
  if (c === 91 || c === 40) return list(c === 91 ? 93 : 41)
  const a = i
  // `-inf`, `-Infinity`, `-nan`: only a word may follow, never a whole value
  // (that would recurse once per `-set(` without counting a level).
  const neg = c === 45 && !(s.charCodeAt(i + 1) < 58)
  if (!neg && (c === 45 || (c > 47 && c < 58))) {
    for (let d = c; (d > 47 && d < 58) || d === 45 || d === 43 || d === 46 || (d | 32) === 101; ) d = s.charCodeAt(++i)
    const t = s.slice(a, i)
    const n = +t
    if (Number.isNaN(n)) fail('Invalid number', a)
    // Never round an id silently: JSON.parse turns 2**64 into 18446744073709552000.
    return Number.isSafeInteger(n) || big === 'number' || !/^-?\d+$/.test(t) ? n : big === 'string' ? t : BigInt(t)
  }
  const b = neg ? ++i : i
  while (((s.charCodeAt(i) | 32) - 97) >>> 0 < 26) i++
  const w = s.slice(b, i)
  const q = s.charCodeAt(i)
  if (!neg) {
    // u'...' is Python 2's repr of text. A bytes repr b'...' only ever escapes
    // with \\ \' \t \n \r \xhh, so read as a str it gives one char per byte (Latin-1).
    if ((q === 39 || q === 34) && /^[bu]$/i.test(w)) return str()
    // repr() of an empty set is `set()`; of a frozenset, `frozenset({1, 2})`.
    if (q === 40 && (w === 'set' || w === 'frozenset')) {
      // A level of its own: `set(set(set(...` recurses once per call.
      enter()
      const v = ws() === 41 ? [] : value()
      if (ws() !== 41) fail("Expected ')'")
      i++
      depth--
      return Array.isArray(v) ? v : fail('Expected a set', a)
    }
  }
  const k = WORDS.indexOf(w)
  if (k < 0) fail('Expected a value', b)
  const v = CONSTANTS[k >> 1]
  return !neg ? v : typeof v === 'number' ? -v : fail('Expected a number', a)
}

function str(): string {
  const q = s[i] as string
  const a = i++
  let out = ''
  let end = -1
  for (;;) {
    if (end < i && (end = s.indexOf(q, i)) < 0) fail('Unterminated string', a)
    if (bs < i && (bs = s.indexOf('\\', i)) < 0) bs = s.length
    if (end < bs) {
      out += s.slice(i, end)
      i = end + 1
      return out
    }
    out += s.slice(i, bs)
    i = bs + 1
    out += readEscape()
  }
}

function readEscape(): string {
  const c = s[i++] as string
  // Python's and JSON's one-letter escapes; `\/` is JSON's (Python would keep
  // the backslash, but repr() never writes it); backslash-newline is Python's
  // line continuation.
  const k = 'abfnrtv\\\'"/\n'.indexOf(c)
  if (k >= 0) return '\x07\b\f\n\r\t\v\\\'"/'.charAt(k)
  const n = 'xuU'.indexOf(c)
  if (n >= 0) {
    // The closing quote lies ahead, so a run cut short holds it and gives NaN.
    const v = +('0x' + s.slice(i, (i += 2 << n)))
    if (!(v <= 0x10ffff)) fail(`Invalid \\${c} escape`, i - (2 << n) - 2)
    // A lone surrogate (an emoji cut between two events) stays one UTF-16 code unit, so halves join.
    return String.fromCodePoint(v)
  }
  if (c > '/' && c < '8') {
    const o = (/^[0-7]{1,3}/.exec(s.slice(i - 1, i + 2)) as RegExpExecArray)[0]
    i += o.length - 1
    return String.fromCodePoint(parseInt(o, 8))
  }
  if (c === 'N') fail('Unsupported \\N{...} escape', i - 2)
  // Python keeps an unknown escape as written: '\q' is backslash, q.
  return '\\' + c
}

function enter(): void {
  if (++depth > max) fail(`Nesting deeper than ${max}`)
  i++
}

function dict(): unknown {
  enter()
  const o: Record<string, unknown> = {}
  let t
  for (let first = true; ws() !== 125; first = false) {
    const a = i
    const k = value()
    const b = i
    const c = ws()
    // `{1, 2}` is a set: known only after its first element.
    if (first && (c === 44 || c === 125)) return rest([k], 125)
    if (c !== 58) fail("Expected ':'")
    i++
    const v = value()
    // Non-string keys get the name json.dumps gives them: 1 → "1", 1e16 →
    // "1e+16" (the key as written), True → "true", None → "null",
    // inf → "Infinity"; a tuple key keeps its text, "(1, 2)".
    const key = typeof k === 'string' ? k : /^-?[\d(]/.test((t = s.slice(a, b))) ? t : String(k)
    // Never `o[key] = v`: a "__proto__" key would set the prototype (pollution).
    setOwn(o, key, v)
    const d = ws()
    if (d === 125) break
    if (d !== 44) fail("Expected ',' or '}'")
    i++ // a trailing comma, as Python allows, ends the loop on '}'
  }
  i++
  depth--
  return o
}

function list(close: number): unknown {
  enter()
  return rest(ws() === close ? [] : [value()], close)
}

function rest(arr: unknown[], close: number): unknown {
  let comma = false
  for (let c; (c = ws()) !== close; ) {
    if (c !== 44) fail(`Expected ',' or '${String.fromCharCode(close)}'`)
    comma = true
    i++
    if (ws() !== close) arr.push(value())
  }
  i++
  depth--
  // `(x)` is just x; the comma makes a tuple, as in `(1,)`.
  return close === 41 && arr.length === 1 && !comma ? arr[0] : arr
}

/**
 * Parse one event's data: JSON, or a Python literal as CPython's `repr()` /
 * `str()` writes it (a Flask view that prints a dict into `data:` sends that), into plain values.
 *
 * - JSON parses exactly as `JSON.parse` does, except integers beyond ±(2^53 − 1)
 *   (see {@link JsonishOptions.bigInt}).
 * - Python: `'...'`/`"..."` strings with every escape repr() writes (`\xhh`,
 *   `\uhhhh`, `\Uhhhhhhhh`, ...) plus `\a \b \f \v` and octal; `\N{...}` is
 *   rejected; an unknown escape keeps its backslash, as in Python. `u'...'` is
 *   accepted; `b'...'` gives a string with one character per byte (Latin-1).
 *   `None`/`True`/`False`, ints of any size, `inf`/`-inf`/`nan` (also
 *   `Infinity`/`NaN`), tuples, sets (also `set()` and `frozenset({...})`)
 *   as arrays, dicts (other constructor calls such as `Decimal('1')` are
 *   errors).
 *   A non-string dict key becomes the property name `json.dumps` would give
 *   it (`1` → `"1"`, `True` → `"true"`, `None` → `"null"`); a tuple key keeps
 *   its text (`"(1, 2)"`). A `__proto__` key is an own property, never the
 *   prototype.
 * - A lone surrogate escape (`'\ud83d'`) stays one UTF-16 code unit, so the
 *   halves of an emoji split across two events join when appended.
 *
 * Never evaluates the text.
 *
 * @throws {@link StreamError} with code `payload`, the `position` of the
 * problem and the text as `body`, e.g. `Expected ',' or '}' at position 17 near "…"`.
 * @example
 * ```ts
 * parseJsonish("{'content': \"'s\", 'n': None}") // { content: "'s", n: null }
 * ```
 * @public
 */
export function parseJsonish(text: string, options?: JsonishOptions): unknown {
  const maxDepth = options?.maxDepth ?? 1000
  if (!Number.isSafeInteger(maxDepth) || maxDepth < 0) throw new StreamError('invalid-options', `maxDepth must be an integer ≥ 0, not ${String(maxDepth)}.`)
  s = text
  i = depth = 0
  bs = -1
  max = maxDepth
  big = options?.bigInt
  try {
    const v = value()
    ws()
    return i < s.length ? fail('Unexpected text after the value') : v
  } catch (error) {
    // A maxDepth raised past what the stack holds: still the typed error
    // the caller switches on, never a RangeError from inside the parser.
    if (error instanceof RangeError) fail(`Nesting too deep for the call stack (depth ${depth})`)
    throw error
  } finally {
    s = '' // do not keep a large payload alive
  }
}
