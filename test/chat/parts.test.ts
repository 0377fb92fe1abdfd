// Message parts, attachments and branches of createChat, against the mock
// server on loopback; each case counts the upstream generations.

import { expect, test, vi } from 'vitest'
import { createChat } from '../../src/chat/index.js'
import type { Chat, ChatOptions, ChatState, MessagePart, StoredMessage } from '../../src/chat/index.js'
import { isStreamError } from '../../src/index.js'
import { expectedReasoning, expectedText } from '../../src/mock/index.js'
import { useChatMock } from '../helpers/chat-mock.js'

const chats: Chat[] = []
// A failed test leaves no stalled stream behind for the next one.
const { mock } = useChatMock(() => {
  for (const c of chats.splice(0)) c.stop()
  vi.unstubAllGlobals()
})

const generations = () => mock().stats().requests['/v1/chat/completions'] ?? 0
const posts = () => mock().stats().requests['/stream/post'] ?? 0

function openaiChat(options: ChatOptions = {}, knobs = ''): Chat {
  const chat = createChat({ client: { baseUrl: mock().url }, api: `/v1/chat/completions${knobs}`, body: { model: 'mock', stream: true }, ...options })
  chats.push(chat)
  return chat
}
function seedChat(options: ChatOptions = {}): Chat {
  const chat = createChat({ client: { baseUrl: mock().url }, request: (m) => ({ path: '/stream/post', json: { prompt: m[m.length - 1]!.text } }), ...options })
  chats.push(chat)
  return chat
}
const texts = (c: Chat) => c.getSnapshot().messages.map((m) => m.text)

test('parts keep the stream order, one per run: reasoning, then text; text and reasoning are derived from them', async () => {
  const chat = openaiChat({ throttle: 0 }, '?think=field&delay=1')
  const seen: ChatState[] = []
  chat.subscribe((s) => seen.push(s))
  const answer = await chat.send('Why is the sky blue?')
  expect(answer.parts).toEqual([
    { type: 'reasoning', text: expectedReasoning('Why is the sky blue?', { think: true }) },
    { type: 'text', text: expectedText('Why is the sky blue?', { think: true }) },
  ])
  expect(answer.reasoning).toBe((answer.parts[0] as { text: string }).text)
  expect(answer.text).toBe((answer.parts[1] as { text: string }).text)
  expect(chat.getSnapshot().messages[0]!.parts).toEqual([{ type: 'text', text: 'Why is the sky blue?' }])
  // While the text streams, the finished reasoning part keeps its identity (rows and parts can memo).
  const streaming = seen.map((s) => s.messages[1]?.parts).filter((p) => p?.length === 2 && p !== answer.parts)
  expect(streaming.length).toBeGreaterThan(3)
  for (const p of streaming) expect(p![0]).toBe(answer.parts[0])
  expect(generations()).toBe(1)
})

test('inline <think> of a content-dict backend gives a reasoning part before the text part', async () => {
  const chat = createChat({
    client: { baseUrl: mock().url },
    request: (m) => ({ path: '/stream/post', query: { think: 'inline' }, json: { prompt: m[m.length - 1]!.text } }),
  })
  const answer = await chat.send('Think first')
  expect(answer.parts.map((p) => p.type)).toEqual(['reasoning', 'text'])
  expect(answer.text).toBe(expectedText('Think first', { think: true }))
  expect(posts()).toBe(1)
})

// 1×1 transparent PNG.
const PNG = Uint8Array.from(atob('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII='), (c) => c.charCodeAt(0))

test('send({ files }): an image reaches the request as an OpenAI image_url part (a data URL for a local file), and is a file part', async () => {
  const bodies: { messages: { content: unknown }[] }[] = []
  const real = globalThis.fetch
  vi.stubGlobal('fetch', (url: string, init: RequestInit) => (bodies.push(JSON.parse(String(init.body))), real(url, init)))
  const chat = openaiChat()
  const file = new File([PNG], 'dot.png', { type: 'image/png' })
  const answer = await chat.send({ text: 'What is this?', files: [file, { mediaType: 'image/jpeg', url: 'https://example.com/cat.jpg' }], lang: 'en' })
  expect(answer.status).toBe('completed')
  expect(answer.text).toBe(expectedText('What is this?'))
  const b64 = btoa(String.fromCharCode(...PNG))
  expect(bodies[0]!.messages[0]!.content).toEqual([
    { type: 'text', text: 'What is this?' },
    { type: 'image_url', image_url: { url: `data:image/png;base64,${b64}` } },
    { type: 'image_url', image_url: { url: 'https://example.com/cat.jpg' } },
  ])
  const question = chat.getSnapshot().messages[0]!
  expect(question.parts).toEqual([
    { type: 'text', text: 'What is this?' },
    { type: 'file', mediaType: 'image/png', data: b64, name: 'dot.png' },
    { type: 'file', mediaType: 'image/jpeg', url: 'https://example.com/cat.jpg' },
  ])
  expect(question.data).toEqual({ lang: 'en' })
  expect(generations()).toBe(1)
})

test('a file that is not an image: the default request fails with invalid-options and sends nothing; a custom request gets the part', async () => {
  const pdf = { mediaType: 'application/pdf', data: btoa('%PDF-1.4'), name: 'report.pdf' }
  const chat = openaiChat()
  const answer = await chat.send({ text: 'Summarise', files: [pdf] })
  expect(answer.status).toBe('error')
  expect(isStreamError(answer.error) && answer.error.code).toBe('invalid-options')
  expect(answer.error?.message).toBe('The default request sends images only; report.pdf (application/pdf) needs a request() that maps file parts')
  expect(generations()).toBe(0)
  let got: readonly MessagePart[] = []
  const custom = seedChat({
    request: (m) => {
      got = m[m.length - 1]!.parts
      return { path: '/stream/post', json: { prompt: m[m.length - 1]!.text } }
    },
  })
  expect((await custom.send({ text: 'Summarise', files: [pdf] })).status).toBe('completed')
  expect(got).toEqual([
    { type: 'text', text: 'Summarise' },
    { type: 'file', ...pdf },
  ])
  expect(posts()).toBe(1)
})

