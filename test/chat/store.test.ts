// createChat against the real mock server on loopback: every method, the
// orders of calls that break chat stores, and one upstream generation per
// user action (the mock's request counter).

import { expect, test, vi } from 'vitest'
import { createChat } from '../../src/chat/index.js'
import type { Chat, ChatMessage, ChatOptions, ChatState, StoredMessage } from '../../src/chat/index.js'
import { isStreamError } from '../../src/index.js'
import { expectedText } from '../../src/mock/index.js'
import { useChatMock } from '../helpers/chat-mock.js'
import { until } from '../helpers/eventually.js'
import { seedEvent, serve, sseHead } from '../helpers/http.js'

const chats: Chat[] = []
// A failed test leaves no stalled stream behind for the next one.
const { mock } = useChatMock(() => {
  for (const c of chats.splice(0)) c.stop()
  vi.unstubAllGlobals()
})

type Knobs = Record<string, string | number>

/** A chat on the mock's seed POST route; `knobs()` gives the mock's fault knobs per request. */
function seedChat(knobs: Knobs | (() => Knobs) = {}, options: ChatOptions = {}): Chat {
  const chat = createChat({
    client: { baseUrl: mock().url },
    request: (m) => ({
      path: '/stream/post',
      json: { prompt: m[m.length - 1]!.text },
      query: Object.fromEntries(Object.entries(typeof knobs === 'function' ? knobs() : knobs).map(([k, v]) => [k, String(v)])),
    }),
    ...options,
  })
  chats.push(chat)
  return chat
}

const posts = () => mock().stats().requests['/stream/post'] ?? 0
const roles = (c: Chat) => c.getSnapshot().messages.map((m) => `${m.role}:${m.status}`)
/** Resolves with the first snapshot that satisfies `ok`. */
const when = (c: Chat, ok: (s: ChatState) => boolean) =>
  new Promise<ChatState>((resolve) => {
    const off = c.subscribe((s) => {
      if (ok(s)) {
        queueMicrotask(() => off())
        resolve(s)
      }
    })
  })
const lastText = (s: ChatState) => s.messages[s.messages.length - 1]?.text ?? ''

test('send() streams the answer into a new assistant message and ends idle, with one request', async () => {
  const chat = seedChat()
  const answer = await chat.send('What is SSE?')
  const { messages, status, error } = chat.getSnapshot()
  expect(status).toBe('idle')
  expect(error).toBeUndefined()
  expect(messages.map((m) => [m.role, m.text, m.status])).toEqual([
    ['user', 'What is SSE?', 'completed'],
    ['assistant', expectedText('What is SSE?'), 'completed'],
  ])
  expect(answer).toBe(messages[1])
  expect(answer.meta).toHaveProperty('request_id')
  expect(answer.timings?.total).toBeGreaterThan(0)
  expect(posts()).toBe(1)
})

test('the default request POSTs the OpenAI-style { messages } body to /api/chat', async () => {
  const s = await serve((_req, res) => {
    sseHead(res)
    res.end('data: {"choices":[{"delta":{"content":"ok"},"finish_reason":"stop"}]}\n\ndata: [DONE]\n\n')
  })
  try {
    const chat = createChat({
      client: { baseUrl: s.url },
      initialMessages: [{ id: 's', role: 'system', text: 'Be brief', status: 'completed', reasoning: '', meta: {}, createdAt: 1 }],
    })
    expect((await chat.send('Hi')).text).toBe('ok')
    expect(s.requests.map((r) => [r.method, r.url, r.headers['content-type'], JSON.parse(r.body)])).toEqual([
      [
        'POST',
        '/api/chat',
        'application/json',
        {
          messages: [
            { role: 'system', content: 'Be brief' },
            { role: 'user', content: 'Hi' },
          ],
        },
      ],
    ])
  } finally {
    await s.close()
  }
})

test('request() can use GET with a query (the seed-style ?text=) and gets the context of a regeneration', async () => {
  const calls: [string, boolean][] = []
  const chat = createChat({
    client: { baseUrl: mock().url },
    request: (m, { regenerate }) => {
      calls.push([m[m.length - 1]!.text, regenerate])
      return { method: 'GET', path: '/stream/get', query: { text: m[m.length - 1]!.text } }
    },
  })
  expect((await chat.send('Hello')).text).toBe(expectedText('Hello'))
  expect((await chat.regenerate())?.text).toBe(expectedText('Hello'))
  expect(calls).toEqual([
    ['Hello', false],
    ['Hello', true],
  ])
  expect(mock().stats().requests['/stream/get']).toBe(2)
})

