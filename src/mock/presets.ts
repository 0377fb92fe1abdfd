// Named scenarios: sets of knobs with the outcome a correct client must
// report, usable as `?scenario=<name>` and as a checklist for client tests.

import type { FinalStatus, StreamErrorCode } from '../index.js'

/** How a stream ends for a correct client. @public */
export interface MockOutcome {
  status: FinalStatus
  /** `error.code` when `status` is `error` or `incomplete`. */
  code?: StreamErrorCode
  /** A warning the client reports on the way. */
  warning?: 'payload'
}

/** A named set of settings, usable as `?scenario=<name>` on any stream route. @public */
export interface MockScenario {
  name: string
  description: string
  /** Query parameters it stands for (explicit parameters override them). */
  params: Readonly<Record<string, string>>
  /**
   * What a correct client ends with. Two entries when runtimes legitimately
   * differ: after a cut on a `Connection: close` response (the seed routes)
   * Node's fetch ends the body cleanly, so only the missing end marker shows
   * (`incomplete`), while browsers reject the read (`network`).
   */
  expect: readonly MockOutcome[]
}

const CUT: readonly MockOutcome[] = [
  { status: 'error', code: 'network' },
  { status: 'incomplete', code: 'incomplete' },
]

/** Named scenarios, after rexxars/eventsource-client's test server routes (`/stalled`, `/trickle`, `/unicode`, ...). @public */
export const MOCK_SCENARIOS: readonly MockScenario[] = [
  { name: 'ok', description: 'The happy path.', params: {}, expect: [{ status: 'completed' }] },
  {
    name: 'ollama',
    description: 'Empty last token before `completed` (Ollama upstream).',
    params: { lastContent: 'empty' },
    expect: [{ status: 'completed' }],
  },
  { name: 'json', description: 'JSON dicts instead of Python repr.', params: { format: 'json' }, expect: [{ status: 'completed' }] },
  {
    name: 'think',
    description: 'Reasoning first (inline `<think>`, or `reasoning_content` on /v1).',
    params: { think: '1' },
    expect: [{ status: 'completed' }],
  },
  { name: 'trickle', description: 'Slow tokens written in random pieces.', params: { delay: '5', chunk: 'random' }, expect: [{ status: 'completed' }] },
  { name: 'bytewise', description: 'Every byte its own write: UTF-8 split everywhere.', params: { chunk: '1' }, expect: [{ status: 'completed' }] },
  { name: 'crlf', description: 'CRLF line ends, cut between CR and LF.', params: { eol: 'crlf', chunk: 'random' }, expect: [{ status: 'completed' }] },
  { name: 'cr', description: 'Bare CR line ends.', params: { eol: 'cr' }, expect: [{ status: 'completed' }] },
  { name: 'keepalive', description: 'Comments between events.', params: { keepalive: '2' }, expect: [{ status: 'completed' }] },
  {
    name: 'unicode',
    description: 'Lone surrogates across tokens and invalid UTF-8.',
    params: { loneSurrogates: '1', badUtf8: '1' },
    expect: [{ status: 'completed' }],
  },
  {
    name: 'bad-payload',
    description: 'One undecodable event in the middle.',
    params: { badPayload: '3' },
    expect: [{ status: 'completed', warning: 'payload' }],
  },
  { name: 'cut', description: 'Connection cut after 5 tokens (the seed after an exception).', params: { dropAfter: '5' }, expect: CUT },
  { name: 'cut-at-start', description: 'Connection cut right after the headers.', params: { dropAfter: '0' }, expect: CUT },
  {
    name: 'stalled',
    description: 'Nothing after 3 tokens, connection kept open.',
    params: { stallAfter: '3' },
    expect: [{ status: 'error', code: 'timeout' }],
  },
  { name: 'truncated', description: 'Clean end without the end marker.', params: { noDone: '1' }, expect: [{ status: 'incomplete', code: 'incomplete' }] },
  { name: 'error-event', description: '`event: error` after 3 tokens.', params: { errorEvent: '3' }, expect: [{ status: 'error', code: 'server' }] },
  {
    name: 'seed-error',
    description: "The seed's intended `data: 错误发生:...` after 3 tokens.",
    params: { seedError: '3' },
    expect: [{ status: 'error', code: 'server' }],
  },
  { name: 'html-500', description: "Werkzeug's HTML 500 page.", params: { status: '500', body: 'html' }, expect: [{ status: 'error', code: 'http' }] },
  { name: 'json-500', description: 'OpenAI-style JSON 500.', params: { status: '500', body: 'json' }, expect: [{ status: 'error', code: 'http' }] },
  {
    name: 'rate-limited',
    description: '429 with `Retry-After: 2`.',
    params: { status: '429', retryAfter: '2', body: 'json' },
    expect: [{ status: 'error', code: 'http' }],
  },
  { name: 'no-content', description: '204: the server says stop.', params: { status: '204' }, expect: [{ status: 'error', code: 'http' }] },
  {
    name: 'html-200',
    description: 'A sign-in page with status 200.',
    params: { contentType: 'text/html; charset=utf-8', body: 'html' },
    expect: [{ status: 'error', code: 'content-type' }],
  },
  {
    name: 'resumable',
    description: 'Ids, `retry: 50`, cut after 5 tokens; a reconnect with `Last-Event-ID` finishes it (`completed` only with reconnects on).',
    params: { ids: '1', retry: '50', dropAfter: '5' },
    expect: [{ status: 'completed' }, ...CUT],
  },
]
