// llm-sse-client/vue: the chat store as a Vue composable. No dependency but
// Vue itself (an optional peer, ≥ 3.3).

import { getCurrentScope, onScopeDispose, shallowRef } from 'vue'
import type { ShallowRef } from 'vue'
import { createChat } from '../chat/index.js'
import type { Chat, ChatOptions, ChatState } from '../chat/index.js'

/** Options of {@link useChat}: those of `createChat`, or a chat made elsewhere. @public */
export interface UseChatOptions extends ChatOptions {
  /**
   * Use this chat instead of making one (to share it between components).
   * It is not stopped when the scope ends; the other options are then ignored.
   */
  chat?: Chat | undefined
}

/** What {@link useChat} returns: the chat's methods and its state as shallow refs. @public */
export interface UseChatResult extends Omit<Chat, 'getSnapshot' | 'subscribe'> {
  /** Replaced (never mutated) on every change: a `shallowRef` is enough, and cheap. */
  messages: Readonly<ShallowRef<ChatState['messages']>>
  status: Readonly<ShallowRef<ChatState['status']>>
  error: Readonly<ShallowRef<ChatState['error']>>
  /** The store itself, e.g. to pass to `useChat({ chat })` elsewhere. */
  chat: Chat
}

/**
 * A chat in a component or any effect scope. The state is three
 * `shallowRef`s updated from the store (throttled like the store: one
 * update per animation frame while tokens arrive). When the scope is
 * disposed (the component unmounts) the answer in flight is stopped and the
 * request aborted.
 *
 * @example
 * ```ts
 * const { messages, status, send, stop } = useChat({ request: (m) => ({ path: '/stream/post', json: { prompt: m[m.length - 1].text } }) })
 * ```
 * @public
 */
export function useChat(options: UseChatOptions = {}): UseChatResult {
  const chat = options.chat ?? createChat(options)
  const s = chat.getSnapshot()
  const messages = shallowRef(s.messages)
  const status = shallowRef(s.status)
  const error = shallowRef(s.error)
  const off = chat.subscribe((next) => {
    messages.value = next.messages
    status.value = next.status
    error.value = next.error
  })
  if (getCurrentScope())
    onScopeDispose(() => {
      off()
      if (!options.chat) chat.stop()
    })
  return { ...chat, messages, status, error, chat }
}
