// Checks that need requests of their own: a resume with Last-Event-ID, an
// upstream made to fail, a request aborted midway, and a browser's CORS
// preflight from another origin.

import { exchange } from './capture.js'
import type { Exchange, Target } from './capture.js'
import { readings } from './response.js'
import { fail, pass, skip, warn } from './result.js'
import type { CheckResult } from './result.js'

const show = (s: string): string => JSON.stringify(s.length > 60 ? `${s.slice(0, 60)}…` : s)

/** The statuses that refuse a resume: 409 (this stream cannot be continued here), 410 (it is gone). */
const REFUSED = [409, 410]

/** Resume from an event in the middle: the answer must go on from the next event, or the server must refuse it; never start over. */
export async function checkResume(target: Target, first: Exchange, timeout: number): Promise<CheckResult> {
  const events = readings(first).filter((r) => r.id)
  if (events.length < 2) return skip('resume', 'needs events with ids')
  const cut = Math.floor(events.length / 2) - 1
  const from = events[cut]!.id!
  const expected = events.slice(cut + 1)
  const again = await exchange(target, { timeout, headers: [['Last-Event-ID', from]] })
  const got = readings(again).filter((r) => r.id)
  const fix =
    'on a request with `Last-Event-ID` (or `?lastEventId=`, for EventSource), send the events after that id from a store, without a second generation; a server that cannot resume refuses such a request (HTTP 409 or 410 with a JSON error) before it asks the model'
  // A server without a store cannot continue; saying so, before any generation, is right:
  // the client shows an error instead of the answer twice, and nothing is billed again.
  if (REFUSED.includes(again.status) && /json/i.test(again.headers.get('content-type') ?? ''))
    return pass('resume', `Last-Event-ID ${show(from)} was refused with HTTP ${again.status} and a JSON error: no second generation, nothing shown twice`)
  if (again.status !== 200) return fail('resume', `with Last-Event-ID ${show(from)}: HTTP ${again.status}`, fix)
  if (got.length === 0) return fail('resume', `with Last-Event-ID ${show(from)}: no event with an id came back`, fix)
  const same = got.length === expected.length && got.every((g, i) => g.id === expected[i]!.id && g.data === expected[i]!.data)
  if (same) return pass('resume', `Last-Event-ID ${show(from)} continued with the next ${got.length} events, as sent the first time`)
  if (got[0]!.id === events[0]!.id || got[0]!.id !== expected[0]?.id)
    return fail(
      'resume',
      `Last-Event-ID ${show(from)} was ignored: the answer started over (first id ${show(got[0]!.id!)}); a client that resumes shows it twice`,
      fix,
    )
  return fail('resume', `Last-Event-ID ${show(from)} continued, but not with the same events (${got.length} events, ${expected.length} expected)`, fix)
}

/** With headers that make the upstream fail: the failure must be said, not passed off as an end. */
export async function checkFailure(target: Target, failHeaders: [string, string][], timeout: number): Promise<CheckResult> {
  if (failHeaders.length === 0)
    return skip('upstream-failure', "pass --fail-header 'K: V' that makes the server's upstream fail (with the bundled mock: 'x-mock-dropAfter: 3')")
  const x = await exchange(target, { timeout, headers: failHeaders })
  const fix =
    'when the upstream fails after the first token, send `event: error` with a generic message (details in the server log), then end the body; before the first token, answer with an error status and a JSON body'
  if (x.status === 0) return fail('upstream-failure', `no response: ${x.reason ?? ''}`, fix)
  if (x.status !== 200) {
    const json = /json/i.test(x.headers.get('content-type') ?? '')
    return json
      ? pass('upstream-failure', `failed before the first token: HTTP ${x.status} with a JSON body`)
      : warn(
          'upstream-failure',
          `failed before the first token: HTTP ${x.status}, ${x.headers.get('content-type') ?? 'no Content-Type'}`,
          'send a JSON error body (`{"error": {"message": ...}}`), so clients can show its message',
        )
  }
  const all = readings(x)
  const error = all.find((r) => r.reading.error)
  const end = all.findIndex((r) => r.reading.end)
  if (error) return pass('upstream-failure', `reported in the stream: ${show(error.data)}`)
  if (end >= 0) return fail('upstream-failure', 'the failed answer ended with an end marker: reported as complete', fix)
  if (x.ended === 'cut') return fail('upstream-failure', `the connection was cut (${x.reason ?? ''}) without saying why`, fix)
  // A cut chunked body with `Connection: close` reads as a clean end in Node's fetch.
  return fail(
    'upstream-failure',
    `the body ended ${x.ended === 'end' ? 'without an error event (cleanly, or cut in a way the client cannot see)' : `(${x.ended}) without an error event`}`,
    fix,
  )
}

/** Open streams as the server counts them, read from a JSON document with a numeric `open`. */
async function openCount(statsUrl: string): Promise<number> {
  const res = await fetch(statsUrl, { signal: AbortSignal.timeout(10_000) })
  const body = (await res.json()) as { open?: unknown }
  if (typeof body.open !== 'number') throw new Error(`${statsUrl} has no numeric "open" field`)
  return body.open
}

