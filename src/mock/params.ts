// The per-request knobs of the mock: one table gives each query parameter
// (also accepted as header `x-mock-<name>`) its parser and its documentation,
// so the server, the msw handlers and src/mock/README.md cannot disagree
// (test/mock/readme.test.ts checks the README lists every name).

/** Everything a request can ask of the mock, after parsing. */
export interface MockParams {
  delay: number
  firstByteDelay: number
  chunk: 'random' | number | undefined
  seed: number
  eol: 'lf' | 'crlf' | 'cr'
  keepalive: { count: number } | { every: number } | undefined
  ids: boolean
  retry: number | undefined
  lastEventId: string | undefined
  dropAfter: number | undefined
  stallAfter: number | undefined
  noDone: boolean
  status: number
  body: 'html' | 'json' | 'text' | 'empty' | undefined
  retryAfter: string | undefined
  contentType: string | undefined
  errorEvent: number | undefined
  seedError: number | undefined
  badPayload: number | undefined
  oversize: number | undefined
  badUtf8: boolean
  loneSurrogates: boolean
  length: number | undefined
  think: 'inline' | 'field' | 'on' | 'off' | undefined
  lang: 'zh' | 'en' | undefined
  format: 'repr' | 'json'
  lastContent: 'repeat' | 'empty' | 'final'
  cors: boolean
  toolSteps: number
  toolArgs: string | undefined
  refuse: boolean
}

/** One row of {@link MOCK_PARAMS}. */
export interface MockParamSpec {
  /** Query parameter name; also header `x-mock-<name>` (any case). */
  name: keyof MockParams
  /** Accepted values, for the docs. */
  values: string
  /** What the mock does. */
  effect: string
  /** What a correct client reports. */
  expect: string
  /** Store the parsed value, or return why `raw` is not acceptable. */
  read(raw: string, into: MockParams): string | undefined
}

const DEFAULTS: MockParams = {
  delay: 0,
  firstByteDelay: 0,
  chunk: undefined,
  seed: 1,
  eol: 'lf',
  keepalive: undefined,
  ids: false,
  retry: undefined,
  lastEventId: undefined,
  dropAfter: undefined,
  stallAfter: undefined,
  noDone: false,
  status: 200,
  body: undefined,
  retryAfter: undefined,
  contentType: undefined,
  errorEvent: undefined,
  seedError: undefined,
  badPayload: undefined,
  oversize: undefined,
  badUtf8: false,
  loneSurrogates: false,
  length: undefined,
  think: undefined,
  lang: undefined,
  format: 'repr',
  lastContent: 'repeat',
  cors: true,
  toolSteps: 1,
  toolArgs: undefined,
  refuse: false,
}

function int(raw: string, max = 2 ** 31): number | undefined {
  return /^\d{1,10}$/.test(raw) && Number(raw) <= max ? Number(raw) : undefined
}

function bool(raw: string): boolean | undefined {
  if (['', '1', 'true', 'yes', 'on'].includes(raw)) return true
  if (['0', 'false', 'no', 'off'].includes(raw)) return false
  return undefined
}

type NumberKey = { [K in keyof MockParams]: MockParams[K] extends number | undefined ? K : never }[keyof MockParams]
type BoolKey = { [K in keyof MockParams]: MockParams[K] extends boolean ? K : never }[keyof MockParams]
type StringKey = { [K in keyof MockParams]-?: string extends NonNullable<MockParams[K]> ? K : never }[keyof MockParams]

function intParam(name: NumberKey, values: string, effect: string, expect: string, max = 2 ** 31): MockParamSpec {
  return {
    name,
    values,
    effect,
    expect,
    read(raw, into) {
      const n = int(raw, max)
      if (n === undefined) return `a whole number up to ${max}`
      into[name] = n
      return undefined
    },
  }
}

function boolParam(name: BoolKey, effect: string, expect: string): MockParamSpec {
  return {
    name,
    values: '`1`',
    effect,
    expect,
    read(raw, into) {
      const b = bool(raw)
      if (b === undefined) return '1 or 0'
      into[name] = b
      return undefined
    },
  }
}

