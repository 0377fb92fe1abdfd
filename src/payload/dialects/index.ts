import { fromDataStream, fromUiPart, isDataStream, isUiPart } from './ai-sdk.js'
import type { UiState } from './ai-sdk.js'
import { common, isDict, parse, warning } from './common.js'
import { fromContentDict, isContentDict } from './content-dict.js'
import { fromOpenAI, isOpenAI } from './openai.js'
import type { OpenAIState } from './openai.js'
import type { Dialect, DialectFn } from '../types.js'

// Event data → tokens. Each structured format has its own file; this one
// picks the format (`auto`) and prepares a dialect for one stream.

/** A dialect prepared for one stream. */
export interface ResolvedDialect {
  /** Decode one event. */
  decode: DialectFn
  /**
   * Whether the stream's format has no end marker, given the events decoded
   * so far: plain text (and `auto` while every event was text). For such a
   * stream a clean end of the body is no proof that the answer is whole.
   */
  textLike: () => boolean
}

// Formats as bits, in the order `auto` tries them: OpenAI, AI SDK UI
// parts, content dicts, AI SDK data-stream lines.
const NAMES = ['OpenAI', 'AI SDK', 'content dict', 'AI SDK data stream']
const ALL = 15
const AI_SDK = 10
const DATA_STREAM = 3

