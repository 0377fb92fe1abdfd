// The one scenario table behind both the mock server (src/mock/server.ts) and
// the msw handlers (src/mock/msw.ts): a request goes in, a Plan (status,
// headers, then timed byte writes) comes out. It uses no Node API, so the
// same plans run in Node, jsdom and browsers, and both executors write the
// same bytes.

import { openaiError, reason, werkzeugPage, HTML_200 } from './pages.js'
import { readParams } from './params.js'
import type { HeaderLookup, MockParams } from './params.js'
import { MOCK_SCENARIOS } from './presets.js'
import { openaiBlocks, openaiCompletion, seedBlocks, textBlocks } from './protocols.js'
import type { ChatRequest } from './protocols.js'
import { DEFAULT_PROMPT, scriptFor } from './script.js'
import type { MockStats } from './stats.js'
import { streamSteps } from './steps.js'
import type { Protocol, Step, StreamInput } from './steps.js'

export type { Step } from './steps.js'
export { MOCK_SCENARIOS } from './presets.js'
export type { MockOutcome, MockScenario } from './presets.js'

/** How to answer one request. */
export interface Plan {
  status: number
  statusText: string
  headers: Record<string, string>
  /** Milliseconds to wait before the status line and headers. */
  headDelay: number
  /**
   * Run in order; when they run out, end the body normally. Made lazily as
   * they are run (an answer can mean billions of writes), and every
   * iteration starts over from the first step.
   */
  steps: Iterable<Step>
  /** A control route (`/__stats`, `/health`, preflight): not counted in `open`. */
  control: boolean
}

/** A request as the executors see it. */
export interface MockRequest {
  method: string
  /** Path without the query: `/stream/get`. */
  path: string
  query: URLSearchParams
  headers: Headers | Record<string, string | string[] | undefined>
  /** The body parsed as JSON when it is JSON, else its text; absent for GET. */
  body?: unknown
}

/** One route of the mock. @public */
export interface MockRoute {
  path: string
  methods: readonly string[]
  description: string
}

/** Every route, for listings and for registering msw handlers. @public */
export const MOCK_ROUTES: readonly MockRoute[] = [
  {
    path: '/stream/get',
    methods: ['GET'],
    description: 'The Flask tutorial format over GET: `?text=` prompt, Python-repr dicts, `completed` repeats the last token.',
  },
  { path: '/stream/post', methods: ['POST'], description: 'The Flask tutorial format over POST: JSON `{"prompt": ...}`, same stream as /stream/get.' },
  {
    path: '/stream/text',
    methods: ['GET', 'POST'],
    description: 'Plain-text tokens (`?text=` or `{"prompt"}`), multi-line tokens as several `data:` lines, then `data: [DONE]`.',
  },
  {
    path: '/v1/chat/completions',
    methods: ['POST'],
    description:
      'OpenAI Chat Completions: `stream: true` gives chunks and `[DONE]`, otherwise one JSON document. With `tools`, the answer calls the first one (`{"query": <prompt>}` as arguments, streamed in pieces) and finishes with `tool_calls`; once the request holds `toolSteps` (default 1) answers with `tool_calls` after its last `user` message (a tool loop sent the results back), it answers in text. Each request is one generation in `/__stats`.',
  },
  { path: '/health', methods: ['GET'], description: '`{"ok": true}`.' },
  { path: '/__stats', methods: ['GET'], description: '`{"requests": {path: count}, "open": n}`.' },
  { path: '/__reset', methods: ['POST'], description: 'Zero the request counts.' },
  { path: '/__scenarios', methods: ['GET'], description: 'The named scenarios (`?scenario=<name>`) as JSON.' },
]

const encoder = new TextEncoder()

function lookup(headers: MockRequest['headers']): HeaderLookup {
  if (typeof (headers as Headers).get === 'function') return (name) => (headers as Headers).get(name)
  const lower = new Map<string, string>()
  for (const [k, v] of Object.entries(headers)) if (v !== undefined) lower.set(k.toLowerCase(), Array.isArray(v) ? v.join(', ') : v)
  return (name) => lower.get(name.toLowerCase()) ?? null
}

