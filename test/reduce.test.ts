import { readFileSync, readdirSync } from 'node:fs'
import { expect, test } from 'vitest'
import { StreamError } from '../src/errors.js'
import { createReducer, createStreamReducer } from '../src/reduce.js'
import type { ReducerOptions } from '../src/reduce.js'
import { createSseParser } from '../src/sse/parse.js'
import type { StreamEvent, StreamResult, SseEvent } from '../src/index.js'
import { splits } from './helpers/chunks.js'

const ev = (data: string, type = 'message', id?: string): SseEvent => ({
  type,
  data,
  id,
  lastEventId: id ?? '',
})
/** No lone surrogate (String#isWellFormed is ES2024, newer than our lib). */
const wellFormed = (s: string) => !/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/.test(s)
const seed = (content: string, extra = '') => ev(`{'content': ${JSON.stringify(content)}, 'request_id': '123456789', 'userid': '789465'${extra}}`)
const completed = (content = '') => seed(content, ", 'status': 'completed'")
const chunk = (delta: object, finish: string | null = null) =>
  ev(JSON.stringify({ id: 'c1', model: 'm', choices: [{ index: 0, delta, finish_reason: finish }] }))

/** A reducer that records what it emits; `clock` is advanced by hand. */
function setup(options: Partial<ReducerOptions> = {}) {
  const events: StreamEvent[] = []
  const clock = { t: 1000 }
  const r = createStreamReducer({ emit: (e) => events.push(e), now: () => clock.t, ...options })
  const types = () => events.map((e) => e.type)
  const of = <T extends StreamEvent['type']>(type: T) => events.filter((e): e is Extract<StreamEvent, { type: T }> => e.type === type)
  const deltas = () => of('delta').map((e) => e.text)
  const done = () => {
    const d = of('done')
    expect(d).toHaveLength(1)
    return d[0]!.result
  }
  return { r, events, clock, types, of, deltas, done }
}

/** Connect, open, feed events. */
function stream(evs: SseEvent[], options: Partial<ReducerOptions> = {}) {
  const s = setup(options)
  s.r.connecting(1)
  s.r.open()
  for (const e of evs) s.r.event(e)
  return s
}

// --- lifecycle ----------------------------------------------------------

test('connecting, open and a completed seed stream emit status, deltas, meta, status and done in order', () => {
  const s = stream([seed('Hel'), seed('lo'), completed()])
  expect(s.types()).toEqual(['status', 'status', 'meta', 'delta', 'delta', 'status', 'done'])
  expect(s.of('status').map((e) => [e.status, e.attempt])).toEqual([
    ['connecting', 1],
    ['streaming', 1],
    ['completed', 1],
  ])
  const r = s.done()
  expect(r).toMatchObject({ status: 'completed', text: 'Hello', meta: { request_id: '123456789', userid: '789465' } })
  expect(r.error).toBeUndefined()
  expect(s.r.final).toBe(true)
  expect(s.r.status).toBe('completed')
})

test('the status is connecting before anything happened and streaming after open', () => {
  const s = setup()
  expect(s.r.status).toBe('connecting')
  expect(s.r.final).toBe(false)
  s.r.connecting(1)
  s.r.open()
  expect(s.r.status).toBe('streaming')
})

test('an event before open() still moves the status to streaming', () => {
  const s = setup()
  s.r.connecting(1)
  s.r.event(seed('a'))
  expect(s.r.status).toBe('streaming')
  expect(s.of('status').map((e) => e.status)).toEqual(['connecting', 'streaming'])
})

test("the seed's completed event ends the stream without appending its repeated content", () => {
  const s = stream([seed('Fla'), seed('sk'), completed('sk')])
  expect(s.done().text).toBe('Flask')
  expect(s.deltas()).toEqual(['Fla', 'sk'])
})

test('[DONE] completes an OpenAI stream', () => {
  const s = stream([chunk({ content: 'Hi' }), chunk({}, 'stop'), ev('[DONE]')])
  expect(s.done()).toMatchObject({ status: 'completed', text: 'Hi', finishReason: 'stop' })
})

