import { expect, test } from 'vitest'
import { isStreamError } from '../../src/errors.js'
import type { StreamError } from '../../src/errors.js'
import { createSseParser, DEFAULT_MAX_EVENT_BYTES } from '../../src/sse/parse.js'
import type { SseEvent } from '../../src/index.js'
import { bytesOf, collect, record, splits, splitEvery } from '../helpers/chunks.js'

const message = (data: string, more: Partial<SseEvent> = {}): SseEvent => ({
  type: 'message',
  data,
  id: undefined,
  lastEventId: '',
  ...more,
})

/** Events of `text` fed as UTF-8, checked to be the same however the bytes are cut. */
function eventsOf(text: string): SseEvent[] {
  const all = splits(bytesOf(text)).map(([name, chunks]) => [name, collect(chunks).events] as const)
  for (const [name, events] of all) expect(events, name).toEqual(all[0]![1])
  return all[0]![1]
}

test('a data line followed by a blank line fires a message event', () => {
  expect(eventsOf('data: hello\n\n')).toEqual([message('hello')])
})

test('a multi-byte character split across chunks at every byte position decodes whole', () => {
  const text = 'data: 你好 👨\u200d💻 é\n\n'
  const bytes = bytesOf(text)
  for (let cut = 1; cut < bytes.length; cut++) {
    const got = collect([bytes.subarray(0, cut), bytes.subarray(cut)])
    expect(got.events, `cut at ${cut}`).toEqual([message('你好 👨\u200d💻 é')])
  }
})

test('invalid UTF-8 bytes become U+FFFD instead of failing', () => {
  const bytes = Uint8Array.from([...bytesOf('data: a'), 0xff, 0xfe, 0x62, 0x0a, 0x0a])
  for (const [name, chunks] of splits(bytes)) expect(collect(chunks).events, name).toEqual([message('a\uFFFD\uFFFDb')])
})

test('a truncated multi-byte character at the end of the body becomes U+FFFD in the discarded text', () => {
  const bytes = Uint8Array.from([...bytesOf('data: ok\n\ndata: '), 0xf0, 0x9f, 0x98])
  for (const [name, chunks] of splits(bytes)) {
    const got = collect(chunks)
    expect(got.events, name).toEqual([message('ok')])
    expect(got.end.discarded, name).toBe('data: \uFFFD')
  }
})

test('one leading BOM is stripped even when its three bytes arrive in separate chunks', () => {
  const got = collect([Uint8Array.of(0xef), Uint8Array.of(0xbb), Uint8Array.of(0xbf), bytesOf('data: x\n\n')])
  expect(got.events).toEqual([message('x')])
})

test('a leading U+FEFF in string input is stripped once, a second one is kept as part of the field name', () => {
  expect(collect(['\uFEFF\uFEFFdata: x\n\ndata: y\n\n']).events).toEqual([message('y')])
  expect(collect(['\uFEFF', 'data: x\n\n']).events).toEqual([message('x')])
})

test('a BOM later in the stream is not stripped, so its line has an unknown field name', () => {
  expect(collect(['data: a\n\n', '\uFEFFdata: b\n\n', 'data: c\n\n']).events).toEqual([message('a'), message('c')])
  expect(collect([bytesOf('data: a\n\n'), bytesOf('\uFEFFdata: b\n\n')]).events).toEqual([message('a')])
})

test('a BOM inside a value is data', () => {
  expect(eventsOf('data: a\uFEFFb\n\n')).toEqual([message('a\uFEFFb')])
})

test('lines may end in LF, CR or CRLF, mixed in one stream', () => {
  expect(eventsOf('data: a\r\ndata: b\rdata: c\n\rdata: d\r\n\r\n')).toEqual([message('a\nb\nc'), message('d')])
})

test('a CR ending a chunk dispatches at once, without waiting for the next chunk', () => {
  const { parser, events } = record()
  parser.feed('data: a\r\r')
  expect(events).toEqual([message('a')])
  parser.feed(bytesOf('data: b\r'))
  parser.feed(bytesOf('\r'))
  expect(events).toEqual([message('a'), message('b')])
})

