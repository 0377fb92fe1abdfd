// <Markdown> from llm-sse-client/react/markdown in jsdom, in StrictMode: fed
// by useStream against the real mock server (its Markdown answer), and by
// hand. Committed blocks must survive every React render untouched.

import { act, cleanup, render, waitFor } from '@testing-library/react'
import { StrictMode, createElement as h } from 'react'
import type { ReactNode } from 'react'
import { afterAll, afterEach, beforeAll, expect, test } from 'vitest'
import { expectedText, startMockServer } from '../../src/mock/index.js'
import type { MockServer } from '../../src/mock/index.js'
import { useStream } from '../../src/react/index.js'
import { Markdown } from '../../src/react/markdown.js'
import { answer } from '../markdown/corpus.js'
import { renderAtOnce } from '../helpers/markdown.js'

let mock: MockServer
beforeAll(async () => {
  mock = await startMockServer()
})
afterAll(() => mock.close())
afterEach(() => cleanup())

/** Nodes of `root` that left it, other than the growing tail's (and nodes inside it, which it may replace). */
function watchRemovals(root: Node) {
  const removed: Node[] = []
  const inTail = (r: MutationRecord) => !!(r.target as Element).closest?.('.md-tail')
  const mo = new MutationObserver((rs) =>
    rs.forEach((r) => inTail(r) || r.removedNodes.forEach((n) => !(n as Element).classList?.contains('md-tail') && removed.push(n))),
  )
  mo.observe(root, { childList: true, subtree: true })
  return () => (
    removed.push(
      ...mo.takeRecords().flatMap((r) => (inTail(r) ? [] : Array.from(r.removedNodes).filter((n) => !(n as Element).classList?.contains('md-tail')))),
    ),
    mo.disconnect(),
    removed
  )
}

const strict = (node: ReactNode) => render(h(StrictMode, null, node))

test('useStream + <Markdown>: the streamed answer renders as the whole text would, and finished blocks are never removed', async () => {
  let hook!: ReturnType<typeof useStream>
  function Answer() {
    hook = useStream({ client: { baseUrl: mock.url } })
    return h(Markdown, { text: hook.text, done: hook.status !== 'streaming' && hook.status !== 'idle', className: 'answer' })
  }
  const { container } = strict(h(Answer))
  const answer = container.querySelector('.answer')!
  const stop = watchRemovals(answer)
  await act(async () => void hook.start({ path: '/stream/post', json: { prompt: 'markdown please' }, query: { delay: '1' } }))
  await waitFor(() => expect(hook.status).toBe('completed'), { timeout: 20_000 })
  expect(stop()).toEqual([])
  expect(answer.innerHTML).toBe(renderAtOnce(expectedText('markdown please')))
  expect(answer.querySelector('table')).not.toBeNull()
}, 30_000)

test('by hand: text grows across renders, then a different text starts over', () => {
  const text = '# Title\n\nSome **bold** and a list:\n\n- a\n- b\n\nend'
  const { container, rerender } = strict(h(Markdown, { text: '' }))
  const div = container.firstElementChild!
  let first: Node | undefined
  for (let i = 1; i <= text.length; i++) {
    rerender(h(StrictMode, null, h(Markdown, { text: text.slice(0, i) })))
    const h1 = div.querySelector('h1:not(.md-tail)')
    if (h1) first ??= h1
  }
  rerender(h(StrictMode, null, h(Markdown, { text, done: true })))
  expect(div.innerHTML).toBe(renderAtOnce(text))
  expect(div.querySelector('h1')).toBe(first)
  rerender(h(StrictMode, null, h(Markdown, { text: 'other', done: true })))
  expect(div.innerHTML).toBe('<p>other</p>')
})

test('a long answer mounted whole (a stored one) is not written in one commit: the rest follows in frames, ending as rendered at once', async () => {
  const text = answer(100_000)
  const want = renderAtOnce(text)
  const blocks = Object.assign(document.createElement('div'), { innerHTML: want }).childNodes.length
  const { container } = strict(h(Markdown, { text, done: true }))
  const div = container.firstElementChild!
  // The commit wrote about 8 ms of it.
  expect(div.childNodes.length).toBeGreaterThan(0)
  expect(div.childNodes.length).toBeLessThan(blocks)
  await waitFor(() => expect(div.childNodes.length).toBe(blocks), { timeout: 60_000 })
  expect(div.innerHTML).toBe(want)
}, 90_000)
