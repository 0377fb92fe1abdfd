import { expect, test } from 'vitest'
import { autoDialect, contentDictDialect, openaiDialect, resolveDialect, seedDialect, textDialect } from '../../src/payload/dialects/index.js'
import { createClient } from '../../src/index.js'
import type { Decoded, DialectFn, SseEvent } from '../../src/index.js'

const ev = (data: string, type = 'message'): SseEvent => ({ type, data, id: undefined, lastEventId: '' })
const SEED_META = { request_id: '123456789', userid: '789465' }
const chunk = (delta: object, finish: string | null = null, extra: object = {}) =>
  JSON.stringify({
    id: 'chatcmpl-1',
    object: 'chat.completion.chunk',
    created: 1770933892,
    model: 'gpt-4.1-nano',
    choices: [{ index: 0, delta, finish_reason: finish }],
    usage: null,
    ...extra,
  })
const OPENAI_META = { id: 'chatcmpl-1', model: 'gpt-4.1-nano' }
/** Drop undefined fields so expectations state only what was decoded. */
const clean = (d: Decoded) => JSON.parse(JSON.stringify(d)) as Decoded

// --- content-dict -------------------------------------------------------

test('content-dict: a Python repr dict gives its content as text and the other keys as meta', () => {
  expect(clean(contentDictDialect(ev("{'content': \"'s\", 'request_id': '123456789', 'userid': '789465'}")))).toEqual({
    text: "'s",
    meta: SEED_META,
  })
})

test('content-dict: the same dict as JSON decodes the same way', () => {
  expect(clean(contentDictDialect(ev('{"content": "\\n", "request_id": "123456789", "userid": "789465"}')))).toEqual({
    text: '\n',
    meta: SEED_META,
  })
})

test("content-dict: status 'completed' ends the stream and its repeated content is not appended", () => {
  const d = contentDictDialect(ev("{'content': 'Flask', 'request_id': '123456789', 'userid': '789465', 'status': 'completed'}"))
  expect(clean(d)).toEqual({ done: true, meta: SEED_META })
})

test('content-dict: content None gives no text', () => {
  const d = contentDictDialect(ev("{'content': None, 'request_id': '1'}"))
  expect(d.text).toBeUndefined()
  expect(d.meta).toEqual({ request_id: '1' })
})

test('content-dict: 错误发生: data is an error with the message after the colon', () => {
  expect(contentDictDialect(ev("错误发生:'NoneType' object is not subscriptable")).error?.message).toBe("'NoneType' object is not subscriptable")
})

test("content-dict: a dict with status 'error' or an error key is an error", () => {
  expect(contentDictDialect(ev("{'status': 'error', 'message': 'upstream down'}")).error?.message).toBe('upstream down')
  expect(contentDictDialect(ev("{'error': 'quota exceeded', 'request_id': '1'}")).error?.message).toBe('quota exceeded')
})

test('content-dict: undecodable data is a warning, not an exception', () => {
  const d = contentDictDialect(ev("{'content': 'unterminated"))
  expect(d.warning?.message).toMatch(/content dict/)
  expect(d.text).toBeUndefined()
  expect(contentDictDialect(ev('plain words')).warning).toBeDefined()
})

test('content-dict: data that parses to something other than a dict is a warning', () => {
  expect(contentDictDialect(ev('{}')).warning).toBeUndefined()
  expect(openaiDialect(ev('42')).warning).toBeDefined()
})

// --- openai -------------------------------------------------------------

test('openai: delta.content is text and id/model are meta', () => {
  expect(clean(openaiDialect(ev(chunk({ content: 'Hello' }))))).toEqual({ text: 'Hello', meta: OPENAI_META })
})

test('openai: the role chunk and an empty delta carry nothing but meta', () => {
  expect(clean(openaiDialect(ev(chunk({ role: 'assistant', content: '', refusal: null }))))).toEqual({
    text: '',
    meta: OPENAI_META,
  })
  expect(clean(openaiDialect(ev(chunk({ content: null }))))).toEqual({ meta: OPENAI_META })
  expect(clean(openaiDialect(ev(chunk({}))))).toEqual({ meta: OPENAI_META })
})

test('openai: reasoning_content (DeepSeek) and reasoning (Ollama) are reasoning', () => {
  expect(openaiDialect(ev(chunk({ content: null, reasoning_content: 'We need' }))).reasoning).toBe('We need')
  expect(openaiDialect(ev(chunk({ reasoning: 'Okay,' }))).reasoning).toBe('Okay,')
  expect(openaiDialect(ev(chunk({ content: 'The', reasoning_content: null }))).reasoning).toBeUndefined()
})

test('openai: finish_reason is reported as finishReason', () => {
  for (const r of ['stop', 'length', 'content_filter', 'tool_calls']) expect(openaiDialect(ev(chunk({}, r))).finishReason).toBe(r)
  expect(openaiDialect(ev(chunk({ content: 'x' }))).finishReason).toBeUndefined()
})

