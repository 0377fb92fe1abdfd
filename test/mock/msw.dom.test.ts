import { setupServer } from 'msw/node'
import { afterAll, beforeAll, expect, test } from 'vitest'
import { createMockHandlers, expectedText, scriptFor } from '../../src/testing/index.js'

// The testing entry in a DOM-like environment (jsdom), as component tests use it.
const server = setupServer(...createMockHandlers({ baseUrl: 'http://api.test' }))
beforeAll(() => server.listen({ onUnhandledRequest: 'error' }))
afterAll(() => server.close())

test('in jsdom the msw handlers stream the seed events of the script', async () => {
  expect(typeof document).toBe('object')
  const res = await fetch('http://api.test/stream/post', { method: 'POST', body: JSON.stringify({ prompt: 'dom' }) })
  expect(res.headers.get('content-type')).toBe('text/event-stream; charset=utf-8')
  const text = await res.text()
  expect(text.match(/^data: /gm)).toHaveLength(scriptFor('dom').tokens.length + 1)
  expect(expectedText('dom').length).toBeGreaterThan(0)
})

test('in jsdom an OpenAI stream from msw ends with [DONE]', async () => {
  const res = await fetch('http://api.test/v1/chat/completions', {
    method: 'POST',
    body: JSON.stringify({ model: 'm', stream: true, messages: [{ role: 'user', content: 'dom' }] }),
  })
  expect((await res.text()).endsWith('data: [DONE]\n\n')).toBe(true)
})
