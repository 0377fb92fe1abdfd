// Tool calls streamed in pieces (OpenAI `delta.tool_calls`), put together by
// `index`. Each piece is untrusted server data: the number of calls is
// capped and every field is checked, so a hostile stream costs linear time
// and bounded memory.

import type { Decoded } from './types.js'

/**
 * A tool call the model asked for, put together from the stream. The shape
 * of an OpenAI `message.tool_calls[]` entry plus its `index`, so it can be
 * sent back in the next request as `{ id, type, function }`.
 * @public
 */
export interface ToolCall {
  /** Its position among the answer's tool calls (the `index` its pieces carry). */
  index: number
  /** The id to answer with (`tool_call_id` of the `tool` message); `''` if the server sent none. */
  id: string
  /** `'function'` for every current API. @default 'function' */
  type: string
  function: {
    /** The function's name. */
    name: string
    /**
     * The arguments as the model wrote them: JSON text, the pieces joined.
     * Not parsed: a model can write invalid JSON, so parse it yourself and
     * handle the failure.
     */
    arguments: string
  }
}

/**
 * One piece of a tool call, as a {@link DialectFn} reports it: OpenAI's
 * `delta.tool_calls[]` entry. `id`, `type` and `function.name` replace what
 * came before; `function.arguments` is appended.
 * @public
 */
export interface ToolCallDelta {
  index: number
  id?: string | undefined
  type?: string | undefined
  function?: { name?: string | undefined; arguments?: string | undefined } | undefined
}

/** Most tool calls one answer may hold; more is a hostile or broken stream. */
export const MAX_TOOL_CALLS = 128

const str = (x: unknown) => (typeof x === 'string' ? x : undefined)
const isDict = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null

/**
 * Read OpenAI `delta.tool_calls` into checked pieces. An entry without a
 * valid `index` is dropped (returned in `bad`): without it we cannot tell
 * which call it continues.
 */
export function toolCallDeltas(value: unknown): { deltas: ToolCallDelta[]; bad: number } {
  const deltas: ToolCallDelta[] = []
  let bad = 0
  if (!Array.isArray(value)) return { deltas, bad: value == null ? 0 : 1 }
  for (const t of value) {
    const index = isDict(t) ? t.index : undefined
    if (!isDict(t) || typeof index !== 'number' || !Number.isInteger(index) || index < 0) {
      bad++
      continue
    }
    const fn = isDict(t.function) ? t.function : undefined
    deltas.push({
      index,
      id: str(t.id),
      type: str(t.type),
      function: fn && { name: str(fn.name), arguments: str(fn.arguments) },
    })
  }
  return { deltas, bad }
}

/**
 * Put the checked pieces of `value` (and `more`) into `d`; a piece without a
 * valid index makes a warning. Shared by every dialect that reads OpenAI's
 * `tool_calls` shape.
 */
export function addToolCalls(d: Decoded, value: unknown, more: ToolCallDelta[] = []): void {
  const { deltas, bad } = toolCallDeltas(value)
  deltas.push(...more)
  if (deltas.length) d.toolCalls = deltas
  if (bad) d.warning = { message: 'A tool call piece without a valid index was ignored' }
}

/** The calls of one answer, in `index` order, growing as pieces arrive. */
export interface ToolCallSet {
  /** Apply pieces; returns how many were dropped because the set is full. */
  add(deltas: ToolCallDelta[]): number
  /** Every call so far, in `index` order (a fresh array; the calls are live objects). */
  list(): ToolCall[]
  /** The call with this `index` (a live object), if the set holds it. */
  get(index: number): ToolCall | undefined
  readonly size: number
}

export function createToolCallSet(): ToolCallSet {
  const calls = new Map<number, ToolCall>()
  let sorted: ToolCall[] | undefined = []
  return {
    add(deltas) {
      let dropped = 0
      for (const d of deltas) {
        let call = calls.get(d.index)
        if (!call) {
          if (calls.size >= MAX_TOOL_CALLS) {
            dropped++
            continue
          }
          call = { index: d.index, id: '', type: 'function', function: { name: '', arguments: '' } }
          calls.set(d.index, call)
          sorted = undefined
        }
        // As openai-node's ChatCompletionStream: id, type and name are replaced, arguments appended.
        if (d.id) call.id = d.id
        if (d.type) call.type = d.type
        if (d.function?.name) call.function.name = d.function.name
        if (d.function?.arguments) call.function.arguments += d.function.arguments
      }
      return dropped
    },
    list: () => [...(sorted ??= [...calls.values()].sort((a, b) => a.index - b.index))],
    get: (index) => calls.get(index),
    get size() {
      return calls.size
    },
  }
}
