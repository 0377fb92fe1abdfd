import { afterAll, beforeAll, expect, test } from 'vitest'
import { aiSdkDialect, createClient } from '../../src/index.js'
import type { SseEvent } from '../../src/index.js'
import { resolveDialect } from '../../src/payload/dialects/index.js'
import { serve } from '../helpers/http.js'
import type { TestServer } from '../helpers/http.js'

// The Vercel AI SDK's stream protocols. Part shapes: vercel/ai
// `packages/ai/src/ui-message-stream/ui-message-chunks.ts` (UI message
// stream) and `packages/ui-utils/src/data-stream-parts.ts` (data stream).

const ev = (data: string): SseEvent => ({ type: 'message', data, id: undefined, lastEventId: '' })
const sse = (parts: (object | string)[]) => parts.map((p) => `data: ${typeof p === 'string' ? p : JSON.stringify(p)}\n\n`).join('')

/** What `streamText(...).toUIMessageStreamResponse()` sends, with reasoning. */
const UI_STREAM = sse([
  { type: 'start', messageId: 'msg-1' },
  { type: 'start-step' },
  { type: 'reasoning-start', id: 'r1' },
  { type: 'reasoning-delta', id: 'r1', delta: 'The user greets me.' },
  { type: 'reasoning-end', id: 'r1' },
  { type: 'text-start', id: 't1' },
  { type: 'text-delta', id: 't1', delta: 'Hel' },
  { type: 'text-delta', id: 't1', delta: 'lo!' },
  { type: 'text-end', id: 't1' },
  { type: 'finish-step' },
  { type: 'finish', finishReason: 'stop' },
  '[DONE]',
])

let server: TestServer
beforeAll(async () => {
  server = await serve((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x')
    res.writeHead(200, { 'content-type': 'text/event-stream', 'x-vercel-ai-ui-message-stream': 'v1' })
    if (url.pathname === '/ui') res.end(UI_STREAM)
    else if (url.pathname === '/ui-cut') res.end(UI_STREAM.slice(0, UI_STREAM.indexOf('data: {"type":"text-end"')))
    else if (url.pathname === '/ui-error')
      res.end(
        sse([
          { type: 'start' },
          { type: 'text-start', id: 't1' },
          { type: 'text-delta', id: 't1', delta: 'Par' },
          { type: 'error', errorText: 'Rate limit reached' },
        ]),
      )
    else
      res.end(
        sse([
          'g:"Thinking."',
          '0:"Hel"',
          '0:"lo!"',
          'e:{"finishReason":"stop","usage":{"promptTokens":10,"completionTokens":3},"isContinued":false}',
          'd:{"finishReason":"stop","usage":{"promptTokens":10,"completionTokens":3}}',
        ]),
      )
  })
})
afterAll(() => server.close())

const client = () => createClient({ baseUrl: server.url })

test('auto reads the AI SDK UI message stream: text and reasoning, not raw JSON, completed by finish and [DONE]', async () => {
  const r = await client().post('/ui').result
  expect(r).toMatchObject({ status: 'completed', text: 'Hello!', reasoning: 'The user greets me.', finishReason: 'stop', meta: { messageId: 'msg-1' } })
  expect(r.warnings).toEqual([])
})

test('a UI message stream cut before finish is incomplete', async () => {
  const r = await client().post('/ui-cut').result
  expect(r).toMatchObject({ status: 'incomplete', text: 'Hello!' })
})

test('an AI SDK error part ends the stream with a server error carrying its errorText, keeping the text', async () => {
  const r = await client().post('/ui-error').result
  expect(r).toMatchObject({ status: 'error', text: 'Par', error: { code: 'server', message: 'Rate limit reached' } })
})

test('auto reads the AI SDK data stream (0: text, g: reasoning, d: finish with usage) framed as SSE', async () => {
  const r = await client().post('/data').result
  expect(r).toMatchObject({ status: 'completed', text: 'Hello!', reasoning: 'Thinking.', finishReason: 'stop' })
  expect(r.usage).toEqual({ prompt_tokens: 10, completion_tokens: 3, total_tokens: 13 })
  expect(r.warnings).toEqual([])
})

test("dialect 'ai-sdk' gives the same answer as auto", async () => {
  for (const path of ['/ui', '/data']) {
    const [a, b] = await Promise.all([client().post(path).result, client().post(path, { dialect: 'ai-sdk' }).result])
    expect(b.text, path).toBe(a.text)
    expect(b.status, path).toBe('completed')
  }
})

