// The Vue composable with @vue/test-utils in jsdom, against the real mock
// server on loopback.

import { flushPromises, mount } from '@vue/test-utils'
import { defineComponent, effectScope, h, isShallow, nextTick, watch } from 'vue'
import { expect, test } from 'vitest'
import { createChat } from '../../src/chat/index.js'
import { expectedText } from '../../src/mock/index.js'
import { useChat } from '../../src/vue/index.js'
import type { UseChatOptions, UseChatResult } from '../../src/vue/index.js'
import { eventually, until } from '../helpers/eventually.js'
import { PNG_FILE, useChatMock } from '../helpers/chat-mock.js'

const { mock, posts, seedRequest, completions, openai } = useChatMock()

function chatView(options: UseChatOptions) {
  let hook!: UseChatResult
  const Comp = defineComponent({
    setup() {
      hook = useChat(options)
      return () =>
        h('div', [
          h(
            'ol',
            hook.messages.value.map((m) => h('li', { key: m.id, 'data-role': m.role, 'data-status': m.status }, m.text)),
          ),
          h('output', hook.status.value),
        ])
    },
  })
  const wrapper = mount(Comp)
  return { wrapper, hook: () => hook }
}

test('the state is shallow refs that follow the store, and the DOM shows the whole answer after one request', async () => {
  const { wrapper, hook } = chatView({ client: { baseUrl: mock().url }, request: seedRequest() })
  expect(isShallow(hook().messages)).toBe(true)
  expect(wrapper.find('output').text()).toBe('idle')
  const statuses: string[] = []
  watch(hook().status, (s) => statuses.push(s))
  const answer = await hook().send('Hello Vue')
  await nextTick()
  expect(answer.text).toBe(expectedText('Hello Vue'))
  expect(wrapper.find('li[data-role="assistant"]').text()).toBe(expectedText('Hello Vue').trim())
  expect(wrapper.find('li[data-role="assistant"]').attributes('data-status')).toBe('completed')
  expect(hook().messages.value).toBe(hook().chat.getSnapshot().messages)
  expect(statuses).toEqual(['streaming', 'idle'])
  expect(posts()).toBe(1)
  wrapper.unmount()
})

test('unmounting the component mid-answer stops the stream: the mock’s open responses go back to 0', async () => {
  const { wrapper, hook } = chatView({ client: { baseUrl: mock().url }, request: seedRequest({ stallAfter: '5' }) })
  const pending = hook().send('Long answer')
  await eventually(() => hook().messages.value[1]?.text === expectedText('Long answer', { length: 5 }))
  expect(mock().stats().open).toBe(1)
  wrapper.unmount()
  expect((await pending).status).toBe('aborted')
  await until(
    () => mock().stats().open,
    (n) => n === 0,
  )
  expect(posts()).toBe(1)
})

test('outside a component, disposing the effect scope stops the answer in flight and the refs stop updating', async () => {
  const scope = effectScope()
  const hook = scope.run(() => useChat({ client: { baseUrl: mock().url }, request: seedRequest({ stallAfter: '3' }) }))!
  const pending = hook.send('In a scope')
  await eventually(() => hook.status.value === 'streaming' && hook.messages.value[1]!.text.length > 0)
  scope.stop()
  expect((await pending).status).toBe('aborted')
  const frozen = hook.messages.value
  hook.chat.setMessages([])
  await flushPromises()
  expect(hook.chat.getSnapshot().messages).toEqual([])
  expect(hook.messages.value).toBe(frozen)
  expect(posts()).toBe(1)
})

test('a shared chat is not stopped when one of its components unmounts', async () => {
  const chat = createChat({ client: { baseUrl: mock().url }, request: seedRequest({ delay: '3' }) })
  const a = chatView({ chat })
  const b = chatView({ chat })
  const pending = a.hook().send('Shared')
  await eventually(() => (b.hook().messages.value[1]?.text.length ?? 0) > 0)
  a.wrapper.unmount()
  expect((await pending).status).toBe('completed')
  await nextTick()
  expect(b.wrapper.find('li[data-role="assistant"]').attributes('data-status')).toBe('completed')
  expect(posts()).toBe(1)
  b.wrapper.unmount()
})

