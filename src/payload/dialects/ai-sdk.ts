import { isDict, str, warning } from './common.js'
import type { Dict } from './common.js'
import { MAX_TOOL_CALLS } from '../tool-calls.js'
import type { Decoded, Usage } from '../types.js'

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

/** `content-filter` → `content_filter`: finish reasons are reported as OpenAI spells them. */
const reason = (r: unknown) => (typeof r === 'string' ? r.replace(/-/g, '_') : undefined)

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
  if (type.startsWith('tool-')) return fromToolPart(v, state)
  if (type.startsWith('data-')) return { data: { name: type.slice(5), data: v.data } }
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
      return { meta: { ...(str(v.messageId) && { messageId: v.messageId }), ...('messageMetadata' in v && { messageMetadata: v.messageMetadata }) } }
    case 'message-metadata':
      return { meta: { messageMetadata: v.messageMetadata } }
    case 'finish':
      // `finish` without a reason still says the message is whole.
      return { finishReason: reason(v.finishReason) ?? 'stop', ...('messageMetadata' in v && { meta: { messageMetadata: v.messageMetadata } }) }
    default:
      return {}
  }
}

/** A data-stream line: a one-character code, a colon, a JSON value. */
const DATA_LINE = /^[0-9a-z]:[\s"{[\d\-tfn]/

/** True when event data is data-stream lines (used by `auto`). */
export const isDataStream = (data: string) => DATA_LINE.test(data)

const usageOf = (u: unknown): Usage | undefined => {
  if (!isDict(u)) return undefined
  const usage: Usage = {}
  const { promptTokens: p, completionTokens: c } = u
  if (typeof p === 'number') usage.prompt_tokens = p
  if (typeof c === 'number') usage.completion_tokens = c
  if (typeof p === 'number' && typeof c === 'number') usage.total_tokens = p + c
  return usage
}

const NOT = 'Not AI SDK data stream data'

function fromDataLine(line: string): Decoded {
  const code = line[0]
  let v: unknown
  try {
    v = JSON.parse(line.slice(2))
  } catch (cause) {
    return warning(NOT, cause)
  }
  switch (code) {
    case '0':
      return typeof v === 'string' ? { text: v } : warning(NOT)
    case 'g':
      return typeof v === 'string' ? { reasoning: v } : warning(NOT)
    case '3':
      return { error: { message: typeof v === 'string' ? v : 'error part', data: line } }
    case 'd':
      // The message's last part: the stream ends here.
      return isDict(v) ? { finishReason: reason(v.finishReason) ?? 'stop', usage: usageOf(v.usage), done: true } : warning(NOT)
    case 'f':
      return isDict(v) && str(v.messageId) ? { meta: { messageId: v.messageId } } : {}
    default:
      // 2 data, 8 annotations, 9/a/b/c tools, e step end, h-k sources, files, signatures.
      return /[0-9a-k]/.test(code!) ? {} : warning(NOT)
  }
}

/** Decode one event of data-stream lines (an event may hold several). */
export function fromDataStream(data: string): Decoded {
  if (!data.includes('\n')) return fromDataLine(data)
  const out: Decoded = {}
  for (const line of data.split('\n')) {
    if (!line) continue
    const d = fromDataLine(line)
    if (d.text) out.text = (out.text ?? '') + d.text
    if (d.reasoning) out.reasoning = (out.reasoning ?? '') + d.reasoning
    if (d.meta) out.meta = { ...out.meta, ...d.meta }
    out.finishReason = d.finishReason ?? out.finishReason
    out.usage = d.usage ?? out.usage
    out.warning ??= d.warning
    if (d.error) return { ...out, error: d.error }
    if (d.done) return { ...out, done: true }
  }
  return out
}
