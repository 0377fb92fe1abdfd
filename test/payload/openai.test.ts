import { expect, test } from 'vitest'
import { createReducer, openaiDialect } from '../../src/index.js'
import type { ReducerOptions, SseEvent, StreamEvent, ToolCall } from '../../src/index.js'

// OpenAI-compatible streams beyond text: tool calls, several choices,
// refusals (shapes: openai-node's `ChatCompletionChunk`).

const ev = (data: string): SseEvent => ({ type: 'message', data, id: undefined, lastEventId: '' })
const chunk = (delta: object, finish: string | null = null, index = 0) =>
  ev(JSON.stringify({ id: 'c1', object: 'chat.completion.chunk', model: 'm', choices: [{ index, delta, logprobs: null, finish_reason: finish }] }))
const piece = (index: number, fn: { name?: string; arguments?: string }, id?: string) =>
  chunk({ tool_calls: [{ index, ...(id && { id, type: 'function' }), function: fn }] })

function run(events: SseEvent[], options: Partial<ReducerOptions> = {}) {
  const out: StreamEvent[] = []
  const r = createReducer({ emit: (e) => out.push(e), ...options })
  r.connecting(1)
  r.open()
  for (const e of events) r.event(e)
  return { r, out, of: <T extends StreamEvent['type']>(t: T) => out.filter((e): e is Extract<StreamEvent, { type: T }> => e.type === t) }
}

// Two parallel calls as OpenAI streams them: each call's id and name first, then its arguments in pieces.
const TOOL_STREAM = [
  chunk({ role: 'assistant', content: null }),
  piece(0, { name: 'get_weather', arguments: '' }, 'call_a'),
  piece(0, { arguments: '{"city":' }),
  piece(0, { arguments: ' "Paris"}' }),
  piece(1, { name: 'get_time', arguments: '' }, 'call_b'),
  piece(1, { arguments: '{"tz": "CET"}' }),
  chunk({}, 'tool_calls'),
  ev('[DONE]'),
]
const CALLS: ToolCall[] = [
  { index: 0, id: 'call_a', type: 'function', function: { name: 'get_weather', arguments: '{"city": "Paris"}' } },
  { index: 1, id: 'call_b', type: 'function', function: { name: 'get_time', arguments: '{"tz": "CET"}' } },
]

test('tool call pieces are joined by index into result.toolCalls, and finish_reason tool_calls is a normal finish', () => {
  const s = run(TOOL_STREAM)
  const result = s.of('done')[0]!.result
  expect(result).toMatchObject({ status: 'completed', finishReason: 'tool_calls', text: '', toolCalls: CALLS })
  expect(result.warnings).toEqual([])
})

test('a tool-call event announces each call once, whole, when the model finished', () => {
  const s = run(TOOL_STREAM)
  expect(s.of('tool-call').map((e) => e.toolCall)).toEqual(CALLS)
  const types = s.out.map((e) => e.type)
  // After the finish chunk, before the final status.
  expect(types.slice(-4)).toEqual(['tool-call', 'tool-call', 'status', 'done'])
})

test('the live toolCalls grow while the arguments stream in', () => {
  const s = run(TOOL_STREAM.slice(0, 3))
  expect(s.r.toolCalls).toEqual([{ index: 0, id: 'call_a', type: 'function', function: { name: 'get_weather', arguments: '{"city":' } }])
  expect(s.of('tool-call')).toEqual([])
})

test('a stream cut in the middle of a tool call announces none and ends incomplete with the partial call in the result', () => {
  const s = run(TOOL_STREAM.slice(0, 3))
  s.r.end()
  const result = s.of('done')[0]!.result
  expect(result.status).toBe('incomplete')
  expect(result.toolCalls[0]?.function.arguments).toBe('{"city":')
  expect(s.of('tool-call')).toEqual([])
})

