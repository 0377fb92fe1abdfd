// The client-side tool loop of createChat against the mock's OpenAI route on
// loopback (it calls the first tool of a request's `tools`, and answers with
// text once a tool message follows the question), and against raw servers
// for calls the mock does not make (bad JSON, repeated ids, 1,000 calls).
// Every case counts the upstream generations.

import { expect, test, vi } from 'vitest'
import { createChat } from '../../src/chat/index.js'
import type { Chat, ChatOptions, ChatTool, MessagePart, ToolCallPart } from '../../src/chat/index.js'
import { isStreamError } from '../../src/index.js'
import { expectedText } from '../../src/mock/index.js'
import { useChatMock } from '../helpers/chat-mock.js'
import { until } from '../helpers/eventually.js'
import { serve } from '../helpers/http.js'

const chats: Chat[] = []
// A failed test leaves no stalled stream behind for the next one.
const { mock } = useChatMock(() => {
  for (const c of chats.splice(0)) c.stop()
  vi.unstubAllGlobals()
})

/** Upstream generations: requests to the mock's OpenAI route. */
const generations = () => mock().stats().requests['/v1/chat/completions'] ?? 0

/** A chat on the mock's OpenAI route with the default request. */
function toolChat(tools: Record<string, ChatTool>, options: ChatOptions = {}): Chat {
  const chat = createChat({ client: { baseUrl: mock().url }, api: '/v1/chat/completions', body: { model: 'mock', stream: true }, tools, ...options })
  chats.push(chat)
  return chat
}

/** Record the JSON bodies the chat sends (fetch is read when a request starts). */
function recordBodies(): Record<string, unknown>[] {
  const bodies: Record<string, unknown>[] = []
  const real = globalThis.fetch
  vi.stubGlobal('fetch', (url: string, init: RequestInit) => {
    if (typeof init?.body === 'string') bodies.push(JSON.parse(init.body) as Record<string, unknown>)
    return real(url, init)
  })
  return bodies
}

const last = (c: Chat) => c.getSnapshot().messages[c.getSnapshot().messages.length - 1]!
const calls = (parts: readonly MessagePart[]) => parts.filter((p): p is ToolCallPart => p.type === 'tool-call')
const callOf = (c: Chat) => calls(last(c).parts)[0]!
const Q = 'What time is it in Paris?'

test('a 2-step loop: the call runs with the chat signal and messages, its result goes back in one request, and the answer ends with text', async () => {
  const bodies = recordBodies()
  const execute = vi.fn(async (input: unknown) => ({ time: '12:00', asked: (input as { query: string }).query }))
  const chat = toolChat({ clock: { description: 'The time in a city', parameters: { type: 'object' }, execute } }, { maxSteps: 2 })
  const answer = await chat.send(Q)
  expect(generations()).toBe(2)
  expect(execute).toHaveBeenCalledTimes(1)
  const [input, ctx] = execute.mock.calls[0]! as unknown as [unknown, { signal: AbortSignal; messages: readonly unknown[] }]
  expect(input).toEqual({ query: Q })
  expect(ctx.signal.aborted).toBe(false)
  expect(ctx.messages).toHaveLength(2)
  // One message holds both steps: the call with its result, then the text.
  const { messages, status } = chat.getSnapshot()
  expect(status).toBe('idle')
  expect(messages.map((m) => m.role)).toEqual(['user', 'assistant'])
  expect(answer).toBe(messages[1])
  expect(answer.status).toBe('completed')
  expect(answer.parts.map((p) => p.type)).toEqual(['tool-call', 'text'])
  expect(answer.parts[0]).toMatchObject({ name: 'clock', state: 'output-available', input: { query: Q }, output: { time: '12:00', asked: Q } })
  expect(answer.text).toBe(expectedText(Q))
  expect(answer.toolCalls?.map((c) => c.function.name)).toEqual(['clock'])
  // The follow-up request: the whole history with the call and its result, in the OpenAI shape.
  const id = callOf(chat).id
  expect(bodies).toHaveLength(2)
  expect(bodies[0]).toEqual({
    messages: [{ role: 'user', content: Q }],
    tools: [{ type: 'function', function: { name: 'clock', description: 'The time in a city', parameters: { type: 'object' } } }],
    model: 'mock',
    stream: true,
  })
  expect(bodies[1]!.messages).toEqual([
    { role: 'user', content: Q },
    { role: 'assistant', content: null, tool_calls: [{ id, type: 'function', function: { name: 'clock', arguments: JSON.stringify({ query: Q }) } }] },
    { role: 'tool', tool_call_id: id, content: JSON.stringify({ time: '12:00', asked: Q }) },
  ])
})

