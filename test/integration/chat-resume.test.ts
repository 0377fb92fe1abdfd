import { afterAll, beforeAll, expect, test } from 'vitest'
import { createChat } from '../../src/chat/index.js'
import type { ChatMessage, ChatRequest, StoredMessage } from '../../src/chat/index.js'
import { expectedReasoning, expectedText } from '../../src/mock/script.js'
import { startMockServer } from '../../src/mock/server.js'
import type { MockServer } from '../../src/mock/server.js'
import { startFlask } from '../helpers/flask.js'
import type { FlaskBackend } from '../helpers/flask.js'

// A page reload in the middle of an answer, against the reference backend in
// resumable mode (memory store, one process): the first chat is saved and
// dropped mid-answer, a second one is made from what was saved, and
// resume() continues the answer without a second generation.

const PROMPT = '详解一下flask框架 😀'
const GENERATIONS = '/v1/chat/completions'

let mock: MockServer
let flask: FlaskBackend
beforeAll(async () => {
  mock = await startMockServer()
  flask = await startFlask({ upstream: mock.url, format: 'json', env: { RESUMABLE: '1' } })
}, 180_000)
afterAll(async () => {
  await flask?.close()
  await mock?.close()
})

const generations = (): number => mock.stats().requests[GENERATIONS] ?? 0

test('an answer saved mid-stream and restored in a new chat resumes to the exact one-shot text, with one generation', { timeout: 60_000 }, async () => {
  const before = generations()
  // The page's lifetime: closing it cuts the answer's connection, as a browser does.
  const page = new AbortController()
  const request = (m: readonly ChatMessage[]): ChatRequest => ({
    path: '/stream/post',
    json: { prompt: m[m.length - 1]!.text },
    // Slow enough (~110 events at 15 ms) that the cut lands mid-answer.
    headers: { 'x-mock-delay': '15' },
    signal: page.signal,
  })
  const first = createChat({ client: { baseUrl: flask.url }, request, throttle: 0 })
  let saved: StoredMessage[] | undefined
  const cut = new Promise<void>((resolve) =>
    first.subscribe(({ messages }) => {
      const answer = messages[messages.length - 1]
      if (!saved && answer?.role === 'assistant' && answer.text.length > 30) {
        // What a pagehide handler stores, then the page goes away.
        saved = first.serialize()
        page.abort()
        resolve()
      }
    }),
  )
  void first.send(PROMPT)
  await cut
  const stored = saved!.at(-1)!
  expect(stored.status).toBe('streaming')
  // Kept up to date while the answer streams, so the saved copy knows where it was cut.
  expect(stored.lastEventId).toMatch(/^[0-9a-f]{32}:\d+$/)
  expect(stored.text.length).toBeLessThan(expectedText(PROMPT).length)

  const second = createChat({
    client: { baseUrl: flask.url },
    request: (m) => ({ ...request(m), signal: undefined }),
    initialMessages: JSON.parse(JSON.stringify(saved)),
  })
  expect(second.getSnapshot().messages.at(-1)).toMatchObject({ status: 'incomplete', text: stored.text, lastEventId: stored.lastEventId })
  const answer = await second.resume()
  expect(answer?.status).toBe('completed')
  expect(answer?.text).toBe(expectedText(PROMPT))
  expect(answer?.reasoning).toBe(expectedReasoning(PROMPT, { think: true }))
  expect(answer?.id).toBe(stored.id)
  expect(second.getSnapshot()).toMatchObject({ status: 'idle', messages: [{ role: 'user', text: PROMPT }, answer] })
  expect(generations() - before).toBe(1)
  // Nothing left to resume: a second call does nothing.
  expect(await second.resume()).toBeUndefined()
})
