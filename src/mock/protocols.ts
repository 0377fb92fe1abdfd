// What each mock route streams for a script, as blocks tagged by role, before
// any fault is applied. Faults count `token` blocks and drop `done` blocks.

import type { Block } from './frames.js'
import { pyJsonDumps } from './pyjson.js'
import { pyRepr } from './repr.js'
import type { PyValue } from './repr.js'
import type { Script } from './script.js'

/** A block and its role: `token` carries script text, `done` belongs to the end marker. */
export interface Tagged {
  block: Block
  kind: 'token' | 'meta' | 'done'
}

const token = (data: string[]): Tagged => ({ block: { data }, kind: 'token' })

/** A generator as an iterable that starts over on every pass (a plan may be run more than once). */
function lazy<T>(make: () => Generator<T>): Iterable<T> {
  return { [Symbol.iterator]: make }
}

/**
 * The seed (deepseek.py `event_stream`): `f"data: {resMap}\n\n"` per token,
 * where resMap keeps its key order (`content`, `request_id`, `userid`), then
 * the same dict plus `'status': 'completed'` so `content` repeats the last
 * token. With no token at all resMap is empty: `{'status': 'completed'}`.
 */
export function seedBlocks(script: Script, format: 'repr' | 'json', lastContent: 'repeat' | 'empty' | 'final'): Iterable<Tagged> {
  const dump = format === 'json' ? pyJsonDumps : pyRepr
  const dict = (content: string): Record<string, PyValue> => ({ content, request_id: '123456789', userid: '789465' })
  return lazy(function* () {
    for (const t of script.tokens) yield token([dump(dict(t))])
    let last: Record<string, PyValue> = script.tokens.length ? dict(script.tokens.at(-1)!) : {}
    if (lastContent === 'empty') {
      // Ollama's last chunk has content '' and finish_reason 'stop'.
      yield { block: { data: [dump(dict(''))] }, kind: 'meta' }
      last = dict('')
    }
    yield { block: { data: [dump({ ...last, status: 'completed' })] }, kind: 'done' }
  })
}

/** Plain-text tokens: one `data:` line per line of the token, then `data: [DONE]`. */
export function textBlocks(script: Script): Iterable<Tagged> {
  return lazy(function* () {
    for (const t of script.tokens) yield token(t.split('\n'))
    yield { block: { data: ['[DONE]'] }, kind: 'done' }
  })
}

/** What the OpenAI route needs to know about the request. */
export interface ChatRequest {
  model: string
  prompt: string
  /** `stream_options.include_usage` */
  usage: boolean
  /** `reasoning_content` deltas instead of inline `<think>`. */
  reasoningField: boolean
  /** The first function of the request's `tools`: the answer calls it instead of writing text. */
  tool?: string | undefined
  /** How many tool-calling answers came before this one (after the last user message): makes each call's id distinct. */
  step?: number | undefined
  /** The call's arguments, JSON text (default `{"query": <prompt>}`). */
  toolArgs?: string | undefined
  /** The answer is a refusal (`delta.refusal`) instead of text. */
  refuse?: boolean | undefined
}

/** The mock's refusal, in the pieces it is streamed in. */
export const REFUSAL = ["I'm sorry, ", "I can't ", 'help with that.']

/** The mock's tool call: the first tool, with the prompt as its one argument. */
function toolCall(req: ChatRequest, tool: string) {
  const id = `call_${chatId(req.prompt).slice(13)}${req.step ? `_${req.step}` : ''}`
  return { id, type: 'function', function: { name: tool, arguments: req.toolArgs ?? JSON.stringify({ query: req.prompt }) } }
}

/** Fixed, so every run produces the same bytes. */
export const CREATED = 1_735_689_600

function chatId(prompt: string): string {
  let h = 0
  for (const ch of prompt) h = (Math.imul(h, 31) + (ch.codePointAt(0) ?? 0)) >>> 0
  return `chatcmpl-mock${h.toString(36)}`
}

function usageOf(script: Script, req: ChatRequest): Record<string, unknown> {
  const prompt = Math.max(1, [...req.prompt].length)
  const completion = req.reasoningField ? script.reasoning.length + script.answer.length : script.tokens.length
  const usage: Record<string, unknown> = { prompt_tokens: prompt, completion_tokens: completion, total_tokens: prompt + completion }
  if (script.reasoning.length) usage.completion_tokens_details = { reasoning_tokens: script.reasoning.length }
  return usage
}

