import { isStreamError } from '../index.js'
import { createForks } from './branches.js'
import { readFiles } from './files.js'
import { follow } from './follow.js'
import { openaiRequest } from './openai.js'
import { restore, serialize } from './persist.js'
import { call, invalid, open, signal } from './shared.js'
import { createTools } from './tools.js'
import type { Chat, ChatMessage, ChatOptions, ChatState, FilePart, MessagePart } from './types.js'

const textPart = (text: string): MessagePart[] => (text ? [{ type: 'text', text }] : [])

// About 52 random bits: a clash among the messages of one chat is unlikely enough.
const makeId = () => Math.random().toString(36).slice(2)

/**
 * Create a chat: the message list, the answer in flight, Stop, Regenerate,
 * Retry and Edit, tool calls, attachments and branches, for any backend the
 * client reads. No framework needed; `llm-sse-client/react` and
 * `llm-sse-client/vue` bind it.
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
  /** What runs: the answer being generated or the tools of one; at most one per chat. */
  let current: { abort(): void } | undefined
  const forks = createForks()

  const derive = (messages: readonly ChatMessage[]): ChatState => {
    const last = messages[messages.length - 1]
    const failed = !current && last?.role === 'assistant' && (last.status === 'error' || last.status === 'incomplete')
    return { messages, status: current ? 'streaming' : failed ? 'error' : 'idle', error: failed ? last.error : undefined }
  }
  const state = signal(derive(restore(o.initialMessages ?? [], forks)))
  const messages = () => state.get().messages
  const publish = (list: readonly ChatMessage[]) => state.set(derive(list))
  /** Replace one message; the others keep their identity, and it keeps its branches. */
  const replace = (before: ChatMessage, after: ChatMessage) => {
    const list = messages().slice()
    const i = list.lastIndexOf(before)
    if (i >= 0) list[i] = after
    forks.move(before, after)
    publish(list)
  }

  const message = (role: ChatMessage['role'], text: string, rest?: Partial<ChatMessage>): ChatMessage => ({
    id: (o.id ?? makeId)(),
    role,
    parts: textPart(text),
    text,
    reasoning: '',
    status: role === 'user' ? 'completed' : 'connecting',
    meta: {},
    createdAt: Date.now(),
    ...rest,
  })

  const tools = createTools(o, {
    messages,
    replace,
    generate: (list) => generate(list.slice(0, -1), false, list[list.length - 1]),
    running: (r) => (current = r ?? (current === tools.halt ? undefined : current)),
  })

  /**
   * Answer the last message of `history`, or continue `base`: an answer cut
   * off (`resume`: the same request from its `lastEventId`) or one whose
   * tool results go back for the next step. Callers stop what runs first,
   * then read the messages. Resolves once the answer is final and its tools
   * have run, with the last step's answer.
   */
  function generate(history: readonly ChatMessage[], regenerate: boolean, base?: ChatMessage, resume?: boolean): Promise<ChatMessage> {
    let answer = base ? { ...base, status: 'connecting' as const, error: undefined } : message('assistant', '')
    const from = answer.parts.length
    tools.step(!!base)
    return new Promise((resolve) => {
      const finish = () => {
        if (answer.error) call(o.onError, answer.error, answer)
        call(o.onFinish, answer)
        resolve(answer.status === 'completed' ? tools.check(answer, from) : answer)
      }
      const stream = open(o.client, () => ({
        ...(o.request ?? ((m) => openaiRequest(o, m)))(base && !resume ? [...history, base] : history, { regenerate }),
        lastEventId: resume ? base?.lastEventId : undefined,
      }))
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
        answer.parts,
        (fields, final) => {
          const before = answer
          answer = {
            ...before,
            ...fields,
            // A continued answer gets what follows: appended to it.
            ...(base && {
              text: base.text + fields.text,
              reasoning: base.reasoning + fields.reasoning,
              meta: { ...base.meta, ...fields.meta },
              lastEventId: fields.lastEventId ?? base.lastEventId,
              toolCalls: [...(base.toolCalls ?? []), ...(fields.toolCalls ?? [])],
            }),
          }
          if (final) current = undefined
          replace(before, answer)
          if (final) finish()
        },
      )
    })
  }

  /** What runs ends synchronously (an answer `aborted`, tools `output-error`), so the messages read after this are final. */
  const stop = () => {
    tools.stopped()
    current?.abort()
  }

  /** Where message `id` is on the current path; an unknown id throws. */
  const where = (id: string, method: string) => {
    const i = messages().findIndex((m) => m.id === id)
    if (i < 0) throw invalid(`${method}(): no message ${id}`)
    return i
  }

  /** `keep`: the replaced answer stays as the previous branch. */
  function regenerate(messageId?: string, keep = true): Promise<ChatMessage | undefined> {
    const list = messages()
    let i = list.length
    if (messageId === undefined) while (i-- > 0 && list[i]!.role !== 'assistant');
    else i = where(messageId, 'regenerate')
    if (i < 0) return retry()
    stop()
    // An answer is replaced; for a question, its answer is generated.
    if (list[i]!.role === 'user') i++
    if (keep) forks.fork(messages(), i)
    return generate(messages().slice(0, i), true)
  }

  function retry(): Promise<ChatMessage | undefined> {
    const { messages: list, status } = state.get()
    const last = list[list.length - 1]
    // A failed answer is replaced, not kept as a branch.
    return last && (status === 'error' || last.role === 'user') ? regenerate(last.id, false) : Promise.resolve(undefined)
  }

  function resume(): Promise<ChatMessage | undefined> {
    const list = messages()
    const last = list[list.length - 1]
    return !current && last?.role === 'assistant' && last.status === 'incomplete' && last.lastEventId
      ? generate(list.slice(0, -1), false, last, true)
      : Promise.resolve(undefined)
  }

  const setMessages: Chat['setMessages'] = (next) => {
    stop()
    const list = typeof next === 'function' ? next(messages()) : next
    // Another history: the branches at its start are not this one's.
    if (list[0] !== messages()[0]) forks.reset()
    publish(list)
  }

  return {
    getSnapshot: state.get,
    subscribe: state.subscribe,
    send(input) {
      const { text, files, ...data } = typeof input === 'string' ? { text: input } : input
      if (typeof text !== 'string') throw invalid('send() takes a string or { text }')
      const ask = (attached: FilePart[]) => {
        stop()
        return generate([...messages(), message('user', text, { parts: [...textPart(text), ...attached], ...(Object.keys(data).length && { data }) })], false)
      }
      return files ? readFiles(files).then(ask) : ask([])
    },
    stop,
    regenerate: (messageId) => regenerate(messageId),
    retry,
    resume,
    edit(messageId, text) {
      const i = messages().findIndex((m) => m.id === messageId)
      const m = messages()[i]
      if (m?.role !== 'user') throw invalid(`edit(): no user message ${messageId}`)
      stop()
      forks.fork(messages(), i)
      // The files stay; the text is the new one.
      return generate([...messages().slice(0, i), { ...m, text, parts: [...textPart(text), ...m.parts.filter((p) => p.type !== 'text')] }], false)
    },
    addToolResult: tools.addToolResult,
    approve: tools.approve,
    deny: tools.deny,
    branches(messageId) {
      const list = messages()
      const f = forks.at(list[where(messageId, 'branches') - 1])
      return f ? { index: f.index, count: f.tails.length } : { index: 0, count: 1 }
    },
    switchBranch(messageId, index) {
      const i = where(messageId, 'switchBranch')
      if (!forks.at(messages()[i - 1])?.tails[index]) throw invalid(`switchBranch(): no branch ${index} at message ${messageId}`)
      stop()
      publish(forks.switch(messages(), i, index))
    },
    setMessages,
    clear: () => setMessages([]),
    serialize: () => serialize(messages(), forks),
  }
}
