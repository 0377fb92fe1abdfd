import { afterEach, expect, test, vi } from 'vitest'
import { createClient, isStreamError } from '../../src/index.js'
import type { DebugEntry } from '../../src/index.js'
import { recordingEventSource } from '../helpers/event-source.js'
import { seedEvent, seedStream, serve, sseHead } from '../helpers/http.js'
import type { TestServer } from '../helpers/http.js'

// The `debug` option through the public API, against loopback servers: what
// a developer sees of attempts, retries, timeouts and the final status, and
// that no secret (header, body, query string, server text) reaches the log.

let s: TestServer | undefined
const { ES, closeAll } = recordingEventSource()
afterEach(async () => {
  closeAll()
  vi.restoreAllMocks()
  await s?.close()
  s = undefined
})

const SECRET = 'sk-secret-123'
const fast = { attempts: 3, baseDelay: 1, maxDelay: 5 }

/** A `debug` function that records every entry. */
function recorder(): { entries: DebugEntry[]; debug: (e: DebugEntry) => void; lines(): string[] } {
  const entries: DebugEntry[] = []
  return { entries, debug: (e) => entries.push(e), lines: () => entries.map((e) => `${e.attempt} ${e.type}: ${e.message}`) }
}

test('nothing is logged by default', async () => {
  const spies = (['log', 'debug', 'info', 'warn', 'error'] as const).map((m) => vi.spyOn(console, m).mockImplementation(() => {}))
  s = await serve((_req, res) => {
    res.writeHead(503, { 'Content-Type': 'text/plain' })
    res.end('busy')
  })
  const r = await createClient({ baseUrl: s.url, retry: fast }).post('/x', { json: { prompt: 'hi' } }).result
  expect(r.status).toBe('error')
  for (const spy of spies) expect(spy).not.toHaveBeenCalled()
})

test('each attempt, the retry decision and the final status are logged, without headers, body, query or server text', async () => {
  let n = 0
  s = await serve((_req, res) => {
    if (n++ === 0) {
      res.writeHead(503, { 'Retry-After': '0', 'Content-Type': 'application/json' })
      res.end(JSON.stringify({ error: { message: `overloaded ${SECRET}` } }))
      return
    }
    sseHead(res)
    res.end(seedStream(['Hello', ' world']))
  })
  const log = recorder()
  const client = createClient({ baseUrl: s.url, headers: { Authorization: `Bearer ${SECRET}` }, debug: log.debug })
  const r = await client.post(`/stream/post?key=${SECRET}#${SECRET}`, { json: { prompt: SECRET }, retry: fast }).result
  expect(r.status).toBe('completed')
  expect(log.lines()).toEqual([
    `1 attempt: POST ${s.url}/stream/post over fetch`,
    expect.stringMatching(/^1 retry: http 503: retry in \d+ ms$/),
    `2 attempt: POST ${s.url}/stream/post over fetch`,
    '2 done: completed',
  ])
  expect(JSON.stringify(log.entries)).not.toContain(SECRET)
})

test('a failure that is not retried says why, and the final status names the error code', async () => {
  s = await serve((_req, res) => {
    res.writeHead(400, { 'Content-Type': 'application/json' })
    res.end(JSON.stringify({ error: { message: `bad request ${SECRET}` } }))
  })
  const log = recorder()
  const r = await createClient({ baseUrl: s.url, debug: log.debug }).post('/x', { retry: fast }).result
  expect(r.error?.code).toBe('http')
  expect(log.lines().slice(1)).toEqual(['1 retry: http 400: no retry (not safe)', '1 done: error (http 400)'])
  expect(JSON.stringify(log.entries)).not.toContain(SECRET)

  const off = recorder()
  await createClient({ baseUrl: s.url, debug: off.debug }).post('/x').result
  expect(off.lines()).toContain('1 retry: http 400: no retry (retry off)')
})

test('a resume after a cut stream is logged with the event id it resumes from', async () => {
  s = await serve((req, res) => {
    sseHead(res)
    if (!req.headers['last-event-id']) res.write(`id: 1\n${seedEvent('one ')}`, () => res.socket?.destroy())
    else res.end(`id: 2\n${seedEvent('two')}${seedEvent('two', ", 'status': 'completed'")}`)
  })
  const log = recorder()
  const r = await createClient({ baseUrl: s.url, debug: log.debug, retry: fast }).post('/x').result
  expect(r.text).toBe('one two')
  expect(log.lines()).toEqual([
    `1 attempt: POST ${s.url}/x over fetch`,
    expect.stringMatching(/^1 retry: (network|incomplete): retry in \d+ ms$/),
    `2 attempt: POST ${s.url}/x over fetch from event 1`,
    '2 done: completed',
  ])
})

test("EventSource's own reconnect is logged with the event id it resumes from", async () => {
  s = await serve((req, res) => {
    sseHead(res)
    // retry: 1 makes the EventSource reconnect at once after the cut.
    if (!req.headers['last-event-id']) res.end(`retry: 1\n\nid: 1\n${seedEvent('one ')}`)
    else res.end(`id: 2\n${seedEvent('two')}${seedEvent('two', ", 'status': 'completed'")}`)
  })
  const log = recorder()
  const r = await createClient({ baseUrl: s.url, EventSource: ES, debug: log.debug, retry: fast }).get(`/g?text=${SECRET}`).result
  expect(r.text).toBe('one two')
  expect(log.lines()).toEqual([`1 attempt: GET ${s.url}/g over EventSource`, '2 reconnect: from event 1', '2 done: completed'])
})

test('a timeout is logged with its limit, and the final status with the reason', async () => {
  s = await serve((_req, res) => {
    sseHead(res)
    res.write(': ping\n\n')
  })
  const log = recorder()
  const r = await createClient({ baseUrl: s.url, debug: log.debug }).post('/x', { timeouts: { firstToken: 50 } }).result
  expect(r.error?.code).toBe('timeout')
  expect(log.lines().slice(1)).toEqual(['1 timeout: timeouts.firstToken 50 ms', '1 done: error (timeout)'])
})

test('debug: true writes one line per entry to console.debug; a throwing hook does not break the stream', async () => {
  const lines: string[] = []
  vi.spyOn(console, 'debug').mockImplementation((line: string) => void lines.push(line))
  s = await serve((_req, res) => {
    sseHead(res)
    res.end(seedStream(['ok']))
  })
  const r = await createClient({ baseUrl: s.url, debug: true }).post('/x').result
  expect(r.status).toBe('completed')
  expect(lines).toEqual([`[llm-sse] #1 attempt: POST ${s.url}/x over fetch`, '[llm-sse] #1 done: completed'])

  const reported: unknown[] = []
  vi.stubGlobal('reportError', (e: unknown) => reported.push(e))
  const thrown = await createClient({ baseUrl: s.url })
    .post('/x', {
      debug: () => {
        throw new Error('hook')
      },
    })
    .result.finally(() => vi.unstubAllGlobals())
  expect(thrown.status).toBe('completed')
  expect(reported).toHaveLength(2)
})

test('a debug option of the wrong type is refused at once', () => {
  let error: unknown
  try {
    createClient({ debug: 'yes' as never })
  } catch (e) {
    error = e
  }
  expect(isStreamError(error) && error.code).toBe('invalid-options')
  expect((error as Error).message).toMatch(/debug must be true, false or a function/)
})
