import { readFileSync } from 'node:fs'
import { expect, test } from 'vitest'
import { parseJsonish } from '../../src/payload/jsonish.js'
import { isStreamError, MAX_EXCERPT, StreamError } from '../../src/errors.js'
import type { JsonishOptions } from '../../src/payload/jsonish.js'

// test/fixtures/python/repr-corpus.jsonl is written by CPython itself
// (scripts/gen-python-fixtures.py): see that script for the record format.
interface Rec {
  kind: string
  repr: string
  str?: string
  json: string
  json_u?: string
  expect?: string
}
const corpus: Rec[] = readFileSync(new URL('../fixtures/python/repr-corpus.jsonl', import.meta.url), 'utf8')
  .split('\n')
  .filter(Boolean)
  .map((line) => JSON.parse(line) as Rec)

const FLOATS: Record<string, number> = { inf: Infinity, '-inf': -Infinity, nan: NaN }

/** Undo the fixture's tags for what JSON cannot hold exactly. */
function revive(_key: string, v: unknown): unknown {
  if (v !== null && typeof v === 'object' && !Array.isArray(v)) {
    const o = v as { $int?: unknown; $float?: unknown }
    if (typeof o.$int === 'string') return BigInt(o.$int)
    if (typeof o.$float === 'string') return FLOATS[o.$float]
  }
  return v
}

const expected = (r: Rec): unknown => JSON.parse(r.expect ?? r.json, revive)

/** Replace every bigint in a value (to check the other `bigInt` modes). */
function mapBig(v: unknown, f: (b: bigint) => unknown): unknown {
  if (typeof v === 'bigint') return f(v)
  if (Array.isArray(v)) return v.map((x) => mapBig(x, f))
  if (v !== null && typeof v === 'object') {
    const out: Record<string, unknown> = {}
    for (const [k, x] of Object.entries(v)) Object.defineProperty(out, k, { value: mapBig(x, f), enumerable: true, writable: true, configurable: true })
    return out
  }
  return v
}

function caught(fn: () => unknown): StreamError {
  try {
    fn()
  } catch (e) {
    if (e instanceof StreamError) return e
    throw new Error(`expected a StreamError, got ${String(e)}`)
  }
  throw new Error('expected a StreamError, nothing was thrown')
}

// ---------------------------------------------------------------------------
// Real CPython output
// ---------------------------------------------------------------------------

test('the CPython corpus covers every kind of value the generator writes', () => {
  const kinds = new Set(corpus.map((r) => r.kind))
  expect(corpus.length).toBeGreaterThan(2500)
  for (const k of ['quote', 'control', 'unicode', 'surrogate', 'int', 'float', 'const', 'container', 'keys', 'set', 'bytes', 'seed', 'random', 'random-str']) {
    expect(kinds).toContain(k)
  }
})

for (const kind of [...new Set(corpus.map((r) => r.kind))]) {
  test(`every ${kind} value CPython's repr() writes decodes to the value json.dumps writes`, () => {
    let n = 0
    for (const r of corpus) {
      if (r.kind !== kind) continue
      expect(parseJsonish(r.repr), r.repr).toEqual(expected(r))
      n++
    }
    expect(n).toBeGreaterThan(0)
  })
}

test("a top-level Python string decodes to exactly CPython's str() of it", () => {
  const strings = corpus.filter((r) => r.str !== undefined)
  expect(strings.length).toBeGreaterThan(1000)
  for (const r of strings) expect(parseJsonish(r.repr), r.repr).toBe(r.str)
})

test('the json.dumps text of every corpus value decodes to the same value, ASCII-escaped or not', () => {
  for (const r of corpus) {
    const want = expected(r)
    expect(parseJsonish(r.json), r.json).toEqual(want)
    if (r.json_u !== undefined) expect(parseJsonish(r.json_u), r.json_u).toEqual(want)
  }
})

test('JSON without big integers or NaN decodes exactly like JSON.parse', () => {
  let n = 0
  for (const r of corpus) {
    if (r.expect !== undefined) continue
    expect(parseJsonish(r.json)).toEqual(JSON.parse(r.json))
    n++
  }
  expect(n).toBeGreaterThan(2000)
})

