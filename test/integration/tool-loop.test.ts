import { afterAll, beforeAll, expect, test } from 'vitest'
import { createClient } from '../../src/index.js'
import type { StreamEvent, StreamResult } from '../../src/index.js'
import { REFUSAL } from '../../src/mock/protocols.js'
import { expectedText } from '../../src/mock/script.js'
import { startMockServer } from '../../src/mock/server.js'
import type { MockServer } from '../../src/mock/server.js'
import { startFlask } from '../helpers/flask.js'
import type { FlaskBackend } from '../helpers/flask.js'

// The server-side tool loop (llm_sse.tools) behind both reference backends'
// /api/chat, as real processes with the real `openai` client streaming from
// the mock: the model calls get_time, the backend runs it, the model answers,
// all in one stream. The mock counts every generation.

const PROMPT = 'What time is it?'
const GENERATIONS = '/v1/chat/completions'

let mock: MockServer
let flask: FlaskBackend
let fastapi: FlaskBackend
let fastapiResumable: FlaskBackend
beforeAll(async () => {
  mock = await startMockServer()
  // Flask in memory-resumable mode with repr payloads, FastAPI plain with JSON: both shapes of the wire.
  ;[flask, fastapi, fastapiResumable] = await Promise.all([
    startFlask({ upstream: mock.url, env: { RESUMABLE: '1' } }),
    startFlask({ upstream: mock.url, server: 'fastapi', format: 'json' }),
    startFlask({ upstream: mock.url, server: 'fastapi', format: 'json', env: { RESUMABLE: '1' } }),
  ])
  await Promise.all([flask.stats(), fastapi.stats(), fastapiResumable.stats()])
}, 180_000)
afterAll(async () => {
  await Promise.all([flask?.close(), fastapi?.close(), fastapiResumable?.close()])
  await mock?.close()
})

const generations = (): number => mock.stats().requests[GENERATIONS] ?? 0

async function chat(backend: FlaskBackend, headers: Record<string, string> = {}): Promise<{ result: StreamResult; events: StreamEvent[]; made: number }> {
  const before = generations()
  const stream = createClient({ baseUrl: backend.url }).post('/api/chat', { json: { messages: [{ role: 'user', content: PROMPT }] }, headers })
  const events: StreamEvent[] = []
  for await (const e of stream) events.push(e)
  return { result: await stream.result, events, made: generations() - before }
}

const toolEvents = (events: StreamEvent[]) => events.filter((e) => e.type.startsWith('tool-'))