function stringParam(name: StringKey, values: string, effect: string, expect: string): MockParamSpec {
  return {
    name,
    values,
    effect,
    expect,
    read(raw, into) {
      into[name] = raw
      return undefined
    },
  }
}

function oneOf<K extends keyof MockParams>(name: K, options: readonly MockParams[K][], effect: string, expect: string): MockParamSpec {
  return {
    name,
    values: options.map((o) => `\`${String(o)}\``).join(' \\| '),
    effect,
    expect,
    read(raw, into) {
      const found = options.find((o) => String(o) === raw)
      if (found === undefined) return options.join(' or ')
      into[name] = found
      return undefined
    },
  }
}

/**
 * Every knob of the mock, in documentation order. Token positions (`N`) count
 * answer and reasoning tokens from the start of the script, also across a
 * `Last-Event-ID` resume, so a fault already passed does not fire again.
 */
export const MOCK_PARAMS: readonly MockParamSpec[] = [
  intParam('delay', 'ms', 'Wait this long before every token event.', 'Nothing special: the same text, spread over time.'),
  intParam(
    'firstByteDelay',
    'ms',
    'Wait this long before sending the status line and headers.',
    'A connect/first-byte timeout fires if shorter (`error`, code `timeout`).',
  ),
  {
    name: 'chunk',
    values: '`random` \\| `<n>`',
    effect:
      'Write every event in pieces: `1` byte by byte, `<n>` bytes at a time, `random` at seeded random offsets that always include a cut inside a multi-byte UTF-8 character and between CR and LF.',
    expect: 'The same result as unsplit: no U+FFFD, no lost or doubled line breaks.',
    read(raw, into) {
      const n = raw === 'random' ? 'random' : int(raw)
      if (n === undefined || n === 0) return 'random or a whole number of bytes (at least 1)'
      into.chunk = n
      return undefined
    },
  },
  intParam('seed', 'integer', 'Seed of `chunk=random`.', 'Different cut points, same result.'),
  oneOf('eol', ['lf', 'crlf', 'cr'], 'Line ending of every SSE line.', 'The same result for all three (WHATWG: CRLF, LF and CR all end a line).'),
  {
    name: 'keepalive',
    values: '`<n>` \\| `<ms>ms`',
    effect: 'Comments `: keep-alive`: `<n>` of them before every token event, or with `ms` one every `<ms>` while waiting (`delay`, `stallAfter`).',
    expect: 'No empty messages and no extra text; an idle timeout is reset by them.',
    read(raw, into) {
      const every = /^(\d{1,7})ms$/.exec(raw)
      const count = int(raw, 1000)
      if (every && Number(every[1]) > 0) into.keepalive = { every: Number(every[1]) }
      else if (count !== undefined) into.keepalive = { count }
      else return 'a count, or an interval like 50ms'
      return undefined
    },
  },
  boolParam('ids', 'Send `id: <n>` on every event (1, 2, 3... over the whole script).', 'Keeps the last id; resumes with `Last-Event-ID` on reconnect.'),
  intParam('retry', 'ms', 'Send `retry: <ms>` first.', 'Waits that long before reconnecting (EventSource, or fetch with retry on).'),
  stringParam(
    'lastEventId',
    'id',
    'Same as the `Last-Event-ID` request header (which wins): with `ids=1`, continue the script after that event.',
    'The text of both connections joined equals the whole answer, nothing repeated.',
  ),
  intParam(
    'dropAfter',
    'N',
    'After N tokens cut the connection without the terminating chunk (a Flask tutorial backend after an exception in its generator).',
    "Never `completed`; the N tokens kept. `error`/`network` where the runtime notices the missing last chunk (browsers; Node's fetch on keep-alive routes: `/v1`, `/stream/text`), `incomplete` where it does not (Node's fetch on the content-dict routes, which send `Connection: close` like Werkzeug).",
  ),
  intParam(
    'stallAfter',
    'N',
    'After N tokens send nothing more but keep the connection open until the client goes away.',
    'An idle/token timeout fires (`error`, code `timeout`); `abort()` ends it as `aborted`; the mock sees the connection close.',
  ),
  boolParam(
    'noDone',
    'End the body cleanly but without the end marker (the content-dict `completed` event, OpenAI finish chunk and `[DONE]`, text `[DONE]`).',
    'Status `incomplete` (code `incomplete`) with all tokens: the answer may be truncated.',
  ),
  intParam(
    'status',
    'HTTP status',
    'Answer with this status instead of a stream (`204`: empty body).',
    '`error`, code `http`, with `status`, `body` excerpt and `retryAfter`; after `204` never reconnect (WHATWG: 204 means stop).',
  ),
  oneOf(
    'body',
    ['html', 'json', 'text', 'empty'],
    'Body of a `status` answer: Werkzeug\'s HTML page (default on content-dict and text routes), OpenAI `{"error": {...}}` JSON (default on `/v1`), plain text, or nothing. With status 200: an HTML page, a JSON document or plain text instead of a stream.',
    "The error's `body` holds a readable excerpt (for HTML: the text, not the tags).",
  ),
  stringParam('retryAfter', 'seconds or HTTP date', 'Add `Retry-After` to a `status` answer.', '`error.retryAfter` in milliseconds (`2` → 2000).'),
  stringParam(
    'contentType',
    'MIME type',
    'Send this `Content-Type` (the body is unchanged unless `body` is given).',
    '`error`, code `content-type`, without parsing the body as SSE.',
  ),
  intParam(
    'errorEvent',
    'N',
    'After N tokens send `event: error` with `{"error": {"message": ..., "type": "server_error"}}` (plain text on `/stream/text`), then end the body.',
    '`error`, code `server`, message from the event, with the N tokens kept.',
  ),
  intParam(
    'seedError',
    'N',
    'After N tokens send the event the Flask tutorial meant to send: `data: 错误发生:can only concatenate str (not "NoneType") to str`, then end the body.',
    '`error`, code `server`, with the N tokens kept.',
  ),
  intParam(
    'badPayload',
    'N',
    "After N tokens send one event whose data is neither JSON nor a Python literal (`{'content': 'unterminated`), then go on.",
    'A `payload` warning; the stream goes on and ends `completed` with the full text.',
  ),
  intParam(
    'oversize',
    'bytes',
    'Insert after the first token one token of this many ASCII letters (one huge event).',
    'Past `maxEventBytes`: `error`, code `too-large`; below it: the full text.',
    // Four times the client's default limit; the token is held in memory several times over while it is sent.
    16 * 1024 * 1024,
  ),
  boolParam(
    'badUtf8',
    'Replace two U+FFFD placed in the first ASCII word by invalid UTF-8 bytes `FF E4 BD`.',
    'Decodes to exactly `expectedText(prompt, {badUtf8: true})` (two U+FFFD), no error.',
  ),
  boolParam(
    'loneSurrogates',
    "Split the first emoji's UTF-16 surrogate pair across two tokens (`'\\ud83d'` then `'\\udc4b'` in repr; escaped in JSON).",
    'The joined text is unchanged (join tokens as UTF-16 before display).',
  ),
  intParam('length', 'N', 'Make the answer exactly N tokens long.', 'The text of `expectedText(prompt, {length: N})`.', 100_000),
  oneOf(
    'think',
    ['inline', 'field', 'on', 'off'],
    "Reasoning first: `inline` puts `<think>`...`</think>` in the content (content-dict routes, DeepSeek-R1 via Ollama); `field` sends `reasoning_content` (OpenAI route only; its default when the model name contains `r1` or `reason`). `1`/`on` means the route's default (`inline`, `field` on `/v1`); `0`/`off` disables it even for an `r1` model.",
    'Reasoning and answer separated: `reasoning` = `expectedReasoning(...)`, `text` = `expectedText(...)`.',
  ),
  oneOf('lang', ['zh', 'en'], 'Language of the script (default: `zh` if the prompt has Han characters).', 'The text of `expectedText(prompt, {lang})`.'),
  oneOf(
    'format',
    ['repr', 'json'],
    'Content-dict routes: print each dict with Python `str()` (default, as the Flask tutorial does) or `json.dumps(..., ensure_ascii=False)`.',
    'The same result for both.',
  ),
  oneOf(
    'lastContent',
    ['repeat', 'empty', 'final'],
    'Content-dict routes: the `completed` event repeats the last token (default, and `final`), or an Ollama-style empty token comes first so it repeats `\'\'`. `/v1`: `empty` makes the finish chunk Ollama\'s `{"role": "assistant", "content": ""}` instead of an empty delta (the seed\'s `deepseek.py` only survives that one); `final` puts `finish_reason` on the last content chunk, with no separate finish chunk, as some OpenAI-compatible servers do (the Flask tutorial then completes and repeats that real token).',
    'The last token shown once, never twice.',
  ),
  boolParam(
    'cors',
    '`0`: no CORS headers on the answer and none on the `OPTIONS` preflight (query parameter only there, as a preflight carries no `x-mock-*` values), as a backend that never heard of CORS. Default `1`: the `Origin` is echoed.',
    'From a page on another origin: `error`, code `network`, with a `hint` naming the headers the server must send; on the same origin: no change.',
  ),
  intParam(
    'toolSteps',
    'N',
    "`/v1` with `tools`: how many answers in a row call a tool before one answers in text. The mock counts the `assistant` messages with `tool_calls` after the last `user` message, so a tool loop (the client's or a server's) that sends the results back gets N tool-calling answers, then the script's text. Default `1`; each call's id differs per step.",
    'A loop that makes exactly N + 1 requests (`/__stats`), one tool call per step, then the text.',
    100,
  ),
  {
    name: 'toolArgs',
    values: 'JSON object',
    effect: '`/v1` with `tools`: the arguments of the tool call (default `{"query": <prompt>}`), e.g. to make a server\'s tool fail.',
    expect: 'The tool gets exactly these arguments.',
    read(raw, into) {
      let v: unknown
      try {
        v = JSON.parse(raw)
      } catch {}
      if (typeof v !== 'object' || v === null || Array.isArray(v)) return 'a JSON object'
      into.toolArgs = raw
      return undefined
    },
  },
  boolParam(
    'refuse',
    '`/v1`: the model refuses: `delta.refusal` pieces instead of `content` (`content: null`), then `finish_reason: stop`.',
    'Status `completed`, empty `text`, the words in `result.refusal`, one `refusal` warning.',
  ),
]

