// useChat and useStream with React Testing Library in jsdom, in StrictMode,
// against the real mock server on loopback: the mock's counters say how many
// requests were made and how many responses are still open.

import { act, cleanup, fireEvent, render, screen, waitFor } from '@testing-library/react'
import { Profiler, StrictMode, createElement as h, useEffect } from 'react'
import type { ReactNode } from 'react'
import { expect, test } from 'vitest'
import { createChat } from '../../src/chat/index.js'
import { expectedText } from '../../src/mock/index.js'
import { useChat, useStream } from '../../src/react/index.js'
import type { UseChatOptions, UseChatResult } from '../../src/react/index.js'
import { until } from '../helpers/eventually.js'
import { PNG, PNG_FILE, useChatMock } from '../helpers/chat-mock.js'

const { mock, posts, seedRequest, completions, openai } = useChatMock(cleanup)

const strict = (node: ReactNode) => render(h(StrictMode, null, node))

/** A minimal chat screen; `expose` receives the hook's result on every render. */
function ChatView({ options, expose }: { options: UseChatOptions; expose?: (r: UseChatResult) => void }) {
  const chat = useChat(options)
  expose?.(chat)
  return h(
    'div',
    null,
    h(
      'ol',
      null,
      chat.messages.map((m) => h('li', { key: m.id, 'data-role': m.role, 'data-status': m.status }, m.text)),
    ),
    h('output', { 'data-testid': 'status' }, chat.status),
    h('button', { onClick: () => void chat.send('Hello there') }, 'Send'),
    h('button', { onClick: chat.stop }, 'Stop'),
  )
}

const answer = () => document.querySelector('li[data-role="assistant"]')

test('in StrictMode a click sends exactly one request and renders the whole answer', async () => {
  strict(h(ChatView, { options: { client: { baseUrl: mock().url }, request: seedRequest() } }))
  expect(screen.getByTestId('status').textContent).toBe('idle')
  fireEvent.click(screen.getByText('Send'))
  await waitFor(() => expect(answer()?.getAttribute('data-status')).toBe('completed'))
  expect(answer()?.textContent).toBe(expectedText('Hello there'))
  expect(screen.getByTestId('status').textContent).toBe('idle')
  expect(posts()).toBe(1)
})

test('in StrictMode a send from a mount effect reaches the server once: the extra mount’s request is stopped before it starts', async () => {
  function AutoSend() {
    const chat = useChat({ client: { baseUrl: mock().url }, request: seedRequest() })
    useEffect(() => {
      void chat.send('Hello there')
    }, [chat.send])
    return h('p', null, chat.messages.map((m) => `${m.role}:${m.status}`).join(' '))
  }
  strict(h(AutoSend))
  await waitFor(() => expect(document.querySelector('p')?.textContent).toMatch(/assistant:completed$/))
  expect(posts()).toBe(1)
})

test('unmounting mid-answer aborts the request: the mock’s open responses go back to 0', async () => {
  strict(h(ChatView, { options: { client: { baseUrl: mock().url }, request: seedRequest({ stallAfter: '5' }) } }))
  fireEvent.click(screen.getByText('Send'))
  await waitFor(() => expect(answer()?.textContent).toBe(expectedText('Hello there', { length: 5 })))
  expect(mock().stats().open).toBe(1)
  cleanup()
  await until(
    () => mock().stats().open,
    (n) => n === 0,
  )
  expect(posts()).toBe(1)
})

// Generous waits: the whole answer streams at 5 ms a token, and a loaded machine stretches that well past waitFor's 1 s default.
test('options that change between renders do not restart the stream, and the latest callbacks are called', { timeout: 60_000 }, async () => {
  const finished: string[] = []
  const view = (label: string) =>
    h(
      StrictMode,
      null,
      h(ChatView, {
        // A new client options object, request function and callback on every render.
        options: { client: { baseUrl: mock().url }, request: seedRequest({ delay: '5' }), onFinish: () => finished.push(label) },
      }),
    )
  const { rerender } = render(view('first'))
  fireEvent.click(screen.getByText('Send'))
  await waitFor(() => expect(answer()?.textContent?.length).toBeGreaterThan(0), { timeout: 20_000 })
  for (const label of ['second', 'third', 'fourth']) rerender(view(label))
  await waitFor(() => expect(answer()?.getAttribute('data-status')).toBe('completed'), { timeout: 30_000 })
  expect(answer()?.textContent).toBe(expectedText('Hello there'))
  expect(finished).toEqual(['fourth'])
  expect(posts()).toBe(1)
})