test('maxSteps defaults to 1: the tool runs and its result is shown, but nothing is sent back on its own', async () => {
  const chat = toolChat({ clock: { execute: () => '12:00' } })
  const answer = await chat.send(Q)
  expect(answer.parts).toEqual([expect.objectContaining({ type: 'tool-call', state: 'output-available', output: '12:00' })])
  expect(chat.getSnapshot().status).toBe('idle')
  expect(generations()).toBe(1)
})

test('parallel calls settle into exactly one follow-up; a tool without execute waits for addToolResult', async () => {
  // Two calls of one answer: the raw server sends them, then answers text once tool results come back.
  const s = await serve((_req, res, body) => {
    res.writeHead(200, { 'Content-Type': 'text/event-stream' })
    const chunk = (delta: unknown, finish: string | null = null) => `data: ${JSON.stringify({ choices: [{ index: 0, delta, finish_reason: finish }] })}\n\n`
    const answered = (JSON.parse(body) as { messages: { role: string }[] }).messages.some((m) => m.role === 'tool')
    res.end(
      (answered
        ? chunk({ content: 'done' }, 'stop')
        : chunk({
            tool_calls: [
              { index: 0, id: 'a', type: 'function', function: { name: 'slow', arguments: '{}' } },
              { index: 1, id: 'b', type: 'function', function: { name: 'ask', arguments: '{"q":1}' } },
            ],
          }) + chunk({}, 'tool_calls')) + 'data: [DONE]\n\n',
    )
  })
  try {
    let finish!: (v: string) => void
    const chat = createChat({
      client: { baseUrl: s.url },
      maxSteps: 3,
      tools: { slow: { execute: () => new Promise<string>((r) => (finish = r)) }, ask: {} },
    })
    const done = chat.send('go')
    await until(
      () => calls(last(chat).parts).map((p) => p.state),
      (st) => st.length === 2,
    )
    expect(chat.getSnapshot().status).toBe('streaming')
    // The result arrives before the running tool ends: still nothing sent.
    const added = chat.addToolResult('b', { a: 1 })
    await Promise.resolve()
    expect(s.requests).toHaveLength(1)
    finish('slow result')
    const answer = await done
    await added
    expect(s.requests).toHaveLength(2)
    expect(answer.parts.map((p) => (p.type === 'tool-call' ? `${p.id}:${p.state}` : p.type))).toEqual(['a:output-available', 'b:output-available', 'text'])
    expect(JSON.parse(s.requests[1]!.body).messages.slice(2)).toEqual([
      { role: 'tool', tool_call_id: 'a', content: 'slow result' },
      { role: 'tool', tool_call_id: 'b', content: '{"a":1}' },
    ])
    expect(() => chat.addToolResult('b', 2)).toThrow(/addToolResult\(\): no call b is input-available/)
  } finally {
    await s.close()
  }
})

