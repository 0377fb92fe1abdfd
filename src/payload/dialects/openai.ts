import { answerOf, errorOf, isDict, str } from './common.js'
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
  warned?: boolean
}

/** Decode a parsed OpenAI chunk (or a whole `chat.completion`). */
export function fromOpenAI(v: Dict, raw: string, state: OpenAIState): Decoded {
  if (v.error != null) return errorOf(v, raw)
  const meta: Dict = {}
  // Only fields that identify the response: `created`, `object`, `obfuscation` change per chunk or say nothing.
  for (const k of ['id', 'model', 'system_fingerprint']) if (str(v[k])) meta[k] = v[k]
  // The choice with index 0 (a choice without `index` counts as 0); any other is ignored, with one warning per stream.
  let choice: Dict | undefined
  let others = false
  if (Array.isArray(v.choices))
    for (const c of v.choices)
      if (isDict(c) && (c.index ?? 0) === 0) choice ??= c
      else others = true
  choice ??= {}
  // A whole `chat.completion` has `message` where a chunk has `delta`.
  const delta = [choice.delta, choice.message, {}].find(isDict) as Dict
  const whole = delta === choice.message
  let calls = delta.tool_calls
  const fc = delta.function_call
  // A whole message's calls carry no `index`: their position is it.
  if (whole && Array.isArray(calls)) calls = calls.map((c: unknown, index) => (isDict(c) ? { index, ...c } : c))
  // `logprobs` are ignored: per-token data a chat UI does not show, and large.
  const d = answerOf(
    delta,
    { meta, finishReason: str(choice.finish_reason), usage: isDict(v.usage) ? v.usage : undefined, done: whole || undefined },
    calls,
    // The deprecated `function_call` is one call, at index 0.
    isDict(fc) ? [{ index: 0, type: 'function', function: { name: str(fc.name), arguments: str(fc.arguments) } }] : undefined,
  )
  if (others && !d.warning && !state.warned && (state.warned = true))
    d.warning = { message: 'Only choice 0 is read: choices with another index (a request with n > 1) are ignored' }
  return d
}