test('calls after the final status are no-ops and done is emitted exactly once', () => {
  const s = stream([seed('a'), completed()])
  const n = s.events.length
  s.r.event(seed('b'))
  s.r.end()
  s.r.fail(new StreamError('network', 'late'))
  s.r.abort()
  s.r.warn({ code: 'retry', message: 'x' })
  s.r.connecting(2)
  s.r.open()
  expect(s.events).toHaveLength(n)
  expect(s.r.text).toBe('a')
  expect(s.r.status).toBe('completed')
})

// --- end / fail / abort -------------------------------------------------

test('a clean end without an end marker is incomplete, with an incomplete error before the status', () => {
  const s = stream([seed('Rocket'), seed(' launched')])
  s.r.end()
  expect(s.types().slice(-3)).toEqual(['error', 'status', 'done'])
  const r = s.done()
  expect(r.status).toBe('incomplete')
  expect(r.text).toBe('Rocket launched')
  expect(r.error?.code).toBe('incomplete')
  expect(r.error?.message).toMatch(/truncated/)
  expect(s.of('error')[0]!.error).toBe(r.error)
})

test('a clean end of an OpenAI stream after finish_reason but without [DONE] is completed', () => {
  const s = stream([chunk({ content: 'Hi' }), chunk({}, 'stop')])
  s.r.end()
  expect(s.done()).toMatchObject({ status: 'completed', finishReason: 'stop' })
})

test('a clean end of an OpenAI stream without finish_reason or [DONE] is incomplete', () => {
  const s = stream([chunk({ content: 'Hi' })])
  s.r.end()
  expect(s.done().status).toBe('incomplete')
})

test('a clean end of a plain-text stream is incomplete in the text and auto dialects, with a message that names the fix', () => {
  for (const dialect of ['text', 'auto'] as const) {
    const s = stream([ev('Hello'), ev(' world')], { dialect })
    s.r.end()
    const r = s.done()
    expect(r, dialect).toMatchObject({ status: 'incomplete', text: 'Hello world', error: { code: 'incomplete' } })
    expect(r.error?.message).toMatch(/\[DONE\].*event: done.*closeMeansDone/)
  }
})

test('with closeMeansDone a clean end of a plain-text stream is completed', () => {
  for (const dialect of ['text', 'auto'] as const) {
    const s = stream([ev('Hello'), ev(' world')], { dialect, closeMeansDone: true })
    s.r.end()
    expect(s.done(), dialect).toMatchObject({ status: 'completed', text: 'Hello world' })
  }
})

test('closeMeansDone does not complete a format that has an end marker', () => {
  for (const events of [[seed('Hi')], [chunk({ content: 'Hi' })]]) {
    const s = stream(events, { closeMeansDone: true })
    s.r.end()
    expect(s.done().status).toBe('incomplete')
  }
})

test('a plain-text stream ended by [DONE] or event: done is completed without closeMeansDone', () => {
  for (const end of [ev('[DONE]'), ev('', 'done')]) {
    const s = stream([ev('Hello'), end], { dialect: 'text' })
    expect(s.done()).toMatchObject({ status: 'completed', text: 'Hello' })
  }
})

test('in auto, a clean end is incomplete once a structured event was seen', () => {
  const s = stream([ev('Hello'), seed(' world')])
  s.r.end()
  expect(s.done().status).toBe('incomplete')
})

test('a clean end with no events at all is incomplete, even for text: an empty 200 body is no answer', () => {
  for (const dialect of ['seed', 'text', 'auto'] as const) {
    const a = stream([], { dialect })
    a.r.end()
    expect(a.done().status).toBe('incomplete')
  }
  const b = stream([ev('x')], { dialect: 'text', closeMeansDone: true })
  b.r.end()
  expect(b.done().status).toBe('completed')
  const c = stream([], { dialect: 'text', closeMeansDone: true })
  c.r.end()
  expect(c.done().status).toBe('incomplete')
})

