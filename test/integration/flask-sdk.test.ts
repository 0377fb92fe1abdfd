import { EventSource as NodeEventSource } from 'eventsource'
import { afterAll, beforeAll, expect, test } from 'vitest'
import { createClient } from '../../src/index.js'
import type { EventSourceConstructor } from '../../src/index.js'
import { expectedReasoning, expectedText } from '../../src/mock/script.js'
import { startMockServer } from '../../src/mock/server.js'
import type { MockServer } from '../../src/mock/server.js'
import { eventually, until } from '../helpers/eventually.js'
import { startFlask } from '../helpers/flask.js'
import type { FlaskBackend } from '../helpers/flask.js'

// The SDK against the reference Flask backend (real `openai` Python client
// streaming from the mock LLM), in both of the seed's modes and both payload
// formats: the final text equals the script, nothing duplicated.

let mock: MockServer
let repr: FlaskBackend
let json: FlaskBackend
beforeAll(async () => {
  mock = await startMockServer()
  ;[repr, json] = await Promise.all([startFlask({ upstream: mock.url }), startFlask({ upstream: mock.url, format: 'json' })])
  // Both processes answer before the first test starts its clock (a cold Python start under load is slow).
  await Promise.all([repr.stats(), json.stats()])
}, 180_000)
afterAll(async () => {
  await Promise.all([repr?.close(), json?.close()])
  await mock?.close()
})

const ES = NodeEventSource as unknown as EventSourceConstructor
const PROMPT = '详解一下flask框架 😀'
// The backend's default model is deepseek-r1, so the mock streams reasoning_content first.
const TEXT = expectedText(PROMPT)
const REASONING = expectedReasoning(PROMPT, { think: true })

for (const [format, backend] of [
  ['repr', () => repr],
  ['json', () => json],
] as const) {
  for (const mode of ['GET EventSource', 'GET fetch', 'POST'] as const) {
    test(`${mode} (${format}) completes with the exact script text, its reasoning and meta, one generation`, { timeout: 30_000 }, async () => {
      const b = backend()
      const before = await b.stats()
      const client = createClient({ baseUrl: b.url, EventSource: ES })
      const stream =
        mode === 'POST'
          ? client.post('/stream/post', { json: { prompt: PROMPT } })
          : client.get('/stream/get', { query: { text: PROMPT }, transport: mode === 'GET fetch' ? 'fetch' : 'eventsource' })
      const r = await stream.result
      expect(r.status).toBe('completed')
      expect(r.text).toBe(TEXT)
      expect(r.reasoning).toBe(REASONING)
      expect(r.meta).toMatchObject({ userid: '789465' })
      expect(typeof r.meta.request_id).toBe('string')
      const route = mode === 'POST' ? '/stream/post' : '/stream/get'
      // The stats in the failure message tell which stream is still open.
      const after = await until(
        () => b.stats(),
        (s) => s.open === 0,
      )
      expect(after.requests[route] - before.requests[route]).toBe(1)
      expect(after.completed - before.completed).toBe(1)
    })
  }
}

test('an upstream dropped mid-stream reaches the SDK as a server error with the partial text', async () => {
  const r = await createClient({ baseUrl: repr.url }).post('/stream/post', { json: { prompt: PROMPT }, headers: { 'x-mock-dropAfter': '8' } }).result
  expect(r.status).toBe('error')
  expect(r.error?.code).toBe('server')
  expect(r.reasoning.length + r.text.length).toBeGreaterThan(0)
  expect(REASONING.startsWith(r.reasoning)).toBe(true)
})

test('an upstream HTTP error reaches the SDK as an http error with the JSON message', async () => {
  const r = await createClient({ baseUrl: repr.url }).get('/stream/get', { query: { text: PROMPT }, headers: { 'x-mock-status': '500' } }).result
  expect(r.status).toBe('error')
  expect(r.error?.code).toBe('http')
  expect(r.error?.status).toBe(502)
  expect(r.error?.message).not.toContain('<')
})

test('abort() stops the generation: the backend sees the disconnect and does not save the answer', async () => {
  const before = await repr.stats()
  const stream = createClient({ baseUrl: repr.url }).post('/stream/post', { json: { prompt: PROMPT }, headers: { 'x-mock-delay': '20' } })
  stream.on('delta', () => stream.abort())
  const r = await stream.result
  expect(r.status).toBe('aborted')
  await until(
    () => repr.stats(),
    (s) => s.disconnected > before.disconnected,
  )
  expect((await repr.stats()).completed).toBe(before.completed)
  await eventually(() => mock.stats().open === 0)
})
