import { afterAll, beforeAll, expect, test } from 'vitest'
import { createClient } from '../../src/index.js'
import { startMockServer } from '../../src/mock/server.js'
import type { MockServer } from '../../src/mock/server.js'
import { expectedText } from '../../src/mock/script.js'
import { serve } from '../helpers/http.js'
import type { TestServer } from '../helpers/http.js'

// Forgetting `stream: true` is the most common first mistake against an
// OpenAI-compatible API: the server answers with one JSON document.

let mock: MockServer
let other: TestServer
const DOC = { items: Array.from({ length: 200 }, (_, i) => ({ id: i, name: `item ${i}` })) }
beforeAll(async () => {
  mock = await startMockServer()
  other = await serve((req, res) => {
    res.writeHead(200, { 'content-type': 'application/json; charset=utf-8' })
    res.end(req.url === '/error' ? JSON.stringify({ error: { message: 'Model not found' } }) : JSON.stringify(DOC))
  })
})
afterAll(async () => {
  await mock.close()
  await other.close()
})

test('a non-streamed chat.completion answer is a completed answer with a not-streamed warning', async () => {
  const messages = [{ role: 'user', content: 'hello there' }]
  const r = await createClient({ baseUrl: mock.url }).post('/v1/chat/completions', { json: { model: 'm', messages } }).result
  expect(r).toMatchObject({ status: 'completed', finishReason: 'stop', text: expectedText('hello there') })
  expect(r.warnings.map((w) => w.code)).toEqual(['not-streamed'])
  expect(r.warnings[0]!.message).toMatch(/"stream": true/)
  expect(r.usage?.total_tokens).toBeGreaterThan(0)
})

test('any other JSON is a content-type error whose message has a hint, not the document', async () => {
  const r = await createClient({ baseUrl: other.url }).post('/doc').result
  expect(r).toMatchObject({ status: 'error', error: { code: 'content-type', status: 200 } })
  expect(r.error!.message).toMatch(/not a stream.*"stream": true/)
  expect(r.error!.message).not.toMatch(/item 1/)
  expect(r.error!.message.length).toBeLessThan(300)
})

test('JSON with an error message gives that message in the content-type error', async () => {
  const r = await createClient({ baseUrl: other.url }).post('/error').result
  expect(r.error).toMatchObject({ code: 'content-type', message: 'Expected text/event-stream, got application/json; charset=utf-8: Model not found' })
})
