import type { SseEvent } from '../sse/types.js'

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
  /** Fields to merge into `meta` (the seed's `request_id`, `userid`; OpenAI's `id`, `model`). */
  meta?: Record<string, unknown> | undefined
  /** The model said why it stopped (`stop`, `length`, ...): the answer is whole. */
  finishReason?: string | undefined
  usage?: Usage | undefined
  /** The stream's own end marker (seed `status: 'completed'`, `[DONE]`, `event: done`). */
  done?: boolean | undefined
  /** The stream reported an error in-band. */
  error?: { message: string; data?: unknown } | undefined
  /** The data could not be decoded; the stream goes on and the user gets a `warning`. */
  warning?: { message: string; cause?: unknown } | undefined
}

/**
 * Turns one event into tokens. Built-ins: `'auto'` (default), `'seed'`,
 * `'openai'`, `'text'`; or pass your own function.
 * @public
 */
export type DialectFn = (event: SseEvent) => Decoded

/** A built-in dialect name or a function. @public */
export type Dialect = 'auto' | 'seed' | 'openai' | 'text' | DialectFn
