// Chunking helpers: every stream fixture must parse the same whole, byte by
// byte and split at random boundaries (inside UTF-8 characters, between CR
// and LF), because the network may cut a body anywhere.

import { createSseParser } from '../../src/sse/parse.js'
import type { SseEnd, SseEvent, SseParserOptions } from '../../src/index.js'
import type { StreamError } from '../../src/errors.js'
import { createRandom as prng } from '../../src/mock/random.js'

/** UTF-8 bytes of a string (a lone surrogate becomes U+FFFD, as TextEncoder does). */
export function bytesOf(text: string): Uint8Array {
  return new TextEncoder().encode(text)
}

/** Concatenate byte arrays. */
export function concat(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0))
  let at = 0
  for (const p of parts) {
    out.set(p, at)
    at += p.length
  }
  return out
}

/** Cut `bytes` into chunks of `n` bytes (the last one may be shorter). */
export function splitEvery(bytes: Uint8Array, n: number): Uint8Array[] {
  if (!(n >= 1)) throw new RangeError(`splitEvery: chunk size must be >= 1, got ${n}`)
  const out: Uint8Array[] = []
  for (let i = 0; i < bytes.length; i += n) out.push(bytes.subarray(i, i + n))
  return out
}

/**
 * The mock server's seeded PRNG (mulberry32): the same seed gives the same
 * numbers on every run, so a failing split can be reproduced from its seed.
 */
export { createRandom as prng } from '../../src/mock/random.js'

/** Cut `bytes` into chunks of `min`..`max` bytes at positions chosen by `seed` (deterministic). */
export function splitRandom(bytes: Uint8Array, seed: number, min = 1, max = 64): Uint8Array[] {
  if (!(min >= 1 && max >= min)) throw new RangeError(`splitRandom: need 1 <= min <= max, got ${min}..${max}`)
  const random = prng(seed)
  const out: Uint8Array[] = []
  for (let i = 0; i < bytes.length; ) {
    const size = min + Math.floor(random() * (max - min + 1))
    out.push(bytes.subarray(i, i + size))
    i += size
  }
  return out
}

/** Everything a parser reported for one input. */
export interface Collected {
  events: SseEvent[]
  comments: string[]
  retries: number[]
  errors: StreamError[]
  end: SseEnd
  /** `parser.lastEventId` after `end()`. */
  lastEventId: string
}

/** A fresh parser whose callbacks record into arrays, for tests that feed it step by step. */
export function record(options: Partial<Pick<SseParserOptions, 'maxEventBytes'>> & { errors?: boolean } = {}) {
  const events: SseEvent[] = []
  const comments: string[] = []
  const retries: number[] = []
  const errors: StreamError[] = []
  const parser = createSseParser({
    onEvent: (e) => events.push(e),
    onComment: (c) => comments.push(c),
    onRetry: (ms) => retries.push(ms),
    onError: options.errors === false ? undefined : (e) => errors.push(e),
    maxEventBytes: options.maxEventBytes,
  })
  return { parser, events, comments, retries, errors }
}

/** Feed `chunks` to a fresh parser, call `end()`, and return what it reported. */
export function collect(
  chunks: Iterable<Uint8Array | string>,
  options: Partial<Pick<SseParserOptions, 'maxEventBytes'>> & { errors?: boolean } = {},
): Collected {
  const { parser, ...recorded } = record(options)
  for (const chunk of chunks) parser.feed(chunk)
  const end = parser.end()
  return { ...recorded, end, lastEventId: parser.lastEventId }
}

/** The ways a body is cut in the split tests: name → chunks. */
export function splits(bytes: Uint8Array, seeds: readonly number[] = [1, 2, 3, 42, 1234]): [string, Uint8Array[]][] {
  const out: [string, Uint8Array[]][] = [
    ['whole', [bytes]],
    ['byte by byte', splitEvery(bytes, 1)],
    ['2-byte chunks', splitEvery(bytes, 2)],
    ['3-byte chunks', splitEvery(bytes, 3)],
  ]
  for (const seed of seeds) out.push([`random 1-8 seed ${seed}`, splitRandom(bytes, seed, 1, 8)])
  for (const seed of seeds) out.push([`random 1-64 seed ${seed}`, splitRandom(bytes, seed)])
  return out
}
