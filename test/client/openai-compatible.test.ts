import { afterAll, beforeAll, expect, test } from 'vitest'
import { createClient } from '../../src/index.js'
import type { StreamEvent } from '../../src/index.js'
import { expectedText, startMockServer } from '../../src/mock/index.js'
import type { MockServer } from '../../src/mock/index.js'
import { serve, sseHead } from '../helpers/http.js'
import type { TestServer } from '../helpers/http.js'

// The README's recipe: an OpenAI-compatible /v1/chat/completions called
// directly, with a key in a header; and a tool-calling answer over the wire.

let mock: MockServer
let tools: TestServer
const chunk = (delta: object, finish: string | null = null) =>
  `data: ${JSON.stringify({ id: 'c1', object: 'chat.completion.chunk', model: 'm', choices: [{ index: 0, delta, finish_reason: finish }] })}\n\n`
beforeAll(async () => {
  mock = await startMockServer()
  tools = await serve((_req, res) => {
    sseHead(res)
    res.end(
      chunk({ role: 'assistant', content: null }) +
        chunk({ tool_calls: [{ index: 0, id: 'call_1', type: 'function', function: { name: 'get_weather', arguments: '' } }] }) +
        chunk({ tool_calls: [{ index: 0, function: { arguments: '{"city":' } }] }) +
        chunk({ tool_calls: [{ index: 0, function: { arguments: '"Paris"}' } }] }) +
        chunk({}, 'tool_calls') +
        'data: [DONE]\n\n',
    )
  })
})
afterAll(async () => {
  await mock.close()
  await tools.close()
})

test('the README recipe streams a completed answer with usage, sending the key in a header', async () => {
  const client = createClient({ baseUrl: `${mock.url}/v1`, headers: { authorization: () => 'Bearer sk-test' }, dialect: 'openai' })
  const s = client.post('/chat/completions', {
    json: { model: 'm', stream: true, stream_options: { include_usage: true }, messages: [{ role: 'user', content: 'Explain Flask' }] },
  })
  const deltas: string[] = []
  s.on('delta', (e) => deltas.push(e.text))
  const r = await s.result
  expect(r).toMatchObject({ status: 'completed', finishReason: 'stop', text: expectedText('Explain Flask') })
  expect(deltas.join('')).toBe(r.text)
  expect(r.usage?.total_tokens).toBeGreaterThan(0)
  expect(r.warnings).toEqual([])
})

test('a tool-calling answer over the wire: toolCalls on the result and the handle, one tool-call event, no warning', async () => {
  const s = createClient({ baseUrl: tools.url }).post('/v1/chat/completions', { json: { stream: true } })
  const events: StreamEvent[] = []
  for await (const e of s) events.push(e)
  const r = await s.result
  const call = { index: 0, id: 'call_1', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } }
  expect(r).toMatchObject({ status: 'completed', finishReason: 'tool_calls', text: '', toolCalls: [call] })
  expect(r.warnings).toEqual([])
  expect(s.toolCalls).toEqual([call])
  expect(events.filter((e) => e.type === 'tool-call')).toEqual([{ type: 'tool-call', toolCall: call }])
  expect(JSON.parse(r.toolCalls[0]!.function.arguments)).toEqual({ city: 'Paris' })
})

test("the mock's /v1 route answers a request with tools by calling the first one, streamed and not", async () => {
  const client = createClient({ baseUrl: `${mock.url}/v1` })
  const tools = [{ type: 'function', function: { name: 'search_docs', parameters: { type: 'object', properties: { query: { type: 'string' } } } } }]
  const messages = [{ role: 'user', content: 'Flask blueprints' }]
  const streamed = await client.post('/chat/completions', { json: { model: 'm', stream: true, tools, messages } }).result
  expect(streamed).toMatchObject({ status: 'completed', finishReason: 'tool_calls', text: '' })
  expect(streamed.toolCalls).toEqual([
    { index: 0, id: expect.stringMatching(/^call_/), type: 'function', function: { name: 'search_docs', arguments: '{"query":"Flask blueprints"}' } },
  ])
  expect(streamed.warnings).toEqual([])
  const whole = await client.post('/chat/completions', { json: { model: 'm', tools, messages } }).result
  expect(whole).toMatchObject({ status: 'completed', finishReason: 'tool_calls', toolCalls: streamed.toolCalls })
})