test('a CRLF split between two chunks is one line end, not a line end and a blank line', () => {
  expect(collect(['data: a\r', '\ndata: b\r\n\r\n']).events).toEqual([message('a\nb')])
  expect(collect([bytesOf('data: a\r'), bytesOf('\n'), bytesOf('data: b\r\n\r'), bytesOf('\n')]).events).toEqual([message('a\nb')])
})

test('a comment line goes to onComment with the text after the colon, unstripped, and fires no event', () => {
  const got = collect([': keep-alive\n:\n:: x\n\ndata: a\n: inside\n\n'])
  expect(got.comments).toEqual([' keep-alive', '', ': x', ' inside'])
  expect(got.events).toEqual([message('a')])
})

test('a 2 KB comment does not disturb the surrounding event', () => {
  const long = 'c'.repeat(2048)
  expect(eventsOf(`data: a\n:${long}\ndata: b\n\n`)).toEqual([message('a\nb')])
})

test('a field line without a colon has the whole line as name and an empty value', () => {
  expect(eventsOf('data\n\n')).toEqual([message('')])
  expect(eventsOf('data\ndata\n\n')).toEqual([message('\n')])
  expect(eventsOf('event\ndata: x\n\n')).toEqual([message('x')])
})

test('exactly one space after the colon is stripped, tabs and further spaces are kept', () => {
  expect(eventsOf('data:  two\n\ndata:\ttab\n\ndata:none\n\ndata: \n\n')).toEqual([message(' two'), message('\ttab'), message('none'), message('')])
})

test('only the first colon separates name and value', () => {
  expect(eventsOf('data: a: b:c\n\n')).toEqual([message('a: b:c')])
})

test('field names are case-sensitive and must start the line', () => {
  expect(eventsOf('Data: x\nDATA: x\n data: x\ndata : x\ndata: ok\n\n')).toEqual([message('ok')])
})

test('data lines are joined with LF and one final LF is removed, empty data lines included', () => {
  expect(eventsOf('data:\n\n')).toEqual([message('')])
  expect(eventsOf('data: a\ndata:\ndata: b\ndata:\n\n')).toEqual([message('a\n\nb\n')])
  expect(eventsOf('data:\ndata:\n\n')).toEqual([message('\n')])
})

test('NUL characters in data are kept', () => {
  expect(eventsOf('data: a\0b\0\n\n')).toEqual([message('a\0b\0')])
})

test('event sets the type, an empty event gives message, and the type resets after every block', () => {
  expect(eventsOf('event: delta\ndata: 1\n\ndata: 2\n\nevent:\ndata: 3\n\nevent: x\n\ndata: 4\n\n')).toEqual([
    message('1', { type: 'delta' }),
    message('2'),
    message('3'),
    message('4'),
  ])
})

test('an event named error or open is an ordinary type', () => {
  expect(eventsOf('event: error\ndata: boom\n\n')).toEqual([message('boom', { type: 'error' })])
})

test('a block with no data line fires nothing, whatever else it has', () => {
  const got = collect(['event: x\n\n: c\n\nid: 5\n\n\n\n\r\n'])
  expect(got.events).toEqual([])
  expect(got.lastEventId).toBe('5')
})

test('the id of a block is on its event, and the last event ID persists on later events', () => {
  expect(eventsOf('id: 1\ndata: a\n\ndata: b\n\nid: 2\ndata: c\n\n')).toEqual([
    message('a', { id: '1', lastEventId: '1' }),
    message('b', { lastEventId: '1' }),
    message('c', { id: '2', lastEventId: '2' }),
  ])
})

test('an id given after the data in the same block applies to that block', () => {
  expect(eventsOf('data: a\nid: 9\n\n')).toEqual([message('a', { id: '9', lastEventId: '9' })])
})