test('needsApproval: the call waits, approve() runs it and continues with one request', async () => {
  const execute = vi.fn(() => 'sent')
  const chat = toolChat({ email: { needsApproval: true, execute } }, { maxSteps: 2 })
  const first = await chat.send(Q)
  expect(callOf(chat).state).toBe('awaiting-approval')
  expect(first).toBe(last(chat))
  expect(chat.getSnapshot().status).toBe('idle')
  expect(execute).not.toHaveBeenCalled()
  expect(generations()).toBe(1)
  const answer = await chat.approve(callOf(chat).id)
  expect(execute).toHaveBeenCalledTimes(1)
  expect(answer.parts.map((p) => p.type)).toEqual(['tool-call', 'text'])
  expect(answer.parts[0]).toMatchObject({ state: 'output-available', output: 'sent' })
  expect(generations()).toBe(2)
  expect(() => chat.approve('nope')).toThrow(/approve\(\): no call nope is awaiting-approval/)
})

test('deny() tells the model, with the reason, in one request; the tool never runs', async () => {
  const bodies = recordBodies()
  const execute = vi.fn()
  const chat = toolChat({ email: { needsApproval: true, execute } }, { maxSteps: 2 })
  await chat.send(Q)
  const { id } = callOf(chat)
  const answer = await chat.deny(id, 'not now')
  expect(answer.parts[0]).toMatchObject({ state: 'denied', errorText: 'not now' })
  expect(answer.text).toBe(expectedText(Q))
  expect(execute).not.toHaveBeenCalled()
  expect(generations()).toBe(2)
  expect((bodies[1]!.messages as unknown[])[2]).toEqual({ role: 'tool', tool_call_id: id, content: 'Denied by the user: not now' })
})

test('a tool that throws is an output-error with its message, and the loop goes on (the model sees the error)', async () => {
  const bodies = recordBodies()
  const chat = toolChat(
    {
      clock: {
        execute: () => {
          throw new Error('clock is broken')
        },
      },
    },
    { maxSteps: 2 },
  )
  const answer = await chat.send(Q)
  expect(answer.parts[0]).toMatchObject({ state: 'output-error', errorText: 'clock is broken' })
  expect(answer.parts[1]).toEqual({ type: 'text', text: expectedText(Q) })
  expect(generations()).toBe(2)
  expect((bodies[1]!.messages as { content: string }[])[2]!.content).toBe('Error: clock is broken')
})

test('stop() during execute aborts its signal, ends the call output-error and sends nothing', async () => {
  let signal: AbortSignal | undefined
  const chat = toolChat(
    {
      clock: {
        execute: (_input, ctx) =>
          new Promise((_resolve, reject) => {
            signal = ctx.signal
            ctx.signal.addEventListener('abort', () => reject(new Error('aborted late')))
          }),
      },
    },
    { maxSteps: 3 },
  )
  const done = chat.send(Q)
  await until(
    () => signal,
    (s) => s !== undefined,
  )
  expect(chat.getSnapshot().status).toBe('streaming')
  chat.stop()
  expect(signal!.aborted).toBe(true)
  expect(callOf(chat)).toMatchObject({ state: 'output-error', errorText: 'Stopped before the tool finished' })
  expect(chat.getSnapshot().status).toBe('idle')
  const answer = await done
  expect(answer.parts).toHaveLength(1)
  // One full round trip on another chat: a follow-up that leaked would have arrived by then.
  await toolChat({}).send('probe')
  expect(generations()).toBe(2)
})

test('an execute that never settles ends at its timeout: output-error, signal aborted, no further request', async () => {
  let signal: AbortSignal | undefined
  const chat = toolChat(
    {
      clock: {
        timeout: 50,
        execute: (_input, ctx) => {
          signal = ctx.signal
          return new Promise(() => {})
        },
      },
    },
    { maxSteps: 3 },
  )
  const answer = await chat.send(Q)
  expect(answer.parts[0]).toMatchObject({ state: 'output-error', errorText: "Tool 'clock' did not finish within 50 ms" })
  expect(signal?.aborted).toBe(true)
  expect(chat.getSnapshot().status).toBe('idle')
  await toolChat({}).send('probe')
  expect(generations()).toBe(2)
})

