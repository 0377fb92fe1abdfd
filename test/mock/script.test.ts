import { expect, test } from 'vitest'
import { BAD_UTF8_TEXT, DEFAULT_PROMPT, expectedReasoning, expectedText, scriptFor } from '../../src/mock/script.js'

const PROMPTS = ['hello', 'Explain SSE', '', DEFAULT_PROMPT, '你好', 'a'.repeat(500), 'it\'s "quoted"\n\t\\', '👨‍💻 emoji']

test('the same prompt and options always give the same script', () => {
  for (const prompt of PROMPTS) {
    expect(scriptFor(prompt)).toEqual(scriptFor(prompt))
    expect(scriptFor(prompt, { think: true, lang: 'en' })).toEqual(scriptFor(prompt, { think: true, lang: 'en' }))
  }
})

test('different prompts give different scripts', () => {
  const texts = new Set(['one', 'two', 'three', 'four', 'five'].map((p) => expectedText(p)))
  expect(texts.size).toBeGreaterThan(3)
})

test('every script, in both languages, carries the tokens that break naive decoders', () => {
  for (const prompt of PROMPTS)
    for (const lang of ['en', 'zh'] as const) {
      const { tokens } = scriptFor(prompt, { lang })
      const has = (f: (t: string) => boolean): boolean => tokens.some(f)
      expect(
        has((t) => t.includes("'") && !t.includes('"')),
        'only single quote',
      ).toBe(true)
      expect(
        has((t) => t.includes('"') && !t.includes("'")),
        'only double quote',
      ).toBe(true)
      expect(
        has((t) => t.includes('"') && t.includes("'")),
        'both quotes',
      ).toBe(true)
      expect(
        has((t) => t.includes('\\')),
        'backslash',
      ).toBe(true)
      expect(
        has((t) => t === '\t'),
        'tab',
      ).toBe(true)
      expect(
        has((t) => t === '\n\n'),
        'paragraph break',
      ).toBe(true)
      expect(
        has((t) => /\n\S/.test(t)),
        'newline inside a token',
      ).toBe(true)
      expect(
        has((t) => t === '👨\u200d💻'),
        'ZWJ emoji',
      ).toBe(true)
      expect(
        has((t) => t.includes('\u200b')),
        'zero-width space',
      ).toBe(true)
      expect(
        has((t) => /\p{Script=Han}/u.test(t)),
        'Chinese',
      ).toBe(true)
      expect(
        has((t) => /^ ?[A-Za-z]+$/.test(t)),
        'English',
      ).toBe(true)
      expect(
        has((t) => t === ' '),
        'a lone space',
      ).toBe(true)
      expect(tokens.every((t) => t.length > 0 && !t.includes('\r'))).toBe(true)
    }
})

test('the language follows the prompt unless lang is given', () => {
  expect(scriptFor('你好').tokens[0]).toBe('你好')
  expect(scriptFor('hello').tokens[0]).toBe('Sure')
  expect(scriptFor('你好', { lang: 'en' }).tokens[0]).toBe('Sure')
})

test('think puts the reasoning inline before the unchanged answer', () => {
  const plain = scriptFor('hello')
  const think = scriptFor('hello', { think: true })
  expect(think.answer).toEqual(plain.answer)
  expect(think.reasoning.length).toBeGreaterThan(5)
  expect(think.tokens).toEqual(['<think>', '\n', ...think.reasoning, '</think>', '\n\n', ...think.answer])
  expect(expectedReasoning('hello', { think: true })).toBe(think.reasoning.join(''))
  expect(expectedReasoning('hello')).toBe('')
  expect(expectedText('hello', { think: true })).toBe(expectedText('hello'))
  expect(plain.reasoning).toEqual([])
})

test('length makes the answer exactly that many tokens', () => {
  for (const length of [0, 1, 5, 200]) expect(scriptFor('hello', { length }).tokens).toHaveLength(length)
  expect(scriptFor('hello', { length: 5 }).tokens).toEqual(scriptFor('hello').tokens.slice(0, 5))
})

test('oversize inserts one token of exactly that many characters after the first', () => {
  const { tokens } = scriptFor('hello', { oversize: 100_000 })
  expect(tokens[1]).toHaveLength(100_000)
  expect([tokens[0], ...tokens.slice(2)]).toEqual(scriptFor('hello').tokens)
})

test('loneSurrogates splits an emoji across tokens without changing the text', () => {
  for (const prompt of PROMPTS) {
    const split = scriptFor(prompt, { loneSurrogates: true })
    expect(split.tokens.some((t) => /[\ud800-\udbff]$/.test(t))).toBe(true)
    expect(split.tokens).toHaveLength(scriptFor(prompt).tokens.length + 1)
    expect(split.tokens.join('')).toBe(scriptFor(prompt).tokens.join(''))
    expect(expectedText(prompt, { loneSurrogates: true })).toBe(expectedText(prompt))
  }
})

test('badUtf8 puts two U+FFFD into one ASCII word of the answer', () => {
  for (const prompt of PROMPTS) {
    const text = expectedText(prompt, { badUtf8: true })
    expect(text.split(BAD_UTF8_TEXT)).toHaveLength(2)
    expect(text.replace(BAD_UTF8_TEXT, '')).toBe(expectedText(prompt))
    expect(text).toMatch(/[A-Za-z]\ufffd\ufffd[A-Za-z]/)
  }
})

test('the natural answer is 60 to 100 tokens long', () => {
  for (const prompt of PROMPTS.concat(Array.from({ length: 50 }, (_, i) => `prompt ${i}`))) {
    const n = scriptFor(prompt).tokens.length
    expect(n).toBeGreaterThanOrEqual(60)
    expect(n).toBeLessThanOrEqual(100)
  }
})