function cors(header: HeaderLookup): Record<string, string> {
  // Only when a browser asks, so non-browser tests see the seed's exact headers.
  const origin = header('origin')
  if (origin === null) return {}
  return {
    'Access-Control-Allow-Origin': origin,
    'Access-Control-Allow-Credentials': 'true',
    'Access-Control-Expose-Headers': 'Retry-After, Content-Type, Content-Length',
    Vary: 'Origin',
  }
}

function fixed(status: number, type: string, body: string, extra: Record<string, string> = {}, control = false): Plan {
  const bytes = encoder.encode(body)
  const headers: Record<string, string> = { 'Content-Type': type, 'Content-Length': String(bytes.length), ...extra }
  return { status, statusText: reason(status), headers, headDelay: 0, steps: bytes.length ? [{ bytes }] : [], control }
}

const json = (status: number, value: unknown, control = true): Plan => fixed(status, 'application/json', JSON.stringify(value), {}, control)

// Werkzeug's dev server closes after every response and names itself.
const WERKZEUG = { Connection: 'close', Server: 'Werkzeug/3.1.8 Python/3.11.7' }
const SSE = 'text/event-stream; charset=utf-8'

function stringField(body: unknown, name: string): string | undefined {
  if (typeof body !== 'object' || body === null) return undefined
  const value = (body as Record<string, unknown>)[name]
  return typeof value === 'string' ? value : undefined
}

/** The last user message's text (a string, or the `text` parts of a content array). */
function lastUserText(messages: unknown[]): string | undefined {
  for (let i = messages.length - 1; i >= 0; i--) {
    const m = messages[i] as { role?: unknown; content?: unknown } | null
    if (m?.role !== 'user') continue
    if (typeof m.content === 'string') return m.content
    if (Array.isArray(m.content))
      return m.content.map((part: { type?: unknown; text?: unknown }) => (part?.type === 'text' && typeof part.text === 'string' ? part.text : '')).join('')
  }
  return undefined
}

function errorPlan(protocol: Protocol, p: MockParams, extra: Record<string, string>): Plan {
  const status = p.status
  const headers: Record<string, string> = { ...(protocol === 'openai' ? {} : WERKZEUG), ...extra }
  if (p.retryAfter !== undefined) headers['Retry-After'] = p.retryAfter
  if (status === 204) return { status, statusText: reason(status), headers, headDelay: 0, steps: [], control: false }
  const kind = p.body ?? (protocol === 'openai' ? 'json' : 'html')
  const [type, body] =
    kind === 'html'
      ? ['text/html; charset=utf-8', status === 200 ? HTML_200 : werkzeugPage(status)]
      : kind === 'json'
        ? ['application/json', status === 200 ? JSON.stringify({ message: 'This is not a stream.' }) : openaiError(status)]
        : kind === 'text'
          ? ['text/plain; charset=utf-8', `${status} ${reason(status)}`]
          : ['text/plain; charset=utf-8', '']
  const plan = fixed(status, p.contentType ?? type, body, headers)
  // Werkzeug sends the reason phrase upper-case (`500 INTERNAL SERVER ERROR`).
  if (protocol !== 'openai') plan.statusText = plan.statusText.toUpperCase()
  return plan
}

function streamPlan(input: StreamInput, p: MockParams): Plan {
  const headers = { ...input.headers }
  if (p.contentType !== undefined) headers['Content-Type'] = p.contentType
  return { status: 200, statusText: 'OK', headers, headDelay: 0, steps: streamSteps(input, p), control: false }
}

function thinkMode(protocol: Protocol, p: MockParams, model: string): 'inline' | 'field' | 'off' {
  if (p.think === 'inline' || p.think === 'field' || p.think === 'off') return p.think
  if (protocol !== 'openai') return p.think === 'on' ? 'inline' : 'off'
  return p.think === 'on' || /r1|reason/i.test(model) ? 'field' : 'off'
}

