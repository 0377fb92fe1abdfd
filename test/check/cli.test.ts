// `llm-sse-client check` as the package ships it (bundled to one file, run
// as a process), against the mock, small servers that get one thing wrong,
// and the Flask tutorial's own app (its repr payloads, repeated last token,
// missing ids and headers).

import { spawn } from 'node:child_process'
import { afterAll, beforeAll, expect, test } from 'vitest'
import { bundleCli } from '../helpers/bundle.js'
import type { BundledCli } from '../helpers/bundle.js'
import { startMockServer } from '../../src/mock/server.js'
import type { MockServer } from '../../src/mock/server.js'
import { startFlask, startSeed } from '../helpers/flask.js'
import { serve } from '../helpers/http.js'
import type { TestServer } from '../helpers/http.js'

interface Report {
  url: string
  method: string
  ok: boolean
  checks: { id: string; status: 'pass' | 'fail' | 'warn' | 'skip'; detail: string; fix?: string }[]
}

let bundled: BundledCli | undefined
let cli: string
let mock: MockServer
const servers: { close(): Promise<void> }[] = []

beforeAll(async () => {
  bundled = await bundleCli(new URL('../../src/check/cli.ts', import.meta.url), 'llm-sse-check-', 'check-cli.mjs')
  cli = bundled.file
  mock = await startMockServer()
})
afterAll(async () => {
  for (const s of servers) await s.close()
  await mock?.close()
  bundled?.remove()
})

function run(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [cli, ...args], { stdio: ['ignore', 'pipe', 'pipe'] })
    let stdout = ''
    let stderr = ''
    child.stdout.setEncoding('utf8').on('data', (s: string) => (stdout += s))
    child.stderr.setEncoding('utf8').on('data', (s: string) => (stderr += s))
    child.on('error', reject)
    child.on('close', (code) => resolve({ code, stdout, stderr }))
  })
}

/** Run `check` with `--json-report`; the exit code and the status of each check by id. */
async function check(args: string[]): Promise<{ code: number | null; report: Report; status: Record<string, string> }> {
  const { code, stdout, stderr } = await run(['check', ...args, '--json-report'])
  let report: Report
  try {
    report = JSON.parse(stdout) as Report
  } catch {
    throw new Error(`not a JSON report (exit ${code}):\n${stdout}\n${stderr}`)
  }
  return { code, report, status: Object.fromEntries(report.checks.map((c) => [c.id, c.status])) }
}

const detail = (r: Report, id: string): string => r.checks.find((c) => c.id === id)?.detail ?? ''

async function own(handler: Parameters<typeof serve>[0]): Promise<TestServer> {
  const s = await serve(handler)
  servers.push(s)
  return s
}

