// `llm-sse-client check <url> [options]` as a CheckOptions, or a usage error.

import { parseArgs } from 'node:util'
import type { CheckOptions } from './run.js'

export const USAGE = `usage: llm-sse-client check <url> [--method GET|POST] [--json '<request body>'] [--header 'K: V']...
                              [--origin <page origin>] [--fail-header 'K: V']... [--stats <url>]
                              [--timeout <ms>] [--json-report]

Runs a battery of checks against a live LLM stream endpoint and prints one line per check,
with what to fix. Exits 1 when a check fails, 2 on a usage error.

  --method        GET (default, or POST when --json is given) or POST
  --json          request body, sent as application/json (implies POST)
  --header        extra request header, repeatable ('Authorization: Bearer ...')
  --origin        a page origin (http://localhost:5173): check the CORS answers a browser there needs
  --fail-header   header that makes the server's upstream fail, repeatable: check how a failure looks
                  (with the bundled mock upstream: 'x-mock-dropAfter: 3')
  --stats         URL of a JSON document whose numeric "open" counts running generations:
                  check that an aborted request stops its generation (reference backend: /__stats)
  --timeout       time limit per request in ms (default 60000)
  --json-report   print the results as JSON instead of lines`

/** Thrown for a bad command line; the CLI prints it with the usage. */
export class UsageError extends Error {}

function header(raw: string, flag: string): [string, string] {
  const at = raw.indexOf(':')
  if (at <= 0) throw new UsageError(`${flag} takes 'Name: value', got ${JSON.stringify(raw)}`)
  return [raw.slice(0, at).trim(), raw.slice(at + 1).trim()]
}

function httpUrl(raw: string, what: string): string {
  let url: URL
  try {
    url = new URL(raw)
  } catch {
    throw new UsageError(`${what} must be an absolute http(s) URL, got ${JSON.stringify(raw)}`)
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new UsageError(`${what} must be http or https, got ${url.protocol}`)
  return url.href
}

/** Parse the arguments after `check`. */
export function parseCheckArgs(argv: string[]): CheckOptions & { jsonReport: boolean } {
  let parsed: ReturnType<typeof parse>
  try {
    parsed = parse(argv)
  } catch (error) {
    // node:util's messages name the option and what is wrong with it.
    throw new UsageError(error instanceof Error ? error.message : String(error))
  }
  const { values: v, positionals } = parsed
  if (positionals.length === 0) throw new UsageError('which URL? e.g. llm-sse-client check http://127.0.0.1:5000/stream/get?text=hi')
  if (positionals.length > 1) throw new UsageError(`one URL only, got ${positionals.length}`)
  const out: CheckOptions & { jsonReport: boolean } = {
    url: httpUrl(positionals[0]!, 'the endpoint'),
    method: 'GET',
    headers: (v.header ?? []).map((h) => header(h, '--header')),
    failHeaders: (v['fail-header'] ?? []).map((h) => header(h, '--fail-header')),
    timeout: 60_000,
    jsonReport: v['json-report'] === true,
  }
  if (v.origin !== undefined) out.origin = new URL(httpUrl(v.origin, '--origin')).origin
  if (v.stats !== undefined) out.stats = httpUrl(v.stats, '--stats')
  if (v.timeout !== undefined) {
    const n = Number(v.timeout)
    if (!Number.isInteger(n) || n <= 0) throw new UsageError('--timeout takes a positive whole number of milliseconds')
    out.timeout = n
  }
  if (v.json !== undefined) {
    try {
      JSON.parse(v.json)
    } catch {
      throw new UsageError('--json must be valid JSON')
    }
    out.json = v.json
  }
  const m = v.method?.toUpperCase() ?? (out.json !== undefined ? 'POST' : 'GET')
  if (m !== 'GET' && m !== 'POST') throw new UsageError(`--method must be GET or POST, got ${m}`)
  if (m === 'GET' && out.json !== undefined) throw new UsageError('--json sends a body: use --method POST (or leave --method out)')
  out.method = m
  return out
}

function parse(argv: string[]) {
  return parseArgs({
    args: argv,
    allowPositionals: true,
    strict: true,
    options: {
      method: { type: 'string' },
      json: { type: 'string' },
      header: { type: 'string', short: 'H', multiple: true },
      origin: { type: 'string' },
      'fail-header': { type: 'string', multiple: true },
      stats: { type: 'string' },
      timeout: { type: 'string' },
      'json-report': { type: 'boolean' },
    },
  })
}