/** Abort after the first event: the server's own count of open generations must drop back. */
export async function checkAbort(target: Target, statsUrl: string | undefined, timeout: number): Promise<CheckResult> {
  if (!statsUrl) return skip('abort', 'pass --stats <url> of a JSON document whose `open` counts running generations (the reference backend: /__stats)')
  const fix =
    'stop the generation when the client goes away (the write fails or the connection closes): close the upstream request, so the model stops and stops billing'
  let before: number
  try {
    before = await openCount(statsUrl)
  } catch (error) {
    return fail('abort', `could not read ${statsUrl}: ${String(error)}`, 'serve a JSON document with a numeric `open`')
  }
  let during = before
  const x = await exchange(target, {
    timeout,
    stopWhen: async (events) => {
      if (events.length === 0) return false
      during = await openCount(statsUrl)
      return true
    },
  })
  if (x.ended !== 'stopped') return skip('abort', `the stream ended before it could be aborted (${x.events.length} events)`)
  if (during <= before) return skip('abort', `the stream was over before the abort, or the server does not count it as open (open ${before} → ${during})`)
  const deadline = Date.now() + 5000
  let now = during
  while (Date.now() < deadline) {
    now = await openCount(statsUrl)
    if (now <= before) return pass('abort', `open generations ${before} → ${during} while streaming → ${now} after the abort`)
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
  return fail('abort', `5 s after the client aborted, open generations are still ${now} (were ${before})`, fix)
}

/** Request headers a browser sends cross-origin without a preflight (Fetch, CORS-safelisted). */
const SAFELISTED = new Set(['accept', 'accept-language', 'content-language', 'content-type'])
const SIMPLE_TYPES = new Set(['application/x-www-form-urlencoded', 'multipart/form-data', 'text/plain'])

/** The headers of `target` that make a browser send a preflight. */
function unsafeHeaders(target: Target): string[] {
  const out = new Set<string>()
  for (const [k, v] of target.headers) {
    const name = k.toLowerCase()
    if (name === 'content-type' && SIMPLE_TYPES.has(v.split(';')[0]!.trim().toLowerCase())) continue
    if (name === 'content-type' || !SAFELISTED.has(name)) out.add(name)
  }
  return [...out]
}

/** What a browser on `origin` needs: a preflight answer when one is sent, and the origin allowed on the stream. */
export async function checkCors(target: Target, first: Exchange, origin: string | undefined, timeout: number): Promise<CheckResult> {
  if (!origin) return skip('cors', 'pass --origin <page origin> to check what a browser on another origin gets')
  const problems: string[] = []
  const headers = unsafeHeaders(target)
  const preflighted = headers.length > 0 || !['GET', 'HEAD', 'POST'].includes(target.method)
  if (preflighted) {
    const pre = await exchange(
      { url: target.url, method: 'OPTIONS', headers: [] },
      {
        timeout,
        headers: [
          ['Origin', origin],
          ['Access-Control-Request-Method', target.method],
          ...(headers.length ? ([['Access-Control-Request-Headers', headers.join(',')]] as [string, string][]) : []),
        ],
      },
    )
    const allowOrigin = pre.headers.get('access-control-allow-origin')
    const allowHeaders = (pre.headers.get('access-control-allow-headers') ?? '')
      .toLowerCase()
      .split(',')
      .map((h) => h.trim())
    if (pre.status < 200 || pre.status > 299) problems.push(`the preflight (OPTIONS) got HTTP ${pre.status || 'nothing'}`)
    if (allowOrigin !== origin && allowOrigin !== '*') problems.push(`the preflight answer allows origin ${allowOrigin ?? '(none)'}`)
    const missing = headers.filter((h) => !allowHeaders.includes(h) && !allowHeaders.includes('*'))
    if (missing.length) problems.push(`the preflight answer does not allow the headers ${missing.join(', ')}`)
  }
  const streamOrigin = first.headers.get('access-control-allow-origin')
  if (streamOrigin !== origin && streamOrigin !== '*') problems.push(`the stream's answer allows origin ${streamOrigin ?? '(none)'}`)
  if (problems.length === 0)
    return pass(
      'cors',
      `a page on ${origin} may ${preflighted ? `send this request (preflight for ${headers.join(', ') || target.method} allowed) and ` : ''}read the stream`,
    )
  return fail(
    'cors',
    problems.join('; '),
    `answer requests from ${origin} with \`Access-Control-Allow-Origin: ${origin}\`${preflighted ? `, and the OPTIONS preflight with it plus \`Access-Control-Allow-Headers: ${headers.join(', ') || '...'}\` and \`Access-Control-Allow-Methods: ${target.method}\`` : ''} (Flask: flask-cors; FastAPI: CORSMiddleware), or serve the page and the API from one origin through a proxy`,
  )
}