test('data stream parts: 3 is an error, several lines in one event are all read, unknown codes are warnings', () => {
  expect(aiSdkDialect(ev('3:"boom"')).error?.message).toBe('boom')
  expect(aiSdkDialect(ev('0:"a"\n0:"b"\ng:"r"')).text).toBe('ab')
  expect(aiSdkDialect(ev('0:"a"\n0:"b"\ng:"r"')).reasoning).toBe('r')
  expect(aiSdkDialect(ev('z:"?"')).warning).toBeDefined()
  // Tool, data and step parts belong to the format: skipped without a warning.
  expect(aiSdkDialect(ev('2:[{"x":1}]'))).toEqual({})
  expect(aiSdkDialect(ev('9:{"toolCallId":"c","toolName":"t","args":{}}'))).toEqual({})
})

test('UI parts: finish reasons are spelled as OpenAI does, finish without a reason is stop, abort is an error', () => {
  expect(aiSdkDialect(ev('{"type":"finish","finishReason":"content-filter"}')).finishReason).toBe('content_filter')
  expect(aiSdkDialect(ev('{"type":"finish","finishReason":"tool-calls"}')).finishReason).toBe('tool_calls')
  expect(aiSdkDialect(ev('{"type":"finish"}')).finishReason).toBe('stop')
  expect(aiSdkDialect(ev('{"type":"abort"}')).error).toBeDefined()
  expect(aiSdkDialect(ev('{"type":"data-weather","data":{"t":20}}'))).toEqual({ data: { name: 'weather', data: { t: 20 } } })
})

test("in dialect 'ai-sdk', plain text and other formats' JSON are warnings", () => {
  const d = resolveDialect('ai-sdk')
  expect(d.decode(ev('Hello')).warning).toBeDefined()
  expect(d.decode(ev('{"choices":[]}')).warning).toBeDefined()
  expect(d.decode(ev('{"type":"text-delta","id":"t","delta":"ok"}')).text).toBe('ok')
  expect(d.textLike()).toBe(false)
})

test('a plain-text token like 2:30 does not make auto read the stream as a data stream', () => {
  const d = resolveDialect('auto')
  expect(d.decode(ev('2:30 pm'))).toEqual({ text: '2:30 pm' })
  expect(d.decode(ev('0:"x"'))).toEqual({ text: '0:"x"' })
})

test('the data stream as the AI SDK serves it (text/plain lines, x-vercel-ai-data-stream: v1) is read over fetch', async () => {
  const body =
    'f:{"messageId":"step_1"}\ng:"Thinking."\n0:"Hel"\n0:"lo!"\ne:{"finishReason":"stop","isContinued":false}\nd:{"finishReason":"stop","usage":{"promptTokens":10,"completionTokens":3}}\n'
  const plain = await serve((_req, res) => {
    res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8', 'x-vercel-ai-data-stream': 'v1' })
    // Written in small pieces, cut inside lines.
    let i = 0
    const next = () => (i < body.length ? res.write(body.slice(i, (i += 7)), next) : res.end())
    next()
  })
  try {
    const r = await createClient({ baseUrl: plain.url }).post('/api/chat').result
    expect(r).toMatchObject({ status: 'completed', text: 'Hello!', reasoning: 'Thinking.', finishReason: 'stop', meta: { messageId: 'step_1' } })
    expect(r.warnings).toEqual([])
    const cut = await createClient({
      baseUrl: plain.url,
      fetch: (url, init) => fetch(url, init).then((res) => new Response(res.body!.pipeThrough(cutAt(50)), res)),
    }).post('/api/chat').result
    // Cut in the middle of `0:"lo!"`: the half line is dropped, not shown.
    expect(cut).toMatchObject({ status: 'incomplete', text: 'Hel' })
    expect(cut.warnings.map((w) => w.code)).toEqual(['discarded'])
  } finally {
    await plain.close()
  }
})

/** Pass the first `n` bytes of a body, then end it cleanly. */
const cutAt = (n: number) => {
  let seen = 0
  return new TransformStream<Uint8Array, Uint8Array>({
    transform(chunk, c) {
      if (seen < n) c.enqueue(chunk.subarray(0, n - seen))
      seen += chunk.length
    },
  })
}

test('a data stream line longer than maxEventBytes ends the stream with too-large, keeping the text so far', async () => {
  const long = await serve((_req, res) => {
    res.writeHead(200, { 'content-type': 'text/plain', 'x-vercel-ai-data-stream': 'v1' })
    res.write('0:"Hi"\n')
    res.end('0:"' + 'x'.repeat(5000))
  })
  try {
    const r = await createClient({ baseUrl: long.url }).post('/', { maxEventBytes: 1000 }).result
    expect(r).toMatchObject({ status: 'error', text: 'Hi', error: { code: 'too-large' } })
  } finally {
    await long.close()
  }
})
