// The reference backends facing hostile input and leaky upstreams: nothing
// the upstream says (API keys in its error text, parser internals) and no
// configured secret reaches the client; bodies are bounded; CORS is off
// unless origins are allowed. Real processes on loopback, both backends.

import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { startMockServer } from '../../src/mock/server.js'
import type { MockServer } from '../../src/mock/server.js'
import { until } from '../helpers/eventually.js'
import { startFlask } from '../helpers/flask.js'
import type { FlaskBackend } from '../helpers/flask.js'

let mock: MockServer
beforeAll(async () => {
  mock = await startMockServer()
})
afterAll(async () => {
  await mock?.close()
})

interface ErrorBody {
  error: { message: string; type: string; request_id?: string; upstream_status?: number }
}

describe.each(['flask', 'fastapi'] as const)('%s reference backend', (server) => {
  let backend: FlaskBackend
  let cors: FlaskBackend
  beforeAll(async () => {
    const upstream = new URL(mock.url)
    // Credentials in the upstream URL: they must show nowhere but in the upstream request.
    const withSecret = `http://llmuser:hunter2-secret@${upstream.host}/v1`
    ;[backend, cors] = await Promise.all([
      startFlask({ server, upstream: withSecret, format: 'json', env: { MAX_BODY_BYTES: '4096' } }),
      startFlask({ server, upstream: mock.url, env: { ALLOWED_ORIGINS: 'http://localhost:5173' } }),
    ])
  }, 180_000)
  afterAll(async () => {
    await Promise.all([backend?.close(), cors?.close()])
  })

  test('an upstream 401 is a generic 502 with a request id; the upstream text (an API key) stays in the server log', async () => {
    const res = await fetch(`${backend.url}/stream/get?text=hi`, { headers: { 'x-mock-status': '401' } })
    const text = await res.text()
    expect(res.status).toBe(502)
    expect(text).not.toMatch(/sk-|Incorrect API key/)
    const body = JSON.parse(text) as ErrorBody
    expect(body.error).toEqual({
      message: 'the upstream LLM server answered HTTP 401',
      type: 'upstream_error',
      request_id: res.headers.get('x-request-id'),
      upstream_status: 401,
    })
    // The log is read from the process's stderr pipe: it may trail the response.
    const log = await until(
      () => backend.log(),
      (l) => l.includes('Incorrect API key provided'),
    )
    expect(log).toContain(`generation ${body.error.request_id!} failed`)
  })

  test('a bad upstream chunk mid-stream is a generic event: error, without the decoder exception', async () => {
    const res = await fetch(`${backend.url}/stream/get?text=hi`, { headers: { 'x-mock-badPayload': '3', 'x-mock-think': 'off' } })
    const body = await res.text()
    expect(res.status).toBe(200)
    const last = body.trimEnd().split('\n\n').at(-1)!
    expect(last).toMatch(/^event: error\nid: \S+\ndata: /)
    const error = (JSON.parse(last.split('\ndata: ')[1]!) as ErrorBody).error
    expect(error).toMatchObject({ type: 'upstream_error', request_id: res.headers.get('x-request-id') })
    expect(body).not.toMatch(/JSONDecode|Expecting|line \d+ column/)
    await until(
      () => backend.log(),
      (l) => new RegExp(`${error.request_id!} failed.*(JSONDecodeError|Expecting)`).test(l),
    )
  })

  test('GET / and the log never show the upstream URL credentials', async () => {
    const text = await (await fetch(`${backend.url}/`)).text()
    expect(text).toContain('/stream/get')
    expect(text).not.toMatch(/hunter2|llmuser/)
    expect(
      backend
        .log()
        .split('\n')
        .filter((l) => /hunter2|llmuser/.test(l)),
    ).toEqual([])
  })

  test('a body over the size limit is a JSON 413, a deeply nested body a JSON 400', async () => {
    const big = await fetch(`${backend.url}/stream/post`, { method: 'POST', body: JSON.stringify({ prompt: 'x'.repeat(5000) }) })
    expect(big.status).toBe(413)
    expect(((await big.json()) as ErrorBody).error.type).toMatch(/too_large|http_error/)
    // Over the limit without Content-Length (chunked): refused too.
    const chunked = await fetch(`${backend.url}/stream/post`, {
      method: 'POST',
      body: new Blob(['{"prompt": "', 'y'.repeat(8000), '"}']).stream(),
      duplex: 'half',
    } as RequestInit)
    expect(chunked.status).toBe(413)
    const deep = await fetch(`${backend.url}/stream/post`, { method: 'POST', body: '['.repeat(2000) })
    expect(deep.status).toBe(400)
    expect(deep.headers.get('content-type')).toBe('application/json')
    expect(((await deep.json()) as ErrorBody).error.message).toMatch(/nested/)
  })

  test('CORS is off by default and on for the allowed origins only', async () => {
    const origin = 'http://localhost:5173'
    const plain = await fetch(`${backend.url}/stream/get?text=hi`, { headers: { Origin: origin, 'x-mock-think': 'off' } })
    await plain.text()
    expect(plain.headers.get('access-control-allow-origin')).toBeNull()

    const preflight = await fetch(`${cors.url}/stream/post`, {
      method: 'OPTIONS',
      headers: { Origin: origin, 'Access-Control-Request-Method': 'POST', 'Access-Control-Request-Headers': 'content-type' },
    })
    expect(preflight.ok).toBe(true)
    expect(preflight.headers.get('access-control-allow-origin')).toBe(origin)
    expect(preflight.headers.get('access-control-allow-headers')?.toLowerCase()).toContain('content-type')

    const allowed = await fetch(`${cors.url}/stream/get?text=hi`, { headers: { Origin: origin, 'x-mock-think': 'off' } })
    await allowed.text()
    expect(allowed.headers.get('access-control-allow-origin')).toBe(origin)
    expect(allowed.headers.get('access-control-expose-headers')?.toLowerCase()).toContain('x-request-id')

    const other = await fetch(`${cors.url}/stream/get?text=hi`, { headers: { Origin: 'http://evil.example', 'x-mock-think': 'off' } })
    await other.text()
    expect(other.headers.get('access-control-allow-origin')).toBeNull()
  })
})

