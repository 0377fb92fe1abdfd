// One test table for the two wire formats of the Python kit: our own
// createChat against both reference backends, once in the kit's JSON format
// and once in the AI SDK's UI-message stream (`--format ai-sdk`, useChat's
// request body), gives the same message parts: the server-side tool call
// with its output, the reasoning, the text.

import { afterAll, beforeAll, expect, test } from 'vitest'
import { createChat } from '../../src/chat/index.js'
import type { ChatMessage, ChatOptions, MessagePart } from '../../src/chat/index.js'
import { expectedReasoning, expectedText } from '../../src/mock/script.js'
import { startMockServer } from '../../src/mock/server.js'
import type { MockServer } from '../../src/mock/server.js'
import { startFlask } from '../helpers/flask.js'
import type { FlaskBackend } from '../helpers/flask.js'

const PROMPT = 'What time is it in either format?'
const THINK = { think: true }
type Server = 'flask' | 'fastapi'
type Format = 'json' | 'ai-sdk'

let mock: MockServer
const backends = new Map<string, FlaskBackend>()

beforeAll(async () => {
  mock = await startMockServer()
  const started = await Promise.all(
    (['flask', 'fastapi'] as const).flatMap((server) =>
      (['json', 'ai-sdk'] as const).map(async (format) => [`${server} ${format}`, await startFlask({ upstream: mock.url, server, format })] as const),
    ),
  )
  for (const [k, b] of started) backends.set(k, b)
}, 240_000)
afterAll(async () => {
  await Promise.all([...backends.values()].map((b) => b.close()))
  await mock?.close()
})

/** useChat's body: the chat id and the messages as UIMessages (their text parts). */
const useChatRequest: ChatOptions['request'] = (messages: readonly ChatMessage[]) => ({
  path: '/api/chat',
  dialect: 'ai-sdk',
  json: {
    id: 'parts-table',
    trigger: 'submit-message',
    messages: messages.map((m) => ({ id: m.id, role: m.role, parts: m.parts.filter((p) => p.type === 'text') })),
  },
})

/** The answer's parts with the tool's clock reading (different on every run) blanked. */
const stable = (parts: readonly MessagePart[]) => parts.map((p) => (p.type === 'tool-call' ? { ...p, output: { ...(p.output as object), time: '<now>' } } : p))

async function answer(server: Server, format: Format): Promise<readonly MessagePart[]> {
  const backend = backends.get(`${server} ${format}`)!
  const chat = createChat({ client: { baseUrl: backend.url }, ...(format === 'ai-sdk' ? { request: useChatRequest } : {}) })
  const before = mock.stats().requests['/v1/chat/completions'] ?? 0
  const message = await chat.send(PROMPT)
  expect(message.status, `${server} ${format}: ${message.error?.message ?? ''}`).toBe('completed')
  // One generation calls the tool, one answers with its result.
  expect((mock.stats().requests['/v1/chat/completions'] ?? 0) - before).toBe(2)
  return stable(message.parts)
}

for (const server of ['flask', 'fastapi'] as const)
  test(`createChat gets the same parts from the ${server} backend in the kit's JSON format and in the AI SDK's`, async () => {
    const json = await answer(server, 'json')
    const aiSdk = await answer(server, 'ai-sdk')
    expect(aiSdk).toEqual(json)
    expect(json.map((p) => p.type)).toEqual(['tool-call', 'reasoning', 'text'])
    expect(json[0]).toMatchObject({ type: 'tool-call', name: 'get_time', state: 'output-available', input: { query: PROMPT } })
    expect(json[1]).toEqual({ type: 'reasoning', text: expectedReasoning(PROMPT, THINK) })
    expect(json[2]).toEqual({ type: 'text', text: expectedText(PROMPT, THINK) })
  })