test('a discarded unterminated event is a warning and makes even a text stream incomplete', () => {
  const s = stream([ev('Hello')], { dialect: 'text' })
  s.r.end('data: wor')
  const r = s.done()
  expect(r.status).toBe('incomplete')
  expect(r.warnings).toEqual([expect.objectContaining({ code: 'discarded', data: 'data: wor' })])
  expect(s.types().slice(-4)).toEqual(['warning', 'error', 'status', 'done'])
})

test('a discarded event after finish_reason is only a warning: the stream is completed', () => {
  const s = stream([chunk({ content: 'Hi' }, 'stop')])
  s.r.end('data: [DONE]')
  const r = s.done()
  expect(r.status).toBe('completed')
  expect(r.warnings.map((w) => w.code)).toEqual(['discarded'])
})

test('the resume check (internal) tells what end() would give, without ending the stream', () => {
  const s = stream([seed('a')])
  expect(s.r.wouldComplete()).toBe(false)
  const o = stream([chunk({ content: 'a' }, 'stop')])
  expect(o.r.wouldComplete()).toBe(true)
  expect(stream([ev('a')], { dialect: 'text' }).r.wouldComplete()).toBe(false)
  const t = stream([ev('a')], { dialect: 'text', closeMeansDone: true })
  expect(t.r.wouldComplete()).toBe(true)
  expect(t.r.wouldComplete('data: b')).toBe(false)
  expect([s.r.final, o.r.final, t.r.final]).toEqual([false, false, false])
  expect(s.types()).not.toContain('done')
})

test('fail() gives status error with the transport error, keeping the text so far', () => {
  const s = stream([seed('partial')])
  const err = new StreamError('network', 'terminated')
  s.r.fail(err)
  expect(s.types().slice(-3)).toEqual(['error', 'status', 'done'])
  expect(s.done()).toMatchObject({ status: 'error', text: 'partial', error: err })
})

test('fail() with code incomplete gives status incomplete', () => {
  const s = stream([seed('partial')])
  s.r.fail(new StreamError('incomplete', 'cut'))
  expect(s.done().status).toBe('incomplete')
})

test('fail() after a finish_reason completes the stream with a warning that keeps the error', () => {
  const s = stream([chunk({ content: 'Hi' }), chunk({}, 'stop')])
  const err = new StreamError('timeout', 'No data for 120000 ms')
  s.r.fail(err)
  const r = s.done()
  expect(r.status).toBe('completed')
  expect(r.error).toBeUndefined()
  expect(r.warnings).toEqual([expect.objectContaining({ code: 'finish', cause: err })])
  expect(s.types()).not.toContain('error')
})

test('abort() gives status aborted without an error, keeping the text', () => {
  const s = stream([seed('half')])
  s.r.abort()
  expect(s.types().slice(-2)).toEqual(['status', 'done'])
  const r = s.done()
  expect(r).toMatchObject({ status: 'aborted', text: 'half' })
  expect(r.error).toBeUndefined()
})

for (const type of ['meta', 'reasoning', 'delta', 'warning'] as const) {
  test(`abort() called from inside a ${type} listener ends the stream there: nothing of that event follows`, () => {
    const events: StreamEvent[] = []
    const r = createReducer({
      emit: (e) => {
        events.push(e)
        if (e.type === type) r.abort()
      },
    })
    r.connecting(1)
    r.open()
    const usage = { total_tokens: 3 }
    // One event with meta, reasoning, text, a finish warning and usage, then one more.
    r.event(ev(JSON.stringify({ id: 'c1', choices: [{ delta: { content: 'a', reasoning: 'r' }, finish_reason: 'length' }], usage })))
    r.event(chunk({ content: 'b' }))
    const cut = events.findIndex((e) => e.type === type)
    expect(cut).toBeGreaterThan(0)
    expect(events.slice(cut + 1).map((e) => e.type)).toEqual(['status', 'done'])
    const { result } = events.at(-1) as Extract<StreamEvent, { type: 'done' }>
    expect(result.status).toBe('aborted')
    expect(result.text).toBe(type === 'warning' ? 'a' : type === 'delta' ? 'a' : '')
    expect(r.result()).toEqual(result)
  })
}

