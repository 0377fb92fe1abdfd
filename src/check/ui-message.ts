// The AI SDK's UI-message stream (what `useChat` reads), checked part by
// part as its client reads it: the chunk shapes of vercel/ai
// `packages/ai/src/ui-message-stream/ui-message-chunks.ts`. Its client
// refuses a delta whose start it has not seen and any chunk type it does not
// know, so each of these is a failure the user would see as an error.

import type { Exchange } from './capture.js'
import { fail, pass, skip } from './result.js'
import type { CheckResult } from './result.js'

const HEADER = 'x-vercel-ai-ui-message-stream'
const KNOWN =
  /^(start|finish|abort|error|message-metadata|(start|finish|reset)-step|(text|reasoning)-(start|delta|end)|tool-(input-(start|delta|available|error)|output-(available|error|denied)|approval-(request|response))|source-(url|document)|file|reasoning-file|custom|data-.+)$/
const FIX = 'send the chunks in the order the AI SDK documents (its stream protocol page); `llm_sse` does with `format="ai-sdk"`'

type Chunk = Record<string, unknown> & { type: string }

/** The event's chunk, if its data is a UI-message chunk. */
function chunkOf(data: string): Chunk | undefined {
  if (!data.startsWith('{')) return undefined
  try {
    const v = JSON.parse(data) as unknown
    return typeof v === 'object' && v !== null && typeof (v as Chunk).type === 'string' ? (v as Chunk) : undefined
  } catch {
    return undefined
  }
}

/** The first rule `chunks` break, or undefined when they follow the protocol. */
function firstProblem(datas: string[]): string | undefined {
  const open = new Map<string, string>()
  const tools = new Map<string, 'streaming' | 'available' | 'done'>()
  let started = false
  let inStep = false
  let finished = false
  let failed = false
  let done = false
  for (const [i, data] of datas.entries()) {
    const at = `event ${i + 1}`
    if (done) return `${at}: an event after [DONE]`
    if (data === '[DONE]') {
      done = true
      continue
    }
    const c = chunkOf(data)
    if (!c) return `${at}: not a UI-message chunk: ${JSON.stringify(data.slice(0, 60))}`
    const t = c.type
    if (!KNOWN.test(t)) return `${at}: unknown chunk type ${JSON.stringify(t)} (useChat stops with a validation error)`
    if (finished) return `${at}: ${t} after finish`
    if (failed && t !== 'error') return `${at}: ${t} after error`
    if (t === 'error' || t === 'abort') {
      failed = true
      continue
    }
    if (t === 'start') {
      if (started) return `${at}: a second start`
      started = true
      continue
    }
    if (!started && i === 0) return `${at}: ${t} before start (start, with the message id, comes first)`
    const id = typeof c.id === 'string' ? c.id : undefined
    const call = typeof c.toolCallId === 'string' ? c.toolCallId : undefined
    const kind = t.split('-')[0]!
    if (t === 'start-step') {
      if (inStep) return `${at}: start-step inside a step`
      inStep = true
    } else if (t === 'finish-step') {
      if (!inStep) return `${at}: finish-step without start-step`
      if (open.size) return `${at}: finish-step with ${[...open.keys()].join(', ')} not ended`
      inStep = false
    } else if (/^(text|reasoning)-start$/.test(t)) {
      if (!id || open.has(id)) return `${at}: ${t} ${id ? `with id ${JSON.stringify(id)} already open` : 'without an id'}`
      open.set(id, kind)
    } else if (/^(text|reasoning)-(delta|end)$/.test(t)) {
      if (!id || open.get(id) !== kind) return `${at}: ${t} for id ${JSON.stringify(id)}, which no ${kind}-start opened`
      if (t.endsWith('-delta') && typeof c.delta !== 'string') return `${at}: ${t} without a string delta`
      if (t.endsWith('-end')) open.delete(id)
    } else if (t === 'tool-input-start') {
      if (!call || tools.has(call)) return `${at}: tool-input-start ${call ? `for call ${JSON.stringify(call)} already started` : 'without a toolCallId'}`
      tools.set(call, 'streaming')
    } else if (t === 'tool-input-delta') {
      if (!call || tools.get(call) !== 'streaming') return `${at}: tool-input-delta for call ${JSON.stringify(call)}, which no tool-input-start opened`
    } else if (t === 'tool-input-available' || t === 'tool-input-error') {
      if (!call) return `${at}: ${t} without a toolCallId`
      tools.set(call, 'available')
    } else if (t.startsWith('tool-output-')) {
      if (!call || tools.get(call) !== 'available') return `${at}: ${t} for call ${JSON.stringify(call)}, whose input is not available`
      tools.set(call, 'done')
    } else if (t === 'finish') {
      if (inStep || open.size) return `${at}: finish with ${inStep ? 'a step' : 'a part'} still open`
      finished = true
    }
  }
  if (!done) return failed || finished ? 'no data: [DONE] after the last chunk' : undefined
  if (!finished && !failed) return 'the stream ended without finish or error'
  return undefined
}

/**
 * The AI SDK's UI-message stream, if this is one (its header, or a first
 * event `{"type": "start"}`): the header, the part order, matching start and
 * end ids, `finish`, then `[DONE]`. Nothing for another format.
 */
export function checkUiMessage(x: Exchange): CheckResult[] {
  const datas = x.events.map((e) => e.event.data)
  const header = x.headers.get(HEADER)
  const first = chunkOf(datas[0] ?? '')
  // Other formats have no such checks (and no line in the report).
  if (!header && first?.type !== 'start') return []
  const out: CheckResult[] = [
    header === 'v1'
      ? pass('ui-message-header', `${HEADER}: v1`)
      : fail(
          'ui-message-header',
          header ? `${HEADER}: ${header}` : `no ${HEADER} header`,
          `send \`${HEADER}: v1\` with the stream, as the AI SDK's servers do`,
        ),
  ]
  if (x.ended !== 'end') return [...out, skip('ui-message-stream', 'the body did not end: its order cannot be judged')]
  const problem = firstProblem(datas)
  const tools = datas.filter((d) => d.includes('"tool-input-start"')).length
  out.push(
    problem
      ? fail('ui-message-stream', problem, FIX)
      : pass(
          'ui-message-stream',
          `${datas.length} events in protocol order: start, matching start/end ids${tools ? `, ${tools} tool calls` : ''}, finish, [DONE]`,
        ),
  )
  return out
}
