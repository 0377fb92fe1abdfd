import { expect, test } from 'vitest'
import { createReducer } from '../src/reduce.js'
import type { SseEvent, StreamEvent } from '../src/index.js'

// The tool events of the core: `tool-input` per piece in every dialect,
// `tool-call` once whole, `tool-result` and `data` from a server that runs
// tools (the llm_sse kit's content dicts, docs/wire.md).

const ev = (data: string): SseEvent => ({ type: 'message', data, id: undefined, lastEventId: '' })

function run(datas: string[], dialect: 'auto' | 'content-dict' | 'openai' | 'ai-sdk' = 'auto') {
  const events: StreamEvent[] = []
  const r = createReducer({ emit: (e) => events.push(e), dialect })
  r.connecting(1)
  r.open()
  for (const d of datas) r.event(ev(d))
  r.end()
  const tools = events.filter((e) => e.type.startsWith('tool-') || e.type === 'data')
  return { events, tools, result: r.result() }
}

const chunk = (delta: object, finish: string | null = null) => JSON.stringify({ id: 'c1', choices: [{ index: 0, delta, finish_reason: finish }] })

test('OpenAI tool-call pieces give one tool-input event each, then the whole call when the model finishes', () => {
  const { tools, result } = run([
    chunk({ role: 'assistant', content: '' }),
    chunk({ tool_calls: [{ index: 0, id: 'call_1', type: 'function', function: { name: 'get_time', arguments: '' } }] }),
    chunk({ tool_calls: [{ index: 0, function: { arguments: '{"tz":' } }] }),
    chunk({ tool_calls: [{ index: 0, function: { arguments: '"UTC"}' } }] }),
    chunk({}, 'tool_calls'),
    '[DONE]',
  ])
  const call = { index: 0, id: 'call_1', type: 'function', function: { name: 'get_time', arguments: '{"tz":"UTC"}' } }
  expect(tools).toEqual([
    { type: 'tool-input', index: 0, id: 'call_1', name: 'get_time', delta: '' },
    { type: 'tool-input', index: 0, id: 'call_1', name: 'get_time', delta: '{"tz":' },
    { type: 'tool-input', index: 0, id: 'call_1', name: 'get_time', delta: '"UTC"}' },
    { type: 'tool-call', toolCall: call },
  ])
  expect(result.toolCalls).toEqual([call])
})

const dict = (extra: object) => JSON.stringify({ content: '', request_id: 'r', ...extra })

for (const dialect of ['auto', 'content-dict'] as const)
  test(`the kit's content dicts give tool-input, tool-call, tool-result and data events in stream order (${dialect})`, () => {
    const { tools, result } = run(
      [
        JSON.stringify({ content: 'Let me check.', request_id: 'r' }),
        dict({ tool_calls: [{ index: 0, id: 'call_1', type: 'function', function: { name: 'get_time', arguments: '' } }] }),
        dict({ tool_calls: [{ index: 0, function: { arguments: '{}' } }] }),
        dict({ tool_result: { id: 'call_1', name: 'get_time', output: { time: '12:00' } } }),
        dict({ tool_calls: [{ index: 1, id: 'call_2', type: 'function', function: { name: 'boom', arguments: '{}' } }] }),
        dict({ tool_result: { id: 'call_2', name: 'boom', error: 'the tool failed' } }),
        dict({ data_part: { name: 'weather', data: { c: 21 } } }),
        JSON.stringify({ content: 'It is noon.', request_id: 'r' }),
        dict({ status: 'completed' }),
      ],
      dialect,
    )
    expect(tools.map((e) => e.type)).toEqual(['tool-input', 'tool-input', 'tool-call', 'tool-result', 'tool-input', 'tool-call', 'tool-result', 'data'])
    expect(tools[3]).toEqual({ type: 'tool-result', id: 'call_1', name: 'get_time', output: { time: '12:00' } })
    expect(tools[6]).toMatchObject({ type: 'tool-result', id: 'call_2', name: 'boom', error: 'the tool failed' })
    expect(tools[7]).toEqual({ type: 'data', name: 'weather', data: { c: 21 } })
    expect(result.status).toBe('completed')
    expect(result.text).toBe('Let me check.It is noon.')
    expect(result.meta).toEqual({ request_id: 'r' })
    expect(result.toolCalls.map((c) => [c.index, c.id, c.function.arguments])).toEqual([
      [0, 'call_1', '{}'],
      [1, 'call_2', '{}'],
    ])
  })

