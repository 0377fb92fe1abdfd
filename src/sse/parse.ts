import { StreamError } from '../errors.js'
import type { SseEnd, SseEvent, SseParser, SseParserOptions } from '../sse/types.js'

// Bytes → events: WHATWG HTML §9.2.6 "Interpreting an event stream"
// (https://html.spec.whatwg.org/multipage/server-sent-events.html#event-stream-interpretation),
// checked against the WPT eventsource/format-* vectors (test/fixtures/wpt).
//
// Why the code looks the way it does (it is on the path of every token):
// - Each chunk is decoded to one string, once. Line ends are then found with
//   `indexOf('\n')` / `indexOf('\r')` (native scans) from the current
//   position; each cursor only moves forward, so no character is scanned
//   twice and a chunk without CR costs a single CR scan, not one per line.
//   (eventsource-parser 3.1 rescans for LF from every CR: a CR-only body is
//   O(n²) there.)
// - Lines are (string, start, end) ranges of the chunk: only values are
//   sliced out. Runs of `data: x\n\n` alone in their block (nearly every LLM
//   token event) are recognised in a deliberately small module-level loop,
//   simpleEvents(), and fired straight from the chunk; every other line goes
//   through line(). Splitting it so lets V8 optimise the loop as a whole
//   (measured: a third faster than one big loop body), and keeps its
//   optimised code from one parser to the next (see simpleEvents()).
// - A line cut by a chunk boundary is kept as a rope (see `partial`) and
//   never rescanned. eventsource-parser 3.0.8 rejoined and rescanned the
//   pending text on every chunk: O(n²) for one big event in small chunks.

/** Default of {@link SseParserOptions.maxEventBytes}: 4 MiB of decoded text. */
export const DEFAULT_MAX_EVENT_BYTES = 4 * 1024 * 1024

const LF = 10
const CR = 13
const SPACE = 32
const COLON = 58

// `data:` at `i`, tested without slicing a field name.
function isData(s: string, i: number): boolean {
  return s.charCodeAt(i) === 100 && s.charCodeAt(i + 1) === 97 && s.charCodeAt(i + 2) === 116 && s.charCodeAt(i + 3) === 97 && s.charCodeAt(i + 4) === COLON
}

// The value of a field whose colon is at `colon`: exactly one U+0020 after
// the colon is dropped, tabs and further spaces are kept (WPT format-leading-space).
function value(s: string, colon: number, end: number): string {
  return s.slice(s.charCodeAt(colon + 1) === SPACE ? colon + 2 : colon + 1, end)
}

// Whether `name` is at s[start] (compared in place: cheaper than slicing the
// name out, or than startsWith).
function named(s: string, start: number, name: string): boolean {
  for (let k = 0; k < name.length; k++) if (s.charCodeAt(start + k) !== name.charCodeAt(k)) return false
  return true
}

// The field names §9.2.6 acts on; every other line is ignored.
const NAMES = ['data', 'event', 'id', 'retry']

// Whether the line s[a, b) is a field line: one of NAMES, then a colon or
// the line's end. Comments and unknown fields are not: they are skipped
// without being kept, and never count toward an event's size.
function isField(s: string, a: number, b: number): boolean {
  for (const name of NAMES) if (named(s, a, name) && (a + name.length === b || s.charCodeAt(a + name.length) === COLON)) return true
  return false
}