// `think=1` is shorthand for the route's default mode, resolved by the route.
function thinkAlias(raw: string): string {
  const b = bool(raw)
  return b === undefined ? raw : b ? 'on' : 'off'
}

const BY_NAME = new Map(MOCK_PARAMS.map((spec) => [spec.name.toLowerCase(), spec]))

/** A case-insensitive header lookup: `Headers.get`-like. */
export type HeaderLookup = (name: string) => string | null

/**
 * Read the knobs from the query (winning) and `x-mock-*` headers, on top of
 * `base` (a named scenario's settings). Returns an error message for a bad
 * value, so a typo fails loudly instead of testing the happy path.
 */
export function readParams(query: URLSearchParams, header: HeaderLookup, base: Record<string, string> = {}): MockParams | string {
  const into: MockParams = { ...DEFAULTS }
  const raw = new Map<string, string>()
  for (const [name, value] of Object.entries(base)) raw.set(name.toLowerCase(), value)
  for (const spec of MOCK_PARAMS) {
    const fromHeader = header(`x-mock-${spec.name}`)
    if (fromHeader !== null) raw.set(spec.name.toLowerCase(), fromHeader)
  }
  for (const [name, value] of query) if (BY_NAME.has(name.toLowerCase())) raw.set(name.toLowerCase(), value)
  for (const [name, value] of raw) {
    const spec = BY_NAME.get(name)
    if (!spec) return `unknown mock setting "${name}"`
    const problem = spec.read(spec.name === 'think' ? thinkAlias(value) : value, into)
    if (problem !== undefined) return `bad value ${JSON.stringify(value)} for "${spec.name}": expected ${problem}`
  }
  return into
}