test('subscribe() calls the listener at once and after each change, works detached, and stops after unsubscribing (Svelte store contract)', async () => {
  const chat = seedChat()
  const { subscribe } = chat
  const seen: ChatState[] = []
  const off = subscribe((s) => seen.push(s))
  expect(seen).toEqual([chat.getSnapshot()])
  await chat.send('Hi')
  expect(seen[seen.length - 1]).toBe(chat.getSnapshot())
  expect(seen.length).toBeGreaterThan(2)
  const count = seen.length
  off()
  await chat.send('Again')
  expect(seen.length).toBe(count)
})

test('getSnapshot() is stable between notifications, and unchanged messages keep their identity while an answer streams', async () => {
  const chat = seedChat({ delay: 2 })
  await chat.send('First question')
  const [q1, a1] = chat.getSnapshot().messages
  const snapshots: ChatState[] = []
  chat.subscribe((s) => {
    // Between two notifications getSnapshot() returns the same object.
    expect(chat.getSnapshot()).toBe(s)
    snapshots.push(s)
  })
  await chat.send('Second question')
  expect(snapshots.length).toBeGreaterThan(3)
  for (const s of snapshots.slice(1)) {
    expect(s.messages[0]).toBe(q1)
    expect(s.messages[1]).toBe(a1)
  }
  // Every notification is a new state: no listener is woken for nothing.
  expect(new Set(snapshots).size).toBe(snapshots.length)
})

test('throttle: a fast answer is published a bounded number of times, and the whole text comes with the final status', async () => {
  const prompt = 'A long answer please'
  const chat = seedChat({ length: 400 }, { throttle: 40 })
  const seen: ChatState[] = []
  chat.subscribe((s) => seen.push(s))
  await chat.send(prompt)
  // 400 tokens, but the mock sends them within a few frames.
  expect(seen.length).toBeLessThan(40)
  const done = seen.findIndex((s) => s.status === 'idle' && s.messages.length === 2)
  expect(done).toBe(seen.length - 1)
  expect(lastText(seen[done]!)).toBe(expectedText(prompt, { length: 400 }))
  // No snapshot claims the answer is finished before all of its text is in.
  for (const s of seen) if (s.messages[1]?.status === 'completed') expect(lastText(s)).toBe(expectedText(prompt, { length: 400 }))
})

test('throttle 0 publishes every token', async () => {
  const chat = seedChat({ length: 30 }, { throttle: 0 })
  const texts = new Set<string>()
  chat.subscribe((s) => texts.add(lastText(s)))
  await chat.send('Count with me')
  expect(texts.size).toBeGreaterThanOrEqual(30)
})

test('stop() right after send() (before the request started) never reaches the network', async () => {
  const chat = seedChat()
  const pending = chat.send('Never mind')
  chat.stop()
  expect(roles(chat)).toEqual(['user:completed', 'assistant:aborted'])
  expect(chat.getSnapshot().status).toBe('idle')
  expect((await pending).status).toBe('aborted')
  // Give a request that leaked a chance to arrive: one full round trip on another chat.
  await seedChat().send('probe')
  expect(posts()).toBe(1)
})

test('stop() while connecting (the server has not answered yet) aborts the request; the mock sees it close', async () => {
  const chat = seedChat({ firstByteDelay: 5000 })
  const pending = chat.send('Slow server')
  await until(
    () => mock().stats().open,
    (n) => n === 1,
  )
  expect(chat.getSnapshot().messages[1]!.status).toBe('connecting')
  chat.stop()
  const answer = await pending
  expect(answer.status).toBe('aborted')
  expect(answer.text).toBe('')
  await until(
    () => mock().stats().open,
    (n) => n === 0,
  )
  expect(posts()).toBe(1)
})