test('openai: the usage chunk with choices [] gives usage', () => {
  const usage = { prompt_tokens: 16, completion_tokens: 1, total_tokens: 17 }
  const d = openaiDialect(ev(JSON.stringify({ id: 'chatcmpl-1', model: 'm', choices: [], usage })))
  expect(clean(d)).toEqual({ usage, meta: { id: 'chatcmpl-1', model: 'm' } })
})

test('openai: DeepSeek usage merged into the finish chunk gives both', () => {
  const usage = { prompt_tokens: 18, completion_tokens: 219, total_tokens: 237 }
  const d = openaiDialect(ev(chunk({ content: '' }, 'stop', { usage })))
  expect(d.finishReason).toBe('stop')
  expect(d.usage).toEqual(usage)
})

test('openai: system_fingerprint is meta; object, created and obfuscation are not', () => {
  const d = openaiDialect(ev(chunk({ content: 'a' }, null, { system_fingerprint: 'fp_ollama', obfuscation: 'Qup1' })))
  expect(d.meta).toEqual({ ...OPENAI_META, system_fingerprint: 'fp_ollama' })
})

test('openai: [DONE] ends the stream', () => {
  expect(openaiDialect(ev('[DONE]'))).toEqual({ done: true })
})

test('openai: an error object or an error string is an error with its message', () => {
  const obj = '{"error": {"message": "Rate limit reached", "type": "requests", "code": "rate_limit_exceeded"}}'
  expect(openaiDialect(ev(obj)).error).toEqual({ message: 'Rate limit reached', data: obj })
  expect(openaiDialect(ev('{"error": "boom"}')).error?.message).toBe('boom')
})

test('openai: bad JSON is a warning', () => {
  expect(openaiDialect(ev('{"choices": [')).warning).toBeDefined()
})

// --- text ---------------------------------------------------------------

test('text: every data is a token verbatim, multi-line data included', () => {
  expect(textDialect(ev('  two\nlines '))).toEqual({ text: '  two\nlines ' })
  expect(textDialect(ev("{'content': 'x'}"))).toEqual({ text: "{'content': 'x'}" })
})

test('text: [DONE] and event done end the stream', () => {
  expect(textDialect(ev('[DONE]'))).toEqual({ done: true })
  expect(textDialect(ev('', 'done'))).toEqual({ done: true })
})

// --- every dialect ------------------------------------------------------

const ALL: [string, DialectFn][] = [
  ['content-dict', contentDictDialect],
  ['openai', openaiDialect],
  ['text', textDialect],
  ['auto', autoDialect],
]

test('every dialect: event error is an error, with the message of a JSON body or the data itself', () => {
  for (const [name, d] of ALL) {
    expect(d(ev('model overloaded', 'error')).error?.message, name).toBe('model overloaded')
    expect(d(ev('{"error": {"message": "bad key"}}', 'error')).error?.message, name).toBe('bad key')
    expect(d(ev("{'detail': 'nope'}", 'error')).error?.message, name).toBe('nope')
    expect(d(ev('', 'error')).error?.message, name).toBeTruthy()
  }
})

test('every dialect: event done ends the stream', () => {
  for (const [name, d] of ALL) expect(d(ev('', 'done')), name).toEqual({ done: true })
})

test('every dialect: ping, heartbeat and keepalive events are ignored', () => {
  for (const [name, d] of ALL) for (const type of ['ping', 'heartbeat', 'keepalive', 'keep-alive']) expect(d(ev('{"t": 1}', type)), name).toEqual({})
})

test('every dialect: other named event types are decoded like message', () => {
  expect(contentDictDialect(ev("{'content': 'a'}", 'token')).text).toBe('a')
  expect(openaiDialect(ev(chunk({ content: 'b' }), 'chunk')).text).toBe('b')
  expect(textDialect(ev('c', 'delta')).text).toBe('c')
})

test('every dialect: an empty data is nothing', () => {
  for (const [name, d] of ALL) expect(d(ev('')), name).toEqual({})
})

test('every dialect: the error form 错误发生: is an error', () => {
  for (const [name, d] of ALL) expect(d(ev('错误发生:Connection error.')).error?.message, name).toBe('Connection error.')
})

// --- auto ---------------------------------------------------------------

test('auto: an OpenAI chunk is decoded as OpenAI', () => {
  expect(clean(autoDialect(ev(chunk({ content: 'Hi' }, null))))).toEqual({ text: 'Hi', meta: OPENAI_META })
})

test('auto: a content dict (Python repr) is decoded as one', () => {
  expect(clean(autoDialect(ev("{'content': 'Hi', 'request_id': '123456789', 'userid': '789465'}")))).toEqual({
    text: 'Hi',
    meta: SEED_META,
  })
  expect(autoDialect(ev("{'content': 'Hi', 'status': 'completed'}")).done).toBe(true)
})

