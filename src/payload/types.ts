import type { SseEvent } from '../sse/types.js'
import type { ToolCallDelta } from './tool-calls.js'

/** Token counts as an OpenAI-compatible `usage` object reports them. @public */
export interface Usage {
  prompt_tokens?: number
  completion_tokens?: number
  total_tokens?: number
  [key: string]: unknown
}

/**
 * What a dialect made of one event. Every field is optional; an empty object
 * means "nothing to show" (a role chunk, a keep-alive, ...).
 * @public
 */
export interface Decoded {
  /** Answer text to append (may still hold inline `<think>` tags; the reducer splits them). */
  text?: string | undefined
  /** Reasoning text to append (`reasoning_content`, `reasoning`). */
  reasoning?: string | undefined
  /** Fields to merge into `meta` (a content dict's `request_id`, `userid`; OpenAI's `id`, `model`). */
  meta?: Record<string, unknown> | undefined
  /** Pieces of tool calls, joined by `index` into `StreamResult.toolCalls`. */
  toolCalls?: ToolCallDelta[] | undefined
  /** The result of a tool the server ran, for the `tool-result` event. */
  toolResult?: { id: string; name: string; output?: unknown; error?: string | undefined } | undefined
  /** A named JSON part, for the `data` event. */
  data?: { name: string; data: unknown } | undefined
  /** Text of a refusal (OpenAI `delta.refusal`), joined into `StreamResult.refusal`. */
  refusal?: string | undefined
  /**
   * The model said why it stopped (`stop`, `length`, `tool_calls`, ...): the
   * answer is whole. Spelled as OpenAI does (`content_filter`, not `content-filter`).
   */
  finishReason?: string | undefined
  usage?: Usage | undefined
  /** The stream's own end marker (a content dict's `status: 'completed'`, `[DONE]`, `event: done`). */
  done?: boolean | undefined
  /** The stream reported an error in-band. */
  error?: { message: string; data?: unknown } | undefined
  /** The data could not be decoded; the stream goes on and the user gets a `warning`. */
  warning?: { message: string; cause?: unknown } | undefined
}

/**
 * Turns one event into tokens. Built-ins: `'auto'` (default),
 * `'content-dict'`, `'openai'`, `'ai-sdk'`, `'text'`; or pass your own function.
 * @public
 */
export type DialectFn = (event: SseEvent) => Decoded

/**
 * A built-in dialect name or a function.
 * - `'auto'`: the first format recognised (OpenAI, AI SDK, content dict), or plain text.
 * - `'content-dict'`: `{'content': ..., 'status': 'completed'}` per event, Python `str(dict)` or JSON.
 * - `'openai'`: OpenAI `chat.completion.chunk` JSON.
 * - `'ai-sdk'`: the Vercel AI SDK's UI message stream or data stream.
 * - `'text'`: each event's data is a token.
 * - `'seed'`: deprecated name of `'content-dict'`.
 * @public
 */
export type Dialect = 'auto' | 'content-dict' | 'openai' | 'ai-sdk' | 'text' | 'seed' | DialectFn