test('files over 20 MiB, or that are not files, throw invalid-options at once and send nothing', () => {
  const chat = openaiChat()
  const error = (f: () => unknown) => {
    try {
      f()
    } catch (e) {
      return isStreamError(e) ? `${e.code}: ${e.message}` : String(e)
    }
  }
  expect(error(() => chat.send({ text: 'x', files: [new Blob([new Uint8Array(21 * 2 ** 20)])] }))).toBe(
    'invalid-options: send(): files[0] is 21.0 MiB; the limit is 20 MiB per file',
  )
  expect(error(() => chat.send({ text: 'x', files: [{ mediaType: 'image/png', data: 'A'.repeat(28 * 2 ** 20) }] }))).toMatch(/files\[0\] is 21\.0 MiB/)
  expect(error(() => chat.send({ text: 'x', files: [{ url: 'https://x' } as never] }))).toBe(
    'invalid-options: send(): files[0] is not a File, a Blob or { mediaType, url | data }',
  )
  expect(chat.getSnapshot().messages).toEqual([])
  expect(generations()).toBe(0)
})

test('edit() keeps the previous branch: branches() counts them, switchBranch() shows either history, without a request', async () => {
  const chat = seedChat()
  await chat.send('A')
  await chat.send('B')
  const before = chat.getSnapshot().messages
  const q = before[2]!
  await chat.edit(q.id, 'B2')
  expect(texts(chat)).toEqual(['A', expectedText('A'), 'B2', expectedText('B2')])
  expect(chat.branches(q.id)).toEqual({ index: 1, count: 2 })
  expect(chat.branches(before[0]!.id)).toEqual({ index: 0, count: 1 })
  const edited = chat.getSnapshot().messages
  chat.switchBranch(q.id, 0)
  // The same objects come back: rows memoised on them do not re-render.
  expect(chat.getSnapshot().messages).toEqual(before)
  chat.getSnapshot().messages.forEach((m, i) => expect(m).toBe(before[i]))
  expect(chat.branches(q.id)).toEqual({ index: 0, count: 2 })
  chat.switchBranch(q.id, 1)
  chat.getSnapshot().messages.forEach((m, i) => expect(m).toBe(edited[i]))
  expect(posts()).toBe(3)
})

test('regenerate() keeps the replaced answer as a branch; retry() of a failed one replaces it', async () => {
  const chat = seedChat()
  await chat.send('A')
  const a1 = chat.getSnapshot().messages[1]!
  const a2 = await chat.regenerate()
  expect(chat.branches(a2!.id)).toEqual({ index: 1, count: 2 })
  chat.switchBranch(a2!.id, 0)
  expect(chat.getSnapshot().messages[1]).toBe(a1)
  const error = (f: () => unknown) => {
    try {
      f()
    } catch (e) {
      return isStreamError(e) ? `${e.code}: ${e.message}` : String(e)
    }
  }
  expect(error(() => chat.switchBranch(a1.id, 2))).toBe(`invalid-options: switchBranch(): no branch 2 at message ${a1.id}`)
  expect(error(() => chat.branches('nope'))).toBe('invalid-options: branches(): no message nope')
  expect(posts()).toBe(2)
})

test('branches survive a reload: serialize() keeps every branch (nested too), initialMessages brings them back', async () => {
  const chat = seedChat()
  await chat.send('A')
  await chat.send('B')
  const q = chat.getSnapshot().messages[2]!
  await chat.edit(q.id, 'B2')
  await chat.regenerate()
  const path = texts(chat)
  const stored = JSON.parse(JSON.stringify(chat.serialize())) as StoredMessage[]
  expect(stored.map((m) => m.text)).toEqual(path)
  const reloaded = seedChat({ initialMessages: stored })
  expect(texts(reloaded)).toEqual(path)
  const answer = reloaded.getSnapshot().messages[3]!
  expect(reloaded.branches(answer.id)).toEqual({ index: 1, count: 2 })
  expect(reloaded.branches(q.id)).toEqual({ index: 1, count: 2 })
  reloaded.switchBranch(q.id, 0)
  expect(texts(reloaded)).toEqual(['A', expectedText('A'), 'B', expectedText('B')])
  reloaded.switchBranch(q.id, 1)
  expect(texts(reloaded)).toEqual(path)
  reloaded.switchBranch(answer.id, 0)
  expect(reloaded.getSnapshot().messages[3]!.text).toBe(expectedText('B2'))
  // And once more through JSON: nothing lost on the second trip.
  expect(seedChat({ initialMessages: JSON.parse(JSON.stringify(reloaded.serialize())) }).serialize()).toEqual(reloaded.serialize())
  expect(posts()).toBe(4)
})

test('stored branches that are not a list with an index in it throw invalid-options naming the message', () => {
  const q = { id: 'q', role: 'user', text: 'hi' }
  for (const bad of [{ branches: {} }, { branches: [], branch: 1 }, { branches: [[]], branch: -1 }, { branches: [[]] }]) {
    let error: unknown
    try {
      createChat({ initialMessages: [{ ...q, ...bad }] as never })
    } catch (e) {
      error = e
    }
    expect(isStreamError(error) && `${error.code}: ${error.message}`).toBe(
      'invalid-options: initialMessages[0] has branches that are not a list and an index in it (see chat.serialize())',
    )
  }
})