test('tokens arriving faster than frames cause at most one commit per animation frame', async () => {
  let commits = 0
  strict(
    h(
      Profiler,
      { id: 'chat', onRender: () => void commits++ },
      h(ChatView, {
        options: { client: { baseUrl: mock().url }, request: seedRequest({ length: '200', delay: '2' }) },
      }),
    ),
  )
  // Count the frames that pass while the answer streams.
  let frames = 0
  let counting = true
  const frame = () => {
    frames++
    if (counting) requestAnimationFrame(frame)
  }
  requestAnimationFrame(frame)
  const before = commits
  fireEvent.click(screen.getByText('Send'))
  await waitFor(() => expect(answer()?.getAttribute('data-status')).toBe('completed'), { timeout: 10_000 })
  counting = false
  expect(answer()?.textContent).toBe(expectedText('Hello there', { length: 200 }))
  // One commit per frame, plus the click's and the final status's own.
  expect(commits - before).toBeLessThanOrEqual(frames + 3)
  expect(frames).toBeLessThan(150)
})

test('two components sharing one chat make one request, and unmounting one does not stop the shared chat', async () => {
  const chat = createChat({ client: { baseUrl: mock().url }, request: seedRequest({ delay: '3' }) })
  function Reader() {
    const { messages } = useChat({ chat })
    return h('p', { 'data-testid': 'reader' }, messages[1]?.status ?? 'none')
  }
  const { unmount } = render(h(StrictMode, null, h(ChatView, { options: { chat } })))
  const second = render(h(StrictMode, null, h(Reader)))
  fireEvent.click(screen.getByText('Send'))
  await waitFor(() => expect(answer()?.textContent?.length).toBeGreaterThan(0))
  unmount()
  await waitFor(() => expect(second.getByTestId('reader').textContent).toBe('completed'))
  expect(chat.getSnapshot().messages[1]?.text).toBe(expectedText('Hello there'))
  expect(posts()).toBe(1)
})

test('the hook’s methods work from event handlers: stop keeps the partial answer, retry after an error sends once more', async () => {
  let hook!: UseChatResult
  let knobs: Record<string, string> = { status: '503' }
  strict(
    h(ChatView, { options: { client: { baseUrl: mock().url }, request: (m) => seedRequest(knobs)!(m, { regenerate: false }) }, expose: (r) => (hook = r) }),
  )
  fireEvent.click(screen.getByText('Send'))
  await waitFor(() => expect(screen.getByTestId('status').textContent).toBe('error'))
  expect(hook.error?.status).toBe(503)
  knobs = { stallAfter: '3' }
  await act(async () => void hook.retry())
  await waitFor(() => expect(answer()?.textContent).toBe(expectedText('Hello there', { length: 3 })))
  fireEvent.click(screen.getByText('Stop'))
  expect(answer()?.getAttribute('data-status')).toBe('aborted')
  expect(answer()?.textContent).toBe(expectedText('Hello there', { length: 3 }))
  expect(posts()).toBe(2)
})

test('useStream: start() streams one answer, a second start() replaces it, unmount aborts', async () => {
  let hook!: ReturnType<typeof useStream>
  function OneShot() {
    hook = useStream({ client: { baseUrl: mock().url } })
    return h('p', { 'data-status': hook.status }, hook.text)
  }
  strict(h(OneShot))
  const p = () => document.querySelector('p')!
  expect(p().getAttribute('data-status')).toBe('idle')
  await act(async () => void hook.start({ path: '/stream/post', json: { prompt: 'Summarise' } }))
  await waitFor(() => expect(p().getAttribute('data-status')).toBe('completed'))
  expect(p().textContent).toBe(expectedText('Summarise'))
  expect(hook.message?.meta).toHaveProperty('request_id')
  await act(async () => void hook.start({ path: '/stream/post', json: { prompt: 'Again' }, query: { stallAfter: '4' } }))
  await waitFor(() => expect(p().textContent).toBe(expectedText('Again', { length: 4 })))
  expect(hook.status).toBe('streaming')
  cleanup()
  await until(
    () => mock().stats().open,
    (n) => n === 0,
  )
  expect(posts()).toBe(2)
})

