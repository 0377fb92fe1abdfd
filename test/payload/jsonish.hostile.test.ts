// Hostile payloads: no input may block the thread or escape the typed error.
// The wall limit (5 s) is some 20 times what the linear path takes on a
// loaded 2-core machine and far out of reach of a quadratic one (minutes).
import { expect, test } from 'vitest'
import { parseJsonish, StreamError } from '../../src/index.js'

const caught = (fn: () => unknown): StreamError => {
  try {
    fn()
  } catch (e) {
    return e as StreamError
  }
  throw new Error('did not throw')
}

test("a 1 MB dict with thousands of '__proto__' keys among other keys parses in well under 5 s (a quadratic path: minutes)", () => {
  const parts: string[] = []
  for (let k = 0, n = 0; n < 1_000_000; k++) n += parts[parts.push(`'k${k}': ${k}, '__proto__': {'x': ${k}}`) - 1]!.length + 2
  const text = `{${parts.join(', ')}}`
  expect(text.length).toBeGreaterThan(1_000_000)
  const t = performance.now()
  const o = parseJsonish(text) as Record<string, unknown>
  expect(performance.now() - t).toBeLessThan(5000)
  // The last duplicate wins, as with JSON.parse, and stays an own property.
  expect(Object.getPrototypeOf(o)).toBe(Object.prototype)
  expect(Object.getOwnPropertyDescriptor(o, '__proto__')?.value).toEqual({ x: parts.length - 1 })
  expect(Object.keys(o)).toHaveLength(parts.length + 1)
  expect(Object.keys(o)[1]).toBe('__proto__')
})

test('set( and frozenset( nesting counts against maxDepth: 10^4 levels (also of -set() are a payload error, not a RangeError', () => {
  for (const [open, close] of [
    ['set(', ')'],
    ['frozenset(', ')'],
    ['set([', '])'],
  ] as const) {
    const text = open.repeat(10_000) + '[1]' + close.repeat(10_000)
    const e = caught(() => parseJsonish(text))
    expect(e).toBeInstanceOf(StreamError)
    expect(e.code).toBe('payload')
    expect(e.message).toMatch(/^Nesting deeper than 1000/)
  }
  expect(parseJsonish('frozenset(' + 'set('.repeat(3) + '[1]' + ')'.repeat(4))).toEqual([1])
  expect(() => parseJsonish('set(set([1]))', { maxDepth: 2 })).toThrow(/Nesting deeper than 2/)
  // A sign takes a number or a word, never a nested value: no recursion to count.
  const signs = caught(() => parseJsonish('-set('.repeat(10_000) + '[1]' + ')'.repeat(10_000)))
  expect([signs.code, signs.message]).toEqual(['payload', 'Expected a value at position 1 near "set(-set(-set(-set(-set("'])
  expect(parseJsonish('set([-inf, -nan, -Infinity])', { maxDepth: 2 })).toEqual([-Infinity, NaN, -Infinity])
})

test('a maxDepth beyond what the stack holds still gives a payload error, never a RangeError', () => {
  const text = '['.repeat(1_000_000) + ']'.repeat(1_000_000)
  const e = caught(() => parseJsonish(text, { maxDepth: 10_000_000 }))
  expect(e).toBeInstanceOf(StreamError)
  expect(e.code).toBe('payload')
  expect(e.message).toMatch(/too deep/)
})

test('maxDepth must be a non-negative integer: anything else is an invalid-options error', () => {
  for (const bad of [-1, 1.5, NaN, Infinity, '10', {}]) expect(caught(() => parseJsonish('[]', { maxDepth: bad as number })).code).toBe('invalid-options')
  expect(parseJsonish('1', { maxDepth: 0 })).toBe(1)
  expect(caught(() => parseJsonish('[]', { maxDepth: 0 })).code).toBe('payload')
})
