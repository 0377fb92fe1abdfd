// Text/event-stream framing and the byte-level faults applied to it.

/** One block of an event stream, before framing. */
export interface Block {
  comment?: string | undefined
  event?: string | undefined
  id?: string | undefined
  retry?: number | undefined
  /** Each entry becomes one `data:` line (the client joins them with `\n`). */
  data?: readonly string[] | undefined
}

const EOL = { lf: '\n', crlf: '\r\n', cr: '\r' } as const

/** The block as text, each line ended by `eol` and the block by an empty line. */
export function frame(block: Block, eol: keyof typeof EOL): string {
  const end = EOL[eol]
  let out = ''
  if (block.comment !== undefined) out += `: ${block.comment}${end}`
  if (block.event !== undefined) out += `event: ${block.event}${end}`
  if (block.id !== undefined) out += `id: ${block.id}${end}`
  if (block.retry !== undefined) out += `retry: ${block.retry}${end}`
  for (const line of block.data ?? []) out += `data: ${line}${end}`
  return out + end
}

const encoder = new TextEncoder()
const PLACEHOLDER = encoder.encode('\ufffd\ufffd')
// FF can never start a UTF-8 sequence; E4 BD is the start of 你 cut short.
// A WHATWG decoder turns them into exactly two U+FFFD when ASCII follows.
const INVALID = new Uint8Array([0xff, 0xe4, 0xbd])

function indexOf(haystack: Uint8Array, needle: Uint8Array): number {
  outer: for (let i = 0; i + needle.length <= haystack.length; i++) {
    for (let j = 0; j < needle.length; j++) if (haystack[i + j] !== needle[j]) continue outer
    return i
  }
  return -1
}

/**
 * UTF-8 of `text`; with `badUtf8`, the two U+FFFD placed by
 * `scriptFor(..., {badUtf8: true})` become invalid bytes.
 */
export function encode(text: string, badUtf8 = false): Uint8Array {
  const bytes = encoder.encode(text)
  if (!badUtf8) return bytes
  const at = indexOf(bytes, PLACEHOLDER)
  if (at < 0) return bytes
  const out = new Uint8Array(bytes.length - PLACEHOLDER.length + INVALID.length)
  out.set(bytes.subarray(0, at))
  out.set(INVALID, at)
  out.set(bytes.subarray(at + PLACEHOLDER.length), at + INVALID.length)
  return out
}

/**
 * Cut `bytes` into pieces: `n` bytes each, or at random offsets that always
 * include one inside the first multi-byte character and one between the
 * first CR and LF, the two cuts that break decoders which do not buffer
 * (a `TextDecoder` without `{stream: true}`; a parser that ends a line at CR
 * and then sees an empty line at LF). Lazy: `chunk=1` on a large event must
 * not hold one object per byte.
 */
export function* split(bytes: Uint8Array, chunk: 'random' | number, random: () => number): Generator<Uint8Array> {
  let forced: number[] = []
  if (chunk === 'random') {
    const lead = bytes.findIndex((b) => b >= 0xc0)
    const crlf = bytes.findIndex((b, i) => b === 0x0d && bytes[i + 1] === 0x0a)
    forced = [lead + 1, crlf + 1].filter((c) => c > 0).sort((a, b) => a - b)
  }
  // Copies, not views: a reader that looks at `chunk.buffer` must not see the rest.
  let from = 0
  for (let i = 1; i < bytes.length; i++) {
    // The random draw happens at every offset, forced or not, so a seed gives the same cuts as ever.
    const cut = chunk === 'random' ? random() < 0.2 || forced.includes(i) : i % chunk === 0
    if (!cut) continue
    yield bytes.slice(from, i)
    from = i
  }
  yield bytes.slice(from)
}