test('stop() mid-answer keeps the partial text as aborted and closes the connection', async () => {
  const prompt = 'Tell me a story'
  const chat = seedChat({ stallAfter: 10 })
  const pending = chat.send(prompt)
  await when(chat, (s) => lastText(s).length > 0 && s.messages[1]!.status === 'streaming')
  await until(
    () => chat.getSnapshot().messages[1]!.text,
    (t) => t === expectedText(prompt, { length: 10 }),
  )
  chat.stop()
  const answer = await pending
  expect(answer.status).toBe('aborted')
  expect(answer.text).toBe(expectedText(prompt, { length: 10 }))
  expect(chat.getSnapshot()).toMatchObject({ status: 'idle', error: undefined })
  await until(
    () => mock().stats().open,
    (n) => n === 0,
  )
})

test('stop() from inside a listener ends the answer at once, without a hang', async () => {
  const chat = seedChat({ delay: 1 })
  chat.subscribe((s) => {
    if (lastText(s).length > 5) chat.stop()
  })
  const answer = await chat.send('Interrupt yourself')
  expect(answer.status).toBe('aborted')
  expect(chat.getSnapshot().status).toBe('idle')
})

test('send() while an answer streams stops it first (kept, aborted): one request per send, never two generations at once', async () => {
  const chat = seedChat({ stallAfter: 5 })
  const first = chat.send('One')
  await until(
    () => posts(),
    (n) => n === 1,
  )
  await when(chat, (s) => lastText(s).length > 0)
  const second = chat.send('Two')
  expect((await first).status).toBe('aborted')
  await until(
    () => posts(),
    (n) => n === 2,
  )
  chat.stop()
  expect((await second).status).toBe('aborted')
  expect(roles(chat)).toEqual(['user:completed', 'assistant:aborted', 'user:completed', 'assistant:aborted'])
  expect(chat.getSnapshot().messages[1]!.text).toBe(expectedText('One', { length: 5 }))
  expect(posts()).toBe(2)
})

test('regenerate() during streaming replaces the streaming answer with one new generation', async () => {
  let knobs: Knobs = { stallAfter: 3 }
  const chat = seedChat(() => knobs)
  const first = chat.send('Question')
  await when(chat, (s) => lastText(s).length > 0)
  const oldId = chat.getSnapshot().messages[1]!.id
  knobs = {}
  const again = await chat.regenerate()
  expect((await first).status).toBe('aborted')
  expect(again?.text).toBe(expectedText('Question'))
  const { messages } = chat.getSnapshot()
  expect(messages.map((m) => m.role)).toEqual(['user', 'assistant'])
  expect(messages[1]).toBe(again)
  expect(messages[1]!.id).not.toBe(oldId)
  expect(posts()).toBe(2)
})

test('regenerate(id) of an earlier answer drops what came after it; regenerate(userId) answers that question', async () => {
  const chat = seedChat()
  await chat.send('A')
  await chat.send('B')
  const [qa, aa] = chat.getSnapshot().messages
  const again = await chat.regenerate(aa!.id)
  expect(chat.getSnapshot().messages.map((m) => m.text)).toEqual(['A', expectedText('A')])
  expect(chat.getSnapshot().messages[0]).toBe(qa)
  expect(again?.id).not.toBe(aa!.id)
  await chat.regenerate(qa!.id)
  expect(chat.getSnapshot().messages.map((m) => m.text)).toEqual(['A', expectedText('A')])
  expect(posts()).toBe(4)
})

test('regenerate() and edit() with an unknown or wrong id throw invalid-options, send nothing and leave the answer in flight alone', async () => {
  const chat = seedChat({ stallAfter: 3 })
  const pending = chat.send('Q')
  await when(chat, (s) => lastText(s).length > 0)
  const errorOf = (f: () => unknown) => {
    try {
      f()
    } catch (e) {
      return e
    }
  }
  const e1 = errorOf(() => chat.regenerate('nope'))
  expect(isStreamError(e1) && e1.code).toBe('invalid-options')
  expect((e1 as Error).message).toMatch(/^regenerate\(\): no message nope/)
  const answerId = chat.getSnapshot().messages[1]!.id
  const e2 = errorOf(() => chat.edit(answerId, 'x'))
  expect(isStreamError(e2) && e2.code).toBe('invalid-options')
  expect(chat.getSnapshot().status).toBe('streaming')
  chat.stop()
  await pending
  expect(posts()).toBe(1)
})

