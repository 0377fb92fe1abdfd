// llm-sse-client/react: React bindings of the chat store. No JSX, no
// dependency but React itself (an optional peer, ≥ 18 for
// useSyncExternalStore).

import { useEffect, useRef, useState, useSyncExternalStore } from 'react'
import { createChat } from '../chat/index.js'
import type { Chat, ChatMessage, ChatOptions, ChatRequest, ChatState } from '../chat/index.js'
import type { StreamError, StreamStatus } from '../index.js'

/** Options of {@link useChat}: those of `createChat`, or a chat made elsewhere. @public */
export interface UseChatOptions extends ChatOptions {
  /**
   * Use this chat instead of making one (to share it between components or
   * keep it across routes). It is not stopped when the component unmounts;
   * the other options are then ignored.
   */
  chat?: Chat | undefined
}

/** What {@link useChat} returns: the chat's methods and its current state. @public */
export interface UseChatResult extends Chat, ChatState {
  /** The store itself, e.g. to pass to `useChat({ chat })` in a child. */
  chat: Chat
}

/**
 * A chat in a component. The store is made once per component and read
 * through `useSyncExternalStore`, so a render shows one consistent
 * snapshot and tokens cause at most one commit per animation frame (the
 * store's `throttle`). Options may change between renders without
 * restarting anything: each is read when it is used. Unmounting stops the
 * answer in flight (the request is aborted); StrictMode's extra mount
 * starts no request.
 *
 * @example
 * ```ts
 * const { messages, status, send, stop } = useChat({ request: (m) => ({ path: '/stream/post', json: { prompt: m[m.length - 1].text } }) })
 * ```
 * @public
 */
export function useChat(options: UseChatOptions = {}): UseChatResult {
  const latest = useRef(options)
  latest.current = options
  // A proxy, not a copy: the store reads `request`, `onFinish`, `client`...
  // when it uses them, so it always sees this render's options.
  const [own] = useState(() => createChat(new Proxy({}, { get: (_, key) => latest.current[key as keyof ChatOptions] })))
  const chat = options.chat ?? own
  const state = useSyncExternalStore(chat.subscribe, chat.getSnapshot, chat.getSnapshot)
  // Only our own chat: a shared one outlives this component.
  useEffect(() => () => own.stop(), [own])
  return { ...chat, ...state, chat }
}

/** What {@link useStream} returns. @public */
export interface UseStreamResult {
  /** Stop the stream in flight, if any, and start this request. Resolves with the final answer. */
  start(request: ChatRequest): Promise<ChatMessage>
  /** Stop the stream, keeping its text (`aborted`). */
  stop(): void
  text: string
  reasoning: string
  /** `idle` before the first `start()`. */
  status: StreamStatus | 'idle'
  error: StreamError | undefined
  /** Everything about the answer (meta, usage, timings), once started. */
  message: ChatMessage | undefined
}

/**
 * One stream at a time (a summary, a completion), with the same
 * throttling, StrictMode safety and abort on unmount as {@link useChat}.
 * @public
 */
export function useStream(options: Pick<ChatOptions, 'client' | 'throttle'> = {}): UseStreamResult {
  const next = useRef<ChatRequest | undefined>(undefined)
  const { chat, messages, stop } = useChat({ ...options, request: () => next.current! })
  const [start] = useState(() => (request: ChatRequest) => {
    next.current = request
    chat.setMessages([])
    return chat.send('')
  })
  const a = messages[1]
  return { start, stop, text: a?.text ?? '', reasoning: a?.reasoning ?? '', status: a?.status ?? 'idle', error: a?.error, message: a }
}
