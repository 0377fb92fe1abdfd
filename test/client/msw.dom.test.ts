import { setupServer } from 'msw/node'
import { afterAll, beforeAll, expect, test } from 'vitest'
import { createClient } from '../../src/index.js'
import { createMockHandlers, expectedText } from '../../src/testing/index.js'

// What a user's jsdom test looks like: the package's own msw handlers stand
// in for the backend, and `fetch` is looked up at request time, so msw's
// patched global is the one used.
const server = setupServer(...createMockHandlers({ baseUrl: 'http://api.test' }))
beforeAll(() => server.listen({ onUnhandledRequest: 'error' }))
afterAll(() => server.close())

const client = createClient({ baseUrl: 'http://api.test' })

test('under msw in jsdom a seed POST completes with the script text', async () => {
  const r = await client.post('/stream/post', { json: { prompt: 'hello' } }).result
  expect(r.status).toBe('completed')
  expect(r.text).toBe(expectedText('hello'))
  expect(r.meta).toMatchObject({ request_id: '123456789', userid: '789465' })
})

test('under msw a cut stream is a network error that keeps the partial text', async () => {
  const r = await client.post('/stream/post', { json: { prompt: 'hello' }, query: { dropAfter: 4 } }).result
  expect(r.status).toBe('error')
  expect(r.error?.code).toBe('network')
  expect(expectedText('hello').startsWith(r.text)).toBe(true)
  expect(r.text.length).toBeGreaterThan(0)
})

test('under msw an OpenAI-compatible stream with reasoning completes', async () => {
  const r = await client.post('/v1/chat/completions', {
    json: { model: 'deepseek-r1', stream: true, messages: [{ role: 'user', content: 'hello' }] },
  }).result
  expect(r.status).toBe('completed')
  expect(r.text).toBe(expectedText('hello'))
  expect(r.reasoning.length).toBeGreaterThan(0)
  expect(r.finishReason).toBe('stop')
})
