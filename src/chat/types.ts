import type { Client, ClientOptions, RequestOptions, StreamCounts, StreamError, StreamStatus, StreamTimings, ToolCall, Usage } from '../index.js'

/** Who wrote a message. @public */
export type ChatRole = 'user' | 'assistant' | 'system'

/**
 * One message of a chat. Snapshots are immutable: a message that changes is
 * replaced by a new object, and the others keep their identity, so
 * `React.memo` rows and `===` checks work.
 * @public
 */
export interface ChatMessage {
  readonly id: string
  readonly role: ChatRole
  /** The answer text (for user and system messages, what was written). */
  readonly text: string
  /** Reasoning text of an answer (`reasoning_content`, `<think>…</think>`); `''` for others. */
  readonly reasoning: string
  /**
   * Where the answer is. User and system messages are `completed`. An answer
   * that was streaming when the page closed comes back `incomplete`.
   */
  readonly status: StreamStatus
  /** Set when `status` is `error` or `incomplete`. */
  readonly error?: StreamError | undefined
  /** Non-token fields the server sent with the answer (`request_id`, `model`, ...). */
  readonly meta: Record<string, unknown>
  readonly finishReason?: string | undefined
  readonly usage?: Usage | undefined
  /** The tool calls the model asked for (OpenAI `tool_calls`), set when the answer is final. */
  readonly toolCalls?: readonly ToolCall[] | undefined
  readonly timings?: StreamTimings | undefined
  /** How much of the answer arrived (events, tokens, attempts), set when it is final. */
  readonly counts?: StreamCounts | undefined
  /** The last SSE event id of the answer, when the server sends ids; kept up to date while it streams, for {@link Chat.resume}. */
  readonly lastEventId?: string | undefined
  /** The other fields of the object given to `send({ text, ...data })`. */
  readonly data?: Record<string, unknown> | undefined
  /** `Date.now()` when the message was created. */
  readonly createdAt: number
}

/**
 * A {@link ChatMessage} as {@link Chat.serialize} returns it: plain JSON.
 * `error` keeps `code`, `message` and `status`; a `bigint` in `meta` or
 * `usage` becomes its decimal string; `NaN` and `Infinity` become `null`
 * and `undefined` values are dropped, as `JSON.stringify` does.
 * @public
 */
export type StoredMessage = Omit<ChatMessage, 'error'> & {
  readonly error?: { code: StreamError['code']; message: string; status?: number } | undefined
}

/** What the chat as a whole is doing. @public */
export type ChatStatus = 'idle' | 'streaming' | 'error'

/** An immutable snapshot of a chat: a new object only when something changed. @public */
export interface ChatState {
  readonly messages: readonly ChatMessage[]
  /**
   * `streaming` while an answer is being generated, `error` when the last
   * message is an answer that ended `error` or `incomplete` (offer
   * {@link Chat.retry}), else `idle`.
   */
  readonly status: ChatStatus
  /** The last answer's error when `status` is `error`. */
  readonly error?: StreamError | undefined
}

/**
 * The request for one answer: a path, a method and any per-request option of
 * the client (`json`, `query`, `headers`, `dialect`, `timeouts`, ...).
 * @public
 */
export interface ChatRequest extends RequestOptions {
  /** @default 'POST' */
  method?: 'GET' | 'POST' | undefined
  path: string
}

/** Why {@link ChatOptions.request} is called. @public */
export interface ChatRequestContext {
  /** True for `regenerate()` and `retry()`: the same question is asked again. */
  regenerate: boolean
}

