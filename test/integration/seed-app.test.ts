import { EventSource as NodeEventSource } from 'eventsource'
import { afterAll, beforeAll, expect, test } from 'vitest'
import { createClient } from '../../src/index.js'
import type { EventSourceConstructor, StreamResult } from '../../src/index.js'
import { DEFAULT_PROMPT, expectedReasoning, expectedText } from '../../src/mock/script.js'
import { startMockServer } from '../../src/mock/server.js'
import type { MockServer } from '../../src/mock/server.js'
import { startSeed } from '../helpers/flask.js'

// The SDK against the seed's own app (../shared/seed/app.py, bugs kept),
// its deepseek.py streaming from the mock LLM. Which upstream it gets decides
// how the seed ends (see ../shared/seed/README.md):
// - Ollama-style (inline <think>, finish chunk with content ''): a proper
//   stream ending in the `completed` dict that repeats the last content;
// - OpenAI-style (finish chunk with an empty delta): `result += None` kills
//   the generator after the last token, so the body is cut, no `completed`;
// - an upstream HTTP 500: Werkzeug's HTML 500 page, after the openai
//   client's own retries.
// The seed ignores the prompt: the answer is always the script of its
// hard-coded question.

let mock: MockServer
const seeds: Record<'ok' | 'cut' | 'down', { url: string; close(): Promise<void>; log(): string }> = {} as never
beforeAll(async () => {
  mock = await startMockServer()
  const [ok, cut, down] = await Promise.all([
    startSeed(`${mock.url}/_/think=inline&lastContent=empty/v1`),
    startSeed(`${mock.url}/_/think=inline/v1`),
    startSeed(`${mock.url}/_/status=500/v1`),
  ])
  Object.assign(seeds, { ok, cut, down })
}, 180_000)
afterAll(async () => {
  await Promise.all(Object.values(seeds).map((s) => s.close()))
  await mock?.close()
})

const ES = NodeEventSource as unknown as EventSourceConstructor
const TEXT = expectedText(DEFAULT_PROMPT)
const REASONING = expectedReasoning(DEFAULT_PROMPT, { think: true })
const MODES = ['GET EventSource', 'GET fetch', 'POST'] as const

function run(seed: keyof typeof seeds, mode: (typeof MODES)[number]): Promise<StreamResult> {
  const client = createClient({ baseUrl: seeds[seed].url, EventSource: ES })
  return mode === 'POST'
    ? client.post('/stream/post', { json: { prompt: 'ignored by the seed' } }).result
    : client.get('/stream/get', { query: { text: 'ignored by the seed' }, transport: mode === 'GET fetch' ? 'fetch' : 'eventsource' }).result
}

for (const mode of MODES) {
  test(`${mode}: a seed stream that ends with completed is the exact answer, reasoning split off, last token once`, { timeout: 30_000 }, async () => {
    mock.resetStats()
    const r = await run('ok', mode)
    expect(r.status).toBe('completed')
    expect(r.error).toBeUndefined()
    expect(r.text).toBe(TEXT)
    expect(r.reasoning).toBe(REASONING)
    expect(r.meta).toEqual({ request_id: '123456789', userid: '789465' })
    // One generation: nothing re-sent, no reconnect before the answer was final.
    expect(mock.stats().requests['/v1/chat/completions']).toBe(1)
  })

  test(`${mode}: a seed generator that dies after the last token is never completed and keeps the whole text`, { timeout: 30_000 }, async () => {
    const r = await run('cut', mode)
    expect(r.status).not.toBe('completed')
    // Node's fetch ends a cut `Connection: close` body cleanly (incomplete); EventSource sees an error after events.
    expect(r.status === 'incomplete' || (r.status === 'error' && r.error?.code === 'network')).toBe(true)
    expect(r.error).toBeDefined()
    expect(r.text).toBe(TEXT)
    expect(r.reasoning).toBe(REASONING)
  })

  test(`${mode}: an upstream failure is the seed's HTML 500, reported as an http error without the HTML`, { timeout: 30_000 }, async () => {
    const r = await run('down', mode)
    expect(r.status).toBe('error')
    expect(r.error?.code).toBe('http')
    expect(r.text).toBe('')
    if (mode !== 'GET EventSource') {
      // EventSource hides the status and the body; fetch shows both.
      expect(r.error?.status).toBe(500)
      expect(r.error?.message).toContain('Internal Server Error')
      expect(r.error?.message).not.toContain('<')
      expect(r.error?.body).toContain('<!doctype html>')
    }
  })
}