test('edit() while idle replaces the question, drops everything after it and asks the new question once', async () => {
  const chat = seedChat()
  await chat.send('First')
  await chat.send('Second')
  const [first, firstAnswer, second] = chat.getSnapshot().messages
  const answer = await chat.edit(second!.id, 'Second, edited')
  const { messages } = chat.getSnapshot()
  expect(messages.map((m) => m.text)).toEqual(['First', expectedText('First'), 'Second, edited', expectedText('Second, edited')])
  expect(messages[0]).toBe(first)
  expect(messages[1]).toBe(firstAnswer)
  expect(messages[2]!.id).toBe(second!.id)
  expect(messages[3]).toBe(answer)
  // Editing the first question drops the rest.
  await chat.edit(first!.id, 'Zero')
  expect(chat.getSnapshot().messages.map((m) => m.text)).toEqual(['Zero', expectedText('Zero')])
  expect(posts()).toBe(4)
})

test('an HTTP error ends the answer as error with the typed error on the chat; retry() replaces it with one new request', async () => {
  let knobs: Knobs = { status: 500 }
  const onError = vi.fn()
  const onFinish = vi.fn()
  const chat = seedChat(() => knobs, { onError, onFinish })
  const failed = await chat.send('Hi')
  expect(failed.status).toBe('error')
  const s = chat.getSnapshot()
  expect(s.status).toBe('error')
  expect(s.error?.code).toBe('http')
  expect(s.error?.status).toBe(500)
  expect(onError).toHaveBeenCalledWith(s.error, failed)
  expect(onFinish).toHaveBeenCalledWith(failed)
  expect(posts()).toBe(1)
  knobs = {}
  const ok = await chat.retry()
  expect(ok?.text).toBe(expectedText('Hi'))
  expect(chat.getSnapshot()).toMatchObject({ status: 'idle', error: undefined })
  expect(roles(chat)).toEqual(['user:completed', 'assistant:completed'])
  expect(onFinish).toHaveBeenCalledTimes(2)
  expect(onError).toHaveBeenCalledTimes(1)
  expect(posts()).toBe(2)
})

test('an answer cut without its end marker is incomplete, never completed; retry() generates it again', async () => {
  let knobs: Knobs = { noDone: 1 }
  const chat = seedChat(() => knobs)
  const cut = await chat.send('Cut me')
  expect(cut.status).toBe('incomplete')
  expect(cut.text).toBe(expectedText('Cut me'))
  expect(chat.getSnapshot().status).toBe('error')
  expect(chat.getSnapshot().error?.code).toBe('incomplete')
  knobs = {}
  expect((await chat.retry())?.status).toBe('completed')
  expect(posts()).toBe(2)
})

test('retry() after a completed or stopped answer does nothing and sends nothing', async () => {
  const chat = seedChat()
  await chat.send('Fine')
  expect(await chat.retry()).toBeUndefined()
  const pending = chat.send('Stop me')
  chat.stop()
  await pending
  expect(await chat.retry()).toBeUndefined()
  expect(posts()).toBe(1)
})

test('retry() answers a trailing question that has no answer (e.g. restored from storage)', async () => {
  const chat = seedChat({}, { initialMessages: [{ id: 'q', role: 'user', text: 'Pending', status: 'completed', reasoning: '', meta: {}, createdAt: 1 }] })
  expect((await chat.retry())?.text).toBe(expectedText('Pending'))
  expect(posts()).toBe(1)
})

test('a request() that throws fails the answer with invalid-options and sends nothing', async () => {
  const chat = createChat({
    client: { baseUrl: mock().url },
    request: () => {
      throw new Error('no backend configured')
    },
  })
  const answer = await chat.send('Hi')
  expect(answer.status).toBe('error')
  expect(answer.error?.code).toBe('invalid-options')
  expect(answer.error?.message).toMatch(/no backend configured/)
  expect(chat.getSnapshot().status).toBe('error')
  // Options the client rejects take the same path.
  const bad = createChat({ client: { baseUrl: mock().url }, request: () => ({ path: '/stream/post', timeouts: { idle: -1 } }) })
  expect((await bad.send('x')).error?.code).toBe('invalid-options')
  expect(posts()).toBe(0)
})

