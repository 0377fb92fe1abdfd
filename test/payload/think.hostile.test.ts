// Streams a hostile model (or server) can send to the inline <think>
// splitter: each must cost time linear in its length. The wall limit (5 s)
// is far above the linear path (well under 0.5 s) and far below a quadratic
// one (minutes).
import { expect, test } from 'vitest'
import { createReducer } from '../../src/index.js'
import type { StreamResult } from '../../src/index.js'

/** Run `tokens` through a text-dialect reducer (inline <think> on), as a stream would. */
function run(tokens: Iterable<string>): { result: StreamResult; ms: number } {
  let result: StreamResult | undefined
  const r = createReducer({ dialect: 'text', emit: (e) => e.type === 'done' && (result = e.result) })
  const t = performance.now()
  r.connecting(1)
  r.open()
  for (const data of tokens) r.event({ type: 'message', data, id: undefined, lastEventId: '' })
  r.event({ type: 'message', data: '[DONE]', id: undefined, lastEventId: '' })
  r.end()
  return { result: result!, ms: performance.now() - t }
}
const repeat = function* (n: number, token: string, last: string) {
  for (let k = 0; k < n; k++) yield token
  yield last
}

test('200k whitespace-only tokens before the answer are linear, and the whitespace is kept', () => {
  const { result, ms } = run(repeat(200_000, ' ', 'answer'))
  expect(ms).toBeLessThan(5000)
  expect(result.text).toBe(' '.repeat(200_000) + 'answer')
})

test('200k newline tokens inside a think block are linear, and only the edge newlines are dropped', () => {
  const { result, ms } = run(['<think>', 'a', ...repeat(200_000, '\n', 'b'), '\n</think>', 'x'])
  expect(ms).toBeLessThan(5000)
  expect(result.reasoning).toBe('a' + '\n'.repeat(200_000) + 'b')
  expect(result.text).toBe('x')
})

test('one 1 MB run of newlines followed by text inside a think block is linear', () => {
  const { result, ms } = run(['<think>', 'a' + '\n'.repeat(1_000_000) + 'b', '</think>ok'])
  expect(ms).toBeLessThan(5000)
  expect(result.reasoning).toBe('a' + '\n'.repeat(1_000_000) + 'b')
  expect(result.text).toBe('ok')
})