test('a tool the page does not know is an output-error, and nothing more is sent', async () => {
  const unhandled = vi.fn()
  process.on('unhandledRejection', unhandled)
  try {
    // The request names a tool the chat has no entry for: the mock calls it.
    const chat = createChat({
      client: { baseUrl: mock().url },
      maxSteps: 3,
      tools: { clock: { execute: () => 1 } },
      request: (m) => ({
        path: '/v1/chat/completions',
        json: { model: 'mock', stream: true, messages: [{ role: 'user', content: m[0]!.text }], tools: [{ type: 'function', function: { name: 'rm_rf' } }] },
      }),
    })
    chats.push(chat)
    const answer = await chat.send(Q)
    expect(answer.parts[0]).toMatchObject({ name: 'rm_rf', state: 'output-error', errorText: "Unknown tool 'rm_rf'" })
    expect(chat.getSnapshot().status).toBe('idle')
    expect(generations()).toBe(1)
    expect(unhandled).not.toHaveBeenCalled()
  } finally {
    process.off('unhandledRejection', unhandled)
  }
})

/** A raw OpenAI-style server that answers every request with these tool-call deltas. */
const callsServer = (deltas: unknown[]) =>
  serve((_req, res) => {
    res.writeHead(200, { 'Content-Type': 'text/event-stream' })
    const chunk = (delta: unknown, finish: string | null = null) => `data: ${JSON.stringify({ choices: [{ index: 0, delta, finish_reason: finish }] })}\n\n`
    res.end(deltas.map((d) => chunk({ tool_calls: [d] })).join('') + chunk({}, 'tool_calls') + 'data: [DONE]\n\n')
  })

test('bad calls from the model: arguments that are not JSON, a repeated id, 1,000 calls: each a clear output-error, nothing runs, no second request', async () => {
  const execute = vi.fn(() => 'ran')
  const cases: [string, unknown[], string[]][] = [
    [
      'not JSON',
      [
        { index: 0, id: 'a', function: { name: 'clock', arguments: '{"city": "Par' } },
        { index: 1, id: 'b', function: { name: 'clock', arguments: '{}' } },
      ],
      ['The arguments are not JSON', 'Not run: another call of this answer is invalid'],
    ],
    [
      'repeated id',
      [
        { index: 0, id: 'same', function: { name: 'clock', arguments: '{}' } },
        { index: 1, id: 'same', function: { name: 'clock', arguments: '{}' } },
      ],
      ["The call id 'same' is used twice", "The call id 'same' is used twice"],
    ],
    [
      '1,000 calls',
      Array.from({ length: 1000 }, (_, i) => ({ index: i, id: `c${i}`, function: { name: 'clock', arguments: '{}' } })),
      Array(128).fill('Not run: more than 100 calls in one answer'),
    ],
  ]
  for (const [what, deltas, errors] of cases) {
    const s = await callsServer(deltas)
    try {
      const chat = createChat({ client: { baseUrl: s.url }, maxSteps: 5, tools: { clock: { execute } } })
      const answer = await chat.send(what)
      expect(calls(answer.parts).map((p) => [p.state, p.errorText])).toEqual(errors.map((e) => ['output-error', e]))
      expect(chat.getSnapshot().status).toBe('idle')
      await s.drained()
      expect(s.requests).toHaveLength(1)
    } finally {
      await s.close()
    }
  }
  expect(execute).not.toHaveBeenCalled()
})

test('regenerate() of an answer with tool steps regenerates from the question; the old answer stays a branch', async () => {
  const execute = vi.fn(() => 'r')
  const chat = toolChat({ clock: { execute } }, { maxSteps: 2 })
  const first = await chat.send(Q)
  const again = await chat.regenerate()
  expect(again?.id).not.toBe(first.id)
  expect(again?.parts.map((p) => p.type)).toEqual(['tool-call', 'text'])
  expect(chat.getSnapshot().messages.map((m) => m.role)).toEqual(['user', 'assistant'])
  expect(chat.branches(again!.id)).toEqual({ index: 1, count: 2 })
  expect(execute).toHaveBeenCalledTimes(2)
  expect(generations()).toBe(4)
})