test('the hook exposes the tool and branch methods: approve() continues the loop, switchBranch() flips the rendered history', async () => {
  let r!: UseChatResult
  strict(
    h(ChatView, {
      options: {
        client: { baseUrl: mock().url },
        api: '/v1/chat/completions',
        body: { model: 'mock', stream: true },
        maxSteps: 2,
        tools: { clock: { needsApproval: true, execute: () => 'noon' } },
      },
      expose: (x) => (r = x),
    }),
  )
  fireEvent.click(screen.getByText('Send'))
  await waitFor(() => expect(r.messages[1]?.parts[0]).toMatchObject({ state: 'awaiting-approval' }))
  const call = r.messages[1]!.parts[0] as { id: string }
  await act(() => r.approve(call.id))
  await waitFor(() => expect(answer()?.textContent).toBe(expectedText('Hello there')))
  expect(r.messages[1]!.parts.map((p) => p.type)).toEqual(['tool-call', 'text'])
  expect(mock().stats().requests['/v1/chat/completions']).toBe(2)
  const first = r.messages[1]!
  await act(async () => void (await r.regenerate()))
  expect(r.branches(r.messages[1]!.id)).toEqual({ index: 1, count: 2 })
  act(() => r.switchBranch(r.messages[1]!.id, 0))
  expect(r.messages[1]).toBe(first)
})

/** Every message with its parts: tool calls with their state and Approve/Deny buttons, files by media type. */
function PartsView({ options, expose }: { options: UseChatOptions; expose?: (r: UseChatResult) => void }) {
  const chat = useChat(options)
  expose?.(chat)
  return h(
    'div',
    null,
    chat.messages.map((m) =>
      h(
        'section',
        { key: m.id, 'data-role': m.role, 'data-status': m.status },
        m.parts.map((p, i) =>
          p.type === 'tool-call'
            ? h(
                'p',
                { key: i, 'data-tool': p.name, 'data-state': p.state },
                h('button', { onClick: () => chat.approve(p.id) }, 'Approve'),
                h('button', { onClick: () => chat.deny(p.id, 'not now') }, 'Deny'),
              )
            : p.type === 'file'
              ? h('img', { key: i, alt: p.name, 'data-media-type': p.mediaType })
              : h('span', { key: i, 'data-part': p.type }, p.type === 'text' || p.type === 'reasoning' ? p.text : ''),
        ),
      ),
    ),
    h('output', { 'data-testid': 'status' }, chat.status),
  )
}

const toolState = () => document.querySelector('[data-tool]')?.getAttribute('data-state')
const lastText = () => Array.from(document.querySelectorAll('section[data-role="assistant"]:last-of-type [data-part="text"]'), (e) => e.textContent).join('')

test('approve from a click runs the tool and sends its result back in exactly one follow-up generation', async () => {
  const runs: unknown[] = []
  const tools = { lookup: { needsApproval: true, execute: (input: unknown) => (runs.push(input), { found: 3 }) } }
  let hook!: UseChatResult
  strict(h(PartsView, { options: openai(tools), expose: (r) => (hook = r) }))
  await act(async () => void hook.send('What is SSE?'))
  await waitFor(() => expect(toolState()).toBe('awaiting-approval'))
  expect(screen.getByTestId('status').textContent).toBe('idle')
  expect(runs).toEqual([])
  expect(completions()).toBe(1)
  fireEvent.click(screen.getByText('Approve'))
  await waitFor(() => expect(lastText()).toBe(expectedText('What is SSE?')))
  expect(toolState()).toBe('output-available')
  expect(runs).toEqual([{ query: 'What is SSE?' }])
  expect(screen.getByTestId('status').textContent).toBe('idle')
  expect(completions()).toBe(2)
})

