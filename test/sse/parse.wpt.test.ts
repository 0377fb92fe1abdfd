// Conformance: the WPT eventsource/format-* vectors, the seed's own stream,
// and fuzzed streams checked against a naive reading of the spec, each fed
// whole, byte by byte and cut at random byte boundaries (inside UTF-8
// characters, between CR and LF).

import { readFileSync } from 'node:fs'
import { expect, test } from 'vitest'
import { createSseParser } from '../../src/sse/parse.js'
import type { SseEnd, SseEvent } from '../../src/index.js'
import { formatVectors } from '../fixtures/wpt/format-vectors.js'
import { bytesOf, collect, concat, prng, splitEvery, splitRandom, splits } from '../helpers/chunks.js'
import { reference } from './reference.js'

function bodyBytes(body: string | number[]): Uint8Array {
  return typeof body === 'string' ? bytesOf(body) : Uint8Array.from(body)
}

/** Run the connections of a vector through one parser, `end()` after each, cutting every body with `cut`. */
function run(bodies: Uint8Array[], cut: (bytes: Uint8Array) => (Uint8Array | string)[]) {
  const events: SseEvent[] = []
  const comments: string[] = []
  const retries: number[] = []
  const parser = createSseParser({
    onEvent: (e) => events.push(e),
    onComment: (c) => comments.push(c),
    onRetry: (ms) => retries.push(ms),
  })
  const ends: SseEnd[] = []
  for (const body of bodies) {
    for (const chunk of cut(body)) parser.feed(chunk)
    ends.push(parser.end())
  }
  return { events, comments, retries, discarded: ends.map((e) => e.discarded), lastEventId: parser.lastEventId }
}

for (const vector of formatVectors) {
  test(`WPT ${vector.name} gives the expected events however the body is cut`, () => {
    const bodies = vector.bodies.map(bodyBytes)
    const events = vector.events.map((e) => ({
      type: e.type ?? 'message',
      data: e.data,
      id: e.id,
      lastEventId: e.lastEventId ?? '',
    }))
    const expected = {
      events,
      comments: vector.comments ?? [],
      retries: vector.retries ?? [],
      discarded: vector.discarded ?? bodies.map(() => undefined),
      lastEventId: vector.lastEventId ?? events.at(-1)?.lastEventId ?? '',
    }
    expect(
      run(bodies, (b) => [b]),
      'whole',
    ).toEqual(expected)
    expect(
      run(bodies, (b) => splitEvery(b, 1)),
      'byte by byte',
    ).toEqual(expected)
    for (const seed of [1, 2, 3, 42, 1234]) {
      expect(
        run(bodies, (b) => splitRandom(b, seed, 1, 8)),
        `random 1-8 seed ${seed}`,
      ).toEqual(expected)
      expect(
        run(bodies, (b) => splitRandom(b, seed)),
        `random 1-64 seed ${seed}`,
      ).toEqual(expected)
    }
    // Already-decoded text (BOM kept), whole and one UTF-16 code unit at a time.
    const text = (b: Uint8Array) => new TextDecoder('utf-8', { ignoreBOM: true }).decode(b)
    expect(
      run(bodies, (b) => [text(b)]),
      'string whole',
    ).toEqual(expected)
    expect(
      run(bodies, (b) => text(b).split('')),
      'string per code unit',
    ).toEqual(expected)
  })
}

const seedBytes = new Uint8Array(readFileSync(new URL('../fixtures/seed.sse', import.meta.url)))
const seedExpected = JSON.parse(readFileSync(new URL('../fixtures/seed.events.json', import.meta.url), 'utf8')) as {
  data: string[]
}

test('the seed stream (repr dicts, Chinese, emoji, escaped ZWJ) gives one event per token however it is cut', () => {
  const expected = seedExpected.data.map((data) => ({ type: 'message', data, id: undefined, lastEventId: '' }))
  expect(expected).toHaveLength(49)
  expect(expected[29]!.data).toBe("{'content': ' 👨\\u200d💻', 'request_id': '123456789', 'userid': '789465'}")
  for (const [name, chunks] of splits(seedBytes)) {
    const got = collect(chunks)
    expect(got.events, name).toEqual(expected)
    expect(got.end.discarded, name).toBeUndefined()
    expect(got.comments, name).toEqual([])
  }
  for (const size of [1024, 7, 13]) expect(collect(splitEvery(seedBytes, size)).events).toEqual(expected)
})