test('an id containing U+0000 is ignored', () => {
  expect(eventsOf('id: 1\n\nid: 2\0\ndata: a\n\n')).toEqual([message('a', { lastEventId: '1' })])
})

test('an empty id resets the last event ID to the empty string', () => {
  const { parser, events } = record()
  parser.feed('id: 7\ndata: a\n\nid\ndata: b\n\n')
  expect(events).toEqual([message('a', { id: '7', lastEventId: '7' }), message('b', { id: '', lastEventId: '' })])
  expect(parser.lastEventId).toBe('')
})

test('an id-only block moves parser.lastEventId without firing an event', () => {
  const { parser, events } = record()
  parser.feed('id: 1\ndata: a\n\nid: 2\n\n')
  expect(events).toHaveLength(1)
  expect(parser.lastEventId).toBe('2')
  parser.feed('data: b\n\n')
  expect(events[1]).toEqual(message('b', { lastEventId: '2' }))
})

test('the last event ID is committed only when the block is dispatched', () => {
  const { parser } = record()
  parser.feed('id: 1\ndata: a\n\nid: 2\ndata: b\n')
  expect(parser.lastEventId).toBe('1')
  expect(parser.end()).toEqual({ discarded: 'id: 2\ndata: b\n' })
  expect(parser.lastEventId).toBe('1')
})

test('non-ASCII ids round-trip', () => {
  expect(eventsOf('id: …€中\ndata: x\n\n')).toEqual([message('x', { id: '…€中', lastEventId: '…€中' })])
})

test('retry with ASCII digits only calls onRetry at once, before the block is dispatched', () => {
  const { parser, retries, events } = record()
  parser.feed('retry: 3000\n')
  expect(retries).toEqual([3000])
  expect(events).toEqual([])
  parser.feed('retry:0\nretry:007\n\n')
  expect(retries).toEqual([3000, 0, 7])
})

test('retry values that are not all ASCII digits are ignored', () => {
  const bogus = ['retry: 1000x', 'retry:-5', 'retry:1.5', 'retry: 1e3', 'retry:  100']
  bogus.push('retry:', 'retry', 'retry: ١٢', 'retry: +1')
  const got = collect([bogus.join('\n') + '\n\n'])
  expect(got.retries).toEqual([])
})

test('unknown fields are ignored', () => {
  expect(eventsOf('foo: bar\ndata: a\nda-ta: b\ndata_5: c\njustsometext\ndata: d\n\n')).toEqual([message('a\nd')])
})

test('several events in one chunk all fire, in order', () => {
  expect(eventsOf('data: 1\n\ndata: 2\n\nevent: e\ndata: 3\n\ndata: 4\r\n\r\n')).toEqual([
    message('1'),
    message('2'),
    message('3', { type: 'e' }),
    message('4'),
  ])
})

test('end() discards an unterminated event and returns its raw field lines, without comments or unknown fields', () => {
  for (const [name, chunks] of splits(bytesOf('data: a\n\nevent: x\r\ndata: b\r\n: note\nfoo: 1\r\ndata: c'))) {
    const got = collect(chunks)
    expect(got.events, name).toEqual([message('a')])
    expect(got.end.discarded, name).toBe('event: x\r\ndata: b\r\ndata: c')
  }
})

test('end() reports a lone partial field line as discarded', () => {
  expect(collect(['data: a\n\ndata: unfinished']).end.discarded).toBe('data: unfinished')
})

test('end() reports nothing discarded when only blank lines, comments or a partial comment were pending', () => {
  expect(collect(['data: a\n\n']).end.discarded).toBeUndefined()
  expect(collect(['data: a\n\n: ping\n\n: pi']).end.discarded).toBeUndefined()
  expect(collect([': ping\n']).end.discarded).toBeUndefined()
  expect(collect([]).end.discarded).toBeUndefined()
})

