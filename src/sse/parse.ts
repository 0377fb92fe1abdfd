import { StreamError } from '../errors.js'
import type { SseEnd, SseParser, SseParserOptions } from '../sse/types.js'

// Bytes → events: WHATWG HTML §9.2.6 "Interpreting an event stream"
// (https://html.spec.whatwg.org/multipage/server-sent-events.html#event-stream-interpretation),
// checked against the WPT eventsource/format-* vectors (test/fixtures/wpt).
//
// Why the code looks the way it does (it is on the path of every token):
// - Line ends are found with `indexOf('\n')` / `indexOf('\r')` (native
//   scans); each cursor only moves forward, so no character is scanned twice,
//   and a chunk without CR costs one CR scan, not one per line.
//   (eventsource-parser 3.1 rescans for LF from every CR: a CR-only body is
//   O(n²) there.)
// - A line cut by a chunk boundary is kept with `+=` (V8, SpiderMonkey and
//   JavaScriptCore keep that as a rope: O(1) per piece) and joined with the
//   next chunk only once that chunk ends the line, so a 16 MB line in 1 KiB
//   chunks stays linear. Joined, the cut `data: x` line goes through the
//   same fast loop as any other (simpleEvents()).
// - Tiny chunks without a line end cannot complete anything: their bytes wait
//   (see feed()), saving a decoder call each (about 0.15 µs, most of the cost
//   of a 30-byte chunk).

/** Default of {@link SseParserOptions.maxEventBytes}: 4 MiB of decoded text. */
export const DEFAULT_MAX_EVENT_BYTES = 4 * 1024 * 1024

const LF = 10
const CR = 13
const COLON = 58
// Chunks under WAIT bytes without a line end wait in a buffer of BOX bytes.
const WAIT = 64
const BOX = 1024

// The value of a field whose colon is at `colon`: exactly one U+0020 after
// the colon is dropped, tabs and further spaces are kept (WPT format-leading-space).
function value(s: string, colon: number, end: number): string {
  return s.slice(s.charCodeAt(colon + 1) === 32 ? colon + 2 : colon + 1, end)
}

// The field names §9.2.6 acts on; every other line is ignored.
const NAMES = ['data', 'event', 'id', 'retry']

// What the start of a cut line tells: a field line (FIELD, or 0 while it may
// still become one, e.g. `dat`), a comment, or a line that is dropped.
const FIELD = 1
const COMMENT = 2
const DROPPED = 3
function kindOf(p: string): number {
  if (p.charCodeAt(0) === COLON) return COMMENT
  for (const name of NAMES) {
    const k = name.length
    if (p.length <= k ? name.startsWith(p) : p.startsWith(name) && p.charCodeAt(k) === COLON) return p.length > k ? FIELD : 0
  }
  return DROPPED
}

// Whether bytes hold a CR or LF (a loop: for a few bytes it is faster than
// two indexOf calls, which V8 does not inline for typed arrays).
function hasLineEnd(b: Uint8Array): boolean {
  for (let k = 0; k < b.length; k++) if (b[k] === LF || b[k] === CR) return true
  return false
}

// Where the line after a blank line starts, if a blank line (LF, CR or
// CRLF) starts at `next`; else 0 (`next` is never 0).
function blankAfter(s: string, next: number): number {
  const c = s.charCodeAt(next)
  return c === LF ? next + 1 : c !== CR ? 0 : s.charCodeAt(next + 1) === LF ? next + 2 : next + 1
}

/**
 * The hot path: from `i`, as long as the next line is `data: x` ending in LF
 * and followed by a blank LF line (nearly every LLM token event), fire it
 * straight from the chunk: no buffer, no turn of the general loop for the
 * blank line. Returns where it stopped, at the first line the general code
 * must read. Only called with no event pending; `lf` and `cr` are the first
 * LF and CR at or after `i` (-1 if none).
 *
 * Module-level, not inside createSseParser, because V8 keeps a function's
 * optimised code only while a closure of it is alive: a closure loop would
 * be optimised again for every new parser once a GC ran in between (measured
 * in the end-to-end bench: ≈ 25 ms of CPU per 20k-token stream).
 */
function simpleEvents(s: string, i: number, lf: number, cr: number, max: number, fire: (data: string) => void): number {
  for (; lf >= 0 && (cr < 0 || lf < cr) && s.charCodeAt(lf + 1) === LF; lf = s.indexOf('\n', i)) {
    // `data:` at i, tested without slicing the field name.
    if (
      s.charCodeAt(i) !== 100 ||
      s.charCodeAt(i + 1) !== 97 ||
      s.charCodeAt(i + 2) !== 116 ||
      s.charCodeAt(i + 3) !== 97 ||
      s.charCodeAt(i + 4) !== COLON ||
      lf - i > max
    )
      break
    fire(value(s, i + 4, lf))
    i = lf + 2
  }
  return i
}