test('auto: an error object is an error', () => {
  expect(autoDialect(ev('{"error": {"message": "x"}}')).error?.message).toBe('x')
  expect(autoDialect(ev("{'error': 'y'}")).error?.message).toBe('y')
})

test('auto: plain data is a text token, and code tokens like { or {} stay text', () => {
  for (const data of ['Hello', '{', '{}', '{ x: 1 }', '[1, 2]', '{"content"']) expect(autoDialect(ev(data)), data).toEqual({ text: data })
})

test('auto: a JSON object of no known format is a warning, not text, unless the stream is already text', () => {
  for (const data of ['{"a": 1}', '{"type": "custom-thing", "value": "x"}', '{"message": "hi"}']) {
    const d = autoDialect(ev(data))
    expect(d.text, data).toBeUndefined()
    expect(d.warning?.message, data).toMatch(/Unrecognised JSON object/)
  }
  const auto = resolveDialect('auto')
  expect(auto.decode(ev('Here is JSON:'))).toEqual({ text: 'Here is JSON:' })
  expect(auto.decode(ev('{"a": 1}'))).toEqual({ text: '{"a": 1}' })
})

test('auto: undecodable data that looks like a content dict or OpenAI payload is a warning, not text', () => {
  const d = autoDialect(ev("{'content': 'x', 'at': datetime.datetime(2025, 1, 1)}"))
  expect(d.text).toBeUndefined()
  expect(d.warning).toBeDefined()
})

test('auto: [DONE] ends the stream', () => {
  expect(autoDialect(ev('[DONE]'))).toEqual({ done: true })
})

// --- resolveDialect -----------------------------------------------------

test('resolveDialect: text is text-like, content-dict and openai are not', () => {
  expect(resolveDialect('text').textLike()).toBe(true)
  expect(resolveDialect('content-dict').textLike()).toBe(false)
  expect(resolveDialect('openai').textLike()).toBe(false)
})

test('resolveDialect: auto is text-like until the first structured event, then not', () => {
  const d = resolveDialect(undefined)
  expect(d.textLike()).toBe(true)
  expect(d.decode(ev('plain'))).toEqual({ text: 'plain' })
  expect(d.textLike()).toBe(true)
  d.decode(ev("{'content': 'a', 'request_id': '1'}"))
  expect(d.textLike()).toBe(false)
})

test('resolveDialect: each call gives fresh state', () => {
  const a = resolveDialect('auto')
  a.decode(ev(chunk({ content: 'x' })))
  expect(a.textLike()).toBe(false)
  expect(resolveDialect('auto').textLike()).toBe(true)
})

test('resolveDialect: auto keeps to the format it found, so a later odd event is a warning, not text', () => {
  const d = resolveDialect('auto')
  d.decode(ev(chunk({ content: 'x' })))
  expect(d.decode(ev('{')).warning).toBeDefined()
  expect(d.decode(ev('stray words')).warning).toBeDefined()
  expect(d.decode(ev(chunk({ content: 'y' }))).text).toBe('y')
  expect(d.decode(ev('[DONE]'))).toEqual({ done: true })
})

test('resolveDialect: auto locked on content dicts decodes a dict without content as meta only', () => {
  const d = resolveDialect('auto')
  d.decode(ev("{'content': 'a', 'request_id': '1'}"))
  expect(clean(d.decode(ev("{'request_id': '2'}")))).toEqual({ meta: { request_id: '2' } })
})

test('resolveDialect: a function is used as is and is not text-like', () => {
  const fn: DialectFn = (e) => ({ text: e.data.toUpperCase() })
  const d = resolveDialect(fn)
  expect(d.decode).toBe(fn)
  expect(d.textLike()).toBe(false)
})

test("the deprecated 'seed' name and seedDialect still read the content-dict format", () => {
  expect(seedDialect).toBe(contentDictDialect)
  const d = resolveDialect('seed')
  expect(clean(d.decode(ev("{'content': 'Hi', 'request_id': '1'}")))).toEqual({ text: 'Hi', meta: { request_id: '1' } })
  expect(d.decode(ev("{'content': '', 'status': 'completed'}")).done).toBe(true)
  expect(resolveDialect(seedDialect).decode(ev("{'content': 'x'}")).text).toBe('x')
})

test('createClient accepts every built-in dialect name, the deprecated one included, and lists them for a wrong one', () => {
  for (const dialect of ['auto', 'content-dict', 'openai', 'ai-sdk', 'text', 'seed'] as const) expect(() => createClient({ dialect })).not.toThrow()
  expect(() => createClient({ dialect: 'sed' as 'seed' })).toThrow(/'auto', 'content-dict', 'openai', 'ai-sdk', 'text'/)
})