test('abort() called from inside the final status listener changes nothing', () => {
  const events: StreamEvent[] = []
  const r = createReducer({
    emit: (e) => {
      events.push(e)
      if (e.type === 'status' && e.status === 'completed') r.abort()
    },
  })
  r.event(ev('[DONE]'))
  expect(events.map((e) => e.type)).toEqual(['status', 'status', 'done'])
  expect(r.status).toBe('completed')
})

// --- in-band errors and warnings ----------------------------------------

test('an in-band server error ends the stream with a server error carrying the raw data', () => {
  const s = stream([seed('so far'), ev('错误发生:Connection error.')])
  const r = s.done()
  expect(r.status).toBe('error')
  expect(r.error?.code).toBe('server')
  expect(r.error?.message).toBe('Connection error.')
  expect(r.error?.body).toBe('错误发生:Connection error.')
  expect(r.text).toBe('so far')
})

test('event: error from the server is a server error in every dialect', () => {
  for (const dialect of ['auto', 'seed', 'openai', 'text'] as const) {
    const s = stream([ev('{"error": {"message": "overloaded"}}', 'error')], { dialect })
    expect(s.done().error, dialect).toMatchObject({ code: 'server', message: 'overloaded' })
  }
})

test('an undecodable payload is a payload warning with the bounded raw data, and the stream goes on', () => {
  const bad = "{'content': 'x', 'at': datetime.datetime(2025, 1, 1)}" + ' '.repeat(5000)
  const s = stream([seed('a'), ev(bad), seed('b'), completed()])
  const r = s.done()
  expect(r).toMatchObject({ status: 'completed', text: 'ab' })
  expect(r.warnings).toHaveLength(1)
  expect(r.warnings[0]!.code).toBe('payload')
  expect(r.warnings[0]!.data!.length).toBeLessThan(2200)
  expect(r.warnings[0]!.data!.startsWith("{'content': 'x'")).toBe(true)
  expect(r.counts.warnings).toBe(1)
})

test('a user dialect that throws gives a payload warning, not a dead stream', () => {
  const s = stream([ev('x'), ev('y')], {
    dialect: (e) => {
      if (e.data === 'x') throw new Error('nope')
      return { text: e.data, done: true }
    },
  })
  const r = s.done()
  expect(r).toMatchObject({ status: 'completed', text: 'y' })
  expect(r.warnings[0]).toMatchObject({ code: 'payload', data: 'x' })
})

test('a user dialect without done or finishReason ends incomplete on a clean end', () => {
  const s = stream([ev('x')], { dialect: (e) => ({ text: e.data }) })
  s.r.end()
  expect(s.done()).toMatchObject({ status: 'incomplete', text: 'x' })
})

test('finish_reason length or content_filter is a finish warning; the stream still completes', () => {
  for (const reason of ['length', 'content_filter']) {
    const s = stream([chunk({ content: 'cut' }), chunk({}, reason), ev('[DONE]')])
    const r = s.done()
    expect(r.status, reason).toBe('completed')
    expect(r.finishReason).toBe(reason)
    expect(r.warnings.map((w) => w.code)).toEqual(['finish'])
    expect(r.warnings[0]!.message).toContain(reason)
  }
})

test('finish_reason stop is no warning', () => {
  const s = stream([chunk({ content: 'ok' }, 'stop'), ev('[DONE]')])
  expect(s.done().warnings).toEqual([])
})

test('finish_reason with no text at all is still completed', () => {
  const s = stream([chunk({ role: 'assistant', content: '' }), chunk({}, 'stop')])
  s.r.end()
  expect(s.done()).toMatchObject({ status: 'completed', text: '' })
  expect(s.deltas()).toEqual([])
})

test('warn() records and emits a warning', () => {
  const s = stream([])
  s.r.warn({ code: 'retry', message: 'retrying in 500 ms' })
  expect(s.of('warning')[0]!.warning).toEqual({ code: 'retry', message: 'retrying in 500 ms' })
  s.r.abort()
  expect(s.done().warnings).toHaveLength(1)
})