/**
 * Create a push parser for `text/event-stream` bodies, following WHATWG HTML
 * §9.2.6 to the letter (lines end in CR, LF or CRLF, one leading BOM is
 * dropped, `id` is committed at dispatch, blocks without `data` fire nothing).
 *
 * - `feed()` takes bytes (streaming UTF-8: a character cut between chunks is
 *   kept for the next one, invalid bytes become U+FFFD) or decoded text.
 * - Comments go to `onComment` with everything after the colon, unstripped
 *   (`: ping` gives `' ping'`), so a keep-alive can be told apart. Comments
 *   and unknown fields are never kept as part of an event and never count
 *   toward its size (a long keep-alive must not cost the next event).
 * - `end()` reports the unterminated last event that the spec discards, then
 *   leaves the parser ready for a new connection that keeps the last event
 *   ID (as an `EventSource` reconnects). `reset()` forgets everything.
 * - One event (its raw field lines) may hold at most `maxEventBytes`
 *   characters; a longer one, or a longer single line, is dropped up to
 *   the next blank line and reported as a `too-large`
 *   {@link StreamError} (to `onError`, else thrown from `feed()` once the
 *   chunk is parsed).
 *
 * @example
 * ```ts
 * const parser = createSseParser({ onEvent: (e) => console.log(e.type, e.data) })
 * parser.feed(new TextEncoder().encode('data: hi\n\n')) // logs "message hi"
 * parser.end() // { discarded: undefined }
 * ```
 * @public
 */
