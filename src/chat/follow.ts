import type { LlmStream, StreamResult, StreamStatus, ToolCall } from '../index.js'
import { throttled } from './schedule.js'
import type { MessagePart, ToolCallPart } from './types.js'

/** The fields of an answer that a stream fills in. @internal */
export type AnswerFields = Omit<StreamResult, 'warnings' | 'status'> & { status: StreamStatus; parts: readonly MessagePart[] }

/** The stream events that make parts, as the core sends them. */
interface PartEvent {
  text: string
  index: number
  id: string
  name: string
  delta: string
  toolCall: ToolCall
  output?: unknown
  error?: string
  data: unknown
}

/** `JSON.parse` of whole arguments, `undefined` if they are not JSON (no JSON text parses to `undefined`). */
const parse = (text: string): unknown => {
  try {
    return JSON.parse(text || '{}')
  } catch {}
}

/**
 * Follow a stream: `update(fields)` with its live values at most once per
 * throttle tick when one of them changed, then `update(fields, result)`
 * synchronously when it is final, and nothing after, so the
 * last tokens are published together with the final status, never after it.
 * The stream's parts are appended to `start` (the parts of the answer it
 * continues), each new run of text or reasoning, tool call or data as a new
 * part; a part that grows is replaced, so the others keep their identity.
 * @internal
 */
export function follow(
  stream: LlmStream,
  throttle: () => number | 'frame' | undefined,
  start: readonly MessagePart[],
  update: (fields: Partial<AnswerFields>, result?: StreamResult) => void,
): void {
  let last: Partial<AnswerFields> = {}
  let done = false
  const parts = start.slice()
  let snapshot: readonly MessagePart[] = start
  let changed = false
  // Where each tool call is, by the stream's `index` (its pieces) and by id (a server's result).
  const at = new Map<number | string, number>()
  start.forEach((p, i) => p.type === 'tool-call' && at.set(p.id, i))
  const tick = throttled(throttle, () => {
    if (changed) snapshot = parts.slice()
    changed = false
    // The id is read with the text it belongs to: a stored answer resumes after exactly what it shows.
    const now = { text: stream.text, reasoning: stream.reasoning, status: stream.status, meta: stream.meta, lastEventId: stream.lastEventId, parts: snapshot }
    // A tick still pending when the stream ended has nothing left to say.
    if (!done && (now.parts !== last.parts || now.status !== last.status || now.meta !== last.meta)) update((last = now))
  })
  const set = (i: number | undefined, part: MessagePart, ...keys: (number | string)[]) => {
    if (i === undefined) i = parts.push(part) - 1
    else parts[i] = part
    for (const k of keys) at.set(k, i)
    changed = true
    tick()
  }
  const run = (type: 'text' | 'reasoning') => (e: PartEvent) => {
    const p = parts[parts.length - 1]
    // One part per contiguous run: a token continues the run it belongs to.
    set(p?.type === type ? parts.length - 1 : undefined, { type, text: (p?.type === type ? p.text : '') + e.text })
  }
  const on = (type: string, f: (e: PartEvent) => void) => stream.on(type as 'delta', f as never)
  on('delta', run('text'))
  on('reasoning', run('reasoning'))
  on('tool-input', (e) => {
    const i = at.get(e.index)
    const inputText = (i === undefined ? '' : (parts[i] as ToolCallPart).inputText) + e.delta
    set(i, { type: 'tool-call', id: e.id, name: e.name, inputText, state: 'streaming-input' }, e.index)
  })
  on('tool-call', ({ toolCall: { index, id, function: f } }) => {
    set(at.get(index), { type: 'tool-call', id, name: f.name, inputText: f.arguments, input: parse(f.arguments), state: 'input-available' }, index, id)
  })
  on('tool-result', (e) => {
    const i = at.get(e.id)
    const p = i === undefined ? { type: 'tool-call' as const, id: e.id, name: e.name, inputText: '' } : (parts[i] as ToolCallPart)
    // A call the server ran: it is never run here.
    set(i, { ...p, state: e.error === undefined ? 'output-available' : 'output-error', output: e.output, errorText: e.error }, e.id)
  })
  on('data', (e) => set(undefined, { type: 'data', name: e.name, data: e.data }))
  for (const type of ['status', 'meta'] as const) stream.on(type, tick)
  stream.on('done', ({ result }) => {
    done = true
    const { warnings, ...fields } = result
    // A call whose input was cut, or that the answer's end left unrun, must never look runnable.
    for (let i = start.length; i < parts.length; i++) {
      const p = parts[i]!
      if (p.type === 'tool-call' && (p.state === 'streaming-input' || (p.state === 'input-available' && result.status !== 'completed')))
        parts[i] = { ...p, state: 'output-error', errorText: `Not run: the answer ended ${result.status}` }
    }
    update({ ...fields, parts: parts.slice() }, result)
  })
}