test('reload while a call awaits approval: serialize() and initialMessages keep it, and approve() continues with one request', async () => {
  const chat = toolChat({ email: { needsApproval: true, execute: () => 'ok' } }, { maxSteps: 2 })
  await chat.send(Q)
  const stored = JSON.parse(JSON.stringify(chat.serialize()))
  const execute = vi.fn(() => 'after reload')
  const reloaded = toolChat({ email: { needsApproval: true, execute } }, { maxSteps: 2, initialMessages: stored })
  expect(callOf(reloaded)).toMatchObject({ state: 'awaiting-approval', input: { query: Q } })
  const answer = await reloaded.approve(callOf(reloaded).id)
  expect(answer.parts.map((p) => (p.type === 'tool-call' ? p.state : p.type))).toEqual(['output-available', 'text'])
  expect(execute).toHaveBeenCalledTimes(1)
  expect(generations()).toBe(2)
})

test('reload while a call streamed or ran unfinished: restored output-error, never as finished', () => {
  const call = { type: 'tool-call', id: 'c', name: 'clock', inputText: '{"ci' }
  const chat = createChat({
    initialMessages: [
      { id: 'q', role: 'user', text: 'hi', status: 'completed', reasoning: '', meta: {}, createdAt: 0 },
      {
        id: 'a',
        role: 'assistant',
        text: '',
        reasoning: '',
        meta: {},
        createdAt: 0,
        status: 'streaming',
        parts: [
          { ...call, state: 'streaming-input' },
          { ...call, id: 'd', inputText: '{}', input: {}, state: 'input-available' },
        ] as MessagePart[],
      },
    ],
  })
  const answer = last(chat)
  expect(answer.status).toBe('incomplete')
  expect(calls(answer.parts).map((p) => [p.state, p.errorText])).toEqual([
    ['output-error', 'The page closed before this call ran'],
    ['output-error', 'The page closed before this call ran'],
  ])
  expect(() => chat.addToolResult('c', 1)).toThrow(/no call c is input-available/)
})

test('a request() that throws for the follow-up fails that step only; the results stay', async () => {
  let n = 0
  const chat = createChat({
    client: { baseUrl: mock().url },
    maxSteps: 2,
    tools: { clock: { execute: () => 'r' } },
    request: (m) => {
      if (n++) throw new Error('no route for tool results')
      return {
        path: '/v1/chat/completions',
        json: { model: 'mock', stream: true, messages: [{ role: 'user', content: m[0]!.text }], tools: [{ type: 'function', function: { name: 'clock' } }] },
      }
    },
  })
  const answer = await chat.send(Q)
  expect(answer.status).toBe('error')
  expect(isStreamError(answer.error) && answer.error.code).toBe('invalid-options')
  expect(answer.parts[0]).toMatchObject({ state: 'output-available', output: 'r' })
  expect(generations()).toBe(1)
})

test('maxSteps caps the loop: a model that calls a tool on every step gets exactly maxSteps generations', async () => {
  const execute = vi.fn(() => 'again')
  const chat = toolChat({ clock: { execute } }, { api: '/v1/chat/completions?toolSteps=5', maxSteps: 2 })
  const answer = await chat.send(Q)
  expect(generations()).toBe(2)
  expect(execute).toHaveBeenCalledTimes(2)
  // Both steps' calls ran; the last step's results are shown, not sent.
  expect(answer.parts.map((p) => (p.type === 'tool-call' ? p.state : p.type))).toEqual(['output-available', 'output-available'])
  expect(new Set(calls(answer.parts).map((p) => p.id)).size).toBe(2)
})

test('a call streams in as streaming-input, its inputText growing, until it is whole', async () => {
  const chat = toolChat({ clock: {} }, { api: '/v1/chat/completions?delay=5', throttle: 0 })
  const seen: string[] = []
  chat.subscribe((s) => {
    const p = s.messages[1]?.parts[0]
    if (p?.type === 'tool-call') seen.push(`${p.state}:${p.inputText}`)
  })
  await chat.send(Q)
  const args = JSON.stringify({ query: Q })
  const streaming = seen.filter((s) => s.startsWith('streaming-input:'))
  expect(streaming.length).toBeGreaterThan(2)
  for (const s of streaming) expect(args.startsWith(s.slice('streaming-input:'.length))).toBe(true)
  expect(seen[seen.length - 1]).toBe(`input-available:${args}`)
  expect(generations()).toBe(1)
})

