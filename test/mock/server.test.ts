import { afterAll, beforeAll, expect, test } from 'vitest'
import { startMockServer } from '../../src/mock/server.js'
import type { MockServer } from '../../src/mock/server.js'
import { expectedReasoning, expectedText, scriptFor } from '../../src/mock/script.js'
import { dataOf, python, raw, wire } from './wire.js'

let mock: MockServer
beforeAll(async () => {
  mock = await startMockServer()
})
afterAll(() => mock.close())

// The seed's own loop (deepseek.py event_stream), run by CPython on our tokens.
const SEED_PY = `
import json, sys
tokens, fmt, last_empty = json.loads(sys.stdin.read())
if last_empty: tokens = tokens + ['']
out, resMap = [], {}
for t in tokens:
    resMap['content'] = t
    resMap['request_id'] = '123456789'
    resMap['userid'] = '789465'
    out.append(f"data: {json.dumps(resMap, ensure_ascii=False) if fmt == 'json' else resMap}\\n\\n")
resMap['status'] = 'completed'
out.append(f"data: {json.dumps(resMap, ensure_ascii=False) if fmt == 'json' else resMap}\\n\\n")
sys.stdout.buffer.write(''.join(out).encode('utf-8'))
`

function seedExpected(tokens: string[], format = 'repr', lastEmpty = false): string {
  return python(SEED_PY, JSON.stringify([tokens, format, lastEmpty]))
}

test('GET /stream/get sends exactly what the seed prints for the script, and ends the chunked body', async () => {
  for (const text of ['hello', '详解一下flask框架', "it's"]) {
    const res = await raw(`${mock.url}/stream/get?text=${encodeURIComponent(text)}`)
    expect(res.status).toBe(200)
    expect(res.complete).toBe(true)
    expect(res.text).toBe(seedExpected(scriptFor(text).tokens))
  }
})

test('the seed routes send the headers Werkzeug sends: no Cache-Control, chunked, Connection: close', async () => {
  const bytes = (await wire(mock.port, 'GET /stream/get?text=hi&length=1 HTTP/1.1')).toString('utf8')
  const head = bytes.slice(0, bytes.indexOf('\r\n\r\n'))
  expect(head.split('\r\n')[0]).toBe('HTTP/1.1 200 OK')
  const names = head
    .split('\r\n')
    .slice(1)
    .map((l) => l.slice(0, l.indexOf(':')).toLowerCase())
    .sort()
  expect(names).toEqual(['connection', 'content-type', 'date', 'server', 'transfer-encoding'])
  expect(head).toContain('Content-Type: text/event-stream; charset=utf-8\r\n')
  expect(head).toContain('Transfer-Encoding: chunked')
  expect(head).toContain('Connection: close')
  expect(bytes.endsWith('\r\n0\r\n\r\n')).toBe(true)
})

test('POST /stream/post streams the script of the JSON prompt, like GET with ?text=', async () => {
  const body = JSON.stringify({ prompt: 'post me' })
  const post = await raw(`${mock.url}/stream/post`, { method: 'POST', headers: { 'content-type': 'application/json' }, body })
  const get = await raw(`${mock.url}/stream/get?text=post%20me`)
  expect(post.text).toBe(get.text)
  expect(post.text).toBe(seedExpected(scriptFor('post me').tokens))
})

test("without a prompt the seed routes use the seed's hard-coded question", async () => {
  const res = await raw(`${mock.url}/stream/post`, { method: 'POST' })
  expect(res.text).toBe(seedExpected(scriptFor('详解一下flask框架').tokens))
})

test('think=1 on the seed routes puts the <think> block inline, as the seed forwards DeepSeek-R1', async () => {
  const res = await raw(`${mock.url}/stream/get?text=hi&think=1`)
  const tokens = scriptFor('hi', { think: true }).tokens
  expect(tokens[0]).toBe('<think>')
  expect(res.text).toBe(seedExpected(tokens))
})

test('format=json sends json.dumps dicts and lastContent=empty an empty token before completed', async () => {
  const json = await raw(`${mock.url}/stream/get?text=hi&format=json`)
  expect(json.text).toBe(seedExpected(scriptFor('hi').tokens, 'json'))
  const ollama = await raw(`${mock.url}/stream/get?text=hi&lastContent=empty`)
  expect(ollama.text).toBe(seedExpected(scriptFor('hi').tokens, 'repr', true))
  expect(ollama.text.endsWith(`data: {'content': '', 'request_id': '123456789', 'userid': '789465', 'status': 'completed'}\n\n`)).toBe(true)
})