/** Options of {@link createChat}. Everything but `initialMessages` is read when it is used, so it may change later. @public */
export interface ChatOptions {
  /**
   * A client from `createClient`, or the options to create one.
   * @default createClient()
   */
  client?: Client | ClientOptions | undefined
  /**
   * Path of the default request.
   * @default '/api/chat'
   */
  api?: string | undefined
  /**
   * Build the request for an answer to `messages` (the conversation up to
   * and including the question). The default POSTs `{ messages: [{ role,
   * content }] }` to `api`, the OpenAI shape. For the Flask tutorial's
   * routes:
   * ```ts
   * request: (m) => ({ path: '/stream/post', json: { prompt: m[m.length - 1].text } })
   * request: (m) => ({ method: 'GET', path: '/stream/get', query: { text: m[m.length - 1].text } })
   * ```
   */
  request?: ((messages: readonly ChatMessage[], context: ChatRequestContext) => ChatRequest) | undefined
  /**
   * Messages to start with, e.g. `JSON.parse(localStorage.chat)` of an
   * earlier {@link Chat.serialize}. Answers that were still streaming are
   * restored as `incomplete`. Anything that is not a list of messages
   * throws a `StreamError` with code `invalid-options`.
   * @default []
   */
  initialMessages?: readonly (ChatMessage | StoredMessage)[] | undefined
  /**
   * Makes message ids.
   * @default a random base-36 id
   */
  id?: (() => string) | undefined
  /** Called once per answer when it reaches a final status (`completed`, `incomplete`, `error` or `aborted`). */
  onFinish?: ((message: ChatMessage) => void) | undefined
  /** Called when an answer ends `error` or `incomplete` (after the state shows it, before `onFinish`). */
  onError?: ((error: StreamError, message: ChatMessage) => void) | undefined
  /**
   * How often a streaming answer is published to subscribers: `'frame'` is
   * once per animation frame (a macrotask where there is no
   * `requestAnimationFrame`, as in Node), a number is at most once per that
   * many milliseconds, `0` is every token. Status changes by your own calls
   * and final statuses are published at once.
   * @default 'frame'
   */
  throttle?: number | 'frame' | undefined
}

/** What {@link Chat.send} takes: the text, or the text with more fields (kept in `data`). @public */
export type ChatInput = string | ({ text: string } & Record<string, unknown>)

/**
 * A framework-free chat store. `subscribe`/`getSnapshot` follow React's
 * `useSyncExternalStore` contract, and `subscribe` also the Svelte store
 * contract (the listener is called at once), so `$chat` works in Svelte.
 * Exactly one answer is generated at a time: `send`, `regenerate`, `retry`
 * and `edit` stop the one in flight first (it keeps its text, `aborted`).
 * Methods work detached (`const { send } = chat`).
 * @public
 */
export interface Chat {
  /** The current snapshot; the same object until something changes. */
  getSnapshot(): ChatState
  /** Call `listener` now and after every change; returns the unsubscriber. */
  subscribe(listener: (state: ChatState) => void): () => void
  /**
   * Add a user message and generate the answer. Resolves with the answer
   * once it is final (never rejects).
   */
  send(input: ChatInput): Promise<ChatMessage>
  /** Stop the answer in flight, keeping its text (`aborted`). A request stopped before it started never reaches the network. */
  stop(): void
  /**
   * Replace an answer (default: the last one) by a new generation of the
   * same question; the messages after it are dropped. Given a user
   * message's id, generates the answer to it. An unknown id throws a
   * `StreamError` (`invalid-options`).
   */
  regenerate(messageId?: string): Promise<ChatMessage | undefined>
  /** After an answer that ended `error` or `incomplete` (or a question without answer): generate it again. Otherwise does nothing. */
  retry(): Promise<ChatMessage | undefined>
  /**
   * Continue the last answer where it was cut off, e.g. by a page reload
   * (restored `incomplete` from `initialMessages`): the request is made again
   * with its `lastEventId` (sent as `Last-Event-ID`) and what arrives is
   * appended to its text (`timings` and `counts` then describe the resumed
   * part). Needs a backend that resumes streams; one that starts over
   * instead is caught when its ids show it, and the answer stays
   * `incomplete`. Does nothing (resolves `undefined`) unless the last
   * message is an `incomplete` answer with a `lastEventId` and nothing is
   * streaming.
   */
  resume(): Promise<ChatMessage | undefined>
  /** Change the text of a user message, drop everything after it and generate a new answer. */
  edit(messageId: string, text: string): Promise<ChatMessage>
  /** Replace the messages (stops the answer in flight). */
  setMessages(messages: readonly ChatMessage[] | ((messages: readonly ChatMessage[]) => readonly ChatMessage[])): void
  /** Stop and remove every message. */
  clear(): void
  /** The messages as plain JSON values, for `initialMessages` (see {@link StoredMessage}). */
  serialize(): StoredMessage[]
}
