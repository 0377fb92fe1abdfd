import { EventSource as NodeEventSource } from 'eventsource'
import { afterEach, expect, test } from 'vitest'
import { createClient, isStreamError } from '../src/index.js'
import type { ClientOptions, EventSourceConstructor, RequestOptions } from '../src/index.js'
import { seedStream, serve, sseHead } from './helpers/http.js'
import type { TestServer } from './helpers/http.js'

// Node has no `location` and no global `EventSource`: the checks that depend
// on the runtime are exercised here as a Node script would meet them.

const servers: TestServer[] = []
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()))
})

const BASE = 'http://127.0.0.1:9'
const client = createClient({ baseUrl: BASE })

/** The error a synchronous call threw, or undefined. */
function thrown(fn: () => unknown): unknown {
  try {
    fn()
  } catch (error) {
    return error
  }
  return undefined
}

/** Expect an `invalid-options` StreamError whose message matches. */
function invalid(fn: () => unknown, message: RegExp): void {
  const error = thrown(fn)
  expect(isStreamError(error) && error.code).toBe('invalid-options')
  expect((error as Error).message).toMatch(message)
}

const post = (options: RequestOptions) => () => client.post('/stream/post', options)
const make = (options: ClientOptions) => () => createClient(options)

test('a GET with a json body throws at once: the body would be lost', () => {
  invalid(() => client.get('/stream/get', { json: { prompt: 'hi' } }), /GET sends no body \(`json`\/`body` would be lost\): use post\(\), or `query`/)
  invalid(() => client.get('/stream/get', { body: 'hi' }), /would be lost/)
  expect(thrown(() => client.get('/stream/get', { query: { text: 'hi' }, transport: 'fetch' }).abort())).toBeUndefined()
})

test('a relative URL without baseUrl throws where there is no page to resolve it against', () => {
  invalid(() => createClient().post('/stream/post', { json: {} }), /"\/stream\/post" is relative and there is no page: .*baseUrl: 'http:\/\/127\.0\.0\.1:5000'/)
  invalid(() => createClient({ baseUrl: '/api' }).post('/stream/post'), /"\/stream\/post" is relative/)
  expect(thrown(() => createClient().post(`${BASE}/stream/post`).abort())).toBeUndefined()
  expect(
    thrown(() =>
      createClient()
        .post(new URL(`${BASE}/stream/post`))
        .abort(),
    ),
  ).toBeUndefined()
})

test('a baseUrl without a scheme throws with the URL it probably meant', () => {
  invalid(make({ baseUrl: '127.0.0.1:5000' }), /baseUrl "127\.0\.0\.1:5000" has no scheme: did you mean "http:\/\/127\.0\.0\.1:5000"\?/)
  invalid(make({ baseUrl: 'localhost:5000' }), /did you mean "http:\/\/localhost:5000"/)
  invalid(make({ baseUrl: 'api/v1' }), /has no scheme/)
  for (const ok of ['', '/api', './api', 'http://127.0.0.1:5000', 'https://api.example.com/v1']) expect(thrown(make({ baseUrl: ok }))).toBeUndefined()
  invalid(() => createClient().get('/x', { baseUrl: 'example.com' } as RequestOptions), /did you mean "http:\/\/example\.com"/)
})

test("transport: 'eventsource' without an EventSource throws, and says what to pass", () => {
  invalid(() => client.get('/stream/get', { transport: 'eventsource' }), /but no EventSource here: pass `EventSource` \(npm 'eventsource'\) or use 'fetch'/)
  const withEs = createClient({ baseUrl: BASE, EventSource: NodeEventSource as unknown as EventSourceConstructor })
  expect(thrown(() => withEs.get('/stream/get', { transport: 'eventsource' }).abort())).toBeUndefined()
  invalid(() => withEs.get('/stream/get', { transport: 'eventsource', headers: { authorization: 'Bearer x' } }), /cannot send headers: use 'fetch'/)
  // POST always runs on fetch: a client-wide 'eventsource' is only for its GETs.
  expect(thrown(() => createClient({ baseUrl: BASE, transport: 'eventsource' }).post('/stream/post').abort())).toBeUndefined()
})

test('retry.attempts must be a whole number from 1 to 100', () => {
  for (const attempts of [0, -1, 1.5, 101, Number.NaN, Number.POSITIVE_INFINITY])
    invalid(make({ retry: { attempts } }), /retry\.attempts must be a whole number from 1 to 100/)
  invalid(post({ retry: { attempts: 0 } }), /retry\.attempts/)
  invalid(make({ retry: { baseDelay: -1 } }), /retry\.baseDelay must be ms from 0 \(off\) to 2147483647, not -1/)
  invalid(make({ retry: 'yes' as never }), /retry must be true, false or \{ attempts, baseDelay, maxDelay \}/)
  for (const attempts of [1, 3, 100]) expect(thrown(make({ retry: { attempts } }))).toBeUndefined()
})

test('maxEventBytes must be a whole number of at least 1', () => {
  for (const maxEventBytes of [0, -1, 2.5, Number.NaN, Number.POSITIVE_INFINITY]) invalid(make({ maxEventBytes }), /maxEventBytes must be a whole number ≥ 1/)
  invalid(post({ maxEventBytes: 0 }), /maxEventBytes/)
  expect(thrown(make({ maxEventBytes: 1 }))).toBeUndefined()
})

test('a timeout beyond what timers can wait throws, instead of firing at once', () => {
  invalid(make({ timeouts: { idle: Number.POSITIVE_INFINITY } }), /timeouts\.idle must be ms from 0 \(off\) to 2147483647, not Infinity/)
  invalid(post({ timeouts: { firstToken: -5 } }), /timeouts\.firstToken/)
})

test('earlier mistakes keep their hints: a missing path, json with body, unknown names', () => {
  invalid(() => client.post({ json: {} } as never), /path must be a path or URL, e\.g\. client\.post\('\/stream\/post'/)
  invalid(make({ dialect: 'python' as never }), /dialect must be 'auto', 'content-dict', 'openai', 'ai-sdk', 'text', 'seed' or a function, not "python"/)
  invalid(make({ thinkTags: 'closed' as never }), /thinkTags must be true, false or 'open', not "closed"/)
  expect(thrown(make({ thinkTags: 'open' }))).toBeUndefined()
  invalid(post({ json: {}, body: 'x' }), /either `json` or `body`/)
  invalid(make({ eventTypes: 'progress' as never }), /eventTypes must be an array/)
})

test('a call overrides the client per option, timeouts per key, and an undefined value keeps the client setting', async () => {
  const s = await serve((_req, res) => {
    sseHead(res)
    res.write(seedStream(['a']).split('\n\n')[0] + '\n\n') // one token, then silence
  })
  servers.push(s)
  const c = createClient({ baseUrl: s.url, dialect: 'seed', timeouts: { idle: 400 } })
  const r = await c.post('/stream/post', { dialect: undefined, timeouts: { firstToken: 0 } }).result
  expect(r.status).toBe('error')
  expect(r.error?.message).toMatch(/timeouts\.idle/)
  expect(r.text).toBe('a')
})

test('changing the options object after createClient() changes nothing', async () => {
  const s = await serve((_req, res) => {
    sseHead(res)
    res.end(seedStream(['ok']))
  })
  servers.push(s)
  const options: ClientOptions = { baseUrl: s.url }
  const c = createClient(options)
  options.baseUrl = 'http://127.0.0.1:9'
  expect((await c.post('/stream/post').result).text).toBe('ok')
})