test('the result holds copies: changing them does not change the stream', () => {
  const s = run(TOOL_STREAM)
  const result = s.of('done')[0]!.result
  result.toolCalls[0]!.function.arguments = 'x'
  expect(s.r.toolCalls[0]!.function.arguments).toBe('{"city": "Paris"}')
})

test('a hostile stream of tool call indexes keeps at most 128 calls, with one warning', () => {
  const events = Array.from({ length: 300 }, (_, i) => piece(i * 1000, { name: 'f', arguments: '{}' }, `call_${i}`))
  const s = run(events)
  expect(s.r.toolCalls).toHaveLength(128)
  expect(s.of('warning').map((e) => e.warning.message)).toEqual(['More than 128 tool calls: later ones are ignored'])
})

test('a tool call piece without a valid index is ignored with a warning', () => {
  const s = run([chunk({ tool_calls: [{ id: 'x', function: { name: 'f' } }] }), chunk({ tool_calls: [{ index: -1 }] })])
  expect(s.r.toolCalls).toEqual([])
  expect(s.of('warning')).toHaveLength(2)
})

test('the deprecated function_call delta is a tool call at index 0', () => {
  const s = run([chunk({ function_call: { name: 'f', arguments: '{"a"' } }), chunk({ function_call: { arguments: ': 1}' } }), chunk({}, 'function_call')])
  s.r.end()
  const result = s.of('done')[0]!.result
  expect(result).toMatchObject({ status: 'completed', toolCalls: [{ index: 0, function: { name: 'f', arguments: '{"a": 1}' } }] })
  expect(result.warnings).toEqual([])
})

test('choice 0 is the answer; other choices are never mixed in, with one warning per stream', () => {
  const s = run([
    chunk({ content: 'Yes' }),
    chunk({ content: 'No' }, null, 1),
    chunk({ content: ', sure' }),
    chunk({ content: ', never' }, null, 1),
    chunk({}, 'stop', 1),
    chunk({}, 'stop'),
    ev('[DONE]'),
  ])
  const result = s.of('done')[0]!.result
  expect(result).toMatchObject({ status: 'completed', text: 'Yes, sure', finishReason: 'stop' })
  expect(result.warnings.map((w) => w.message)).toEqual([expect.stringMatching(/Only choice 0 is read/)])
})

test('a chunk holding choices 1 and 0 together takes choice 0, and a choice without index counts as 0', () => {
  const two = ev(
    JSON.stringify({
      id: 'c1',
      choices: [
        { index: 1, delta: { content: 'B' } },
        { index: 0, delta: { content: 'A' } },
      ],
    }),
  )
  expect(openaiDialect(two).text).toBe('A')
  const noIndex = ev(JSON.stringify({ id: 'c1', choices: [{ delta: { content: 'A' } }] }))
  expect(openaiDialect(noIndex).text).toBe('A')
})

test('a refusal is kept apart from the answer in result.refusal, with one warning', () => {
  const s = run([
    chunk({ role: 'assistant', content: null, refusal: '' }),
    chunk({ refusal: "I'm sorry, " }),
    chunk({ refusal: 'I cannot help.' }),
    chunk({}, 'stop'),
    ev('[DONE]'),
  ])
  const result = s.of('done')[0]!.result
  expect(result).toMatchObject({ status: 'completed', text: '', refusal: "I'm sorry, I cannot help." })
  expect(result.warnings.map((w) => w.code)).toEqual(['refusal'])
})

test('logprobs are ignored: they add no text and no warning', () => {
  const data = JSON.stringify({
    id: 'c1',
    choices: [{ index: 0, delta: { content: 'Hi' }, logprobs: { content: [{ token: 'Hi', logprob: -0.1, bytes: [72, 105], top_logprobs: [] }] } }],
  })
  const s = run([ev(data), chunk({}, 'stop')])
  expect(s.r.text).toBe('Hi')
  expect(s.of('warning')).toEqual([])
})