test('after end() the parser reads a new stream, keeping the last event ID, as a reconnection does', () => {
  const { parser, events } = record()
  parser.feed(bytesOf('\uFEFFid: 3\ndata: a\n\ndata: half'))
  parser.feed(Uint8Array.of(0xe4))
  expect(parser.end()).toEqual({ discarded: 'data: half\uFFFD' })
  // A new body: its BOM is stripped again and nothing of the old one leaks in.
  parser.feed(bytesOf('\uFEFFdata: b\n\n'))
  expect(events).toEqual([message('a', { id: '3', lastEventId: '3' }), message('b', { lastEventId: '3' })])
  expect(parser.end()).toEqual({ discarded: undefined })
})

test('reset() forgets buffers, the partial line, a half character, BOM state and the last event ID', () => {
  const { parser, events } = record()
  parser.feed('id: 1\ndata: a\n\nevent: x\ndata: b\ndata: par')
  parser.feed(Uint8Array.of(0xe4, 0xbd))
  parser.reset()
  expect(parser.lastEventId).toBe('')
  parser.feed(bytesOf('\uFEFFdata: c\n\n'))
  expect(events).toEqual([message('a', { id: '1', lastEventId: '1' }), message('c')])
  expect(parser.end()).toEqual({ discarded: undefined })
})

test('reset() forgets a CR that ended the previous chunk', () => {
  const { parser, events } = record()
  parser.feed('data: a\r')
  parser.reset()
  parser.feed('\ndata: b\n\n')
  expect(events).toEqual([message('b')])
})

test('empty chunks change nothing', () => {
  const { parser, events } = record()
  parser.feed('data: a\r')
  parser.feed('')
  parser.feed(new Uint8Array(0))
  parser.feed('\n\n')
  expect(events).toEqual([message('a')])
})

test('the default maxEventBytes is 4 MiB', () => {
  expect(DEFAULT_MAX_EVENT_BYTES).toBe(4 * 1024 * 1024)
  const ok = 'data: ' + 'x'.repeat(DEFAULT_MAX_EVENT_BYTES - 6) + '\n\n'
  expect(collect([ok]).events[0]!.data).toHaveLength(DEFAULT_MAX_EVENT_BYTES - 6)
  const got = collect([ok.replace('data: ', 'data: xx')])
  expect(got.events).toEqual([])
  expect(got.errors.map((e) => e.code)).toEqual(['too-large'])
})

test('an event larger than maxEventBytes goes to onError as too-large, is dropped, and later events still fire', () => {
  const text = 'data: small\n\ndata: ' + 'x'.repeat(40) + '\ndata: more\n\ndata: after\n\n'
  for (const [name, chunks] of splits(bytesOf(text))) {
    const got = collect(chunks, { maxEventBytes: 32 })
    expect(got.events, name).toEqual([message('small'), message('after')])
    expect(got.errors, name).toHaveLength(1)
    const error = got.errors[0]!
    expect(isStreamError(error)).toBe(true)
    expect(error.code).toBe('too-large')
    expect(error.message).toContain('maxEventBytes')
    expect(error.message).toContain('32')
  }
})

test('maxEventBytes counts the whole event, not just one line', () => {
  const text = 'data: 12345\r\ndata: 12345\r\ndata: 12345\r\n\r\ndata: ok\r\n\r\n'
  for (const [name, chunks] of splits(bytesOf(text))) {
    // Raw text from the first field line: 13 + 13 + 11 = 37 characters at the third line's end.
    expect(collect(chunks, { maxEventBytes: 37 }).events, name).toEqual([message('12345\n12345\n12345'), message('ok')])
    const got = collect(chunks, { maxEventBytes: 36 })
    expect(got.events, name).toEqual([message('ok')])
    expect(got.errors, name).toHaveLength(1)
  }
})

test('a comment line longer than maxEventBytes is skipped without an error or a call, and the next event fires', () => {
  const text = ':' + 'c'.repeat(100) + '\ndata: kept\n\n: short\ndata: ok\n\n'
  for (const [name, chunks] of splits(bytesOf(text))) {
    const got = collect(chunks, { maxEventBytes: 50 })
    expect(got.errors, name).toEqual([])
    expect(got.comments, name).toEqual([' short'])
    expect(got.events, name).toEqual([message('kept'), message('ok')])
  }
})