/** How many `assistant` messages with `tool_calls` follow the last `user` message: the steps of a tool loop so far. */
function toolSteps(messages: unknown[]): number {
  let n = 0
  for (let i = messages.length - 1; i >= 0; i--) {
    const m = messages[i] as { role?: unknown; tool_calls?: unknown } | null
    if (m?.role === 'user') break
    if (m?.role === 'assistant' && Array.isArray(m.tool_calls) && m.tool_calls.length) n++
  }
  return n
}

/** The name of the first function in an OpenAI `tools` list. */
function firstTool(tools: unknown): string | undefined {
  const fn = Array.isArray(tools) ? (tools[0] as { function?: { name?: unknown } } | undefined)?.function : undefined
  return typeof fn?.name === 'string' && fn.name ? fn.name : undefined
}

function routePlan(protocol: Protocol, req: MockRequest, header: HeaderLookup, p: MockParams, extra: Record<string, string>): Plan {
  // A failing server answers before it looks at the request.
  if (p.status !== 200 || p.body !== undefined) return errorPlan(protocol, p, extra)
  let prompt = req.query.get('text') ?? DEFAULT_PROMPT
  let chat: ChatRequest | undefined
  let stream = true
  if (protocol === 'openai') {
    const body = req.body as
      | { messages?: unknown; model?: unknown; stream?: unknown; stream_options?: { include_usage?: unknown }; tools?: unknown }
      | undefined
    const text = Array.isArray(body?.messages) ? lastUserText(body.messages) : undefined
    if (text === undefined) return fixed(400, 'application/json', openaiError(400, "'messages' must hold a message with role 'user'"), extra)
    prompt = text
    const model = typeof body?.model === 'string' ? body.model : 'mock-model'
    stream = body?.stream === true
    chat = {
      model,
      prompt,
      usage: body?.stream_options?.include_usage === true,
      reasoningField: thinkMode(protocol, p, model) === 'field',
      refuse: p.refuse,
    }
    const step = toolSteps(body!.messages as unknown[])
    // A loop that sent `toolSteps` rounds of results back gets the text answer.
    if (step < p.toolSteps && !p.refuse) Object.assign(chat, { tool: firstTool(body?.tools), step, toolArgs: p.toolArgs })
  } else if (req.method === 'POST') prompt = stringField(req.body, 'prompt') ?? stringField(req.body, 'text') ?? prompt

  const think = thinkMode(protocol, p, chat?.model ?? '')
  if (think === 'field' && protocol !== 'openai') return fixed(400, 'text/plain; charset=utf-8', 'mock: think=field only exists on /v1/chat/completions', extra)
  if (protocol === 'text' && p.badPayload !== undefined)
    return fixed(400, 'text/plain; charset=utf-8', 'mock: every string is valid text, badPayload has no meaning on /stream/text', extra)

  const script = scriptFor(prompt, {
    lang: p.lang,
    think: think !== 'off',
    length: p.length,
    oversize: p.oversize,
    badUtf8: p.badUtf8,
    loneSurrogates: p.loneSurrogates,
  })
  if (chat && !stream) {
    const plan = fixed(200, 'application/json', openaiCompletion(script, chat), extra)
    if (p.contentType !== undefined) plan.headers['Content-Type'] = p.contentType
    return plan
  }
  const lastEventId = header('last-event-id') ?? p.lastEventId ?? null
  const input: StreamInput =
    protocol === 'seed'
      ? { protocol, blocks: seedBlocks(script, p.format, p.lastContent), headers: { 'Content-Type': SSE, ...WERKZEUG, ...extra }, lastEventId }
      : protocol === 'text'
        ? {
            protocol,
            blocks: textBlocks(script),
            headers: { 'Content-Type': SSE, 'Cache-Control': 'no-cache', 'X-Accel-Buffering': 'no', ...extra },
            lastEventId,
          }
        : { protocol, blocks: openaiBlocks(script, chat!, p.lastContent), headers: { 'Content-Type': SSE, 'Cache-Control': 'no-cache', ...extra }, lastEventId }
  return streamPlan(input, p)
}