test('a seed stream cut mid-event by a crashed generator reports the partial event as discarded', () => {
  const cutAt = seedBytes.length - 30
  for (const [name, chunks] of splits(seedBytes.subarray(0, cutAt))) {
    const got = collect(chunks)
    expect(got.events, name).toHaveLength(48)
    const lastLine = seedBytes.subarray(seedBytes.lastIndexOf(10, cutAt - 3) + 1, cutAt)
    expect(got.end.discarded, name).toBe(new TextDecoder().decode(lastLine))
  }
})

// Pieces that make every kind of line: fields with and without colon and
// space, comments, unknown and case-variant names, NUL, BOM, CR/LF/CRLF,
// multi-byte characters.
const pieces = [
  'data',
  'data:',
  'data: ',
  'data:  ',
  'event:',
  'event: ',
  'id:',
  'id: ',
  'retry:',
  'retry: ',
  'Data:',
  ' data:',
  'foo:',
  ':',
  ': ',
  'x',
  'yz',
  '7',
  '42',
  '中文',
  '😀',
  '\0',
  '\uFEFF',
  '\t',
  ' ',
  '\r',
  '\n',
  '\r\n',
  '\n\n',
  '\r\r',
  '\r\n\r\n',
  'done',
  '\u2028',
  'é',
]

function fuzzText(seed: number, length: number): string {
  const random = prng(seed)
  let text = random() < 0.2 ? '\uFEFF' : ''
  for (let i = 0; i < length; i++) text += pieces[Math.floor(random() * pieces.length)]
  return text
}

test('fuzzed streams give what a naive reading of the spec gives, however they are cut', () => {
  for (let seed = 1; seed <= 150; seed++) {
    const text = fuzzText(seed, 60 + (seed % 5) * 40)
    const bytes = bytesOf(text)
    const want = reference(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text)
    for (const [name, chunks] of [...splits(bytes, [seed]), ['per code unit', text.split('')] as const]) {
      const got = collect(chunks)
      const label = `seed ${seed}, ${name}: ${JSON.stringify(text)}`
      expect(got.events, label).toEqual(want.events)
      expect(got.comments, label).toEqual(want.comments)
      expect(got.retries, label).toEqual(want.retries)
      expect(got.end.discarded, label).toBe(want.discarded)
      expect(got.lastEventId, label).toBe(want.lastEventId)
    }
  }
})

// Bytes that make valid and broken UTF-8 next to line ends, to check the
// switching between one-shot and streaming decoding.
const bytePieces = [
  [0x64, 0x61, 0x74, 0x61, 0x3a],
  [0x20],
  [0x0a],
  [0x0d],
  [0x0d, 0x0a],
  [0x3a],
  [0x78],
  [0xe4, 0xbd, 0xa0],
  [0xe4, 0xbd],
  [0xf0, 0x9f, 0x98, 0x80],
  [0xf0, 0x9f],
  [0xff],
  [0x80],
  [0xc0, 0xaf],
  [0xc3, 0xa9],
  [0xef, 0xbb, 0xbf],
  [0x0a, 0x0a],
]

test('fuzzed bytes, broken UTF-8 included, decode as one streaming TextDecoder would, however they are cut', () => {
  for (let seed = 1; seed <= 150; seed++) {
    const random = prng(seed * 7919)
    const parts: number[] = []
    for (let i = 0; i < 80; i++) parts.push(...bytePieces[Math.floor(random() * bytePieces.length)]!)
    const bytes = Uint8Array.from(parts)
    // TextDecoder strips one leading BOM, as the parser must.
    const want = reference(new TextDecoder().decode(bytes))
    for (const [name, chunks] of splits(bytes, [seed, seed + 1000])) {
      const got = collect(chunks)
      const label = `seed ${seed}, ${name}: ${[...bytes].map((b) => b.toString(16)).join(' ')}`
      expect(got.events, label).toEqual(want.events)
      expect(got.end.discarded, label).toBe(want.discarded)
    }
  }
})

test('splitRandom is deterministic, lossless and keeps chunk sizes in range', () => {
  const bytes = bytesOf('data: 你好 😀\r\n\r\n'.repeat(50))
  const a = splitRandom(bytes, 7, 3, 9)
  expect(splitRandom(bytes, 7, 3, 9)).toEqual(a)
  expect(splitRandom(bytes, 8, 3, 9)).not.toEqual(a)
  expect(concat(a)).toEqual(bytes)
  expect(a.slice(0, -1).every((c) => c.length >= 3 && c.length <= 9)).toBe(true)
  expect(concat(splitEvery(bytes, 5))).toEqual(bytes)
})
