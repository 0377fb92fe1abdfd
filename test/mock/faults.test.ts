import { afterAll, beforeAll, expect, test } from 'vitest'
import { planResponse } from '../../src/mock/scenarios.js'
import type { Plan } from '../../src/mock/scenarios.js'
import { startMockServer } from '../../src/mock/server.js'
import type { MockServer } from '../../src/mock/server.js'
import { expectedText, scriptFor } from '../../src/mock/script.js'
import { dataOf, raw, wire } from './wire.js'

let mock: MockServer
beforeAll(async () => {
  mock = await startMockServer()
})
afterAll(() => mock.close())

const get = (query: string, headers: Record<string, string> = {}) => raw(`${mock.url}/stream/get?text=hi&${query}`, { headers })
const contentOf = (data: string): string => /^\{'content': (.*?), 'request_id'/.exec(data)?.[1] ?? ''
const plain = async (): Promise<string> => (await get('')).text

function plan(query: string, path = '/stream/get'): Plan {
  return planResponse({ method: 'GET', path, query: new URLSearchParams(query), headers: {} })
}
const bytesOf = (p: Plan): Uint8Array[] => [...p.steps].flatMap((s) => ('bytes' in s ? [s.bytes] : []))

test('delay waits before every token and firstByteDelay before the headers', async () => {
  const slow = await get('length=4&delay=30')
  expect(slow.endAt).toBeGreaterThanOrEqual(4 * 30 - 5)
  expect(slow.text).toBe((await get('length=4')).text)
  const late = await get('length=1&firstByteDelay=120')
  expect(late.headersAt).toBeGreaterThanOrEqual(115)
})

test('chunk=1 writes every byte on its own and the body is unchanged', async () => {
  const pieces = bytesOf(plan('text=hi&chunk=1'))
  expect(pieces.every((b) => b.length === 1)).toBe(true)
  expect((await get('chunk=1')).text).toBe(await plain())
})

test('chunk=random cuts inside a UTF-8 character and between CR and LF, seeded', async () => {
  const decoder = new TextDecoder('utf-8', { fatal: true })
  const pieces = bytesOf(plan('text=你好&chunk=random&eol=crlf&seed=3'))
  const broken = pieces.filter((b) => {
    try {
      decoder.decode(b)
      return false
    } catch {
      return true
    }
  })
  expect(broken.length).toBeGreaterThan(0)
  expect(pieces.some((b) => b[0] === 0x0a) && pieces.some((b) => b.at(-1) === 0x0d)).toBe(true)
  expect(bytesOf(plan('text=你好&chunk=random&eol=crlf&seed=3'))).toEqual(pieces)
  expect(bytesOf(plan('text=你好&chunk=random&eol=crlf&seed=4'))).not.toEqual(pieces)
  expect((await get('chunk=random&seed=9')).text).toBe(await plain())
})

test('chunk=<n> writes n bytes at a time', () => {
  const pieces = bytesOf(plan('text=hi&chunk=7&length=3'))
  expect(pieces.filter((b) => b.length !== 7).length).toBeLessThanOrEqual(4)
  expect(pieces.every((b) => b.length <= 7)).toBe(true)
})

test('eol=crlf and eol=cr change every line end and nothing else', async () => {
  const lf = await plain()
  expect((await get('eol=crlf')).text).toBe(lf.replaceAll('\n', '\r\n'))
  expect((await get('eol=cr')).text).toBe(lf.replaceAll('\n', '\r'))
})

test('keepalive=<n> sends n comments before each token, keepalive=<ms>ms while waiting', async () => {
  const counted = (await get('length=3&keepalive=2')).text
  expect(counted.match(/^: keep-alive\n\n/gm)).toHaveLength(6)
  expect(counted.replaceAll(': keep-alive\n\n', '')).toBe((await get('length=3')).text)
  const timed = (await get('length=2&delay=50&keepalive=20ms')).text
  expect(timed.match(/: keep-alive\n\n/g)).toHaveLength(4)
})

test('ids=1 numbers every event and retry=<ms> comes first', async () => {
  const res = await get('length=3&ids=1&retry=1500')
  expect(res.text.startsWith('retry: 1500\n\nid: 1\ndata: ')).toBe(true)
  expect(res.text.match(/^id: \d+$/gm)).toEqual(['id: 1', 'id: 2', 'id: 3', 'id: 4'])
})

test('dropAfter=N sends N whole events then cuts the connection without the terminating chunk', async () => {
  const res = await get('dropAfter=3')
  expect(res.complete).toBe(false)
  expect(dataOf(res.text).map(contentOf)).toEqual(
    scriptFor('hi')
      .tokens.slice(0, 3)
      .map((t) => `'${t}'`.replace("''s'", '"\'s"')),
  )
  expect(res.text.endsWith('\n\n')).toBe(true)
  const bytes = (await wire(mock.port, 'GET /stream/get?text=hi&dropAfter=3 HTTP/1.1')).toString('latin1')
  expect(bytes.endsWith("'userid': '789465'}\n\n\r\n")).toBe(true)
  expect(bytes).not.toContain('\r\n0\r\n\r\n')
  const atStart = await get('dropAfter=0')
  expect(atStart.status).toBe(200)
  expect(atStart.text).toBe('')
  expect(atStart.complete).toBe(false)
})

test('stallAfter=N sends N events and then nothing while the connection stays open', async () => {
  let events = 0
  let beats = 0
  const res = await raw(`${mock.url}/stream/get?text=hi&stallAfter=2&keepalive=10ms`, {
    onChunk: (chunk, abort) => {
      events += (chunk.toString().match(/^data: /gm) ?? []).length
      // Keep-alive comments arrive while stalled: wait for two, then leave.
      if (chunk.toString().includes(': keep-alive') && ++beats === 2) abort()
    },
  })
  expect(events).toBe(2)
  expect(res.complete).toBe(false)
})

test('noDone=1 ends the body cleanly without the completed event, [DONE] or finish chunk', async () => {
  const seed = await get('noDone=1')
  expect(seed.complete).toBe(true)
  expect(seed.text).not.toContain("'status': 'completed'")
  expect(dataOf(seed.text)).toHaveLength(scriptFor('hi').tokens.length)
  const text = await raw(`${mock.url}/stream/text?text=hi&noDone=1`)
  expect(text.text).not.toContain('[DONE]')
  const chat = await raw(`${mock.url}/v1/chat/completions?noDone=1`, {
    method: 'POST',
    body: JSON.stringify({ model: 'm', stream: true, stream_options: { include_usage: true }, messages: [{ role: 'user', content: 'hi' }] }),
  })
  expect(chat.text).not.toContain('[DONE]')
  expect(chat.text).not.toContain('"finish_reason":"stop"')
  expect(chat.text).not.toContain('"usage":{')
})

test("status=500 sends Werkzeug's exact HTML page, body=json an OpenAI error document", async () => {
  const html = await get('status=500')
  expect(html.status).toBe(500)
  expect(html.statusText).toBe('INTERNAL SERVER ERROR')
  expect(html.headers['content-type']).toBe('text/html; charset=utf-8')
  expect(html.headers['content-length']).toBe('265')
  expect(html.text).toBe(
    '<!doctype html>\n<html lang=en>\n<title>500 Internal Server Error</title>\n<h1>Internal Server Error</h1>\n<p>The server encountered an internal error and was unable to complete your request. Either the server is overloaded or there is an error in the application.</p>\n',
  )
  const json = await get('status=500&body=json')
  expect(json.headers['content-type']).toBe('application/json')
  expect(JSON.parse(json.text)).toMatchObject({ error: { message: expect.any(String), type: 'server_error' } })
  const v1 = await raw(`${mock.url}/v1/chat/completions?status=503`, { method: 'POST', body: '{}' })
  expect(JSON.parse(v1.text)).toMatchObject({ error: { type: 'server_error' } })
})

test('status=429 with retryAfter sends Retry-After; status=204 an empty body', async () => {
  const limited = await get('status=429&retryAfter=2')
  expect(limited.status).toBe(429)
  expect(limited.headers['retry-after']).toBe('2')
  expect(limited.text).toContain('Too Many Requests')
  const none = await get('status=204')
  expect(none.status).toBe(204)
  expect(none.body).toHaveLength(0)
})

test('contentType changes only the header; body=html at 200 sends a page instead of the stream', async () => {
  const wrong = await get('contentType=text/html')
  expect(wrong.status).toBe(200)
  expect(wrong.headers['content-type']).toBe('text/html')
  expect(wrong.text).toBe(await plain())
  const page = await get('body=html')
  expect(page.status).toBe(200)
  expect(page.headers['content-type']).toBe('text/html; charset=utf-8')
  expect(page.text).toContain('<!doctype html>')
})

test('errorEvent=N sends an error event after N tokens and ends the body', async () => {
  const res = await get('errorEvent=2')
  expect(res.complete).toBe(true)
  expect(dataOf(res.text)).toHaveLength(3)
  expect(res.text.endsWith('event: error\ndata: {"error":{"message":"Mock upstream failure after 2 tokens","type":"server_error"}}\n\n')).toBe(true)
  const text = await raw(`${mock.url}/stream/text?errorEvent=1`)
  expect(text.text.endsWith('event: error\ndata: Mock upstream failure after 1 tokens\n\n')).toBe(true)
})

test("seedError=N sends the seed's intended 错误发生 event after N tokens", async () => {
  const res = await get('seedError=2')
  expect(res.complete).toBe(true)
  expect(dataOf(res.text).at(-1)).toBe('错误发生:can only concatenate str (not "NoneType") to str')
  expect(dataOf(res.text)).toHaveLength(3)
})

test('oversize=<bytes> sends one event carrying a token of that size', async () => {
  const res = await get('oversize=300000')
  const big = dataOf(res.text).find((d) => d.length > 300_000)
  expect(big?.length).toBe(300_000 + "{'content': '', 'request_id': '123456789', 'userid': '789465'}".length)
  expect(res.complete).toBe(true)
})

test('badUtf8=1 puts invalid bytes in a token that a decoder turns into the expected U+FFFD', async () => {
  const res = await get('badUtf8=1&format=json')
  expect(res.body.includes(Buffer.from([0xff, 0xe4, 0xbd]))).toBe(true)
  const text = dataOf(new TextDecoder().decode(res.body))
    .slice(0, -1)
    .map((d) => (JSON.parse(d) as { content: string }).content)
    .join('')
  expect(text).toBe(expectedText('hi', { badUtf8: true }))
})

test('badPayload=N inserts one undecodable event after N tokens and goes on', async () => {
  const data = dataOf((await get('badPayload=2')).text)
  expect(data[2]).toBe("{'content': 'unterminated")
  expect([...data.slice(0, 2), ...data.slice(3)]).toEqual(dataOf(await plain()))
})

test('loneSurrogates=1 sends the two halves of an emoji as \\udxxx escapes in separate events', async () => {
  const text = (await get('loneSurrogates=1')).text
  expect(text).toMatch(/'content': '[^']*\\ud83d', [^\n]*\n\ndata: \{'content': '\\udc[0-9a-f]{2}/)
})