test("the kit's refusal pieces join result.refusal with one refusal warning", () => {
  const { events, result } = run([dict({ refusal: "I can't " }), dict({ refusal: 'help.' }), dict({ status: 'completed' })], 'content-dict')
  expect(result.refusal).toBe("I can't help.")
  expect(events.filter((e) => e.type === 'warning').map((e) => e.type === 'warning' && e.warning.code)).toEqual(['refusal'])
})

test('a tool result that is not a dict is ignored, a tool-call piece without an index is a warning', () => {
  const { tools, result } = run([dict({ tool_result: 'x' }), dict({ tool_calls: [{ id: 'no-index' }] }), dict({ status: 'completed' })], 'content-dict')
  expect(tools).toEqual([])
  expect(result.warnings.map((w) => w.code)).toEqual(['payload'])
})

const ui = (part: object) => JSON.stringify(part)

for (const dialect of ['auto', 'ai-sdk'] as const)
  test(`the AI SDK's UI-message tool and data parts give the same events as the kit's content dicts (${dialect})`, () => {
    const kit = run(
      [
        JSON.stringify({ content: 'Let me check.' }),
        dict({ tool_calls: [{ index: 0, id: 'call_1', type: 'function', function: { name: 'get_time', arguments: '' } }] }),
        dict({ tool_calls: [{ index: 0, function: { arguments: '{"tz":' } }] }),
        dict({ tool_calls: [{ index: 0, function: { arguments: '"UTC"}' } }] }),
        dict({ tool_result: { id: 'call_1', name: 'get_time', output: { time: '12:00' } } }),
        dict({ tool_calls: [{ index: 1, id: 'call_2', type: 'function', function: { name: 'boom', arguments: '{}' } }] }),
        dict({ tool_result: { id: 'call_2', name: 'boom', error: 'the tool failed' } }),
        dict({ data_part: { name: 'weather', data: { c: 21 } } }),
        JSON.stringify({ content: 'It is noon.' }),
        dict({ status: 'completed' }),
      ],
      'content-dict',
    )
    const sdk = run(
      [
        ui({ type: 'start', messageId: 'm1' }),
        ui({ type: 'start-step' }),
        ui({ type: 'text-start', id: 't1' }),
        ui({ type: 'text-delta', id: 't1', delta: 'Let me check.' }),
        ui({ type: 'text-end', id: 't1' }),
        ui({ type: 'tool-input-start', toolCallId: 'call_1', toolName: 'get_time' }),
        ui({ type: 'tool-input-delta', toolCallId: 'call_1', inputTextDelta: '{"tz":' }),
        ui({ type: 'tool-input-delta', toolCallId: 'call_1', inputTextDelta: '"UTC"}' }),
        ui({ type: 'tool-input-available', toolCallId: 'call_1', toolName: 'get_time', input: { tz: 'UTC' } }),
        ui({ type: 'tool-output-available', toolCallId: 'call_1', output: { time: '12:00' } }),
        ui({ type: 'finish-step' }),
        ui({ type: 'start-step' }),
        // Input sent whole, without deltas (a provider that does not stream tool input).
        ui({ type: 'tool-input-available', toolCallId: 'call_2', toolName: 'boom', input: {} }),
        ui({ type: 'tool-output-error', toolCallId: 'call_2', errorText: 'the tool failed' }),
        ui({ type: 'data-weather', data: { c: 21 } }),
        ui({ type: 'text-start', id: 't2' }),
        ui({ type: 'text-delta', id: 't2', delta: 'It is noon.' }),
        ui({ type: 'text-end', id: 't2' }),
        ui({ type: 'finish-step' }),
        ui({ type: 'finish', finishReason: 'stop' }),
        '[DONE]',
      ],
      dialect,
    )
    expect(sdk.tools).toEqual(kit.tools)
    expect(sdk.result).toMatchObject({ status: 'completed', text: kit.result.text, toolCalls: kit.result.toolCalls, warnings: [] })
  })

test('an AI SDK tool part for a call that never started is a warning, and the calls are bounded', () => {
  const { tools, result } = run([ui({ type: 'tool-input-delta', toolCallId: 'nope', inputTextDelta: '{' }), ui({ type: 'finish' }), '[DONE]'], 'ai-sdk')
  expect(tools).toEqual([])
  expect(result.warnings.map((w) => w.code)).toEqual(['payload'])
  const many = Array.from({ length: 200 }, (_, i) => ui({ type: 'tool-input-start', toolCallId: `c${i}`, toolName: 'f' }))
  const flood = run([...many, ui({ type: 'finish' }), '[DONE]'], 'ai-sdk')
  expect(flood.result.toolCalls.length).toBe(128)
})