// --- meta, usage ----------------------------------------------------------

test('meta is emitted only when a value changes, merged', () => {
  const s = stream([
    seed('a'),
    seed('b'),
    ev("{'content': 'c', 'request_id': '123456789', 'userid': '789465', 'trace': {'step': 1}}"),
    ev("{'content': 'd', 'request_id': '123456789', 'trace': {'step': 1}}"),
    ev("{'content': 'e', 'request_id': '123456789', 'trace': {'step': 2}}"),
  ])
  expect(s.of('meta').map((e) => e.meta)).toEqual([
    { request_id: '123456789', userid: '789465' },
    { request_id: '123456789', userid: '789465', trace: { step: 1 } },
    { request_id: '123456789', userid: '789465', trace: { step: 2 } },
  ])
  expect(s.r.meta).toEqual({ request_id: '123456789', userid: '789465', trace: { step: 2 } })
})

test('meta holding a big integer (bigint) is compared by value', () => {
  const s = stream([ev("{'content': 'a', 'n': 123456789012345678901234567890}"), ev("{'content': 'b', 'n': 123456789012345678901234567890}")])
  expect(s.of('meta')).toHaveLength(1)
  expect(s.r.meta.n).toBe(123456789012345678901234567890n)
})

test('the usage chunk is kept in the result', () => {
  const usage = { prompt_tokens: 1, completion_tokens: 2, total_tokens: 3 }
  const s = stream([chunk({ content: 'a' }, 'stop'), ev(JSON.stringify({ choices: [], usage })), ev('[DONE]')])
  expect(s.done().usage).toEqual(usage)
})

test('result() snapshots do not change when the stream goes on', () => {
  const s = stream([seed('a')])
  const snap = s.r.result()
  expect(snap).toMatchObject({ status: 'incomplete', text: 'a' })
  s.r.event(seed('b'))
  expect(snap.text).toBe('a')
  expect(snap.meta).toEqual({ request_id: '123456789', userid: '789465' })
  snap.meta.x = 1
  expect(s.r.meta).not.toHaveProperty('x')
})

// --- reasoning ------------------------------------------------------------

test('reasoning_content goes to reasoning events, content to deltas', () => {
  const s = stream([
    chunk({ role: 'assistant', content: null, reasoning_content: '' }),
    chunk({ content: null, reasoning_content: 'We need' }),
    chunk({ content: 'The', reasoning_content: null }),
    chunk({}, 'stop'),
    ev('[DONE]'),
  ])
  expect(s.of('reasoning').map((e) => e.text)).toEqual(['We need'])
  expect(s.deltas()).toEqual(['The'])
  expect(s.done()).toMatchObject({ text: 'The', reasoning: 'We need' })
})

test('inline <think> in seed content is split into reasoning by default', () => {
  const s = stream(['<th', 'ink>', '\n', '好的', '\n', '</think>', '\n\n', '**Flask**'].map((t) => seed(t)).concat(completed()))
  expect(s.done()).toMatchObject({ status: 'completed', text: '**Flask**', reasoning: '好的' })
  expect(s.deltas().join('')).toBe('**Flask**')
})

test('thinkTags false keeps <think> in the answer text', () => {
  const s = stream([seed('<think>'), seed('r'), seed('</think>'), seed('a'), completed()], { thinkTags: false })
  expect(s.done()).toMatchObject({ text: '<think>r</think>a', reasoning: '' })
})

test("thinkTags 'open' makes the answer start as reasoning until </think>", () => {
  const s = stream([seed('好的'), seed('，用户'), seed('\n</think>'), seed('\n\n'), seed('**Flask**'), completed()], { thinkTags: 'open' })
  expect(s.done()).toMatchObject({ status: 'completed', text: '**Flask**', reasoning: '好的，用户' })
  expect(s.deltas().join('')).toBe('**Flask**')
})

