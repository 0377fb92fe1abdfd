import { addToolCalls } from '../tool-calls.js'
import { isDict, messageOf, str } from './common.js'
import type { Dict } from './common.js'
import type { Decoded } from '../types.js'

// OpenAI `chat.completion.chunk` JSON, as DeepSeek, Ollama `/v1`, vLLM and
// other OpenAI-compatible servers send it (shapes: openai-node's
// `ChatCompletionChunk`), and the non-streamed `chat.completion` document a
// server sends when the request forgot `stream: true`.

/** True when a parsed object looks like an OpenAI chunk or error (used by `auto`). */
export const isOpenAI = (v: Dict) => 'choices' in v || isDict(v.error) || v.object === 'chat.completion.chunk'

/** State one stream keeps: whether it already warned about choices other than 0. */
export interface OpenAIState {
  othersWarned: boolean
}

const OTHER_CHOICES = 'Only choice 0 is read: choices with another index (a request with n > 1) are ignored'

/** The choice with index 0 (a choice without `index` counts as 0), and whether the chunk had others. */
function pickChoice(choices: unknown): { choice: Dict; others: boolean } {
  let choice: Dict | undefined
  let others = false
  if (Array.isArray(choices))
    for (const c of choices)
      if (isDict(c) && (c.index ?? 0) === 0) choice ??= c
      else others = true
  return { choice: choice ?? {}, others }
}

/** Decode a parsed OpenAI chunk (or a whole `chat.completion`). */
export function fromOpenAI(v: Dict, raw: string, state: OpenAIState): Decoded {
  if (v.error != null) return { error: { message: messageOf(v, raw), data: raw } }
  const meta: Dict = {}
  // Only fields that identify the response: `created`, `object`, `obfuscation` change per chunk or say nothing.
  for (const k of ['id', 'model', 'system_fingerprint']) if (str(v[k])) meta[k] = v[k]
  const { choice, others } = pickChoice(v.choices)
  // A whole `chat.completion` has `message` where a chunk has `delta`.
  const whole = !isDict(choice.delta) && isDict(choice.message)
  const delta = isDict(choice.delta) ? choice.delta : whole ? (choice.message as Dict) : {}
  const d: Decoded = {
    meta,
    text: str(delta.content),
    // DeepSeek and vLLM send `reasoning_content`, Ollama >= 0.11 sends `reasoning`.
    reasoning: str(delta.reasoning_content) ?? str(delta.reasoning),
    refusal: str(delta.refusal) || undefined,
    finishReason: str(choice.finish_reason),
    usage: isDict(v.usage) ? v.usage : undefined,
  }
  // `logprobs` are ignored: per-token data a chat UI does not show, and large.
  let calls = delta.tool_calls
  const fc = delta.function_call
  // Tested first: most chunks carry neither.
  if (calls != null || fc != null) {
    // A whole message's calls carry no `index`: their position is it.
    if (whole && Array.isArray(calls)) calls = calls.map((c: unknown, index) => (isDict(c) ? { index, ...c } : c))
    // The deprecated `function_call` is one call, at index 0.
    addToolCalls(d, calls, isDict(fc) ? [{ index: 0, type: 'function', function: { name: str(fc.name), arguments: str(fc.arguments) } }] : [])
  }
  if (whole) d.done = true
  if (others && !d.warning && !state.othersWarned) {
    state.othersWarned = true
    d.warning = { message: OTHER_CHOICES }
  }
  return d
}
