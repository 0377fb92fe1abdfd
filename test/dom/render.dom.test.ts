import { expect, test } from 'vitest'
import { renderStream } from '../../src/dom/index.js'
import type { LlmStream, StreamEvent } from '../../src/index.js'

/** A stand-in handle whose events the test emits by hand. */
function fakeStream() {
  const listeners = new Map<string, ((e: StreamEvent) => void)[]>()
  const stream: Pick<LlmStream, 'on'> = {
    on(type, fn) {
      listeners.set(type, [...(listeners.get(type) ?? []), fn as (e: StreamEvent) => void])
      return () =>
        listeners.set(
          type,
          (listeners.get(type) ?? []).filter((l) => l !== fn),
        )
    },
  }
  const emit = (e: StreamEvent) => {
    for (const l of listeners.get(e.type) ?? []) l(e)
  }
  return { stream, emit }
}
const now = (f: () => void) => f()

test('newlines of the answer show: a target with the default white-space gets pre-wrap', () => {
  const answer = document.createElement('div')
  const thinking = document.createElement('span')
  document.body.append(answer, thinking)
  const { stream, emit } = fakeStream()
  renderStream(stream, { text: answer, reasoning: thinking }, { schedule: now })
  emit({ type: 'delta', text: 'line 1\nline 2' })
  expect(answer.textContent).toBe('line 1\nline 2')
  expect(getComputedStyle(answer).whiteSpace).toBe('pre-wrap')
  expect(getComputedStyle(thinking).whiteSpace).toBe('pre-wrap')
})

test('a white-space the page chose that keeps newlines is left alone; nowrap is not', () => {
  const style = document.createElement('style')
  style.textContent = '.pre { white-space: pre } .line { white-space: pre-line } .one { white-space: nowrap }'
  document.head.append(style)
  const [pre, line, one] = ['pre', 'line', 'one'].map((c) => {
    const el = document.createElement('div')
    el.className = c
    document.body.append(el)
    return el
  }) as unknown as [HTMLElement, HTMLElement, HTMLElement]
  for (const el of [pre, line, one]) renderStream(fakeStream().stream, { text: el }, { schedule: now })
  expect([pre, line, one].map((el) => el.style.whiteSpace)).toEqual(['', '', 'pre-wrap'])
  expect([pre, line, one].map((el) => getComputedStyle(el).whiteSpace)).toEqual(['pre', 'pre-line', 'pre-wrap'])
})

test('markup in the answer stays text', () => {
  const answer = document.createElement('div')
  const { stream, emit } = fakeStream()
  renderStream(stream, { text: answer }, { schedule: now })
  emit({ type: 'delta', text: '<img src=x onerror=alert(1)>' })
  expect(answer.children).toHaveLength(0)
  expect(answer.textContent).toBe('<img src=x onerror=alert(1)>')
})