test('an unclosed think block is released as reasoning when the stream ends', () => {
  const s = stream([seed('<think>'), seed('still thinking'), seed('\n')])
  s.r.abort()
  expect(s.done()).toMatchObject({ status: 'aborted', text: '', reasoning: 'still thinking\n' })
})

test('a partial tag held at the end is released as text before the final status', () => {
  const s = stream([ev('<thi')], { dialect: 'text', closeMeansDone: true })
  s.r.end()
  expect(s.types().slice(-3)).toEqual(['delta', 'status', 'done'])
  expect(s.done().text).toBe('<thi')
})

// --- surrogates ---------------------------------------------------------------

test('a high surrogate at the end of an event is held back so every delta is well-formed', () => {
  const s = stream([seed('Rocket'), ev("{'content': ' \\ud83d'}"), ev("{'content': '\\ude80'}"), seed('!'), completed()])
  expect(s.deltas()).toEqual(['Rocket', ' ', '\u{1F680}', '!'])
  for (const d of s.deltas()) expect(wellFormed(d), JSON.stringify(d)).toBe(true)
  expect(s.done().text).toBe('Rocket \u{1F680}!')
})

test('a held high surrogate is flushed at the final status', () => {
  const s = stream([ev('a\ud83d')], { dialect: 'text' })
  s.r.end()
  expect(s.deltas()).toEqual(['a', '\ud83d'])
  expect(s.done().text).toBe('a\ud83d')
  expect(wellFormed('a\ud83d')).toBe(false)
})

test('surrogate halves split across reasoning events join into one reasoning delta', () => {
  const s = stream([chunk({ reasoning_content: 'x\ud83e' }), chunk({ reasoning_content: '\udd14' }), ev('[DONE]')])
  expect(s.of('reasoning').map((e) => e.text)).toEqual(['x', '\u{1F914}'])
})

// --- counts, timings, ids -------------------------------------------------------

test('counts: events, token events, warnings and attempts', () => {
  const s = setup()
  s.r.connecting(1)
  s.r.connecting(2)
  s.r.open()
  for (const e of [chunk({ role: 'assistant', content: '' }), chunk({ content: 'a' }), chunk({ reasoning: 'r' }), ev('{')]) s.r.event(e)
  s.r.event(ev('[DONE]'))
  expect(s.done().counts).toEqual({ events: 5, tokens: 2, warnings: 1, attempts: 2 })
})

test('timings are measured from creation with the injected clock', () => {
  const s = setup()
  s.clock.t = 1010
  s.r.connecting(1)
  s.clock.t = 1050
  s.r.open()
  s.clock.t = 1070
  s.r.event(chunk({ role: 'assistant', content: '' }))
  s.clock.t = 1200
  s.r.event(chunk({ content: 'a' }))
  s.clock.t = 1300
  s.r.event(chunk({ content: 'b' }))
  s.clock.t = 1500
  s.r.end()
  expect(s.done().timings).toEqual({ firstByte: 50, firstToken: 200, total: 500 })
})

test('timings: a stream that never opened has only total', () => {
  const s = setup()
  s.clock.t = 1300
  s.r.fail(new StreamError('network', 'Failed to fetch'))
  expect(s.done().timings).toEqual({ total: 300 })
})

test('lastEventId is the last event id in force', () => {
  const s = stream([
    { ...seed('a'), id: '1', lastEventId: '1' },
    { ...seed('b'), lastEventId: '1' },
    { ...completed(), id: '2', lastEventId: '2' },
  ])
  expect(s.done().lastEventId).toBe('2')
  const t = stream([seed('a'), completed()])
  expect(t.done().lastEventId).toBeUndefined()
})

// --- stream fixtures ------------------------------------------------------------

interface Expected {
  status: StreamResult['status']
  text: string
  reasoning: string
  meta: Record<string, unknown>
  finishReason?: string
  usage?: object
}

const DIR = new URL('./fixtures/streams/', import.meta.url)
const FIXTURES = readdirSync(DIR).filter((f) => f.endsWith('.sse'))

