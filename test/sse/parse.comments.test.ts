// Comments and ignored lines are no part of any event: they are skipped
// without being kept and never count toward maxEventBytes, so a long
// keep-alive comment or a stray line cannot cost the next real event.
// The three streams below are eventsource-parser's own fixtures
// (rexxars/eventsource-parser, test/fixtures.ts, MIT), with the events its
// suite expects; a limit of 32 characters holds every real event but not
// the comments and unknown lines around them.
import { afterEach, expect, test } from 'vitest'
import { createClient, createSseParser } from '../../src/index.js'
import type { SseEvent } from '../../src/index.js'
import { bytesOf, collect, splits } from '../helpers/chunks.js'
import { seedEvent, serve, sseHead } from '../helpers/http.js'
import type { TestServer } from '../helpers/http.js'

const done = 'event: done\ndata: ✔\n\n'
const EMOJIS = Array.from({ length: 100 }, (_, k) => String.fromCodePoint(0x1f600 + (k % 80))).join(' ')
const long = 'x'.repeat(2 * 1024 + 1)

const FIXTURES: [string, string[], { type?: string; data: string }[]][] = [
  [
    'varying odd uses of comments',
    [
      ': Hello\n\n',
      ':'.repeat(300),
      '\n',
      'data: First\n\n',
      ': Первый',
      ': 第二',
      '\n',
      'data: Second\n\n',
      ...Array<string>(10).fill(': Moop \n'),
      ': ثالث',
      '\n',
      'data: Third\n\n',
      ':നാലാമത്തെ',
      '\n',
      'data: Fourth\n\n',
      `: ${EMOJIS} :`,
      '\n',
      'data: Fifth\n\n',
      done,
    ],
    [{ data: 'First' }, { data: 'Second' }, { data: 'Third' }, { data: 'Fourth' }, { data: 'Fifth' }, { type: 'done', data: '✔' }],
  ],
  [
    'even more odd uses of comments',
    ['data:1\r\r:\0\n:\r\ndata:2\n\n:', long, '\rdata:3\n\n:data:fail\r:', long, '\ndata:4\n\n', 'data:5'],
    [{ data: '1' }, { data: '2' }, { data: '3' }, { data: '4' }],
  ],
  [
    'unknown fields in the stream',
    ['data:abc\n data\ndata\nfoobar:xxx\njustsometext\n:thisisacommentyay\ndata:123\n\n', done],
    [{ data: 'abc\n\n123' }, { type: 'done', data: '✔' }],
  ],
]

for (const [name, chunks, want] of FIXTURES)
  test(`eventsource-parser's "${name}" stream gives its events under a 32-character maxEventBytes, however it is cut`, () => {
    const text = chunks.join('')
    for (const [cut, pieces] of [['as the fixture sends it', chunks] as const, ...splits(bytesOf(text))]) {
      const got = collect(pieces, { maxEventBytes: 32 })
      expect(got.errors, cut).toEqual([])
      expect(
        got.events.map((e) => ({ ...(e.type === 'message' ? {} : { type: e.type }), data: e.data })),
        cut,
      ).toEqual(want)
    }
  })

test('a comment or unknown line of 1 MB is not kept: a later event of the same size still fits', () => {
  const events: SseEvent[] = []
  const errors: unknown[] = []
  const parser = createSseParser({ onEvent: (e) => events.push(e), onError: (e) => errors.push(e), maxEventBytes: 1024 })
  for (const head of [':', 'foo:', 'x']) {
    parser.feed('data: a\n' + head)
    for (let k = 0; k < 1024; k++) parser.feed('y'.repeat(1024))
    parser.feed('\ndata: b\n\n')
  }
  expect(errors).toEqual([])
  expect(events.map((e) => e.data)).toEqual(['a\nb', 'a\nb', 'a\nb'])
})

let s: TestServer
afterEach(() => s?.close())

test('at the default limit, a 5 MB keep-alive comment before the answer does not cost the answer', async () => {
  s = await serve((_req, res) => {
    sseHead(res)
    res.write(': ' + 'k'.repeat(5 * 1024 * 1024) + '\n')
    res.end(seedEvent('hi') + seedEvent('hi', ", 'status': 'completed'"))
  })
  const r = await createClient({ baseUrl: s.url }).post('/x').result
  expect(r.error).toBeUndefined()
  expect(r.status).toBe('completed')
  expect(r.text).toBe('hi')
})
