import { parseJsonish } from './jsonish.js'
import type { SseEvent } from '../sse/types.js'
import type { Decoded, Dialect, DialectFn } from './types.js'

// Event data → tokens: the seed backend's `str(dict)` events (Python repr, with
// a `completed` event that repeats the last token), OpenAI-compatible
// `chat.completion.chunk` JSON, and plain text. No decode failure ever throws:
// a stream that has already shown half an answer must not die on one odd
// event, so a bad payload becomes `Decoded.warning` and the stream goes on.

/**
 * A dialect prepared for one stream.
 */
export interface ResolvedDialect {
  /** Decode one event. */
  decode: DialectFn
  /**
   * Whether a clean end of the body (no end marker, no `finish_reason`)
   * counts as `completed`, given the events decoded so far. Plain text has
   * no end marker, so for it a clean close is the end; the seed and OpenAI
   * formats have one, so a close without it means a truncated answer.
   */
  textLike: () => boolean
}

type Dict = Record<string, unknown>
type DataFn = (data: string) => Decoded

// The seed's intended error form, `data: 错误发生:{e}` (deepseek.py `event_stream`).
const SEED_ERROR = /^错误发生[:：]\s*/
// Named types that only keep a connection alive.
const KEEPALIVE = /^(ping|heartbeat|keep-?alive)$/
// In `auto`, undecodable data that still looks like one of our dicts is a
// broken payload (warn), not a model token that happens to start with `{`.
const LOOKS_STRUCTURED = /^\{\s*['"](content|status|choices|error|id|object)['"]\s*:/

// Arrays pass too: reading `.content` of one gives undefined, which is harmless.
const isDict = (v: unknown): v is Dict => typeof v === 'object' && v !== null

/** The readable message of an error payload: `{error: {message}}`, `{error: 'x'}`, `{detail}`, or the raw data. */
const messageOf = (v: unknown, raw: string): string =>
  typeof v === 'string' ? v : isDict(v) ? messageOf(v.message ?? v.error ?? v.detail, raw) : raw

// JSON (OpenAI chunks, `--format json`) goes to the native JSON.parse first:
// 1.4× faster on OpenAI chunks (bench/RESULTS.md), and exact unless an
// integer has 16+ digits, which JSON.parse would round: those, Python
// literals and anything JSON.parse rejects go to parseJsonish, which also
// gives the positioned error.
const parse = (data: string): unknown => {
  if (data[0] !== '{') return undefined
  if (data[1] === '"' && !/\d{16}/.test(data))
    try {
      return JSON.parse(data)
    } catch {
      // not strict JSON: fall through
    }
  return parseJsonish(data)
}

const warning = (what: string, cause?: unknown): Decoded => ({
  warning: { message: `Not ${what} data${cause instanceof Error ? ': ' + cause.message : ''}`, cause },
})

/** Rules shared by every built-in dialect; `inner` sees only message data. */
const common =
  (inner: DataFn): DialectFn =>
  ({ type, data }: SseEvent): Decoded => {
    if (type === 'error') {
      let v: unknown
      try {
        v = parse(data)
      } catch {}
      return { error: { message: messageOf(v, data) || 'event: error', data } }
    }
    if (type === 'done' || data === '[DONE]') return { done: true }
    // Tested only when they could match: this runs for every token.
    if ((type !== 'message' && KEEPALIVE.test(type)) || !data) return {}
    if (data[0] === '错' && SEED_ERROR.test(data)) return { error: { message: data.replace(SEED_ERROR, ''), data } }
    return inner(data)
  }

/** The keys of a seed dict that are not meta. */
const SEED_FIELDS = ['content', 'status', 'reasoning_content', 'reasoning']

const str = (x: unknown) => (typeof x === 'string' ? x : undefined)

/** Decode a parsed seed dict, or an OpenAI chunk when `openai`. */
const fromDict = (v: Dict, raw: string, openai: boolean | undefined): Decoded => {
  if (v.status === 'error' || v.error != null) return { error: { message: messageOf(v, raw), data: raw } }
  if (!openai) {
    // `reasoning_content` / `reasoning`: what a backend forwarding an
    // OpenAI-compatible delta adds next to `content` (our reference backend).
    // The rest is meta. Copied in a loop, not with `{ content, ...meta } = v`:
    // object rest is a runtime call that builds a dictionary-mode object, a
    // cost paid on every token (and again when the reducer compares the meta).
    let meta: Dict = {}
    for (const k in v)
      if (!SEED_FIELDS.includes(k))
        // `meta.__proto__ = x` would set the prototype; the key stays an own property, as with object rest.
        if (k === '__proto__') meta = { ...meta, [k]: v[k] }
        else meta[k] = v[k]
    // The seed's final event repeats the previous chunk's content: appending it would duplicate a token.
    return v.status === 'completed'
      ? { meta, done: true }
      : { meta, text: str(v.content), reasoning: str(v.reasoning_content) ?? str(v.reasoning) }
  }
  const meta: Dict = {}
  // Only fields that identify the response: `created`, `object`, `obfuscation` change per chunk or say nothing.
  for (const k of ['id', 'model', 'system_fingerprint']) if (str(v[k])) meta[k] = v[k]
  const choice = Array.isArray(v.choices) && isDict(v.choices[0]) ? v.choices[0] : {}
  const delta = isDict(choice.delta) ? choice.delta : {}
  return {
    meta,
    text: str(delta.content),
    // DeepSeek and vLLM send `reasoning_content`, Ollama >= 0.11 sends `reasoning`.
    reasoning: str(delta.reasoning_content) ?? str(delta.reasoning),
    finishReason: str(choice.finish_reason),
    usage: isDict(v.usage) ? v.usage : undefined,
  }
}

/**
 * A dialect that reads one dict per event: the seed's (`fixed` false),
 * OpenAI's (true), or for `auto` (undefined) the first of the two it sees,
 * kept for the rest of the stream. A decode failure is a warning. Stateless
 * when `fixed` is given, so the seed and OpenAI dialects share it.
 */
const createStructured = (fixed?: boolean): ResolvedDialect => {
  let openai = fixed // undefined until a seed (false) or OpenAI (true) event was seen
  const name = fixed === undefined ? 'seed or OpenAI' : fixed ? 'OpenAI' : 'seed'
  return {
    decode: common((data) => {
      let v: unknown
      try {
        v = parse(data)
      } catch (cause) {
        return openai !== undefined || LOOKS_STRUCTURED.test(data) ? warning(name, cause) : { text: data }
      }
      if (isDict(v)) {
        const kind =
          openai ?? ('choices' in v || isDict(v.error) ? true : 'content' in v || 'status' in v || 'error' in v ? false : undefined)
        if (kind !== undefined) return fromDict(v, data, (openai = kind))
      }
      // A model streaming code in plain-text mode sends tokens like `{` or `{}`: they stay text.
      return openai === undefined ? { text: data } : warning(name)
    }),
    textLike: () => openai === undefined,
  }
}

/**
 * The seed's format: `data: {'content': ..., 'request_id': ..., 'userid': ...}`
 * as a Python repr (or JSON). `status: 'completed'` ends the stream (its
 * `content` is not appended: it repeats the previous chunk); other keys
 * become `meta`; `错误发生:...`, `status: 'error'` or an `error` key are errors.
 * @public
 */
export const seedDialect: DialectFn = createStructured(false).decode

/**
 * OpenAI `chat.completion.chunk` JSON (DeepSeek, Ollama `/v1`, vLLM...):
 * `delta.content`, `delta.reasoning_content` / `delta.reasoning`,
 * `finish_reason`, the `usage` chunk, `[DONE]`, `{"error": ...}`.
 * @public
 */
export const openaiDialect: DialectFn = createStructured(true).decode

/**
 * Each event's data is one token, verbatim (a multi-line data is a token
 * with newlines). `[DONE]` or `event: done` ends the stream.
 * @public
 */
export const textDialect: DialectFn = common((text) => ({ text }))

/**
 * Decides per event: `[DONE]` ends; a JSON object with `choices` (or an
 * `error` object) is OpenAI; a dict with `content` or `status` is the seed;
 * anything else is a plain-text token. {@link resolveDialect} `('auto')` also
 * keeps to the first structured format it sees.
 */
export const autoDialect: DialectFn = (event) => createStructured().decode(event)

const BUILT_IN: Record<string, DialectFn | undefined> = { seed: seedDialect, openai: openaiDialect, text: textDialect }

/**
 * Prepare a dialect for one stream (call once per stream: `auto` keeps state).
 *
 * - `'text'`: a clean end is always `completed`.
 * - `'auto'`: a clean end is `completed` only while every event was plain
 *   text; after the first seed or OpenAI event, auto decodes everything with
 *   that dialect, so a later undecodable payload is a warning, not text.
 * - `'seed'`, `'openai'`: a clean end without the end marker is `incomplete`.
 * - A function is used as is; it marks the end with `done` or `finishReason`,
 *   so a clean end without either is `incomplete`.
 *
 * @param dialect - a built-in name or your own function. @default 'auto'
 */
export function resolveDialect(dialect: Dialect | undefined): ResolvedDialect {
  const decode = typeof dialect === 'function' ? dialect : BUILT_IN[dialect ?? 'auto']
  return decode ? { decode, textLike: () => dialect === 'text' } : createStructured()
}