test('reload while a call streams: serialize() mid-input restores it as output-error, and nothing runs', async () => {
  const execute = vi.fn()
  const chat = toolChat({ clock: { execute } }, { api: '/v1/chat/completions?stallAfter=3', throttle: 0 })
  const pending = chat.send(Q)
  await until(
    () => last(chat).parts[0],
    (p) => p?.type === 'tool-call' && p.inputText.length > 0,
  )
  const stored = JSON.parse(JSON.stringify(chat.serialize()))
  expect(stored[1].parts[0].state).toBe('streaming-input')
  chat.stop()
  expect((await pending).parts[0]).toMatchObject({ state: 'output-error', errorText: 'Not run: the answer ended aborted' })
  const reloaded = createChat({ tools: { clock: { execute } }, initialMessages: stored })
  expect(last(reloaded).status).toBe('incomplete')
  expect(last(reloaded).parts[0]).toMatchObject({ type: 'tool-call', name: 'clock', state: 'output-error', errorText: 'The page closed before this call ran' })
  expect(execute).not.toHaveBeenCalled()
  expect(generations()).toBe(1)
})

test('calls the server ran arrive with their results (tool-result) and are never run in the page; data parts keep their place', async () => {
  const dict = (v: Record<string, unknown>) => `data: ${JSON.stringify({ content: '', ...v })}\n\n`
  const s = await serve((_req, res) => {
    res.writeHead(200, { 'Content-Type': 'text/event-stream' })
    res.end(
      dict({ tool_calls: [{ index: 0, id: 'call_1', type: 'function', function: { name: 'get_time', arguments: '{"city":' } }] }) +
        dict({ tool_calls: [{ index: 0, function: { arguments: '"Paris"}' } }] }) +
        dict({ tool_result: { id: 'call_1', name: 'get_time', output: { time: '12:00' } } }) +
        dict({ content: 'It is noon.' }) +
        dict({ data_part: { name: 'weather', data: { sky: 'clear' } } }) +
        dict({ status: 'completed' }),
    )
  })
  try {
    const execute = vi.fn()
    const chat = createChat({ client: { baseUrl: s.url }, maxSteps: 3, tools: { get_time: { execute } } })
    const answer = await chat.send('Time in Paris?')
    expect(answer.parts).toEqual([
      {
        type: 'tool-call',
        id: 'call_1',
        name: 'get_time',
        inputText: '{"city":"Paris"}',
        input: { city: 'Paris' },
        state: 'output-available',
        output: { time: '12:00' },
      },
      { type: 'text', text: 'It is noon.' },
      { type: 'data', name: 'weather', data: { sky: 'clear' } },
    ])
    expect(execute).not.toHaveBeenCalled()
    await s.drained()
    expect(s.requests).toHaveLength(1)
  } finally {
    await s.close()
  }
})

test('clear() while a tool runs stops it: no unhandled rejection, nothing sent', async () => {
  const unhandled = vi.fn()
  process.on('unhandledRejection', unhandled)
  try {
    let signal: AbortSignal | undefined
    const chat = toolChat({ clock: { execute: (_input, ctx) => new Promise(() => void (signal = ctx.signal)) } }, { maxSteps: 3 })
    const done = chat.send(Q)
    await until(
      () => signal,
      (s) => s !== undefined,
    )
    chat.clear()
    expect(signal!.aborted).toBe(true)
    expect(chat.getSnapshot()).toMatchObject({ messages: [], status: 'idle' })
    await done
    await toolChat({}).send('probe')
    expect(generations()).toBe(2)
    expect(unhandled).not.toHaveBeenCalled()
  } finally {
    process.off('unhandledRejection', unhandled)
  }
})
