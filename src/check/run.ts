// The battery: one full answer, then the probes that need requests of their
// own, in the order the report prints them.

import { exchange } from './capture.js'
import type { Target } from './capture.js'
import { checkAbort, checkCors, checkFailure, checkResume } from './probes.js'
import { checkEnd, checkHead, checkHeaders, checkIds, checkPayload, checkTiming } from './response.js'
import { skip } from './result.js'
import { checkUiMessage } from './ui-message.js'
import type { CheckResult } from './result.js'

/** What to check and how. */
export interface CheckOptions {
  url: string
  /** @default 'GET' */
  method: 'GET' | 'POST'
  /** A JSON request body (sent with `Content-Type: application/json`). */
  json?: string | undefined
  /** Extra request headers, sent on every request. */
  headers: [string, string][]
  /** A page origin to check CORS for. */
  origin?: string | undefined
  /** Headers that make the server's upstream fail. */
  failHeaders: [string, string][]
  /** A JSON document whose numeric `open` counts running generations. */
  stats?: string | undefined
  /** Time limit of each request, in ms. @default 60000 */
  timeout: number
}

/** Every check's result, and whether all passed (warnings and skips do not fail). */
export interface CheckReport {
  url: string
  method: string
  ok: boolean
  checks: CheckResult[]
}

const LATER = [
  'cache-control',
  'x-accel-buffering',
  'first-event',
  'buffering',
  'payload',
  'end-marker',
  'repeated-token',
  'ids',
  'resume',
  'upstream-failure',
  'abort',
  'cors',
]

/** Run every check against `options.url`. */
export async function runChecks(options: CheckOptions): Promise<CheckReport> {
  const headers: [string, string][] = [['Accept', 'text/event-stream']]
  if (options.json !== undefined) headers.push(['Content-Type', 'application/json'])
  headers.push(...options.headers)
  const target: Target = { url: options.url, method: options.method, body: options.json, headers }
  const { timeout } = options
  // A browser on another origin sends Origin; the stream's answer must allow it.
  const first = await exchange(target, { timeout, headers: options.origin ? [['Origin', options.origin]] : [] })
  const checks = checkHead(first)
  if (checks.some((c) => c.status === 'fail')) {
    // Without a stream the rest cannot be judged, except what a browser needs to even get here.
    checks.push(...LATER.filter((id) => id !== 'cors').map((id) => skip(id, 'no event stream to check')))
    checks.push(await checkCors(target, first, options.origin, timeout))
  } else {
    checks.push(...checkHeaders(first), ...checkTiming(first), checkPayload(first), ...checkUiMessage(first), ...checkEnd(first), checkIds(first))
    checks.push(await checkResume(target, first, timeout))
    checks.push(await checkFailure(target, options.failHeaders, timeout))
    checks.push(await checkAbort(target, options.stats, timeout))
    checks.push(await checkCors(target, first, options.origin, timeout))
  }
  return { url: options.url, method: options.method, ok: checks.every((c) => c.status !== 'fail'), checks }
}