describe.each(['flask', 'fastapi'] as const)('%s reference backend with LLM_MAX_CONNECTIONS=1', (server) => {
  let backend: FlaskBackend
  beforeAll(async () => {
    backend = await startFlask({ server, upstream: mock.url, format: 'json', env: { LLM_MAX_CONNECTIONS: '1', LLM_TIMEOUT: '2' } })
  }, 180_000)
  afterAll(async () => {
    await backend?.close()
  })

  test('an answer past the upstream pool waits for a connection, then ends as a 504 upstream_timeout; the pool frees when the first ends', async () => {
    const first = new AbortController()
    const slow = await fetch(`${backend.url}/stream/get?text=first`, { headers: { 'x-mock-delay': '200' }, signal: first.signal })
    expect(slow.status).toBe(200)
    const reader = slow.body!.getReader()
    await reader.read() // the first answer is streaming: it holds the only upstream connection
    const second = await fetch(`${backend.url}/stream/get?text=second`, { headers: { 'x-mock-think': 'off' } })
    expect(second.status).toBe(504)
    expect(((await second.json()) as ErrorBody).error.type).toBe('upstream_timeout')
    first.abort()
    await reader.cancel().catch(() => {})
    // The client left: the backend closes its upstream stream, and the next answer gets the connection.
    const third = await until(
      () => fetch(`${backend.url}/stream/get?text=third`, { headers: { 'x-mock-think': 'off' } }),
      (r) => r.status === 200,
    )
    expect(await third.text()).toContain('completed')
  })
})