test('the Flask tutorial app fails, for the reasons it really has', async () => {
  // An upstream that puts finish_reason on the last content chunk: the app completes and repeats that token.
  const seed = await startSeed(`${mock.url}/_/think=inline&lastContent=final/v1`)
  servers.push(seed)
  for (const args of [[`${seed.url}/stream/get`], [`${seed.url}/stream/post`, '--json', '{"prompt": "hi"}']]) {
    const { code, report, status } = await check([...args, '--origin', 'http://localhost:5173'])
    expect(code).toBe(1)
    expect(report.ok).toBe(false)
    expect(status).toMatchObject({
      status: 'pass',
      'content-type': 'pass',
      'cache-control': 'fail',
      'x-accel-buffering': 'fail',
      payload: 'fail',
      'end-marker': 'pass',
      'repeated-token': 'fail',
      ids: 'fail',
      resume: 'skip',
      cors: 'fail',
    })
    expect(detail(report, 'payload')).toMatch(/are Python literals, not JSON/)
    expect(detail(report, 'repeated-token')).toMatch(/^the end event repeats the last token "/)
    expect(detail(report, 'ids')).toMatch(/^none of \d+ events has an id$/)
    expect(detail(report, 'cors')).toContain("the stream's answer allows origin (none)")
  }
}, 120_000)

// The reference backends (examples/flask-backend and examples/fastapi-backend,
// both on the Python kit, JSON format) pass every check. By default a stream
// lives only as long as its request, so a resume is refused with a JSON 409
// before any generation; in resumable mode it continues from the store.
const ALL_PASS = {
  status: 'pass',
  'content-type': 'pass',
  'cache-control': 'pass',
  'x-accel-buffering': 'pass',
  'first-event': 'pass',
  buffering: 'pass',
  payload: 'pass',
  'end-marker': 'pass',
  'repeated-token': 'pass',
  ids: 'pass',
  resume: 'pass',
  'upstream-failure': 'pass',
  abort: 'pass',
  cors: 'pass',
}

async function checkReference(server: 'flask' | 'fastapi', env: Record<string, string>): Promise<{ report: Report; status: Record<string, string> }> {
  // Tokens 20 ms apart: the answer is still streaming when the abort check aborts it, on a loaded machine too.
  const backend = await startFlask({ server, upstream: `${mock.url}/_/delay=20/v1`, format: 'json', env: { ALLOWED_ORIGINS: 'http://localhost:5173', ...env } })
  servers.push(backend)
  const before = await backend.stats()
  const { report, status } = await check([
    `${backend.url}/stream/post`,
    '--json',
    '{"prompt": "hi"}',
    '--origin',
    'http://localhost:5173',
    // The backend forwards x-mock-* to the mock upstream, which then cuts its answer after 3 tokens.
    '--fail-header',
    'x-mock-dropAfter: 3',
    '--stats',
    `${backend.url}/__stats`,
  ])
  const after = await backend.stats()
  await backend.close()
  // Generations started for the answer, the failure and the abort; the resume started none.
  expect(after.requests['/stream/post'] - before.requests['/stream/post']).toBe(3)
  return { report, status }
}

for (const server of ['flask', 'fastapi'] as const) {
  test(`the ${server} reference backend passes every check, by default and in resumable mode`, async () => {
    const plain = await checkReference(server, {})
    expect(plain.status).toEqual(ALL_PASS)
    expect(plain.report.ok).toBe(true)
    expect(detail(plain.report, 'repeated-token')).toBe('the end event carries no token')
    expect(detail(plain.report, 'resume')).toMatch(/^Last-Event-ID ".+" was refused with HTTP 409 and a JSON error: no second generation, nothing shown twice$/)
    expect(detail(plain.report, 'abort')).toBe('open generations 0 → 1 while streaming → 0 after the abort')
    expect(detail(plain.report, 'upstream-failure')).toMatch(/^reported in the stream: /)
    // Resumable mode: the generation outlives its request, so an abort does not end it (that check cannot tell here).
    const resumable = await checkReference(server, { RESUMABLE: '1' })
    expect(resumable.status).toEqual({ ...ALL_PASS, abort: 'skip' })
    expect(resumable.report.ok).toBe(true)
    expect(detail(resumable.report, 'repeated-token')).toBe('the end event carries no token')
    expect(detail(resumable.report, 'resume')).toMatch(/^Last-Event-ID ".+" continued with the next \d+ events, as sent the first time$/)
  }, 180_000)
}

test('the text lines name each check, say what to fix, count the results, and the exit status is 1 on a failure', async () => {
  const { code, stdout } = await run(['check', `${mock.url}/stream/get?text=hi`])
  expect(code).toBe(1)
  const lines = stdout.trim().split('\n')
  expect(lines[0]).toBe(`llm-sse-client check GET ${mock.url}/stream/get?text=hi`)
  expect(lines).toContain('PASS  status             200')
  expect(lines.find((l) => l.startsWith('FAIL  cache-control'))).toBe(
    'FAIL  cache-control      no Cache-Control header. Fix: send `Cache-Control: no-cache`, so no browser or proxy cache stores or replays a generation',
  )
  expect(lines.at(-1)).toMatch(/^\d+ failed, \d+ passed, \d+ warnings, \d+ skipped$/)
})

test('ids, a resume that continues, an upstream failure said in the stream, an abort that stops the generation, CORS: all pass on the mock', async () => {
  const { code, report, status } = await check([
    `${mock.url}/stream/text?text=hi&ids=1&delay=5`,
    '--origin',
    'http://localhost:5173',
    '--fail-header',
    'x-mock-errorEvent: 3',
    '--stats',
    `${mock.url}/__stats`,
  ])
  // Plain text works, but JSON could say more.
  expect(status).toEqual({ ...ALL_PASS, payload: 'warn' })
  // Warnings do not fail the run.
  expect(report.ok).toBe(true)
  expect(code).toBe(0)
  expect(detail(report, 'abort')).toMatch(/^open generations 0 → 1 while streaming → 0 after the abort$/)
})

test('a POST whose JSON body is preflighted passes CORS only when the preflight allows Content-Type', async () => {
  const body = JSON.stringify({ prompt: 'hi' })
  const allowed = await check([`${mock.url}/stream/text`, '--json', body, '--origin', 'http://localhost:5173'])
  expect(allowed.status.cors).toBe('pass')
  const refused = await check([`${mock.url}/stream/text?cors=0`, '--json', body, '--origin', 'http://localhost:5173'])
  expect(refused.status.cors).toBe('fail')
  expect(detail(refused.report, 'cors')).toContain('the preflight answer allows origin (none)')
  expect(detail(refused.report, 'cors')).toContain('does not allow the headers content-type')
  expect(refused.report.checks.find((c) => c.id === 'cors')!.fix).toContain('`Access-Control-Allow-Headers: content-type`')
})

test('a stream without an end marker, and a failure passed off as a clean end, fail', async () => {
  const { status, report } = await check([`${mock.url}/stream/text?text=hi&noDone=1`, '--fail-header', 'x-mock-noDone: 1'])
  expect(status['end-marker']).toBe('fail')
  expect(detail(report, 'end-marker')).toMatch(/^the body ended without an end marker/)
  expect(status['repeated-token']).toBe('skip')
  expect(status['upstream-failure']).toBe('fail')
})

test('a server that sends ids but ignores Last-Event-ID fails the resume check', async () => {
  const s = await own((_req, res) => {
    res.writeHead(200, { 'Content-Type': 'text/event-stream', 'Cache-Control': 'no-cache', 'X-Accel-Buffering': 'no' })
    // Always from the start, whatever the request says.
    for (let i = 1; i <= 6; i++) res.write(`id: ${i}\ndata: {"content": "t${i}"}\n\n`)
    res.end('id: 7\ndata: {"content": "", "status": "completed"}\n\n')
  })
  const { status, report } = await check([`${s.url}/stream`])
  expect(status).toMatchObject({ payload: 'pass', 'end-marker': 'pass', 'repeated-token': 'pass', ids: 'pass', resume: 'fail' })
  expect(detail(report, 'resume')).toBe('Last-Event-ID "3" was ignored: the answer started over (first id "1"); a client that resumes shows it twice')
  expect(s.requests[1]!.headers['last-event-id']).toBe('3')
})

test('a server that cannot resume passes the resume check by refusing with 409 or 410 and a JSON error, not with HTML or another status', async () => {
  const refusing = (status: number, type: string) =>
    own((req, res) => {
      if (req.headers['last-event-id']) {
        res.writeHead(status, { 'Content-Type': type })
        return res.end(type.includes('json') ? '{"error": {"message": "this stream cannot be resumed; start a new request"}}' : '<h1>no</h1>')
      }
      res.writeHead(200, { 'Content-Type': 'text/event-stream', 'Cache-Control': 'no-cache', 'X-Accel-Buffering': 'no' })
      for (let i = 1; i <= 6; i++) res.write(`id: ${i}\ndata: {"content": "t${i}"}\n\n`)
      res.end('id: 7\ndata: {"content": "", "status": "completed"}\n\n')
    })
  for (const status of [409, 410]) {
    const { status: checks, report } = await check([`${(await refusing(status, 'application/json')).url}/stream`])
    expect(checks.resume).toBe('pass')
    expect(detail(report, 'resume')).toBe(`Last-Event-ID "3" was refused with HTTP ${status} and a JSON error: no second generation, nothing shown twice`)
  }
  const html = await check([`${(await refusing(409, 'text/html')).url}/stream`])
  expect(html.status.resume).toBe('fail')
  expect(detail(html.report, 'resume')).toBe('with Last-Event-ID "3": HTTP 409')
  const other = await check([`${(await refusing(400, 'application/json')).url}/stream`])
  expect(other.status.resume).toBe('fail')
})

test('events that arrive all at once at the end of a long answer fail the buffering check', async () => {
  const s = await own((_req, res) => {
    res.writeHead(200, { 'Content-Type': 'text/event-stream', 'Cache-Control': 'no-cache' })
    res.flushHeaders()
    // What a buffering proxy does: nothing for a while, then everything.
    const events = Array.from({ length: 10 }, (_, i) => `data: {"content": "t${i}"}\n\n`).join('')
    setTimeout(() => res.end(events + 'data: [DONE]\n\n'), 1200)
  })
  const { status, report } = await check([`${s.url}/stream`])
  expect(status.buffering).toBe('fail')
  expect(detail(report, 'buffering')).toMatch(/^11 of 11 events arrived in the last 50 ms of \d+ ms: the answer was buffered$/)
})

test('a server that keeps generating after the client left fails the abort check', async () => {
  const s = await own((req, res) => {
    if (req.url === '/__stats') return res.end(JSON.stringify({ open: s.requests.filter((r) => r.url === '/stream').length }))
    res.writeHead(200, { 'Content-Type': 'text/event-stream' })
    res.write('data: {"content": "t"}\n\n')
    // Never ends, and counts the stream as open forever.
  })
  const { status, report } = await check([`${s.url}/stream`, '--stats', `${s.url}/__stats`, '--timeout', '2000'])
  expect(status.abort).toBe('fail')
  expect(detail(report, 'abort')).toBe('5 s after the client aborted, open generations are still 2 (were 1)')
}, 30_000)

test('no server, a wrong Content-Type, and a bad command line', async () => {
  const gone = await serve(() => {})
  await gone.close()
  const down = await check([`${gone.url}/stream`])
  expect(down.code).toBe(1)
  expect(down.status.status).toBe('fail')
  expect(detail(down.report, 'status')).toMatch(/^no response: fetch failed/)
  const page = await check([`${mock.url}/stream/get?status=200&body=html`])
  expect(page.status).toMatchObject({ status: 'pass', 'content-type': 'fail', ids: 'skip' })
  for (const args of [
    [],
    ['check'],
    ['check', 'not-a-url'],
    ['check', `${mock.url}/x`, '--json', '{'],
    ['check', `${mock.url}/x`, '--method', 'PUT'],
    ['frobnicate'],
  ]) {
    const r = await run(args)
    expect({ args, code: r.code }).toEqual({ args, code: 2 })
    expect(r.stderr + r.stdout).toContain('usage: llm-sse-client check <url>')
  }
})
