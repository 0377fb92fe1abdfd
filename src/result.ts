// What a stream reports: its status, the events it yields and its final
// result. The reducer produces them; the handle delivers them.

import type { StreamError } from './errors.js'
import type { ToolCall } from './payload/tool-calls.js'
import type { Usage } from './payload/types.js'

/**
 * Where a stream is. `connecting` → `streaming` → one of the four final states.
 * - `completed`: the stream itself said it was done.
 * - `incomplete`: it ended without saying so: the text may be truncated.
 * - `error`: HTTP, network, server, timeout or size failure (see `error.code`).
 * - `aborted`: you stopped it.
 * @public
 */
export type StreamStatus = 'connecting' | 'streaming' | 'completed' | 'incomplete' | 'error' | 'aborted'

/** The four statuses a stream can end in. @public */
export type FinalStatus = Extract<StreamStatus, 'completed' | 'incomplete' | 'error' | 'aborted'>

/** A problem that did not stop the stream. @public */
export interface StreamWarning {
  /**
   * - `payload`: an event's data could not be decoded, or was not of the stream's format;
   * - `discarded`: an unterminated last event was dropped;
   * - `finish`: the model stopped for a reason other than `stop` or `tool_calls`;
   * - `retry`: a reconnect;
   * - `refusal`: the model refused (the text is in `StreamResult.refusal`);
   * - `not-streamed`: the server sent the whole answer as one JSON document (`stream: true` missing).
   */
  code: 'payload' | 'discarded' | 'finish' | 'retry' | 'refusal' | 'not-streamed'
  message: string
  /** The raw event data (or discarded text), bounded. */
  data?: string | undefined
  cause?: unknown
}

/** Milliseconds from the call, for one stream. @public */
export interface StreamTimings {
  /** Time to the response headers (fetch) or `open` (EventSource). */
  firstByte?: number | undefined
  /** Time to the first answer or reasoning token. */
  firstToken?: number | undefined
  /** Time to the final status. */
  total?: number | undefined
}

/** How much arrived. @public */
export interface StreamCounts {
  /** Dispatched SSE events. */
  events: number
  /** Events that carried answer or reasoning text. */
  tokens: number
  /** Every warning, also those past the 100 that `result.warnings` keeps. */
  warnings: number
  /** Connection attempts made (1 unless retry is enabled). */
  attempts: number
}

/**
 * The outcome of a stream. Always resolves; always holds what arrived.
 * @public
 */
export interface StreamResult {
  status: FinalStatus
  /** The answer text, without reasoning and without a repeated final token. */
  text: string
  /** Reasoning text (`reasoning_content`, `<think>…</think>`). */
  reasoning: string
  /** Non-token fields the server sent (`request_id`, `userid`, `model`, ...), merged. */
  meta: Record<string, unknown>
  finishReason?: string | undefined
  usage?: Usage | undefined
  /**
   * Tool calls the model asked for, in `index` order (empty when none). Whole
   * only when `status` is `completed`; otherwise the last one may be cut.
   */
  toolCalls: ToolCall[]
  /** What the model said instead of answering, when it refused (OpenAI `delta.refusal`). */
  refusal?: string | undefined
  /** Set when `status` is `error` or `incomplete`. */
  error?: StreamError | undefined
  /** The last SSE event id, useful to resume. */
  lastEventId?: string | undefined
  /**
   * What was odd but not fatal, in order: the first 100 (each is also emitted
   * as a `warning` event; `counts.warnings` has the full count). Bounded so a
   * server that makes every event a warning cannot grow memory without limit.
   */
  warnings: StreamWarning[]
  timings: StreamTimings
  counts: StreamCounts
}

/**
 * What a stream yields, in order.
 * @public
 */
export type StreamEvent =
  | { type: 'delta'; text: string }
  | { type: 'reasoning'; text: string }
  | { type: 'meta'; meta: Record<string, unknown> }
  /** A tool call is whole: sent once the model finished (`finish_reason` or the end marker). */
  | { type: 'tool-call'; toolCall: ToolCall }
  /**
   * One piece of a tool call as it streams: `delta` is the argument text it
   * appends (`''` for a piece that only names the call); `id` and `name` as
   * known so far.
   */
  | { type: 'tool-input'; index: number; id: string; name: string; delta: string }
  /** The result of a tool the server ran (a server-side tool loop); `error` when it failed. */
  | { type: 'tool-result'; id: string; name: string; output?: unknown; error?: string | undefined }
  /** A named JSON part the server sent next to the answer. */
  | { type: 'data'; name: string; data: unknown }
  | { type: 'status'; status: StreamStatus; attempt: number }
  | { type: 'warning'; warning: StreamWarning }
  | { type: 'error'; error: StreamError }
  | { type: 'done'; result: StreamResult }

/** The `type` of a {@link StreamEvent}. @public */
export type StreamEventType = StreamEvent['type']