export function createSseParser(options: SseParserOptions): SseParser {
  if (typeof options?.onEvent !== 'function')
    throw new StreamError(
      'invalid-options',
      typeof options === 'function'
        ? 'Did you mean createSseParser({ onEvent: fn })?'
        : 'createSseParser needs an onEvent callback: createSseParser({ onEvent: (event) => ... })',
    )
  const { onEvent, onComment, onRetry, onError } = options
  const max = options.maxEventBytes ?? DEFAULT_MAX_EVENT_BYTES

  // Two decoders, both with ignoreBOM (the BOM is handled in text(), once
  // per stream, for bytes and strings alike). `decoder` streams: a character
  // cut by a chunk boundary is completed by the next chunk. `once` decodes a
  // chunk whole, only when that gives the same text (see feed()).
  let decoder: TextDecoder | undefined
  let once: TextDecoder | undefined
  // The last decoded chunk ended in an ASCII byte (so `decoder` holds no cut
  // character) and was one character per byte: the next may use `once`.
  let ascii = false
  // Small chunks without CR or LF, not decoded yet (see feed()).
  let box: Uint8Array | undefined
  let waiting = 0
  // Text of this stream was seen: only its very first code point may be a
  // BOM to drop (WPT format-bom, format-bom-2: a later one is part of a line).
  let started = false
  // The last chunk ended in CR: a LF starting the next one is the rest of
  // that CRLF, not a blank line (2: and belongs to the pending event's raw
  // text). The CR already ended its line, so a CR-only stream dispatches
  // without waiting for more input (eventsource-parser 3.1 waited).
  let skipLF = 0
  // The start of the current line, when a chunk boundary cut it ('' when
  // none), and what it is (see kindOf). A line that is dropped (a comment
  // nobody reads or longer than `max`, an unknown field, a line of an
  // oversized event) is not kept: `partial` is then the placeholder 'x', an
  // unknown field, so the line stays cut (its end is no blank line) and the
  // same code drops it when it ends.
  let partial = ''
  let kind = 0
  // Raw text of the pending event's field lines: reported by end(), and what
  // `max` is measured on ('' when no event is pending).
  let held = ''
  // Where in the current chunk a field line was last added to `held`.
  let heldTo = -1
  // An event grew past `max`: drop lines up to the next blank one.
  let skip = false
  let thrown: StreamError | undefined

  // The §9.2.6 buffers. `data` holds the data lines joined by LF (the spec
  // appends value + LF and drops one final LF at dispatch); `dataLines`
  // counts them, since `data:` alone must still dispatch an empty string.
  let data = ''
  let dataLines = 0
  let type = ''
  // The `id:` of this block, if any. The spec's "last event ID buffer" is
  // `blockId ?? lastId`: only `id:` fields change it.
  let blockId: string | undefined
  let lastId = ''

  function feed(chunk: Uint8Array | string): void {
    thrown = undefined
    const n = chunk.length
    if (!n) return
    if (typeof chunk === 'string') {
      flush()
      text(chunk)
    } else {
      // A small chunk without CR or LF completes no line, so it waits in
      // `box` and is decoded with the next chunk: one decoder call instead of
      // several. Only while the wait cannot hide a too-large event (a byte
      // decodes to at most one UTF-16 unit; +3 for a character cut before).
      const w = waiting
      if (n < WAIT && w + n <= BOX && held.length + partial.length + w + n + 3 <= max && !hasLineEnd(chunk)) {
        ;(box ??= new Uint8Array(BOX)).set(chunk, w)
        waiting = w + n
        return
      }
      if (w + n <= BOX && w) {
        box!.set(chunk, w)
        waiting = 0
        decode(box!.subarray(0, w + n))
      } else {
        flush()
        decode(chunk)
      }
    }
    rethrow()
  }

  function decode(bytes: Uint8Array): void {
    const n = bytes.length
    // Node 20's TextDecoder decodes ASCII about 7 times faster one-shot than
    // streaming (which goes through ICU). One-shot gives the same text when
    // no character is cut at either end: the previous chunk ended in an
    // ASCII byte, and so does this one. Requiring the previous chunk to be
    // one character per byte keeps non-ASCII text on the streaming
    // decoder, which Node runs faster for it.
    const tail = bytes[n - 1]! < 0x80
    const t =
      ascii && tail
        ? (once ??= new TextDecoder('utf-8', { ignoreBOM: true })).decode(bytes)
        : (decoder ??= new TextDecoder('utf-8', { ignoreBOM: true })).decode(bytes, { stream: true })
    ascii = tail && t.length === n
    text(t)
  }

  // Decode the waiting bytes (before a string or a big chunk, or at the end).
  function flush(): void {
    const w = waiting
    waiting = 0
    if (w) decode(box!.subarray(0, w))
  }

  // Without onError, a too-large event is thrown after the whole chunk was
  // parsed, so the parser is consistent if the caller catches and goes on.
  function rethrow(): void {
    const error = thrown
    thrown = undefined
    if (error) throw error
  }

  // Decoded text of the stream, in order.
  function text(t: string): void {
    if (!t) return
    if (!started) {
      started = true
      if (t.charCodeAt(0) === 0xfeff && !(t = t.slice(1))) return
    }
    let i = 0
    let lf = t.indexOf('\n')
    let cr = t.indexOf('\r')
    if (partial) {
      // The cut line goes on. Once it ends here, it is joined with its end
      // (and a blank line right after it, so a cut `data: x` line still
      // fires from the fast loop), and only that is copied: the chunk itself
      // stays the decoder's flat string.
      if (lf < 0 && cr < 0) {
        keep(t)
        return
      }
      const end = cr >= 0 && (lf < 0 || cr < lf) ? cr : lf
      let next = end + 1
      if (end === cr && next === lf) next++
      i = blankAfter(t, next) || next
      const from = partial.length
      const line = [partial, t.slice(0, i)].join('')
      partial = ''
      kind = 0
      scan(line, 0, line.indexOf('\n', from), line.indexOf('\r', from))
      if (lf >= 0 && lf < i) lf = t.indexOf('\n', i)
      if (cr >= 0 && cr < i) cr = t.indexOf('\r', i)
    }
    scan(t, i, lf, cr)
  }

  // The lines of `s` from `i`; `lf` and `cr` are the first LF and CR at or
  // after `i` (-1 if none).
  function scan(s: string, i: number, lf: number, cr: number): void {
    const n = s.length
    if (i >= n) return
    heldTo = -1
    if (skipLF) {
      if (s.charCodeAt(i) === LF) {
        lf = s.indexOf('\n', ++i)
        if (skipLF > 1 && held) held += '\n'
      }
      skipLF = 0
    }
    for (;;) {
      // The hot path, when no event is pending: see simpleEvents().
      if (!held && !skip) {
        const j = simpleEvents(s, i, lf, cr, max, fire)
        if (j > i) lf = s.indexOf('\n', (i = j))
      }
      let end = lf
      if (cr >= 0 && (lf < 0 || cr < lf)) end = cr
      else if (lf < 0) break
      // Where the next line starts: past the LF, CR or CRLF.
      let next = end + 1
      if (end === cr && next === lf) next++
      i = line(s, i, end, next)
      if (lf >= 0 && lf < i) lf = s.indexOf('\n', i)
      if (cr >= 0 && cr < i) cr = s.indexOf('\r', i)
    }
    // A CR ending the chunk may be half a CRLF.
    if (i === n && s.charCodeAt(n - 1) === CR) skipLF = heldTo === n && held ? 2 : 1
    if (i < n) keep(s.slice(i))
  }

  /** The line s[a, end), whose line end is followed by `next`. Returns where the next line to scan starts. */
  function line(s: string, a: number, end: number, next: number): number {
    if (end === a) {
      // A blank line: "dispatch the event". After an oversized event it
      // only ends skip mode.
      if (skip) skip = false
      else dispatch()
      return next
    }
    if (skip) return next
    // The name runs to the first colon; no colon: the whole line is the
    // name and the value is empty, so `data` alone appends an empty line.
    let colon = a
    while (colon < end && s.charCodeAt(colon) !== COLON) colon++
    if (colon === a) {
      // A comment. One longer than `max` is not reported either.
      if (end - a - 1 <= max) onComment?.(s.slice(a + 1, end))
      return next
    }
    // Names match exactly: `Data`, ` data` and `data\0` are unknown, so the
    // line is ignored: no part of any event, neither kept nor counted.
    const name = s.slice(a, colon)
    if (!NAMES.includes(name)) return next
    if (held.length + end - a > max) {
      tooLarge()
      return next
    }
    held += s.slice(a, next)
    heldTo = next
    const text = colon < end ? value(s, colon, end) : ''
    if (name === 'data') {
      data = dataLines++ ? data + '\n' + text : text
      // The last data line of a block (a named one, CRLF-terminated, or cut
      // by the chunk boundary): dispatched without a turn of the loop for
      // the blank line.
      const after = blankAfter(s, next)
      if (after) {
        dispatch()
        return after
      }
    } else if (name === 'event') type = text
    // An id holding U+0000 is ignored (WPT format-field-id-null): it could
    // never be sent back as a `Last-Event-ID` header.
    else if (name === 'id') {
      if (!text.includes('\0')) blockId = text
    }
    // ASCII digits only (`1000x`, `-5`, `1.5`, empty: ignored), applied at
    // once rather than at dispatch (WPT format-field-retry, -bogus, -empty).
    else if (/^\d+$/.test(text)) onRetry?.(Number(text))
    return next
  }

  // Keep the unterminated start of a line for the next chunk. Bounded by
  // `max` even for a line that never ends: a dropped line is not kept.
  function keep(t: string): void {
    if (kind === DROPPED) return
    partial += t
    // What the line is matters only once it is long (a dropped line is not
    // kept), or to report it at the end: most cut lines end in the next chunk.
    const length = held.length + partial.length
    if (kind || partial.length > 64 || length > max) kind ||= kindOf(partial)
    else return
    if (kind === DROPPED || (kind === COMMENT && (!onComment || partial.length - 1 > max))) {
      partial = 'x'
      kind = DROPPED
    } else if (kind !== COMMENT && length > max) tooLarge()
  }

  function dispatch(): void {
    // Step 1 runs even when nothing fires: a block with an id and no data
    // still moves the last event ID.
    if (blockId !== undefined) lastId = blockId
    const event = dataLines ? { type: type || 'message', data, id: blockId, lastEventId: lastId } : undefined
    clear()
    if (event) onEvent(event)
  }

  // The hot path's events; the last event ID is read when each one fires.
  const fire = (data: string) => onEvent({ type: 'message', data, id: undefined, lastEventId: lastId })

  function clear(): void {
    data = type = held = ''
    dataLines = 0
    blockId = undefined
  }

  // The event is dropped whole, its `id:` too: committing the id of an event
  // nobody saw would make a reconnection skip it silently.
  function tooLarge(): void {
    clear()
    skip = true
    if (partial) {
      partial = 'x'
      kind = DROPPED
    }
    const error = new StreamError('too-large', `SSE event over maxEventBytes (${max} characters), dropped: raise the maxEventBytes option to accept it.`)
    if (onError) onError(error)
    else thrown ??= error
  }

  function end(): SseEnd {
    thrown = undefined
    flush()
    // A character cut at the very end of the body becomes U+FFFD.
    if (decoder) text(decoder.decode())
    // §9.2.6: "Once the end of the file is reached, any pending data must be
    // discarded": the unterminated event fires nothing and its id is not
    // committed (WPT format-data-before-final-empty-line). It is reported.
    const discarded = (skip ? '' : held + ((kind || kindOf(partial)) < COMMENT ? partial : '')) || undefined
    restart()
    rethrow()
    return { discarded }
  }

  // A new stream keeps only the last event ID, as an EventSource reconnecting does.
  function restart(): void {
    clear()
    decoder = undefined
    started = skip = ascii = false
    partial = ''
    skipLF = kind = waiting = 0
  }

  return {
    feed,
    end,
    reset() {
      restart()
      lastId = ''
    },
    get lastEventId() {
      return lastId
    },
  }
}
