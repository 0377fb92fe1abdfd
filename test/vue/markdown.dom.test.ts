// <Markdown> from llm-sse-client/vue/markdown in jsdom: text that grows
// prop by prop renders as the whole text would, finished blocks are never
// removed, and a different text starts over.

import { mount } from '@vue/test-utils'
import { nextTick } from 'vue'
import { expect, test } from 'vitest'
import { Markdown } from '../../src/vue/markdown.js'
import { renderAtOnce } from '../helpers/markdown.js'

test('text grows prop by prop; committed nodes stay; done and a new text behave', async () => {
  const text = '## Steps\n\n1. one\n2. two\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n```py\nprint(1)\n```\n\nend'
  const wrapper = mount(Markdown, { props: { text: '' } })
  const div = wrapper.element as HTMLElement
  const removed: Node[] = []
  const mo = new MutationObserver((rs) => rs.forEach((r) => r.removedNodes.forEach((n) => !(n as Element).classList?.contains('md-tail') && removed.push(n))))
  mo.observe(div, { childList: true })
  for (let i = 1; i <= text.length; i += 3) await wrapper.setProps({ text: text.slice(0, i) })
  await wrapper.setProps({ text, done: true })
  await nextTick()
  mo.disconnect()
  expect(removed).toEqual([])
  expect(div.innerHTML).toBe(renderAtOnce(text))
  await wrapper.setProps({ text: 'other', done: true })
  expect(div.innerHTML).toBe('<p>other</p>')
  wrapper.unmount()
})