test('a StreamError thrown by request() from another copy of the SDK (matched by name and code) fails the answer with it', async () => {
  const foreign = Object.assign(new Error('from another bundle'), { name: 'StreamError', code: 'invalid-options' })
  const chat = createChat({
    client: { baseUrl: mock().url },
    request: () => {
      throw foreign
    },
  })
  const answer = await chat.send('Hi')
  expect(answer.status).toBe('error')
  expect(answer.error).toBe(foreign)
  expect(posts()).toBe(0)
})

test('callbacks that throw are reported and do not wedge the chat', async () => {
  const reported: unknown[] = []
  vi.stubGlobal('reportError', (e: unknown) => reported.push(e))
  const chat = seedChat(
    {},
    {
      onFinish: () => {
        throw new Error('onFinish bug')
      },
    },
  )
  chat.subscribe((s) => {
    if (s.status === 'streaming') throw new Error('listener bug')
  })
  await chat.send('Hi')
  expect(chat.getSnapshot().status).toBe('idle')
  await chat.send('Again')
  expect(chat.getSnapshot().messages.length).toBe(4)
  expect(reported.map((e) => (e as Error).message)).toContain('onFinish bug')
  expect(reported.map((e) => (e as Error).message)).toContain('listener bug')
})

test('send({ text, ...data }) keeps the extra fields on the message for request()', async () => {
  const chat = createChat({
    client: { baseUrl: mock().url },
    request: (m) => ({ path: '/stream/post', json: { prompt: `${m[m.length - 1]!.text} (${String(m[m.length - 1]!.data?.lang)})` } }),
  })
  const answer = await chat.send({ text: 'Hi', lang: 'en' })
  expect(chat.getSnapshot().messages[0]!.data).toEqual({ lang: 'en' })
  expect(answer.text).toBe(expectedText('Hi (en)'))
  expect(() => chat.send({ text: 1 } as never)).toThrow(/send\(\) takes a string/)
})

test('setMessages() stops the answer in flight and replaces the list; clear() empties it', async () => {
  const chat = seedChat({ stallAfter: 3 })
  const pending = chat.send('Q')
  await when(chat, (s) => lastText(s).length > 0)
  chat.setMessages((m) => m.slice(0, 1))
  expect((await pending).status).toBe('aborted')
  expect(chat.getSnapshot()).toMatchObject({ status: 'idle' })
  expect(chat.getSnapshot().messages.map((m) => m.text)).toEqual(['Q'])
  chat.clear()
  expect(chat.getSnapshot().messages).toEqual([])
  await until(
    () => mock().stats().open,
    (n) => n === 0,
  )
})

test('custom id generator', async () => {
  let n = 0
  const chat = seedChat({}, { id: () => `m${++n}` })
  await chat.send('Hi')
  expect(chat.getSnapshot().messages.map((m) => m.id)).toEqual(['m1', 'm2'])
})

test('serialize() round-trips through JSON: errors stay typed, bigints become strings, a streaming answer comes back incomplete', async () => {
  let knobs: Knobs = { status: 503 }
  const chat = seedChat(() => knobs)
  await chat.send('Fails')
  knobs = { stallAfter: 4 }
  const pending = chat.send('Streams')
  await when(chat, (s) => lastText(s).length > 0)
  const stored = JSON.stringify(chat.serialize())
  chat.stop()
  await pending
  const restored = createChat({ initialMessages: JSON.parse(stored) as ChatMessage[] })
  const { messages, status, error } = restored.getSnapshot()
  expect(messages.map((m) => `${m.role}:${m.status}`)).toEqual(['user:completed', 'assistant:error', 'user:completed', 'assistant:incomplete'])
  const failed = messages[1]!
  expect(isStreamError(failed.error)).toBe(true)
  expect([failed.error?.code, failed.error?.status]).toEqual(['http', 503])
  expect(messages[3]!.text.length).toBeGreaterThan(0)
  expect(messages[3]!.error?.code).toBe('incomplete')
  expect(status).toBe('error')
  expect(error).toBe(messages[3]!.error)

  const withBig = createChat({
    initialMessages: [{ id: 'a', role: 'assistant', text: 't', reasoning: '', status: 'completed', meta: { big: 2n ** 64n, n: NaN }, createdAt: 5 }],
  })
  expect(withBig.serialize()).toEqual([
    {
      id: 'a',
      role: 'assistant',
      text: 't',
      reasoning: '',
      status: 'completed',
      meta: { big: '18446744073709551616', n: null },
      createdAt: 5,
      // Made from `text` for a message stored before parts existed.
      parts: [{ type: 'text', text: 't' }],
    },
  ])
})