/** Feed byte chunks through the real parser into a reducer; return the result and every event. */
function replay(chunks: Uint8Array[]) {
  const events: StreamEvent[] = []
  const r = createReducer({ emit: (e) => events.push(e), now: () => 0 })
  const parser = createSseParser({ onEvent: r.event })
  r.connecting(1)
  r.open()
  for (const c of chunks) parser.feed(c)
  r.end(parser.end().discarded)
  return { result: r.result(), events }
}

test('there are stream fixtures, each with an expected result', () => {
  expect(FIXTURES.length).toBeGreaterThanOrEqual(6)
  for (const f of FIXTURES) expect(readdirSync(DIR)).toContain(f.replace(/\.sse$/, '.expected.json'))
})

for (const file of FIXTURES) {
  test(`fixture ${file} gives its expected result whole, byte by byte and at random splits`, () => {
    const bytes = new Uint8Array(readFileSync(new URL(file, DIR)))
    const expected = JSON.parse(readFileSync(new URL(file.replace(/\.sse$/, '.expected.json'), DIR), 'utf8')) as Expected
    const whole = replay([bytes])
    expect(whole.result).toMatchObject(expected)
    expect(whole.result.warnings).toEqual([])
    // The events tell the same story as the result.
    const text = whole.events.flatMap((e) => (e.type === 'delta' ? [e.text] : [])).join('')
    const reasoning = whole.events.flatMap((e) => (e.type === 'reasoning' ? [e.text] : [])).join('')
    expect([text, reasoning]).toEqual([expected.text, expected.reasoning])
    expect(whole.events.at(-1)).toEqual({ type: 'done', result: whole.result })
    for (const e of whole.events) if (e.type === 'delta') expect(wellFormed(e.text), JSON.stringify(e.text)).toBe(true)
    for (const [how, chunks] of splits(bytes)) {
      const again = replay(chunks)
      expect(again.result, how).toEqual(whole.result)
      expect(again.events, how).toEqual(whole.events)
    }
  })
}

// --- hostile meta -------------------------------------------------------------

/** The documented bound on distinct meta keys per stream. */
const MAX_META_KEYS = 64

test('a server that sends a new meta key on every event costs linear work: meta keeps at most 64 keys, with one warning', () => {
  const n = 1000
  const s = stream(Array.from({ length: n }, (_, i) => ev(`{"content": "", "k${i}": ${i}}`)))
  // Each `meta` event carries a snapshot: their total size is the work done. Unbounded, it is n²/2.
  const copied = s.of('meta').reduce((sum, e) => sum + Object.keys(e.meta).length, 0)
  expect(copied).toBeLessThanOrEqual(MAX_META_KEYS * MAX_META_KEYS)
  expect(Object.keys(s.r.meta)).toHaveLength(MAX_META_KEYS)
  expect(s.of('warning').map((e) => e.warning.message)).toEqual([`More than ${MAX_META_KEYS} meta keys: later new keys are ignored`])
  expect(s.r.status).toBe('streaming')
})

test('a __proto__ meta key stays an own property and never becomes the prototype', () => {
  const s = stream([ev('{"content": "a", "__proto__": {"polluted": true}, "request_id": "1"}'), ev("{'content': 'b', '__proto__': 2}")])
  const meta = s.r.meta
  expect(Object.getPrototypeOf(meta)).toBe(Object.prototype)
  expect(Object.hasOwn(meta, '__proto__')).toBe(true)
  expect(Object.getOwnPropertyDescriptor(meta, '__proto__')?.value).toBe(2)
  expect((meta as { polluted?: unknown }).polluted).toBeUndefined()
})

test('result.warnings keeps the first 100 warnings of a stream that makes every event one; counts.warnings has them all', () => {
  const bad = "{'content': 'x', 'at': datetime.datetime(2025, 1, 1)}"
  const events = Array.from({ length: 5000 }, () => ev(bad))
  const s = stream([...events, seed('ok'), completed()])
  const r = s.done()
  expect(r).toMatchObject({ status: 'completed', text: 'ok' })
  expect(r.warnings).toHaveLength(100)
  expect(r.counts.warnings).toBe(5000)
})
