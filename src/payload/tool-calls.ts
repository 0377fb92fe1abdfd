// Tool calls streamed in pieces (OpenAI `delta.tool_calls`), put together by
// `index`. Each piece is untrusted server data: the number of calls is
// capped and every field is checked, so a hostile stream costs linear time
// and bounded memory.

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