/**
 * OpenAI chat completion chunks: a role chunk, one chunk per token
 * (reasoning as `reasoning_content` with `content: null`, as DeepSeek's API
 * does), a finish chunk with an empty delta (Ollama's `content: ''` with
 * `lastContent: 'empty'`), a usage chunk with `choices: []`
 * when asked for, then `[DONE]`. Shapes follow the OpenAI API reference so
 * the Python `openai` client parses them.
 */
export function openaiBlocks(script: Script, req: ChatRequest, lastContent: 'repeat' | 'empty' | 'final' = 'repeat'): Iterable<Tagged> {
  const head = { id: chatId(req.prompt), object: 'chat.completion.chunk', created: CREATED, model: req.model, system_fingerprint: 'fp_mock' }
  // With include_usage every chunk carries `usage: null` until the last one.
  const tail = req.usage ? { usage: null } : {}
  const chunk = (delta: Record<string, unknown>, finish: string | null = null): string =>
    JSON.stringify({ ...head, choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }], ...tail })
  return lazy(function* () {
    yield { block: { data: [chunk({ role: 'assistant', content: '' })] }, kind: 'meta' }
    if (req.tool) {
      // As OpenAI streams a call: id and name first, then the arguments in pieces, then `tool_calls`.
      const { id, type, function: fn } = toolCall(req, req.tool)
      yield token([chunk({ tool_calls: [{ index: 0, id, type, function: { name: fn.name, arguments: '' } }] })])
      for (let i = 0; i < fn.arguments.length; i += 8)
        yield token([chunk({ tool_calls: [{ index: 0, function: { arguments: fn.arguments.slice(i, i + 8) } }] })])
      yield { block: { data: [chunk({}, 'tool_calls')] }, kind: 'done' }
      if (req.usage) yield { block: { data: [JSON.stringify({ ...head, choices: [], usage: usageOf(script, req) })] }, kind: 'done' }
      yield { block: { data: ['[DONE]'] }, kind: 'done' }
      return
    }
    if (req.refuse) {
      for (const t of REFUSAL) yield token([chunk({ content: null, refusal: t })])
      yield { block: { data: [chunk({}, 'stop')] }, kind: 'done' }
      yield { block: { data: ['[DONE]'] }, kind: 'done' }
      return
    }
    const answer = req.reasoningField ? script.answer : script.tokens
    if (req.reasoningField) for (const t of script.reasoning) yield token([chunk({ content: null, reasoning_content: t })])
    // `final`: the last content chunk says `finish_reason` itself.
    const finishedEarly = lastContent === 'final' && answer.length > 0
    for (let i = 0; i < answer.length; i++) yield token([chunk({ content: answer[i] }, finishedEarly && i === answer.length - 1 ? 'stop' : null)])
    // OpenAI's finish chunk has an empty delta (`content` is None in Python,
    // which the seed's `result += content` crashes on); Ollama's repeats the
    // role with `content: ''`.
    if (!finishedEarly) yield { block: { data: [chunk(lastContent === 'empty' ? { role: 'assistant', content: '' } : {}, 'stop')] }, kind: 'done' }
    if (req.usage) yield { block: { data: [JSON.stringify({ ...head, choices: [], usage: usageOf(script, req) })] }, kind: 'done' }
    yield { block: { data: ['[DONE]'] }, kind: 'done' }
  })
}

/** The non-streaming answer (`stream: false`): one `chat.completion` document. */
export function openaiCompletion(script: Script, req: ChatRequest): string {
  const message: Record<string, unknown> = req.tool
    ? { role: 'assistant', content: null, tool_calls: [toolCall(req, req.tool)] }
    : req.refuse
      ? { role: 'assistant', content: null, refusal: REFUSAL.join('') }
      : { role: 'assistant', content: (req.reasoningField ? script.answer : script.tokens).join('') }
  if (req.reasoningField && !req.tool) message.reasoning_content = script.reasoning.join('')
  return JSON.stringify({
    id: chatId(req.prompt),
    object: 'chat.completion',
    created: CREATED,
    model: req.model,
    system_fingerprint: 'fp_mock',
    choices: [{ index: 0, message, logprobs: null, finish_reason: req.tool ? 'tool_calls' : 'stop' }],
    usage: usageOf(script, req),
  })
}
