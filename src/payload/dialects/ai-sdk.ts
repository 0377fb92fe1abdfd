import { isDict, str, warning } from './common.js'
import type { Dict } from './common.js'
import { MAX_TOOL_CALLS } from '../tool-calls.js'
import type { Decoded } from '../types.js'

// The Vercel AI SDK's two stream protocols (shapes: vercel/ai
// `ui-message-stream/ui-message-chunks.ts` and, for v3/v4,
// `ui-utils/src/data-stream-parts.ts`).
//
// - UI message stream (v5+, `x-vercel-ai-ui-message-stream: v1`): one JSON
//   part per event, `{"type":"text-delta","id":"t1","delta":"Hi"}`, ended by
//   `data: [DONE]` after a `finish` part.
// - Data stream (v3/v4, `x-vercel-ai-data-stream: v1`): lines `CODE:JSON`,
//   `0:"Hi"` text, `g:"..."` reasoning, `3:"..."` error, `d:{finishReason}`
//   the end of the message; framed as SSE it is one or more lines per event.
//
// Text, reasoning, tool input and output, and `data-*` parts are read into
// the core's events (tool calls get an `index` per `toolCallId`, in order of
// appearance, as OpenAI numbers them); source, file and step parts are
// skipped without a warning: they belong to the format.

/** Every UI-message part type (`data-*` parts carry the app's own name). */
const UI_TYPE =
  /^(start|finish|abort|error|message-metadata|(start|finish)-step|(text|reasoning)-(start|delta|end)|tool-[a-z-]+|source-(url|document)|file|data-.+)$/

/** True when a parsed object is a UI-message part (used by `auto`). */
export const isUiPart = (v: Dict) => typeof v.type === 'string' && UI_TYPE.test(v.type)

/** `content-filter` → `content_filter`: finish reasons are reported as OpenAI spells them; none is `stop`. */
const reason = (r: unknown) => (typeof r === 'string' ? r.replace(/-/g, '_') : 'stop')

const NOT = 'Not AI SDK data stream data'

/**
 * The tool calls of one UI-message stream: `toolCallId` → [index, name,
 * whether input text came]. A call gets the next index on its first part,
 * as OpenAI numbers them; bounded, so a hostile stream cannot grow it.
 */
export type UiState = Map<string, [number, string, boolean?]>

/** Tool parts as OpenAI's tool-call pieces and the kit's tool results. */
function fromToolPart(v: Dict, calls: UiState): Decoded {
  const id = str(v.toolCallId) ?? ''
  const t = (v.type as string).slice(5)
  let c = calls.get(id)
  if (!c && /^input-[sae]/.test(t) && calls.size < MAX_TOOL_CALLS) calls.set(id, (c = [calls.size, str(v.toolName) ?? '']))
  if (!c) return warning('A tool part of an unknown call was ignored')
  const [index, name] = c
  if (t[0] === 'o') return { toolResult: { id, name, ...(t === 'output-available' ? { output: v.output } : { error: str(v.errorText) ?? 'denied' }) } }
  // Deltas append; an input sent whole (no deltas) becomes the arguments text.
  let args = t === 'input-delta' ? (str(v.inputTextDelta) ?? '') : t === 'input-start' || c[2] ? undefined : JSON.stringify(v.input ?? {})
  if (args === undefined && t !== 'input-start') return {}
  c[2] ||= !!args
  args ??= ''
  return { toolCalls: [t === 'input-delta' ? { index, function: { arguments: args } } : { index, id, type: 'function', function: { name, arguments: args } }] }
}

/** Decode a parsed UI-message part (`state`: the stream's tool calls). */
export function fromUiPart(v: Dict, raw: string, state: UiState = new Map()): Decoded {
  const type = v.type as string
  const kind = type.slice(0, 5)
  if (kind === 'tool-') return fromToolPart(v, state)
  if (kind === 'data-') return { data: { name: type.slice(5), data: v.data } }
  const metadata = 'messageMetadata' in v ? { messageMetadata: v.messageMetadata } : undefined
  switch (type) {
    case 'text-delta':
      return { text: str(v.delta) }
    case 'reasoning-delta':
      return { reasoning: str(v.delta) }
    case 'error':
      return { error: { message: str(v.errorText) || 'error part without errorText', data: raw } }
    case 'abort':
      return { error: { message: 'The server aborted the answer', data: raw } }
    case 'start':
      return { meta: { ...(str(v.messageId) && { messageId: v.messageId }), ...metadata } }
    case 'message-metadata':
      return { meta: { messageMetadata: v.messageMetadata } }
    case 'finish':
      // `finish` without a reason still says the message is whole.
      return { finishReason: reason(v.finishReason), meta: metadata }
    default:
      return {}
  }
}

/** A data-stream line: a one-character code, a colon, a JSON value. */
const DATA_LINE = /^[0-9a-z]:[\s"{[\d\-tfn]/

/** True when event data is data-stream lines (used by `auto`). */
export const isDataStream = (data: string) => DATA_LINE.test(data)

const num = (x: unknown) => (typeof x === 'number' ? x : undefined)

/**
 * Decode one event of data-stream lines (an event may hold several): text
 * and reasoning are joined, the first warning kept; an error or the `d`
 * (finish) line ends the event and the stream.
 */
export function fromDataStream(data: string): Decoded {
  const d: Decoded = {}
  for (const line of data.split('\n')) {
    if (!line) continue
    const code = line[0] as string
    let v: unknown
    let bad = false
    try {
      v = JSON.parse(line.slice(2))
    } catch (cause) {
      d.warning ??= warning(NOT, cause).warning
      continue
    }
    if (code === '0' || code === 'g') {
      if (typeof v !== 'string') bad = true
      else if (code === '0') d.text = (d.text ?? '') + v
      else d.reasoning = (d.reasoning ?? '') + v
    } else if (code === '3') {
      d.error = { message: typeof v === 'string' ? v : 'error part', data: line }
      return d
    } else if (code === 'd') {
      if (!isDict(v)) bad = true
      else {
        // The message's last part: the stream ends here.
        const u = v.usage
        if (isDict(u)) {
          const p = num(u.promptTokens)
          const c = num(u.completionTokens)
          d.usage = {}
          if (p !== undefined) d.usage.prompt_tokens = p
          if (c !== undefined) d.usage.completion_tokens = c
          if (p !== undefined && c !== undefined) d.usage.total_tokens = p + c
        }
        d.finishReason = reason(v.finishReason)
        d.done = true
        return d
      }
    } else if (code === 'f') {
      if (isDict(v) && str(v.messageId)) d.meta = { ...d.meta, messageId: v.messageId }
    }
    // 2 data, 8 annotations, 9/a/b/c tools, e step end, h-k sources, files, signatures.
    else bad = !/[0-9a-k]/.test(code)
    if (bad) d.warning ??= { message: NOT }
  }
  return d
}
