import { invalid } from './shared.js'
import type { ChatMessage, ChatOptions, ChatRequest, ToolCallPart } from './types.js'

/** What the model reads as a call's result: the output, or why there is none. */
const result = (p: ToolCallPart) =>
  p.state === 'output-available'
    ? typeof p.output === 'string'
      ? p.output
      : (JSON.stringify(p.output) ?? 'null')
    : `${p.state === 'denied' ? 'Denied by the user' : 'Error'}: ${p.errorText ?? 'not run'}`

/**
 * The OpenAI chat `messages` of a history: a question with files is a
 * content list (`text`, then `image_url` per image; a data URL for a local
 * file); an answer with tool steps is, per step, an assistant message with
 * its text and `tool_calls`, then one `role: 'tool'` message per call.
 * Any other file throws `invalid-options`: OpenAI's chat messages have no
 * generic file content, so a backend that takes them needs its own request.
 * @internal
 */
export function openaiMessages(list: readonly ChatMessage[]): Record<string, unknown>[] {
  const out: Record<string, unknown>[] = []
  for (const m of list) {
    if (m.role !== 'assistant') {
      const files = m.parts.flatMap((p) => (p.type === 'file' ? [p] : []))
      out.push({
        role: m.role,
        content: files.length
          ? [
              { type: 'text', text: m.text },
              ...files.map((f) => {
                if (!f.mediaType.startsWith('image/'))
                  throw invalid(`The default request sends images only; ${f.name ?? 'a file'} (${f.mediaType}) needs a request() that maps file parts`)
                return { type: 'image_url', image_url: { url: f.url ?? `data:${f.mediaType};base64,${f.data}` } }
              }),
            ]
          : m.text,
      })
      continue
    }
    let content = ''
    let calls: unknown[] = []
    let results: unknown[] = []
    const n = out.length
    const step = () => {
      out.push({ role: 'assistant', content: content || (calls.length ? null : ''), ...(calls.length && { tool_calls: calls }) }, ...(results as []))
      content = ''
      calls = []
      results = []
    }
    for (const p of m.parts)
      if (p.type === 'text') {
        // Text after tool calls is the next step's.
        if (calls.length) step()
        content += p.text
      } else if (p.type === 'tool-call') {
        calls.push({ id: p.id, type: 'function', function: { name: p.name, arguments: p.inputText } })
        results.push({ role: 'tool', tool_call_id: p.id, content: result(p) })
      }
    if (content || calls.length || out.length === n) step()
  }
  return out
}

/** The default request: OpenAI `messages`, the tools' definitions and `body`, POSTed to `api`. @internal */
export function openaiRequest(o: ChatOptions, list: readonly ChatMessage[]): ChatRequest {
  const tools = Object.entries(o.tools ?? {}).map(([name, t]) => ({
    type: 'function',
    function: { name, description: t.description, parameters: t.parameters ?? { type: 'object', properties: {} } },
  }))
  return { path: o.api ?? '/api/chat', json: { messages: openaiMessages(list), ...(tools.length && { tools }), ...o.body } }
}
