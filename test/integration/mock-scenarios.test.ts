import { EventSource as NodeEventSource } from 'eventsource'
import { afterAll, beforeAll, expect, test } from 'vitest'
import { createClient } from '../../src/index.js'
import type { EventSourceConstructor, LlmStream, RequestOptions } from '../../src/index.js'
import { MOCK_SCENARIOS } from '../../src/mock/presets.js'
import { expectedReasoning, expectedText } from '../../src/mock/script.js'
import type { ScriptOptions } from '../../src/mock/script.js'
import { startMockServer } from '../../src/mock/server.js'
import type { MockServer } from '../../src/mock/server.js'
import { eventually } from '../helpers/eventually.js'

// Every named scenario of the mock server, through the public API, in every
// mode the seed uses: the outcome must be one the scenario table allows, the
// text exactly the script's, one request per stream, no connection left open.

let mock: MockServer
beforeAll(async () => {
  mock = await startMockServer()
})
afterAll(() => mock.close())

const ES = NodeEventSource as unknown as EventSourceConstructor
const PROMPT = '详解一下flask框架'

type Mode = { name: string; route: string; run: (client: ReturnType<typeof createClient>, o: RequestOptions) => LlmStream }
const modes: Mode[] = [
  {
    name: 'GET EventSource',
    route: '/stream/get',
    run: (c, o) => c.get('/stream/get', { ...o, query: { ...(o.query as object), text: PROMPT }, transport: 'eventsource' }),
  },
  {
    name: 'GET fetch',
    route: '/stream/get',
    run: (c, o) => c.get('/stream/get', { ...o, query: { ...(o.query as object), text: PROMPT }, transport: 'fetch' }),
  },
  { name: 'POST fetch', route: '/stream/post', run: (c, o) => c.post('/stream/post', { ...o, json: { prompt: PROMPT } }) },
  {
    name: 'OpenAI POST',
    route: '/v1/chat/completions',
    run: (c, o) =>
      c.post('/v1/chat/completions', {
        ...o,
        json: { model: 'deepseek-r1:14b', stream: true, stream_options: { include_usage: true }, messages: [{ role: 'user', content: PROMPT }] },
      }),
  },
]

function scriptOptions(params: Readonly<Record<string, string>>): ScriptOptions {
  return { badUtf8: params.badUtf8 === '1', loneSurrogates: params.loneSurrogates === '1' }
}

for (const mode of modes)
  for (const scenario of MOCK_SCENARIOS) {
    // Not run: bare-CR streams through the `eventsource` package, whose
    // parser (eventsource-parser 3.x) holds a trailing CR until more input
    // comes, so it drops the last event. That is the test double's bug; the
    // SDK's own parser is covered by GET/POST fetch here, and browsers'
    // EventSource by the e2e tests.
    if (mode.name === 'GET EventSource' && scenario.params.eol === 'cr') continue
    // EventSource cannot see statuses or bodies: its http outcomes are checked below.
    test(`${mode.name}: scenario ${scenario.name} ends as the table says, text intact, connection released`, async () => {
      const before = mock.stats().requests[mode.route] ?? 0
      const client = createClient({ baseUrl: mock.url, EventSource: ES, timeouts: { idle: 1000 } })
      const stream = mode.run(client, { query: { ...scenario.params } })
      const r = await stream.result
      const allowed = scenario.expect.map((o) => `${o.status}/${o.code ?? ''}`)
      const got = `${r.status}/${r.error?.code ?? ''}`
      if (mode.name === 'GET EventSource' && r.status === 'error' && scenario.expect.some((o) => o.code === 'content-type'))
        expect(got).toBe('error/http') // EventSource reports a wrong Content-Type as a failed connection, without the reason
      else expect(allowed).toContain(got)
      for (const o of scenario.expect) if (o.warning && o.status === r.status) expect(r.warnings.map((w) => w.code)).toContain(o.warning)
      const options = scriptOptions(scenario.params)
      if (r.status === 'completed') {
        expect(r.text).toBe(expectedText(PROMPT, options))
        // Inline <think> on the seed routes, reasoning_content on /v1 (model deepseek-r1).
        const thinks = scenario.params.think === '1' || mode.route.startsWith('/v1')
        expect(r.reasoning).toBe(thinks ? expectedReasoning(PROMPT, { ...options, think: true }) : '')
      } else {
        // Whatever arrived is kept, and is a prefix of the answer.
        expect(expectedText(PROMPT, options).startsWith(r.text)).toBe(true)
      }
      if (mode.route !== '/v1/chat/completions' && r.status === 'completed') expect(r.meta).toMatchObject({ request_id: '123456789', userid: '789465' })
      expect((mock.stats().requests[mode.route] ?? 0) - before).toBe(1)
      await eventually(() => mock.stats().open === 0)
    })
  }

test('opt-in retry resumes the resumable scenario with Last-Event-ID: one answer, no repeated token', async () => {
  const before = mock.stats().requests['/stream/post'] ?? 0
  const client = createClient({ baseUrl: mock.url, retry: { attempts: 3, baseDelay: 10 } })
  const r = await client.post('/stream/post', { json: { prompt: PROMPT }, query: { scenario: 'resumable' } }).result
  expect(r.status).toBe('completed')
  expect(r.text).toBe(expectedText(PROMPT))
  expect(r.counts.attempts).toBe(2)
  expect((mock.stats().requests['/stream/post'] ?? 0) - before).toBe(2)
})

test('opt-in retry over EventSource lets it reconnect with Last-Event-ID and still completes once', async () => {
  const before = mock.stats().requests['/stream/get'] ?? 0
  const client = createClient({ baseUrl: mock.url, EventSource: ES, retry: true })
  const r = await client.get('/stream/get', { query: { text: PROMPT, scenario: 'resumable' } }).result
  expect(r.status).toBe('completed')
  expect(r.text).toBe(expectedText(PROMPT))
  expect((mock.stats().requests['/stream/get'] ?? 0) - before).toBe(2)
})