test("bigInt: 'string' gives the exact digits and 'number' the rounded number, for every corpus integer", () => {
  const big = corpus.filter((r) => r.expect?.includes('$int'))
  expect(big.length).toBeGreaterThan(50)
  for (const r of big) {
    const want = expected(r)
    expect(parseJsonish(r.repr, { bigInt: 'string' })).toEqual(mapBig(want, String))
    expect(parseJsonish(r.repr, { bigInt: 'number' })).toEqual(mapBig(want, Number))
  }
})

// ---------------------------------------------------------------------------
// The seed's wire format (its README, ../shared/seed/README.md beside this repository)
// ---------------------------------------------------------------------------

test("the seed README's six example events decode to their dicts", () => {
  const ids = { request_id: '123456789', userid: '789465' }
  expect(parseJsonish("{'content': '<think>', 'request_id': '123456789', 'userid': '789465'}")).toEqual({ content: '<think>', ...ids })
  expect(parseJsonish("{'content': '\\n', 'request_id': '123456789', 'userid': '789465'}")).toEqual({ content: '\n', ...ids })
  expect(parseJsonish(`{'content': "'s", 'request_id': '123456789', 'userid': '789465'}`)).toEqual({ content: "'s", ...ids })
  expect(parseJsonish("{'content': ' 👨\\u200d💻', 'request_id': '123456789', 'userid': '789465'}")).toEqual({ content: ' 👨\u200d💻', ...ids })
  expect(parseJsonish("{'content': '', 'request_id': '123456789', 'userid': '789465'}")).toEqual({ content: '', ...ids })
  expect(parseJsonish("{'content': '', 'request_id': '123456789', 'userid': '789465', 'status': 'completed'}")).toEqual({
    content: '',
    ...ids,
    status: 'completed',
  })
})

test('every event of the recorded seed stream decodes to a dict with string content', () => {
  const fixture = JSON.parse(readFileSync(new URL('../fixtures/seed.events.json', import.meta.url), 'utf8')) as { data: string[] }
  expect(fixture.data.length).toBeGreaterThan(10)
  for (const data of fixture.data) {
    const v = parseJsonish(data) as Record<string, unknown>
    expect(typeof v.content).toBe('string')
    expect(v.request_id).toBe('123456789')
  }
})

