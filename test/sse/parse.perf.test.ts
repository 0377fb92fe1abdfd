// One big event arriving in many small chunks must cost linear time: the
// parser may not rejoin or rescan what it already holds (eventsource-parser
// 3.0.8 did, O(n²)). Checked by counting the characters the parser's
// indexOf calls scan (deterministic; timing is the benchmark's job).

import { afterEach, expect, test } from 'vitest'
import { createSseParser } from '../../src/sse/parse.js'
import { bytesOf, splitEvery } from '../helpers/chunks.js'

const MiB = 1024 * 1024
const originalIndexOf = String.prototype.indexOf

afterEach(() => {
  String.prototype.indexOf = originalIndexOf
})

/** Characters scanned by String#indexOf while `fn` runs. */
function scannedDuring(fn: () => void): number {
  let scanned = 0
  String.prototype.indexOf = function (this: string, search: string, from = 0) {
    const at = originalIndexOf.call(this, search, from)
    scanned += (at < 0 ? this.length : at + search.length) - Math.min(from, this.length)
    return at
  }
  try {
    fn()
  } finally {
    String.prototype.indexOf = originalIndexOf
  }
  return scanned
}

/** Chunks of one `size`-character data line, cut every `chunk` bytes. */
function bigLine(size: number, chunk: number): Uint8Array[] {
  return splitEvery(bytesOf('data: ' + 'x'.repeat(size) + '\n\n'), chunk)
}

/** Parse `chunks`; returns the length of the one event's data. */
function parse(chunks: Uint8Array[]): number {
  let length = -1
  const parser = createSseParser({ onEvent: (e) => (length = e.data.length), maxEventBytes: 64 * MiB })
  for (const piece of chunks) parser.feed(piece)
  parser.end()
  return length
}

test('a 16 MB data line in 1 KiB chunks is parsed, scanning each character a bounded number of times', () => {
  const size = 16 * MiB
  let length = -1
  const chunks = bigLine(size, 1024)
  const scanned = scannedDuring(() => (length = parse(chunks)))
  expect(length).toBe(size)
  // One LF scan and one CR scan per character, plus a little per chunk.
  expect(scanned).toBeLessThan(2.1 * size)
}, 60_000)

test('a 1 MB multi-line event in 64-byte chunks scans each character a bounded number of times', () => {
  const lines = Array.from({ length: 16 * 1024 }, (_, i) => `data: ${'y'.repeat(56)}${String(i).padStart(5, '0')}\r\n`)
  const body = bytesOf(lines.join('') + '\r\n')
  let events = 0
  const scanned = scannedDuring(() => {
    const parser = createSseParser({ onEvent: () => events++ })
    for (const piece of splitEvery(body, 64)) parser.feed(piece)
    parser.end()
  })
  expect(events).toBe(1)
  // LF and CR scans, plus the colon search of each line: a few passes, never one per chunk.
  expect(scanned).toBeLessThan(4 * body.length)
})

// Timing is measured by `npm run bench` (scaling section), not here: a
// timed unit test on a shared 2-core machine is noise.