// In `auto`, undecodable data that still looks like one of our formats is a
// broken payload (warn), not a model token that happens to start with `{`.
const LOOKS_STRUCTURED = /^\{\s*['"](content|status|choices|error|id|object|type)['"]\s*:/

/**
 * A dialect that reads one structured value per event, of one of the
 * `allowed` formats (bits of `NAMES`): the first one it recognises, kept for
 * the rest of the stream. With every format allowed (`auto`), data of none
 * of them is a plain-text token; otherwise it is a warning, as is any
 * decode failure.
 */
const createStructured = (allowed = ALL): ResolvedDialect => {
  const auto = allowed === ALL
  // The format found (an index of NAMES), fixed from the start when only one is allowed.
  let kind = allowed === 4 ? 2 : allowed === 1 ? 0 : -1
  // `auto` only: a plain-text token came first, so a later `{...}` token is text too.
  let sawText = false
  const openai: OpenAIState = {}
  const ui: UiState = new Map()
  const not = (cause?: unknown) => warning(`Not ${kind < 0 ? NAMES.filter((_, k) => (allowed >> k) & 1).join(' or ') : NAMES[kind]} data`, cause)
  return {
    decode: common((data) => {
      if (kind === DATA_STREAM || (kind < 0 && !sawText && allowed & 8 && isDataStream(data))) {
        const d = fromDataStream(data)
        if (kind >= 0 || !d.warning) {
          kind = DATA_STREAM
          return d
        }
      }
      let v: unknown
      try {
        v = parse(data)
      } catch (cause) {
        if (!auto || kind >= 0 || LOOKS_STRUCTURED.test(data)) return not(cause)
        sawText = true
        return { text: data }
      }
      if (isDict(v)) {
        // A fixed format decodes every dict its way (`ai-sdk` only its parts).
        const k = kind === 0 || kind === 2 ? kind : isOpenAI(v) ? 0 : isUiPart(v) ? 1 : isContentDict(v) ? 2 : -1
        if (k >= 0 && (allowed >> k) & 1 && (kind < 0 || k === kind))
          return (kind = k) ? (k === 1 ? fromUiPart(v, data, ui) : fromContentDict(v, data)) : fromOpenAI(v, data, openai)
        // An object of no known format is not answer text (it was raw JSON on
        // screen, `completed`), unless the stream already showed itself to be
        // text (a model writing JSON) or it is `{}` (a code token).
        if (auto && kind < 0 && !sawText && Object.keys(v).length) return warning('Unrecognised JSON object ignored (not OpenAI, AI SDK or content dict data)')
      }
      if (!auto || kind >= 0) return not()
      // A model streaming code in plain-text mode sends tokens like `{` or `{}`: they stay text.
      sawText = true
      return { text: data }
    }),
    textLike: () => auto && kind < 0,
  }
}

/**
 * One dict per event with the answer's next piece in `content`, printed by
 * Python's `str(dict)` (`{'content': 'Hi', 'request_id': '1'}`) or as JSON:
 * what a Flask view that forwards an LLM stream with `f"data: {d}\n\n"`
 * sends. `status: 'completed'` ends the stream (its `content` is not
 * appended: it repeats the previous chunk); `reasoning_content` /
 * `reasoning` are reasoning; other keys become `meta`; `错误发生:...`,
 * `status: 'error'` or an `error` key are errors.
 * @public
 */
export const contentDictDialect: DialectFn = (event) => createStructured(4).decode(event)

/**
 * The old name of {@link contentDictDialect}.
 * @deprecated Use `contentDictDialect` (or `dialect: 'content-dict'`).
 * @public
 */
export const seedDialect: DialectFn = contentDictDialect

/**
 * OpenAI `chat.completion.chunk` JSON (DeepSeek, Ollama `/v1`, vLLM...):
 * `delta.content`, `delta.reasoning_content` / `delta.reasoning`,
 * `delta.tool_calls` (pieces joined by `index` into `toolCalls`),
 * `delta.refusal`, `finish_reason`, the `usage` chunk, `[DONE]`,
 * `{"error": ...}`. Only choice 0 is read: other choices (`n > 1`) are
 * ignored with one warning per stream. `logprobs` are ignored.
 * @public
 */
export const openaiDialect: DialectFn = (event) => createStructured(1).decode(event)

/**
 * The Vercel AI SDK's streams: the UI message stream (`text-delta`,
 * `reasoning-delta`, `finish`, `error` parts, `[DONE]`) and the older data
 * stream (`0:"text"`, `g:` reasoning, `3:` error, `d:` finish lines).
 * Tool input and output parts become tool calls and results, `data-*`
 * parts data events; source and file parts are skipped.
 * @public
 */
export const aiSdkDialect: DialectFn = (event) => createStructured(AI_SDK).decode(event)

/**
 * Each event's data is one token, verbatim (a multi-line data is a token
 * with newlines). `[DONE]` or `event: done` ends the stream.
 * @public
 */
export const textDialect: DialectFn = common((text) => ({ text }))

/**
 * Decides per event: `[DONE]` ends; a JSON object with `choices` (or an
 * `error` object) is OpenAI; one with a known `type` (`text-delta`, ...) or
 * a `0:"..."` line is the AI SDK; a dict with `content` or `status` is a
 * content dict; any other JSON object is a warning; anything else is a
 * plain-text token. {@link resolveDialect} `('auto')` also keeps to the
 * first structured format it sees.
 */
export const autoDialect: DialectFn = (event) => createStructured().decode(event)

/** Built-in dialects by name and by function, as the bits of the formats they read (0: plain text). */
const BUILT_IN = new Map<unknown, number>([
  ['auto', ALL],
  [autoDialect, ALL],
  ['content-dict', 4],
  ['seed', 4],
  [contentDictDialect, 4],
  ['openai', 1],
  [openaiDialect, 1],
  ['ai-sdk', AI_SDK],
  [aiSdkDialect, AI_SDK],
  ['text', 0],
  [textDialect, 0],
])

/**
 * Prepare a dialect for one stream (call once per stream: dialects keep state).
 *
 * - `'auto'`: decides on the first structured event; a stream whose events
 *   were all plain text has no end marker (see `ResolvedDialect.textLike`).
 * - `'text'`: plain text, no end marker other than `[DONE]` / `event: done`.
 * - `'content-dict'` (`'seed'` is its deprecated name), `'openai'`,
 *   `'ai-sdk'`: formats with an end marker.
 * - A function is used as is; it marks the end with `done` or `finishReason`.
 *
 * @param dialect - a built-in name or function, or your own function. @default 'auto'
 */
export function resolveDialect(dialect: Dialect | undefined): ResolvedDialect {
  const k = BUILT_IN.get(dialect ?? 'auto')
  // Each stream gets its own state.
  if (k) return createStructured(k)
  const decode = typeof dialect === 'function' ? dialect : textDialect
  return { decode, textLike: () => k === 0 }
}
