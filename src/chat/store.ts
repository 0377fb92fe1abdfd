import { isStreamError } from '../index.js'
import type { LlmStream } from '../index.js'
import { follow } from './follow.js'
import { restore, serialize } from './persist.js'
import { call, invalid, open, signal } from './shared.js'
import type { Chat, ChatMessage, ChatOptions, ChatRequest, ChatState } from './types.js'

// About 52 random bits: a clash among the messages of one chat is unlikely enough.
const makeId = () => Math.random().toString(36).slice(2)

/**
 * Create a chat: the message list, the answer in flight, Stop, Regenerate,
 * Retry and Edit, for any backend the client reads. No framework needed;
 * `llm-sse-client/react` and `llm-sse-client/vue` bind it.
 *
 * @example
 * ```ts
 * const chat = createChat({ client: { baseUrl: '/api' }, request: (m) => ({ path: '/stream/post', json: { prompt: m[m.length - 1].text } }) })
 * chat.subscribe(({ messages, status }) => render(messages, status))
 * await chat.send('Hello')
 * ```
 * @public
 */
export function createChat(options: ChatOptions = {}): Chat {
  const o = options
  /** The answer being generated: at most one per chat. */
  let current: LlmStream | undefined

  const derive = (messages: readonly ChatMessage[]): ChatState => {
    const last = messages[messages.length - 1]
    const failed = !current && last?.role === 'assistant' && (last.status === 'error' || last.status === 'incomplete')
    return { messages, status: current ? 'streaming' : failed ? 'error' : 'idle', error: failed ? last.error : undefined }
  }
  const state = signal(derive(restore(o.initialMessages ?? [])))
  const messages = () => state.get().messages
  const publish = (list: readonly ChatMessage[]) => state.set(derive(list))

  const message = (role: ChatMessage['role'], text: string, rest?: Partial<ChatMessage>): ChatMessage => ({
    id: (o.id ?? makeId)(),
    role,
    text,
    reasoning: '',
    status: role === 'user' ? 'completed' : 'connecting',
    meta: {},
    createdAt: Date.now(),
    ...rest,
  })

  const defaultRequest = (list: readonly ChatMessage[]): ChatRequest => ({
    path: o.api ?? '/api/chat',
    json: { messages: list.map((m) => ({ role: m.role, content: m.text })) },
  })

  /**
   * Answer the last message of `history`, or continue `cut` (an answer that
   * was cut off) from its `lastEventId`. Callers stop the answer in flight
   * first, then read the messages.
   */
  function generate(history: readonly ChatMessage[], regenerate: boolean, cut?: ChatMessage): Promise<ChatMessage> {
    let answer = cut ? { ...cut, status: 'connecting' as const, error: undefined } : message('assistant', '')
    return new Promise((resolve) => {
      const finish = () => {
        if (answer.error) call(o.onError, answer.error, answer)
        call(o.onFinish, answer)
        resolve(answer)
      }
      const stream = open(o.client, () => ({ ...(o.request ?? defaultRequest)(history, { regenerate }), lastEventId: cut?.lastEventId }))
      // A StreamError from another bundled copy of the SDK too (a `request` that throws one).
      if (isStreamError(stream)) {
        // The request could not even be built: nothing was sent.
        answer = { ...answer, status: 'error', error: stream }
        publish([...history, answer])
        return finish()
      }
      current = stream
      publish([...history, answer])
      follow(
        stream,
        () => o.throttle,
        (fields, final) => {
          const before = answer
          answer = {
            ...before,
            ...fields,
            // A resumed stream carries only what follows the cut: appended to it.
            ...(cut && {
              text: cut.text + fields.text,
              reasoning: cut.reasoning + fields.reasoning,
              meta: { ...cut.meta, ...fields.meta },
              lastEventId: fields.lastEventId ?? cut.lastEventId,
            }),
          }
          if (final) current = undefined
          // Only this message is replaced; the others keep their identity.
          const list = messages().slice()
          const i = list.lastIndexOf(before)
          if (i >= 0) list[i] = answer
          publish(list)
          if (final) finish()
        },
      )
    })
  }

  /** The answer in flight ends `aborted` synchronously, so the messages read after this are final. */
  const stop = () => current?.abort()

  function regenerate(messageId?: string): Promise<ChatMessage | undefined> {
    const list = messages()
    let i = list.length
    if (messageId === undefined) while (i-- > 0 && list[i]!.role !== 'assistant');
    else if ((i = list.findIndex((m) => m.id === messageId)) < 0) throw invalid(`regenerate(): no message ${messageId}`)
    if (i < 0) return retry()
    stop()
    // An answer is replaced; for a question, its answer is generated.
    return generate(messages().slice(0, list[i]!.role === 'assistant' ? i : i + 1), true)
  }

  function retry(): Promise<ChatMessage | undefined> {
    const { messages: list, status } = state.get()
    const last = list[list.length - 1]
    return last && (status === 'error' || last.role === 'user') ? regenerate(last.id) : Promise.resolve(undefined)
  }

  function resume(): Promise<ChatMessage | undefined> {
    const list = messages()
    const last = list[list.length - 1]
    return !current && last?.role === 'assistant' && last.status === 'incomplete' && last.lastEventId
      ? generate(list.slice(0, -1), false, last)
      : Promise.resolve(undefined)
  }

  const setMessages: Chat['setMessages'] = (next) => {
    stop()
    publish(typeof next === 'function' ? next(messages()) : next)
  }

  return {
    getSnapshot: state.get,
    subscribe: state.subscribe,
    send(input) {
      const { text, ...data } = typeof input === 'string' ? { text: input } : input
      if (typeof text !== 'string') throw invalid('send() takes a string or { text }')
      stop()
      return generate([...messages(), message('user', text, Object.keys(data).length ? { data } : {})], false)
    },
    stop,
    regenerate,
    retry,
    resume,
    edit(messageId, text) {
      const i = messages().findIndex((m) => m.id === messageId)
      const m = messages()[i]
      if (m?.role !== 'user') throw invalid(`edit(): no user message ${messageId}`)
      stop()
      return generate([...messages().slice(0, i), { ...m, text }], false)
    },
    setMessages,
    clear: () => setMessages([]),
    serialize: () => serialize(messages()),
  }
}