test('the tokens that break JSON.parse and quote swapping decode correctly', () => {
  const apostrophe = `{'content': "'s"}`
  const zwj = "{'content': ' 👨\\u200d💻'}"
  // The naive fixes really do fail on these (this is why the parser exists)...
  expect(() => JSON.parse(apostrophe)).toThrow()
  expect(() => JSON.parse(apostrophe.replace(/'/g, '"'))).toThrow()
  expect(() => JSON.parse(zwj)).toThrow()
  // ...while a Python-aware decoder gets the text right.
  expect(parseJsonish(apostrophe)).toEqual({ content: "'s" })
  expect(parseJsonish(zwj)).toEqual({ content: ' 👨‍💻' })
})

test('lone surrogate escapes from two events join into one emoji when appended', () => {
  const a = parseJsonish("{'content': '\\ud83d'}") as { content: string }
  const b = parseJsonish("{'content': '\\ude80'}") as { content: string }
  expect(a.content).toHaveLength(1)
  expect(a.content.charCodeAt(0)).toBe(0xd83d)
  expect(a.content + b.content).toBe('🚀')
  expect(parseJsonish("'\\U0001f680'")).toBe('🚀')
  expect(parseJsonish('"\\ud83d\\ude80"')).toBe('🚀')
})

// ---------------------------------------------------------------------------
// Literals
// ---------------------------------------------------------------------------

test('Python and JSON constants decode to null, booleans, Infinity and NaN', () => {
  expect(parseJsonish('[None, True, False, null, true, false]')).toEqual([null, true, false, null, true, false])
  expect(parseJsonish('[inf, -inf, nan, Infinity, -Infinity, NaN, -nan]')).toEqual([Infinity, -Infinity, NaN, Infinity, -Infinity, NaN, NaN])
  expect(parseJsonish('[1e+16, 1.5e-07, -0.0, -0, 0.1, -2.5E3]')).toEqual([1e16, 1.5e-7, -0, -0, 0.1, -2500])
  expect(Object.is(parseJsonish('-0.0'), -0)).toBe(true)
})

test('integers beyond 2**53 - 1 are never rounded unless bigInt is number', () => {
  expect(parseJsonish('9007199254740991')).toBe(9007199254740991)
  expect(parseJsonish('-9007199254740991')).toBe(-9007199254740991)
  expect(parseJsonish('9007199254740992')).toBe(9007199254740992n)
  expect(parseJsonish('[18446744073709551617, -18446744073709551617]')).toEqual([18446744073709551617n, -18446744073709551617n])
  expect(parseJsonish("{'id': 18446744073709551617}", { bigInt: 'string' })).toEqual({ id: '18446744073709551617' })
  expect(parseJsonish('18446744073709551617', { bigInt: 'number' })).toBe(18446744073709552000)
  // Floats are floats however many digits they hold.
  expect(parseJsonish('18446744073709551617.0')).toBe(18446744073709552000)
  expect(parseJsonish('1e+30')).toBe(1e30)
})

test('Python string escapes decode as Python does, unknown ones keeping their backslash', () => {
  expect(parseJsonish("'\\a\\b\\f\\v\\0'")).toBe('\x07\b\f\v\0')
  expect(parseJsonish("'\\101\\1010\\7\\08'")).toBe('AA0\x07\x008')
  expect(parseJsonish("'\\x41\\xe9\\u00e9\\U0001F600'")).toBe('Aéé😀')
  expect(parseJsonish("'\\q\\8\\ '")).toBe('\\q\\8\\ ')
  expect(parseJsonish("'it\\'s' ")).toBe("it's")
  expect(parseJsonish('"say \\"hi\\""')).toBe('say "hi"')
  expect(parseJsonish("'line\\\ncontinued'")).toBe('linecontinued')
  expect(parseJsonish('"a\\/b"')).toBe('a/b')
})

test("u'...' is text and b'...' decodes one character per byte", () => {
  expect(parseJsonish("{u'content': u'\\u4f60'}")).toEqual({ content: '你' })
  expect(parseJsonish("b'it\\'s \\xff\\x00'")).toBe("it's \xff\x00")
  expect(parseJsonish(String.raw`b"\x00\t\n\r'\\"`)).toBe("\x00\t\n\r'\\")
})

test('tuples and sets decode to arrays; a parenthesised value without comma is the value', () => {
  expect(parseJsonish('(1,)')).toEqual([1])
  expect(parseJsonish('()')).toEqual([])
  expect(parseJsonish('(1, (2, 3), [4])')).toEqual([1, [2, 3], [4]])
  expect(parseJsonish('(1)')).toBe(1)
  expect(parseJsonish("{1, 'a', (2,)}")).toEqual([1, 'a', [2]])
  expect(parseJsonish('{1}')).toEqual([1])
  expect(parseJsonish('{}')).toEqual({})
  expect(parseJsonish('set()')).toEqual([])
  expect(parseJsonish("{'s': frozenset({1, 'a'}), 'e': frozenset(), 't': set( )}")).toEqual({ s: [1, 'a'], e: [], t: [] })
})

test('trailing commas, as Python allows, and whitespace between tokens are accepted', () => {
  expect(parseJsonish('[1, 2,]')).toEqual([1, 2])
  expect(parseJsonish("{'a': 1,}")).toEqual({ a: 1 })
  expect(parseJsonish('{1, 2,}')).toEqual([1, 2])
  expect(parseJsonish(" \t\r\n{ 'a' :\n[ 1 ,\t2 ] } \n")).toEqual({ a: [1, 2] })
})

test('non-string dict keys get the property names json.dumps gives them', () => {
  const v = parseJsonish(
    "{1: 'a', -2: 'b', 1.5: 'c', 1e+16: 'd', None: 'e', True: 'f', False: 'g', inf: 'h', -inf: 'i', nan: 'j', (1, 'x'): 'k', (): 'l', 18446744073709551616: 'm'}",
  )
  expect(v).toEqual({
    '1': 'a',
    '-2': 'b',
    '1.5': 'c',
    '1e+16': 'd',
    null: 'e',
    true: 'f',
    false: 'g',
    Infinity: 'h',
    '-Infinity': 'i',
    NaN: 'j',
    "(1, 'x')": 'k',
    '()': 'l',
    '18446744073709551616': 'm',
  })
})

test('a __proto__ key becomes an own data property and never touches a prototype', () => {
  for (const text of [
    "{'__proto__': {'polluted': 1}, 'constructor': {'prototype': {'polluted': 2}}}",
    '{"__proto__": {"polluted": 1}, "constructor": {"prototype": {"polluted": 2}}}',
    "{'a': 1, '__proto__': 0, '__proto__': {'polluted': 3}, 'b': 2}",
    "[{'x': {'__proto__': {'polluted': 4}}}]",
  ]) {
    const v = parseJsonish(text) as Record<string, unknown>
    const o = Array.isArray(v) ? ((v[0] as Record<string, unknown>).x as Record<string, unknown>) : v
    expect(Object.getPrototypeOf(o)).toBe(Object.prototype)
    expect(Object.hasOwn(o, '__proto__')).toBe(true)
    expect((o as { polluted?: unknown }).polluted).toBeUndefined()
    expect(({} as { polluted?: unknown }).polluted).toBeUndefined()
    expect(Object.getOwnPropertyDescriptor(o, '__proto__')).toMatchObject({ enumerable: true, writable: true })
  }
  const dup = parseJsonish("{'a': 1, '__proto__': 0, '__proto__': {'p': 3}, 'b': 2}") as Record<string, unknown>
  expect(Object.keys(dup)).toEqual(['a', '__proto__', 'b'])
  expect(Object.getOwnPropertyDescriptor(dup, '__proto__')?.value).toEqual({ p: 3 })
  const c = parseJsonish("{'constructor': 1, 'prototype': 2, 'toString': 3}") as Record<string, unknown>
  expect(Object.keys(c)).toEqual(['constructor', 'prototype', 'toString'])
  expect(c.constructor).toBe(1)
})

test('a word that names an Object.prototype member is not a value', () => {
  for (const w of ['constructor', 'toString', '__proto__', 'hasOwnProperty']) {
    expect(() => parseJsonish(w)).toThrow(/Expected a value at position 0/)
  }
})

test('random JSON, also indented, decodes exactly like JSON.parse, integers past 2**53 aside', () => {
  let seed = 12345
  const rand = (): number => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648
  const chars = ['a', 'Z', ' ', '"', "'", '\\', '/', '\n', '\u0000', '\u001f', '\u2028', 'é', '你', '😀', '\ud83d', '\ude80']
  const gen = (d: number): unknown => {
    const r = rand()
    if (d > 4 || r < 0.5) {
      const t = rand()
      if (t < 0.3) return Array.from({ length: Math.floor(rand() * 8) }, () => chars[Math.floor(rand() * chars.length)]).join('')
      if (t < 0.6) return (rand() - 0.5) * 10 ** Math.floor(rand() * 40 - 20)
      if (t < 0.8) return Math.floor((rand() - 0.5) * 2 ** 53)
      return [null, true, false][Math.floor(rand() * 3)]
    }
    if (r < 0.75) return Array.from({ length: Math.floor(rand() * 5) }, () => gen(d + 1))
    return Object.fromEntries(Array.from({ length: Math.floor(rand() * 5) }, () => [String(gen(5)), gen(d + 1)]))
  }
  for (let n = 0; n < 2000; n++) {
    const v = gen(0)
    for (const text of [JSON.stringify(v), JSON.stringify(v, null, n % 2 ? 2 : '\t')]) {
      // JSON.stringify writes -2.7e16 as "-27287006378173828": an integer to us, so a BigInt by default.
      expect(parseJsonish(text, { bigInt: 'number' })).toEqual(JSON.parse(text))
      expect(mapBig(parseJsonish(text), Number)).toEqual(JSON.parse(text))
    }
  }
})

// ---------------------------------------------------------------------------
// Limits and errors
// ---------------------------------------------------------------------------

test('nesting up to maxDepth parses and one level more is a payload error', () => {
  const nest = (n: number, open = '[', close = ']'): string => open.repeat(n) + close.repeat(n)
  // CPython 3.11's repr() stops at 998 levels (RecursionError), so 1000 takes all it prints.
  expect(parseJsonish(nest(1000))).toBeInstanceOf(Array)
  expect(parseJsonish("{'a': " + '('.repeat(998) + '1' + ',)'.repeat(998) + '}')).toHaveProperty('a')
  const e = caught(() => parseJsonish(nest(1001)))
  expect(e.code).toBe('payload')
  expect(e.message).toMatch(/^Nesting deeper than 1000 at position 1000/)
  expect(e.position).toBe(1000)
  expect(() => parseJsonish(nest(3, '(', ',)'), { maxDepth: 2 })).toThrow(/Nesting deeper than 2 at position 2/)
  expect(() => parseJsonish("{'a': {'b': {}}}", { maxDepth: 2 })).toThrow(/Nesting deeper than 2/)
  expect(parseJsonish("{'a': {'b': {}}}", { maxDepth: 3 })).toEqual({ a: { b: {} } })
  // Deep input is stopped by the limit, not by a stack overflow.
  expect(caught(() => parseJsonish(nest(200_000))).message).toMatch(/^Nesting deeper than 1000/)
})

const BAD: Array<[string, string, number, JsonishOptions?]> = [
  ["{'content': 'x' 'request_id': '1'}", "Expected ',' or '}'", 16],
  ["{'a': 1", "Expected ',' or '}'", 7],
  ["{'a' 1}", "Expected ':'", 5],
  ["{'a': 1, 2}", "Expected ':'", 10],
  ['[1 2]', "Expected ',' or ']'", 3],
  ['(1 2)', "Expected ',' or ')'", 3],
  ["'abc", 'Unterminated string', 0],
  ["{'a': 'b}", 'Unterminated string', 6],
  ["'abc\\'", 'Unterminated string', 0],
  ['', 'Expected a value', 0],
  ['   ', 'Expected a value', 3],
  ["{'a': }", 'Expected a value', 6],
  ['[1,,2]', 'Expected a value', 3],
  ['[,]', 'Expected a value', 1],
  ['undefined', 'Expected a value', 0],
  ['datetime.datetime(2024, 1, 1)', 'Expected a value', 0],
  ["[Decimal('1.5')]", 'Expected a value', 1],
  ['set(', 'Expected a value', 4],
  ['set(1', "Expected ')'", 5],
  ["frozenset('ab')", 'Expected a set', 0],
  ['set{}', 'Expected a value', 0],
  ["{'a': -True}", 'Expected a number', 6],
  ['1 2', 'Unexpected text after the value', 2],
  ["{'a': 1}}", 'Unexpected text after the value', 8],
  ['1_000', 'Unexpected text after the value', 1],
  ['1j', 'Unexpected text after the value', 1],
  ['1.2.3', 'Invalid number', 0],
  ['-', 'Expected a value', 1],
  ['-x', 'Expected a value', 1],
  ["'\\x4'", 'Invalid \\x escape', 1],
  ["'a\\xZZ'", 'Invalid \\x escape', 2],
  ['"\\u12"', 'Invalid \\u escape', 1],
  ["'\\U00110000'", 'Invalid \\U escape', 1],
  ["'\\N{BULLET}'", 'Unsupported \\N{...} escape', 1],
]

for (const [text, what, position, options] of BAD) {
  test(`${JSON.stringify(text)} is a payload error "${what}" at position ${position}`, () => {
    const e = caught(() => parseJsonish(text, options))
    expect(isStreamError(e)).toBe(true)
    expect(e.code).toBe('payload')
    expect(e.position).toBe(position)
    expect(e.message.startsWith(`${what} at position ${position} `)).toBe(true)
    expect(e.body).toBe(text)
  })
}

test('an error message shows the text at the position, or says the input ended', () => {
  expect(caught(() => parseJsonish("{'content': 'x' 'request_id': '1'}")).message).toBe(`Expected ',' or '}' at position 16 near "'request_id': '1'}"`)
  expect(caught(() => parseJsonish('[1, 2')).message).toBe("Expected ',' or ']' at position 5 (end of input)")
  expect(caught(() => parseJsonish('[1\n2]')).message).toBe(`Expected ',' or ']' at position 3 near "2]"`)
})

test('the body of an error on a huge payload is a bounded excerpt', () => {
  const text = `{'content': '${'x'.repeat(10_000)}' oops}`
  const e = caught(() => parseJsonish(text))
  expect(e.position).toBe(10_015)
  expect(e.body!.length).toBeLessThan(MAX_EXCERPT + 50)
  expect(e.body!.startsWith("{'content': 'xxx")).toBe(true)
})

test('parsing time grows linearly: many strings and many escapes in one payload', () => {
  // A per-string indexOf for the backslash, or a per-escape one for the
  // quote, would make these quadratic (minutes instead of milliseconds).
  const many = `[${Array.from({ length: 200_000 }, (_, k) => `'s${k}'`).join(', ')}, '\\n']`
  const escapes = `'${'\\n'.repeat(500_000)}'`
  const t = performance.now()
  expect((parseJsonish(many) as string[]).length).toBe(200_001)
  expect((parseJsonish(escapes) as string).length).toBe(500_000)
  expect(performance.now() - t).toBeLessThan(3000)
})