for (const [name, backend] of [
  ['Flask', () => flask],
  ['FastAPI', () => fastapi],
] as const) {
  test(`${name}: a 3-step loop streams two tool calls, their results and the answer as one stream, with exactly 3 generations`, {
    timeout: 60_000,
  }, async () => {
    const { result, events, made } = await chat(backend(), { 'x-mock-toolSteps': '2' })
    expect(made).toBe(3)
    expect(result.status).toBe('completed')
    expect(result.text).toBe(expectedText(PROMPT))
    expect(result.toolCalls.map((c) => [c.index, c.function.name, JSON.parse(c.function.arguments)])).toEqual([
      [0, 'get_time', { query: PROMPT }],
      [1, 'get_time', { query: PROMPT }],
    ])
    expect(new Set(result.toolCalls.map((c) => c.id)).size).toBe(2)
    const tools = toolEvents(events)
    // Per step: pieces, the whole call, its result; the two steps' calls never share an index.
    const shape = tools.map((e) => (e.type === 'tool-input' ? `input${e.index}` : e.type === 'tool-call' ? `call${e.toolCall.index}` : 'result'))
    const step = (i: number) => [`input${i}`, ...shape.filter((s) => s === `input${i}`).slice(1), `call${i}`, 'result']
    expect(shape).toEqual([...step(0), ...step(1)])
    const results = tools.filter((e) => e.type === 'tool-result')
    for (const [i, r] of results.entries()) {
      expect(r).toMatchObject({ id: result.toolCalls[i]!.id, name: 'get_time', output: { timezone: 'UTC' } })
      expect(r.type === 'tool-result' && r.error).toBeFalsy()
    }
    // The answer's text comes after the last result: one stream, one end.
    expect(events.findIndex((e) => e.type === 'delta')).toBeGreaterThan(events.lastIndexOf(results[1]!))
    expect(events.filter((e) => e.type === 'done')).toHaveLength(1)
  })

  test(`${name}: a tool that throws gives a tool-result error with a generic message, details only in the server log, and the loop goes on`, {
    timeout: 60_000,
  }, async () => {
    const b = backend()
    const { result, events, made } = await chat(b, { 'x-mock-toolArgs': JSON.stringify({ timezone: 'Mars/Olympus_Mons' }) })
    expect(made).toBe(2)
    expect(result.status).toBe('completed')
    expect(result.text).toBe(expectedText(PROMPT))
    const [r] = events.filter((e) => e.type === 'tool-result')
    expect(r).toEqual({ type: 'tool-result', id: result.toolCalls[0]!.id, name: 'get_time', error: 'the tool failed' })
    // The exception and its traceback went to the server log, with the call id.
    expect(b.log()).toContain('ZoneInfoNotFoundError')
    expect(b.log()).toContain(result.toolCalls[0]!.id)
  })

  test(`${name}: a refusal reaches result.refusal with one warning, one generation`, { timeout: 60_000 }, async () => {
    const { result, made } = await chat(backend(), { 'x-mock-refuse': '1' })
    expect(made).toBe(1)
    expect(result.status).toBe('completed')
    expect(result.text).toBe('')
    expect(result.refusal).toBe(REFUSAL.join(''))
    expect(result.warnings.filter((w) => w.code === 'refusal')).toHaveLength(1)
    expect(result.toolCalls).toEqual([])
  })

  test(`${name}: bad messages are a JSON 400 before any generation`, async () => {
    const before = generations()
    const r = await createClient({ baseUrl: backend().url }).post('/api/chat', { json: { messages: [{ role: 'robot', content: 'x' }] } }).result
    expect(r.status).toBe('error')
    expect(r.error?.status).toBe(400)
    expect(r.error?.message).toContain('role')
    expect(generations()).toBe(before)
  })
}

for (const [name, backend] of [
  ['Flask', () => flask],
  ['FastAPI', () => fastapiResumable],
] as const)
  test(`${name}: a tool-loop stream cut after its first tool result resumes from Last-Event-ID to the same end, without another generation`, {
    timeout: 60_000,
  }, async () => {
    const before = generations()
    const client = createClient({ baseUrl: backend().url })
    const json = { messages: [{ role: 'user', content: PROMPT }] }
    const headers = { 'x-mock-toolSteps': '2', 'x-mock-delay': '5' }
    const first = client.post('/api/chat', { json, headers })
    const seen: StreamEvent[] = []
    for await (const e of first) {
      seen.push(e)
      if (e.type === 'tool-result') first.abort()
    }
    const cut = await first.result
    expect(cut.status).toBe('aborted')
    expect(cut.lastEventId).toMatch(/^[0-9a-f]{32}:\d+$/)
    const rest = client.post('/api/chat', { json, headers, lastEventId: cut.lastEventId })
    const later: StreamEvent[] = []
    for await (const e of rest) later.push(e)
    const r = await rest.result
    expect(r.status).toBe('completed')
    expect(cut.text + r.text).toBe(expectedText(PROMPT))
    // The second call's pieces and result arrive after the resume; the first call's only before it.
    expect(toolEvents(later).filter((e) => e.type === 'tool-result')).toHaveLength(1)
    expect(r.toolCalls.map((c) => c.index)).toEqual([1])
    expect(generations() - before).toBe(3)
  })