// What the start `p` of a line cut by a chunk boundary tells: FIELD, COMMENT,
// IGNORED, or 0 while it could still become a field name.
const FIELD = 1
const COMMENT = 2
const IGNORED = 3
function kindOf(p: string): number {
  if (p.charCodeAt(0) === COLON) return COMMENT
  for (const name of NAMES) {
    const k = Math.min(p.length, name.length)
    if (p.slice(0, k) === name.slice(0, k)) {
      if (p.length <= name.length) return 0
      if (p.charCodeAt(name.length) === COLON) return FIELD
    }
  }
  return IGNORED
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
 * must read. Only called with no event and no line pending; `lf` and `cr`
 * are the first LF and CR at or after `i` (-1 if none).
 *
 * Module-level, not inside createSseParser, because V8 keeps a function's
 * optimised code only while a closure of it is alive: a closure loop would
 * be optimised again for every new parser once a GC ran in between (measured
 * in the end-to-end bench: ≈ 25 ms of CPU per 20k-token stream, and this
 * loop's optimised code holds the whole per-event path inlined).
 */
function simpleEvents(s: string, i: number, lf: number, cr: number, max: number, fire: (data: string) => void): number {
  for (; lf >= 0 && (cr < 0 || lf < cr) && s.charCodeAt(lf + 1) === LF; lf = s.indexOf('\n', i)) {
    if (!isData(s, i) || lf - i > max) break
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

  // Two decoders, both with ignoreBOM (the BOM is handled in feed(), once
  // per stream, for bytes and strings alike). `decoder` streams: a character
  // cut by a chunk boundary is completed by the next chunk. `once` decodes a
  // chunk whole, only when that gives the same text (see feed()).
  let decoder: TextDecoder | undefined
  let once: TextDecoder | undefined
  // The last byte chunk ended in an ASCII byte (so `decoder` holds no cut
  // character) and was one character per byte: the next may use `once`.
  let ascii = false
  // Text of this stream was seen: only its very first code point may be a
  // BOM to drop (WPT format-bom, format-bom-2: a later one is part of a line).
  let started = false
  // The last chunk ended in CR: a LF starting the next one is the rest of
  // that CRLF, not a blank line. The CR already ended its line, so a CR-only
  // stream dispatches without waiting for more input (eventsource-parser 3.1
  // waited for the next chunk).
  let skipLF = false
  // ...and that CR ended a line that is no part of the pending event.
  let lfDropped = false

  // The current line, when a chunk boundary cut it, built with `+=`. V8,
  // SpiderMonkey and JavaScriptCore keep such concatenations as ropes: O(1)
  // per piece, copied once into a flat string when the line ends, so a 16 MB
  // line in 1 KiB chunks stays linear (and no array of pieces is kept).
  // `partialLen` also counts the line in skip mode, where it is not kept.
  // `kind` is what the cut line is (see kindOf), once its start tells; a
  // comment (unless onComment wants it) or an unknown field is not kept.
  let partial = ''
  let partialLen = 0
  let kind = 0
  // Raw text of the pending event from its first field line, up to the
  // current chunk: reported by end(), and what `max` is measured on.
  // `eventStart` is where the event goes on in the current chunk, -1 when no
  // event is pending (no field line since the last blank line).
  let held = ''
  let eventStart = -1
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
    let text: string
    if (typeof chunk === 'string') text = chunk
    else {
      // Node 20's TextDecoder decodes ASCII about 7 times faster one-shot than
      // streaming (which goes through ICU). One-shot gives the same text when
      // no character is cut at either end: the previous chunk ended in an
      // ASCII byte, and so does this one. Requiring the previous chunk to be
      // one character per byte keeps non-ASCII text on the streaming
      // decoder, which Node runs faster for it.
      const tail = chunk[n - 1]! < 0x80
      text =
        ascii && tail
          ? (once ??= new TextDecoder('utf-8', { ignoreBOM: true })).decode(chunk)
          : (decoder ??= new TextDecoder('utf-8', { ignoreBOM: true })).decode(chunk, { stream: true })
      ascii = tail && text.length === n
    }
    if (!started && text) {
      started = true
      if (text.charCodeAt(0) === 0xfeff) text = text.slice(1)
    }
    scan(text)
    rethrow()
  }

  // Without onError, a too-large event is thrown after the whole chunk was
  // parsed, so the parser is consistent if the caller catches and goes on.
  function rethrow(): void {
    const error = thrown
    thrown = undefined
    if (error) throw error
  }

  function scan(s: string): void {
    const n = s.length
    if (!n) return
    let i = 0
    if (skipLF) {
      skipLF = false
      if (s.charCodeAt(0) === LF) i = 1
    }
    // A pending event goes on from the start of the chunk (from 0 even after
    // a skipped LF: the raw text keeps its CRLF whole, whatever the cut).
    if (held) eventStart = lfDropped ? i : 0
    lfDropped = false
    let lf = s.indexOf('\n', i)
    let cr = s.indexOf('\r', i)
    for (;;) {
      // The hot path, when no event or line is pending: see simpleEvents().
      if (eventStart < 0 && !partialLen && !skip) {
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
    if (i === n && s.charCodeAt(n - 1) === CR) skipLF = true

    if (eventStart >= 0) held += s.slice(eventStart, i)
    eventStart = -1
    if (i < n) keep(s, i, n)
  }

  /**
   * Every line but the hot path's: the line s[i, end), whose line end is
   * followed by `next`. Returns where the next line to scan starts.
   */
  function line(s: string, i: number, end: number, next: number): number {
    // The line's text is t[a, b): the chunk itself, or a joined line.
    let t = s
    let a = i
    let b = end
    let after: number
    const joined = partialLen > 0
    if (joined) {
      // This line began in an earlier chunk (so i is 0). In skip mode it is
      // the oversized line, ending here (so it is not a blank line).
      const dropped = skip || kind === IGNORED || (kind === COMMENT && !partial)
      partialLen = kind = 0
      if (skip) return next
      if (dropped) return drop(s, end, next)
      // Joined flat: a rope reaching the line code below would make V8's
      // string accesses there slower for every later line (measured).
      t = [partial, s.slice(i, end)].join('')
      partial = ''
      a = 0
      b = t.length
    } else if (end === i) {
      // A blank line: "dispatch the event". After an oversized event it
      // only ends skip mode.
      if (skip) skip = false
      else dispatch()
      return next
    } else if (skip) return next // A line of an oversized event: dropped.
    if (t.charCodeAt(a) === COLON || !isField(t, a, b)) {
      // A comment or an unknown field: no part of any event, so neither
      // kept nor counted (a long keep-alive comment must not cost the next
      // event). A comment longer than `max` is not reported either.
      if (t.charCodeAt(a) === COLON && b - a - 1 <= max) onComment?.(t.slice(a + 1, b))
      if (eventStart >= 0) held += s.slice(eventStart, i)
      return drop(s, end, next)
    }
    if (joined) {
      // A joined field line is raw text of the pending event, which goes
      // on in the chunk after this line end.
      held += t
      eventStart = end
    }
    if (eventStart < 0) eventStart = i
    if (held.length + end - eventStart > max) tooLarge()
    else if (isData(t, a)) {
      const text = value(t, a + 4, b)
      // The last data line of a block (a named one, CRLF-terminated, or cut
      // by the chunk boundary): dispatched without a turn of the loop for
      // the blank line.
      if ((after = blankAfter(s, next))) {
        emit(dataLines ? data + '\n' + text : text)
        return after
      }
      data = dataLines++ ? data + '\n' + text : text
    } else if (
      // `event:` inline too: `event: delta` + `data:` blocks are the other
      // common shape (Anthropic-style streams).
      t.charCodeAt(a) === 101 &&
      t.charCodeAt(a + 1) === 118 &&
      t.charCodeAt(a + 2) === 101 &&
      t.charCodeAt(a + 3) === 110 &&
      t.charCodeAt(a + 4) === 116 &&
      t.charCodeAt(a + 5) === COLON
    ) {
      type = value(t, a + 5, b)
    } else field(t, a, b)
    return next
  }

  // A line that is no part of the event ended at `end`: a pending event goes
  // on after it. A CR ending the chunk may be half a CRLF whose LF, at the
  // start of the next chunk, belongs to this line too.
  function drop(s: string, end: number, next: number): number {
    if (eventStart >= 0) eventStart = next
    lfDropped = next === s.length && s.charCodeAt(end) === CR
    return next
  }

  // Keep the unterminated end of a chunk for the next one. Bounded by `max`
  // even for a line that never ends: in skip mode, and for a line that is
  // no field, only its length is kept (a comment only for onComment, and
  // up to `max`).
  function keep(s: string, from: number, to: number): void {
    const first = !partialLen
    partialLen += to - from
    if (skip || kind === IGNORED || (kind === COMMENT && !partial && !first)) return
    partial += from ? s.slice(from, to) : s
    // Read once the line's start tells what it is (reading a rope flattens it).
    if (!kind) kind = kindOf(partial)
    if (kind === IGNORED || (kind === COMMENT && (!onComment || partialLen - 1 > max))) partial = ''
    else if (kind !== COMMENT && held.length + partialLen > max) tooLarge()
  }

  /** A field line other than `data:` and `event:`: "process the field" (§9.2.6). */
  function field(s: string, start: number, end: number): void {
    // The name runs to the first colon, found in place (no slicing of the
    // line). No colon: the whole line is the name and the value is empty,
    // so `data` alone appends an empty line.
    let colon = start
    while (colon < end && s.charCodeAt(colon) !== COLON) colon++
    const text = colon < end ? value(s, colon, end) : ''
    // Names match exactly: `Data`, ` data` and `data\0` are unknown, so ignored.
    switch (colon - start) {
      case 4:
        if (named(s, start, 'data')) data = dataLines++ ? data + '\n' + text : text
        return
      case 5:
        if (named(s, start, 'event')) type = text
        // ASCII digits only (`1000x`, `-5`, `1.5`, empty: ignored), applied at
        // once rather than at dispatch (WPT format-field-retry, -bogus, -empty).
        else if (named(s, start, 'retry')) /^\d+$/.test(text) && onRetry?.(Number(text))
        return
      case 2:
        // An id holding U+0000 is ignored (WPT format-field-id-null): it could
        // never be sent back as a `Last-Event-ID` header.
        if (named(s, start, 'id') && !text.includes('\0')) blockId = text
    }
  }

  function dispatch(): void {
    if (dataLines) emit(data)
    else {
      // Step 1 of "dispatch the event" runs even when nothing fires: a block
      // with an id and no data still moves the last event ID.
      if (blockId !== undefined) lastId = blockId
      clear()
    }
  }

  // The hot path's events; the last event ID is read when each one fires.
  const fire = (data: string) => onEvent({ type: 'message', data, id: undefined, lastEventId: lastId })

  function emit(value: string): void {
    if (blockId !== undefined) lastId = blockId
    const event: SseEvent = { type: type || 'message', data: value, id: blockId, lastEventId: lastId }
    clear()
    onEvent(event)
  }

  function clear(): void {
    data = type = held = ''
    dataLines = 0
    blockId = undefined
    eventStart = -1
  }

  // The event is dropped whole, its `id:` too: committing the id of an event
  // nobody saw would make a reconnection skip it silently.
  function tooLarge(): void {
    clear()
    skip = true
    partial = ''
    const error = new StreamError('too-large', `SSE event over maxEventBytes (${max} characters), dropped: raise the maxEventBytes option to accept it.`)
    if (onError) onError(error)
    else thrown ??= error
  }

  function end(): SseEnd {
    thrown = undefined
    // A character cut at the very end of the body becomes U+FFFD.
    if (decoder) scan(decoder.decode())
    // §9.2.6: "Once the end of the file is reached, any pending data must be
    // discarded": the unterminated event fires nothing and its id is not
    // committed (WPT format-data-before-final-empty-line). It is reported.
    const text = skip ? '' : held + (kind === COMMENT ? '' : partial)
    const discarded = text || undefined
    restart()
    rethrow()
    return { discarded }
  }

  // A new stream keeps only the last event ID, as an EventSource reconnecting does.
  function restart(): void {
    clear()
    decoder = undefined
    started = skipLF = lfDropped = skip = ascii = false
    partial = ''
    partialLen = kind = 0
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