test('initialMessages that are not messages throw invalid-options naming the problem', () => {
  const bad = (v: unknown) => {
    try {
      createChat({ initialMessages: v as ChatMessage[] })
    } catch (e) {
      return isStreamError(e) ? `${e.code}: ${e.message}` : String(e)
    }
    return 'no error'
  }
  expect(bad({})).toBe('invalid-options: initialMessages is not an array (see chat.serialize())')
  expect(bad([null])).toBe('invalid-options: initialMessages[0] is not a message (see chat.serialize())')
  const ok = { id: 'x', role: 'user', text: '' }
  expect(bad([ok, { ...ok, role: 'bot' }])).toMatch(/^invalid-options: initialMessages\[1\] is not a message/)
  expect(bad([{ ...ok, text: 3 }])).toMatch(/initialMessages\[0\] is not a message/)
  expect(bad([{ ...ok, id: '' }])).toMatch(/initialMessages\[0\] is not a message/)
  expect(bad([{ ...ok, id: 7 }])).toMatch(/initialMessages\[0\] is not a message/)
  expect(bad([{ ...ok, status: 'done' }])).toMatch(/initialMessages\[0\] is not a message/)
  expect(bad([ok])).toBe('no error')
  // Missing optional fields are filled in.
  expect(createChat({ initialMessages: [{ id: 'x', role: 'user', text: 'hi' } as ChatMessage] }).getSnapshot().messages[0]).toMatchObject({
    reasoning: '',
    meta: {},
    status: 'completed',
  })
})

/** A question and its answer as saved while the answer streamed (restored `incomplete`). */
const cutAnswer = (over: Partial<StoredMessage> = {}): StoredMessage[] => [
  { id: 'q', role: 'user', text: 'hi', reasoning: '', status: 'completed', meta: {}, createdAt: 0 },
  { id: 'a', role: 'assistant', text: 'Hel', reasoning: '', status: 'streaming', lastEventId: '5', meta: { model: 'm' }, createdAt: 0, ...over },
]

test('resume() continues a restored cut answer from its lastEventId and appends, keeping its id and meta', async () => {
  const s = await serve((req, res) => {
    sseHead(res)
    if (req.headers['last-event-id'] === '5') res.end('id: 6\n' + seedEvent('lo') + 'id: 7\n' + seedEvent('lo', ", 'status': 'completed'"))
    else res.end(seedEvent('wrong', ", 'status': 'completed'"))
  })
  try {
    const chat = createChat({ client: { baseUrl: s.url }, request: () => ({ path: '/x', json: {} }), initialMessages: cutAnswer() })
    const answer = await chat.resume()
    expect(answer).toMatchObject({ id: 'a', status: 'completed', text: 'Hello', lastEventId: '7', meta: { model: 'm', request_id: '123456789' } })
    expect(chat.getSnapshot().messages).toHaveLength(2)
    expect(s.requests).toHaveLength(1)
  } finally {
    await s.close()
  }
})

test('resume() against a server that starts over instead of resuming keeps the answer as it was, incomplete', async () => {
  const s = await serve((_req, res) => {
    sseHead(res)
    res.end('id: 1\n' + seedEvent('Hel') + 'id: 2\n' + seedEvent('lo', ", 'status': 'completed'"))
  })
  try {
    const chat = createChat({ client: { baseUrl: s.url }, request: () => ({ path: '/x', json: {} }), initialMessages: cutAnswer() })
    const answer = await chat.resume()
    expect(answer).toMatchObject({ status: 'incomplete', text: 'Hel', lastEventId: '5' })
    expect(s.requests[0]!.headers['last-event-id']).toBe('5')
    expect(chat.getSnapshot().status).toBe('error')
  } finally {
    await s.close()
  }
})

test('resume() does nothing, and sends nothing, without a cut answer that has a lastEventId', async () => {
  for (const over of [{ status: 'completed' as const }, { lastEventId: undefined }]) {
    const chat = createChat({ client: { baseUrl: mock().url }, initialMessages: cutAnswer(over) })
    expect(await chat.resume()).toBeUndefined()
  }
  expect(mock().stats().requests['/api/chat'] ?? 0).toBe(0)
})