test('lang=en overrides the language picked from the prompt', async () => {
  const res = await raw(`${mock.url}/stream/get?text=${encodeURIComponent('你好')}&lang=en&length=1`)
  expect(dataOf(res.text)[0]).toContain("'Sure'")
})

test('x-mock-<name> headers work like query parameters, and the query wins', async () => {
  expect((await get('', { 'X-Mock-DropAfter': '2' })).text).toBe((await get('dropAfter=2')).text)
  expect((await get('dropAfter=3', { 'x-mock-dropafter': '1' })).text).toBe((await get('dropAfter=3')).text)
})

test('?scenario=<name> applies its settings, and explicit parameters override them', async () => {
  expect((await get('scenario=cut')).text).toBe((await get('dropAfter=5')).text)
  expect((await get('scenario=cut&dropAfter=1')).text).toBe((await get('dropAfter=1')).text)
  expect((await get('', { 'x-mock-scenario': 'truncated' })).text).toBe((await get('noDone=1')).text)
})

test('lastContent=final puts finish_reason on the last content chunk, with no separate finish chunk', async () => {
  const body = JSON.stringify({ model: 'm', stream: true, messages: [{ role: 'user', content: 'hi' }] })
  const res = await raw(`${mock.url}/v1/chat/completions?lastContent=final&think=off`, {
    method: 'POST',
    body,
    headers: { 'content-type': 'application/json' },
  })
  const chunks = dataOf(res.text)
  expect(chunks.at(-1)).toBe('[DONE]')
  const parsed = chunks.slice(0, -1).map((c) => JSON.parse(c) as { choices: [{ delta: { content?: string }; finish_reason: string | null }] })
  const tokens = scriptFor('hi').tokens
  // The role chunk, then one chunk per token; the last of them finishes.
  expect(parsed).toHaveLength(tokens.length + 1)
  expect(parsed.at(-1)!.choices[0]).toMatchObject({ delta: { content: tokens.at(-1) }, finish_reason: 'stop' })
  expect(parsed.slice(0, -1).every((c) => c.choices[0].finish_reason === null)).toBe(true)
})