test('/stream/text sends one event per token, multi-line tokens as several data lines, then [DONE]', async () => {
  for (const method of ['GET', 'POST']) {
    const res = await raw(`${mock.url}/stream/text?text=hi`, method === 'POST' ? { method, body: JSON.stringify({ prompt: 'hi' }) } : {})
    expect(res.headers['content-type']).toBe('text/event-stream; charset=utf-8')
    expect(res.text).toContain('data: \ndata: break\n\n')
    expect(dataOf(res.text)).toEqual([...scriptFor('hi').tokens, '[DONE]'])
  }
})

interface Chunk {
  id: string
  object: string
  created: number
  model: string
  choices: { index: number; delta: { role?: string; content?: string | null; reasoning_content?: string }; finish_reason: string | null }[]
  usage?: Record<string, unknown> | null
}

async function chat(
  body: Record<string, unknown>,
  query = '',
  prefix = '',
): Promise<{ res: Awaited<ReturnType<typeof raw>>; chunks: Chunk[]; data: string[] }> {
  const res = await raw(`${mock.url}${prefix}/v1/chat/completions${query}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  })
  const data = dataOf(res.text)
  return { res, data, chunks: data.filter((d) => d !== '[DONE]').map((d) => JSON.parse(d) as Chunk) }
}

const messages = [
  { role: 'system', content: 'be brief' },
  { role: 'user', content: 'first question' },
  { role: 'assistant', content: 'ok' },
  { role: 'user', content: 'hi there' },
]

test('POST /v1/chat/completions streams OpenAI chunks: role, one per token, finish, [DONE]', async () => {
  const { res, chunks, data } = await chat({ model: 'gpt-4o-mini', stream: true, messages })
  expect(res.headers['content-type']).toBe('text/event-stream; charset=utf-8')
  expect(data.at(-1)).toBe('[DONE]')
  expect(chunks[0]!.choices[0]!.delta).toEqual({ role: 'assistant', content: '' })
  const last = chunks.at(-1)!
  expect(last.choices[0]).toEqual({ index: 0, delta: {}, logprobs: null, finish_reason: 'stop' })
  for (const c of chunks) {
    expect(c).toMatchObject({ object: 'chat.completion.chunk', model: 'gpt-4o-mini', id: chunks[0]!.id, created: chunks[0]!.created })
    expect(c.usage).toBeUndefined()
  }
  const text = chunks.map((c) => c.choices[0]!.delta.content ?? '').join('')
  expect(text).toBe(expectedText('hi there'))
  expect(chunks).toHaveLength(scriptFor('hi there').tokens.length + 2)
})

test('an r1 model gets reasoning_content deltas, and include_usage a final chunk with choices []', async () => {
  const { chunks } = await chat({ model: 'deepseek-r1:14b', stream: true, stream_options: { include_usage: true }, messages })
  const reasoning = chunks.map((c) => c.choices[0]?.delta.reasoning_content ?? '').join('')
  const text = chunks.map((c) => c.choices[0]?.delta.content ?? '').join('')
  expect(reasoning).toBe(expectedReasoning('hi there', { think: true }))
  expect(text).toBe(expectedText('hi there'))
  const usage = chunks.at(-1)!
  expect(usage.choices).toEqual([])
  expect(usage.usage).toMatchObject({ completion_tokens: expect.any(Number), prompt_tokens: expect.any(Number), total_tokens: expect.any(Number) })
  for (const c of chunks.slice(0, -1)) expect(c.usage).toBeNull()
})

test('think=inline on /v1 puts <think> in content, think=0 turns reasoning off for an r1 model', async () => {
  const inline = await chat({ model: 'gpt', stream: true, messages }, '?think=inline')
  expect(inline.chunks.map((c) => c.choices[0]!.delta.content ?? '').join('')).toBe(scriptFor('hi there', { think: true }).tokens.join(''))
  const off = await chat({ model: 'deepseek-r1', stream: true, messages }, '?think=0')
  expect(off.chunks.some((c) => c.choices[0]!.delta.reasoning_content !== undefined)).toBe(false)
})

test('knobs in a /_/<knobs>/ path prefix apply, for a client given only a base URL; query parameters win', async () => {
  mock.resetStats()
  // What the seed's deepseek.py needs to survive: inline <think> and Ollama's finish chunk.
  const ollama = await chat({ model: 'deepseek-r1:14b', stream: true, messages }, '', '/_/think=inline&lastContent=empty')
  expect(ollama.chunks.map((c) => c.choices[0]!.delta.content).join('')).toBe(scriptFor('hi there', { think: true }).tokens.join(''))
  expect(ollama.chunks.every((c) => typeof c.choices[0]!.delta.content === 'string')).toBe(true)
  expect(ollama.chunks.at(-1)!.choices[0]).toEqual({ index: 0, delta: { role: 'assistant', content: '' }, logprobs: null, finish_reason: 'stop' })
  expect(mock.stats().requests).toEqual({ '/v1/chat/completions': 1 })
  const overridden = await chat({ model: 'deepseek-r1:14b', stream: true, messages }, '?think=0', '/_/think%3Dinline')
  expect(overridden.chunks.map((c) => c.choices[0]!.delta.content ?? '').join('')).toBe(expectedText('hi there'))
  expect((await raw(`${mock.url}/_/status=503/stream/get`)).status).toBe(503)
  expect((await raw(`${mock.url}/_/%E0%A4%A/stream/get`)).status).toBe(400)
  expect((await raw(`${mock.url}/_/think=maybe/stream/get`)).text).toContain('think')
})

test('stream false gives one chat.completion document', async () => {
  const res = await raw(`${mock.url}/v1/chat/completions`, { method: 'POST', body: JSON.stringify({ model: 'm', messages }) })
  expect(res.headers['content-type']).toBe('application/json')
  const doc = JSON.parse(res.text) as { object: string; choices: { message: { role: string; content: string }; finish_reason: string }[] }
  expect(doc.object).toBe('chat.completion')
  expect(doc.choices[0]).toMatchObject({ message: { role: 'assistant', content: expectedText('hi there') }, finish_reason: 'stop' })
})

test('a chat request without a user message gets an OpenAI-style 400', async () => {
  const res = await raw(`${mock.url}/v1/chat/completions`, { method: 'POST', body: JSON.stringify({ model: 'm', stream: true }) })
  expect(res.status).toBe(400)
  expect(JSON.parse(res.text)).toMatchObject({ error: { type: 'invalid_request_error' } })
})

test("unknown paths get Werkzeug's 404 page and wrong methods its 405 page", async () => {
  const missing = await raw(`${mock.url}/nope`)
  expect(missing.status).toBe(404)
  expect(missing.text).toContain('<title>404 Not Found</title>')
  const wrong = await raw(`${mock.url}/stream/get`, { method: 'POST' })
  expect(wrong.status).toBe(405)
  expect(wrong.headers.allow).toBe('GET')
})

test('a browser origin gets CORS headers, and a preflight allows Last-Event-ID', async () => {
  const res = await raw(`${mock.url}/stream/get?length=1`, { headers: { origin: 'http://app.test' } })
  expect(res.headers['access-control-allow-origin']).toBe('http://app.test')
  const pre = await raw(`${mock.url}/stream/post`, {
    method: 'OPTIONS',
    headers: { origin: 'http://app.test', 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type,last-event-id' },
  })
  expect(pre.status).toBe(204)
  expect(pre.headers['access-control-allow-headers']).toBe('content-type,last-event-id')
  expect(pre.headers['access-control-allow-methods']).toContain('POST')
  const plain = await raw(`${mock.url}/stream/get?length=1`)
  expect(plain.headers['access-control-allow-origin']).toBeUndefined()
})

test('a bad knob value or unknown scenario is a 400 that says what is wrong', async () => {
  const bad = await raw(`${mock.url}/stream/get?dropAfter=soon`)
  expect(bad.status).toBe(400)
  expect(bad.text).toContain('"dropAfter"')
  const unknown = await raw(`${mock.url}/stream/get?scenario=nope`)
  expect(unknown.status).toBe(400)
  expect(unknown.text).toContain('/__scenarios')
  const field = await raw(`${mock.url}/stream/get?think=field`)
  expect(field.status).toBe(400)
})

test('GET /health and /__scenarios answer JSON', async () => {
  expect(JSON.parse((await raw(`${mock.url}/health`)).text)).toEqual({ ok: true })
  const scenarios = JSON.parse((await raw(`${mock.url}/__scenarios`)).text) as { name: string }[]
  expect(scenarios.map((s) => s.name)).toContain('cut')
})