test('a single line that never ends is reported once and not kept in memory', () => {
  const { parser, events, errors } = createWithMax(1024)
  const piece = 'x'.repeat(1000)
  parser.feed('data: ')
  for (let i = 0; i < 2000; i++) parser.feed(piece)
  expect(errors.map((e) => e.code)).toEqual(['too-large'])
  expect(parser.end()).toEqual({ discarded: undefined })
  parser.feed('data: next\n\n')
  expect(events).toEqual([message('next')])
})

test('without onError a too-large event is thrown from feed() after the chunk is parsed, and parsing goes on', () => {
  const events: SseEvent[] = []
  const parser = createSseParser({ onEvent: (e) => events.push(e), maxEventBytes: 16 })
  expect(() => parser.feed('data: ' + 'x'.repeat(20) + '\n\ndata: same chunk\n\n')).toThrow(/maxEventBytes \(16/)
  expect(events).toEqual([message('same chunk')])
  parser.feed('data: next\n\n')
  expect(events).toEqual([message('same chunk'), message('next')])
  try {
    parser.feed('data: ' + 'y'.repeat(20))
    expect.unreachable()
  } catch (error) {
    expect(isStreamError(error) && error.code).toBe('too-large')
  }
})

test('a throwing onEvent leaves the parser usable for the next chunk', () => {
  let calls = 0
  const seen: string[] = []
  const parser = createSseParser({
    onEvent: (e) => {
      seen.push(e.data)
      if (++calls === 1) throw new Error('handler')
    },
  })
  parser.feed('data: a')
  expect(() => parser.feed('\n\n')).toThrow('handler')
  parser.feed('data: b\n\n')
  expect(seen).toEqual(['a', 'b'])
})

test('bytes and already-decoded strings can be mixed in one stream', () => {
  const got = collect(['data: a', bytesOf('中\n'), 'data: b\n', bytesOf('\n')])
  expect(got.events).toEqual([message('a中\nb')])
})

test('a 64 KiB multi-line CRLF event parses the same whole, in 1 KiB chunks and at random cuts', () => {
  const line = 'y'.repeat(60) + '中文'
  const lines = Array.from({ length: 1000 }, (_, i) => `${line}${i}`)
  const text = 'event: big\r\nid: 1\r\n' + lines.map((l) => `data: ${l}\r\n`).join('') + '\r\ndata: next\r\n\r\n'
  const want = [message(lines.join('\n'), { type: 'big', id: '1', lastEventId: '1' }), message('next', { lastEventId: '1' })]
  for (const [name, chunks] of [...splits(bytesOf(text)), ['1 KiB', splitEvery(bytesOf(text), 1024)] as const]) {
    expect(collect(chunks).events, name).toEqual(want)
  }
})

test('an event fed a byte at a time is reported too-large by the very chunk that crosses maxEventBytes', () => {
  const { parser, events, errors } = createWithMax(32)
  const bytes = bytesOf('data: ' + 'x'.repeat(40))
  let at = -1
  for (let k = 0; k < bytes.length; k++) {
    parser.feed(bytes.subarray(k, k + 1))
    if (errors.length && at < 0) at = k + 1
  }
  // 33 characters is the first length over the limit.
  expect(at).toBe(33)
  parser.feed('\n\ndata: ok\n\n')
  expect(events).toEqual([message('ok')])
})

function createWithMax(maxEventBytes: number) {
  const events: SseEvent[] = []
  const errors: StreamError[] = []
  const parser = createSseParser({ onEvent: (e) => events.push(e), onError: (e) => errors.push(e), maxEventBytes })
  return { parser, events, errors }
}

test('calling it with a bare function fails fast with a hint', () => {
  expect(() => createSseParser((() => {}) as never)).toThrow(/Did you mean createSseParser\(\{ onEvent: fn \}\)/)
  expect(() => createSseParser({} as never)).toThrow(/needs an onEvent callback/)
})