test('the composable exposes the tool and branch methods: deny() continues the loop, switchBranch() flips the refs', async () => {
  const { wrapper, hook } = chatView({
    client: { baseUrl: mock().url },
    api: '/v1/chat/completions',
    body: { model: 'mock', stream: true },
    maxSteps: 2,
    tools: { clock: { needsApproval: true, execute: () => 'noon' } },
  })
  await hook().send('Hello there')
  const call = hook().messages.value[1]!.parts[0] as { id: string; state: string }
  expect(call.state).toBe('awaiting-approval')
  await hook().deny(call.id, 'no')
  expect(hook().messages.value[1]!.parts.map((p) => (p.type === 'tool-call' ? p.state : p.type))).toEqual(['denied', 'text'])
  expect(mock().stats().requests['/v1/chat/completions']).toBe(2)
  const first = hook().messages.value[1]
  await hook().regenerate()
  expect(hook().branches(hook().messages.value[1]!.id)).toEqual({ index: 1, count: 2 })
  hook().switchBranch(hook().messages.value[1]!.id, 0)
  expect(hook().messages.value[1]).toBe(first)
  await nextTick()
  expect(wrapper.find('li[data-role="assistant"]').element.textContent).toBe(expectedText('Hello there'))
  wrapper.unmount()
})

/** The tool-call parts of every message, in order. */
const calls = (hook: UseChatResult) => hook.messages.value.flatMap((m) => m.parts).filter((p) => p.type === 'tool-call')
/** The text of the last answer. */
const answerText = (hook: UseChatResult) => hook.messages.value[hook.messages.value.length - 1]!.text

test('approve and deny continue the tool loop with exactly one follow-up generation each; the refs follow every state', async () => {
  const runs: unknown[] = []
  const { wrapper, hook } = chatView(openai({ lookup: { needsApproval: true, execute: (input: unknown) => (runs.push(input), { found: 1 }) } }))
  await hook().send('First question')
  expect(calls(hook()).map((c) => c.state)).toEqual(['awaiting-approval'])
  expect(hook().status.value).toBe('idle')
  hook().approve(calls(hook())[0]!.id)
  await eventually(() => answerText(hook()).endsWith(expectedText('First question')), 10_000)
  expect(calls(hook()).map((c) => c.state)).toEqual(['output-available'])
  expect(runs).toEqual([{ query: 'First question' }])
  expect(completions()).toBe(2)

  await hook().send('Second question')
  expect(calls(hook()).map((c) => c.state)).toEqual(['output-available', 'awaiting-approval'])
  hook().deny(calls(hook())[1]!.id, 'no')
  await eventually(() => answerText(hook()).endsWith(expectedText('Second question')), 10_000)
  expect(calls(hook()).map((c) => c.state)).toEqual(['output-available', 'denied'])
  expect(runs).toHaveLength(1)
  expect(completions()).toBe(4)
  await nextTick()
  expect(wrapper.findAll('li[data-role="assistant"]').at(-1)!.attributes('data-status')).toBe('completed')
  wrapper.unmount()
})

test('addToolResult answers a tool without execute, and send() takes files: the image is a part of the question', async () => {
  const { wrapper, hook } = chatView(openai({ pick_color: {} }))
  await hook().send({ text: 'Which color is this?', files: [PNG_FILE] })
  expect(hook().messages.value[0]!.parts).toContainEqual(expect.objectContaining({ type: 'file', mediaType: 'image/png', name: 'dot.png' }))
  expect(calls(hook()).map((c) => c.state)).toEqual(['input-available'])
  hook().addToolResult(calls(hook())[0]!.id, { color: 'teal' })
  await eventually(() => answerText(hook()).endsWith(expectedText('Which color is this?')), 10_000)
  expect(calls(hook())[0]).toMatchObject({ state: 'output-available', output: { color: 'teal' } })
  expect(completions()).toBe(2)
  wrapper.unmount()
})

test('branches and switchBranch: a regenerated answer keeps the old one, and switching back shows it without a request', async () => {
  const { wrapper, hook } = chatView({ client: { baseUrl: mock().url }, request: seedRequest() })
  const first = await hook().send('Hello Vue')
  const second = (await hook().regenerate())!
  expect(hook().branches(second.id)).toEqual({ index: 1, count: 2 })
  hook().switchBranch(second.id, 0)
  expect(hook().messages.value[1]).toBe(first)
  await nextTick()
  expect(wrapper.findAll('li[data-role="assistant"]')).toHaveLength(1)
  expect(hook().branches(first.id)).toEqual({ index: 0, count: 2 })
  expect(posts()).toBe(2)
  wrapper.unmount()
})
