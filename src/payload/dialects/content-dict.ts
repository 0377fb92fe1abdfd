import { setOwn } from '../own.js'
import { answerOf, errorOf, isDict, str } from './common.js'
import type { Dict } from './common.js'
import type { Decoded } from '../types.js'

// One dict per event, `{'content': token, ...}`, printed by Python's
// `str(dict)` (single quotes, `None`, `True`) or as JSON, the last one
// carrying `'status': 'completed'`: what a Flask view that forwards an LLM
// stream with `f"data: {resMap}\n\n"` sends. The llm_sse kit adds tool-call
// pieces, refusals, tool results and data parts in keys of their own
// (docs/wire.md).

/** The keys of a content dict that are not meta. */
const FIELDS = ['content', 'status', 'reasoning_content', 'reasoning', 'tool_calls', 'refusal', 'tool_result', 'data_part']

/** True when a parsed object looks like a content dict (used by `auto`). */
export const isContentDict = (v: Dict) => 'content' in v || 'status' in v || 'error' in v

/** Decode a parsed content dict. */
export function fromContentDict(v: Dict, raw: string): Decoded {
  if (v.status === 'error' || v.error != null) return errorOf(v, raw)
  // `reasoning_content` / `reasoning`: what a backend forwarding an
  // OpenAI-compatible delta adds next to `content` (our reference backend).
  // The rest is meta. Copied in a loop, not with `{ content, ...meta } = v`:
  // object rest is a runtime call that builds a dictionary-mode object, a
  // cost paid on every token (and again when the reducer compares the meta).
  const meta: Dict = {}
  for (const k in v) if (!FIELDS.includes(k)) setOwn(meta, k, v[k])
  // The final event repeats the previous chunk's content: appending it would duplicate a token.
  if (v.status === 'completed') return { meta, done: true }
  const d = answerOf(v, { meta })
  const { tool_result: r, data_part: p } = v
  if (isDict(r)) d.toolResult = { id: str(r.id) ?? '', name: str(r.name) ?? '', output: r.output, error: str(r.error) }
  if (isDict(p) && str(p.name)) d.data = { name: p.name as string, data: p.data }
  return d
}