const PROTOCOLS: Record<string, Protocol> = { '/stream/get': 'seed', '/stream/post': 'seed', '/stream/text': 'text', '/v1/chat/completions': 'openai' }

/**
 * Decide how to answer `req`: the route, then its knobs (query parameters,
 * `x-mock-*` headers, `?scenario=`), then the faults. Pure apart from
 * `stats`, which counts the request and serves `/__stats` and `/__reset`.
 */
export function planResponse(req: MockRequest, stats?: MockStats): Plan {
  const header = lookup(req.headers)
  let extra = cors(header)
  const method = req.method.toUpperCase()
  if (method === 'OPTIONS') {
    // A backend without CORS answers the preflight without its headers, and the browser stops there.
    if (/^(0|false|no|off)$/.test(req.query.get('cors') ?? ''))
      return { status: 204, statusText: reason(204), headers: {}, headDelay: 0, steps: [], control: true }
    const plan = fixed(
      204,
      'text/plain',
      '',
      {
        ...extra,
        'Access-Control-Allow-Methods': 'GET, POST, OPTIONS',
        'Access-Control-Allow-Headers': header('access-control-request-headers') ?? 'Content-Type, Last-Event-ID, Authorization',
        'Access-Control-Max-Age': '600',
      },
      true,
    )
    delete plan.headers['Content-Type']
    delete plan.headers['Content-Length']
    return plan
  }
  // `/_/<knobs>/<route>`: knobs in the path, for a client that can only be
  // given a base URL (a backend's OPENAI_BASE_URL, e.g. `/_/think=inline/v1`).
  const prefixed = /^\/_\/([^/]*)(\/.*)$/.exec(req.path)
  if (prefixed) {
    let knobs: URLSearchParams
    try {
      knobs = new URLSearchParams(decodeURIComponent(prefixed[1]!))
    } catch {
      return fixed(400, 'text/plain; charset=utf-8', 'mock: the knobs in /_/<knobs>/ are not valid percent-encoding', extra)
    }
    for (const [k, v] of req.query) knobs.set(k, v)
    req = { ...req, path: prefixed[2]!, query: knobs }
  }
  const route = MOCK_ROUTES.find((r) => r.path === req.path)
  const protocol = PROTOCOLS[req.path]
  if (protocol) stats?.count(req.path)
  if (!route) {
    stats?.count(req.path)
    return fixed(404, 'text/html; charset=utf-8', werkzeugPage(404), { ...WERKZEUG, ...extra })
  }
  if (!route.methods.includes(method))
    return fixed(405, 'text/html; charset=utf-8', werkzeugPage(405), { ...WERKZEUG, Allow: route.methods.join(', '), ...extra }, !protocol)
  if (!protocol) {
    if (req.path === '/__stats') return json(200, stats?.snapshot() ?? { requests: {}, open: 0 })
    if (req.path === '/__reset') {
      stats?.reset()
      return json(200, { ok: true })
    }
    if (req.path === '/__scenarios') return json(200, MOCK_SCENARIOS)
    return json(200, { ok: true })
  }
  const name = req.query.get('scenario') ?? header('x-mock-scenario')
  const scenario = name === null ? undefined : MOCK_SCENARIOS.find((s) => s.name === name)
  if (name !== null && !scenario) return fixed(400, 'text/plain; charset=utf-8', `mock: unknown scenario "${name}"; see GET /__scenarios`, extra)
  const p = readParams(req.query, header, scenario?.params)
  if (typeof p === 'string') return fixed(400, 'text/plain; charset=utf-8', `mock: ${p}`, extra)
  if (!p.cors) extra = {}
  const plan = routePlan(protocol, req, header, p, extra)
  plan.headDelay = p.firstByteDelay
  return plan
}