test('deny from a click never runs the tool; the model is told in one follow-up generation', async () => {
  let ran = false
  let hook!: UseChatResult
  strict(h(PartsView, { options: openai({ lookup: { needsApproval: true, execute: () => (ran = true) } }), expose: (r) => (hook = r) }))
  await act(async () => void hook.send('Delete everything'))
  await waitFor(() => expect(toolState()).toBe('awaiting-approval'))
  fireEvent.click(screen.getByText('Deny'))
  await waitFor(() => expect(lastText()).toBe(expectedText('Delete everything')))
  expect(toolState()).toBe('denied')
  const call = hook.messages.flatMap((m) => m.parts).find((p) => p.type === 'tool-call')
  expect(call).toMatchObject({ state: 'denied', errorText: expect.stringContaining('not now') })
  expect(ran).toBe(false)
  expect(completions()).toBe(2)
})

test('addToolResult answers a tool without execute: the output is shown and sent back once', async () => {
  let hook!: UseChatResult
  strict(h(PartsView, { options: openai({ pick_color: { description: 'Ask the user for a color' } }), expose: (r) => (hook = r) }))
  await act(async () => void hook.send('Pick a color'))
  await waitFor(() => expect(toolState()).toBe('input-available'))
  const call = hook.messages.flatMap((m) => m.parts).find((p) => p.type === 'tool-call')!
  expect(completions()).toBe(1)
  await act(async () => hook.addToolResult((call as { id: string }).id, { color: 'teal' }))
  await waitFor(() => expect(lastText()).toBe(expectedText('Pick a color')))
  expect(hook.messages.flatMap((m) => m.parts).find((p) => p.type === 'tool-call')).toMatchObject({ state: 'output-available', output: { color: 'teal' } })
  expect(completions()).toBe(2)
})

test('send with a file: the image is a part of the question and the answer comes back in one request', async () => {
  let hook!: UseChatResult
  strict(h(PartsView, { options: openai(), expose: (r) => (hook = r) }))
  await act(async () => void hook.send({ text: 'What is in this picture?', files: [PNG_FILE] }))
  await waitFor(() => expect(lastText()).toBe(expectedText('What is in this picture?')))
  expect(screen.getByAltText('dot.png').getAttribute('data-media-type')).toBe('image/png')
  expect(hook.messages[0]!.parts).toContainEqual(expect.objectContaining({ type: 'file', mediaType: 'image/png', name: 'dot.png' }))
  expect(completions()).toBe(1)
})

test('send with a DOM File (a Blob without arrayBuffer(), as jsdom has): it is read whole into the file part', async () => {
  let hook!: UseChatResult
  strict(h(PartsView, { options: openai(), expose: (r) => (hook = r) }))
  const file = new File([PNG], 'dot.png', { type: 'image/png' })
  await act(async () => void hook.send({ text: 'What is in this picture?', files: [file] }))
  await waitFor(() => expect(lastText()).toBe(expectedText('What is in this picture?')))
  expect(hook.messages[0]!.parts).toContainEqual({ type: 'file', mediaType: 'image/png', data: PNG_FILE.data, name: 'dot.png' })
  expect(completions()).toBe(1)
})

test('branches: regenerate and edit keep the old versions, switchBranch shows them again without a request', async () => {
  let hook!: UseChatResult
  strict(h(PartsView, { options: { client: { baseUrl: mock().url }, request: seedRequest() }, expose: (r) => (hook = r) }))
  await act(async () => void (await hook.send('Hello there')))
  const first = hook.messages[1]!
  await act(async () => void (await hook.regenerate()))
  const second = hook.messages[1]!
  expect(second.id).not.toBe(first.id)
  expect(hook.branches(second.id)).toEqual({ index: 1, count: 2 })
  act(() => hook.switchBranch(second.id, 0))
  expect(hook.messages[1]).toBe(first)
  expect(hook.branches(first.id)).toEqual({ index: 0, count: 2 })

  await act(async () => void (await hook.edit(hook.messages[0]!.id, 'Hello again')))
  const edited = hook.messages[0]!
  expect(edited.text).toBe('Hello again')
  expect(hook.branches(edited.id)).toEqual({ index: 1, count: 2 })
  act(() => hook.switchBranch(edited.id, 0))
  expect(hook.messages.map((m) => m.text)).toEqual(['Hello there', first.text])
  expect(document.querySelectorAll('section').length).toBe(2)
  expect(posts()).toBe(3)
})
