import type { Client, ClientOptions, RequestOptions, StreamCounts, StreamError, StreamStatus, StreamTimings, ToolCall, Usage } from '../index.js'

/** Who wrote a message. @public */
export type ChatRole = 'user' | 'assistant' | 'system'

/**
 * Where a tool call is. `streaming-input`: its arguments are arriving.
 * `input-available`: they are whole (and, for a tool with `execute`, it is
 * running; for a tool without one, it waits for {@link Chat.addToolResult}).
 * `awaiting-approval`: its tool has `needsApproval` ({@link Chat.approve},
 * {@link Chat.deny}). Then one of `output-available`, `output-error` (with
 * `errorText`) or `denied`.
 * @public
 */
export type ToolCallState = 'streaming-input' | 'input-available' | 'awaiting-approval' | 'output-available' | 'output-error' | 'denied'

/** A tool call of an answer, with its state and result. @public */
export interface ToolCallPart {
  readonly type: 'tool-call'
  /** The id the model gave it, used by {@link Chat.approve} and the others. */
  readonly id: string
  readonly name: string
  /** The arguments as the model wrote them (JSON text), growing while it streams. */
  readonly inputText: string
  /** `inputText` parsed, once whole and valid JSON. */
  readonly input?: unknown
  readonly state: ToolCallState
  /** What the tool returned (`output-available`). */
  readonly output?: unknown
  /** Why it failed (`output-error`), or the reason given to `deny()` (`denied`). */
  readonly errorText?: string | undefined
}

/**
 * An attachment: `url` (`https:` or a `data:` URL) or `data` (base64), and
 * its media type. @public
 */
export interface FilePart {
  readonly type: 'file'
  readonly mediaType: string
  readonly url?: string | undefined
  readonly data?: string | undefined
  readonly name?: string | undefined
}

/**
 * One piece of a message, in the order the stream produced it; one part
 * per contiguous run (reasoning, then text, then a tool call, then text
 * again are four parts). Immutable: a part that changes is replaced, the
 * others keep their identity.
 * @public
 */
export type MessagePart =
  | { readonly type: 'text'; readonly text: string }
  | { readonly type: 'reasoning'; readonly text: string }
  | ToolCallPart
  | FilePart
  /** A named JSON value a server sent (AI SDK `data-<name>`, the kit's data parts). */
  | { readonly type: 'data'; readonly name: string; readonly data: unknown }

/**
 * One message of a chat. Snapshots are immutable: a message that changes is
 * replaced by a new object, and the others keep their identity, so
 * `React.memo` rows and `===` checks work.
 * @public
 */
export interface ChatMessage {
  readonly id: string
  readonly role: ChatRole
  /**
   * Everything the message holds, in order: text, reasoning, tool calls
   * (with their state and result), files, data. `text`, `reasoning` and
   * `toolCalls` are conveniences derived from the same stream.
   */
  readonly parts: readonly MessagePart[]
  /** The answer text, all text parts joined (for user and system messages, what was written). */
  readonly text: string
  /** Reasoning text of an answer (`reasoning_content`, `<think>…</think>`), all reasoning parts joined; `''` for others. */
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
  /** The tool calls the model asked for (OpenAI `tool_calls`, every step), set when the answer is final; their state is in `parts`. */
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
export type StoredMessage = Omit<ChatMessage, 'error' | 'parts'> & {
  readonly error?: { code: StreamError['code']; message: string; status?: number } | undefined
  /** Missing in lists stored before parts existed: made from `reasoning` and `text`. */
  readonly parts?: readonly MessagePart[] | undefined
  /**
   * On the first message after a branch point: the other branches (each the
   * messages that follow the point on it) and where this one sits among
   * them (see {@link Chat.branches}).
   */
  readonly branches?: readonly (readonly StoredMessage[])[] | undefined
  readonly branch?: number | undefined
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

/**
 * A tool the model may call. The default request sends `description` and
 * `parameters` as an OpenAI `tools` entry.
 * @public
 */
export interface ChatTool {
  description?: string | undefined
  /** JSON Schema of the arguments. @default { type: 'object', properties: {} } */
  parameters?: Record<string, unknown> | undefined
  /**
   * Run the call in the page: what it returns (or resolves to) is the
   * result; what it throws is an `output-error` the model sees. `signal`
   * aborts on `stop()` (and on `timeout`). Without `execute` the call waits
   * for {@link Chat.addToolResult}.
   */
  execute?: ((input: unknown, context: { signal: AbortSignal; messages: readonly ChatMessage[] }) => unknown) | undefined
  /** Ask the user first: the call waits, `awaiting-approval`, for {@link Chat.approve} or {@link Chat.deny}. */
  needsApproval?: boolean | undefined
  /** Milliseconds `execute` may take; then its signal aborts and the call is an `output-error`. @default no limit */
  timeout?: number | undefined
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
   * More fields of the default request's JSON body (`model`, `stream`, ...).
   * @default {}
   */
  body?: Record<string, unknown> | undefined
  /**
   * Build the request for an answer to `messages` (the conversation up to
   * and including the question; for a tool step, up to and including the
   * answer whose tool results it sends). The default POSTs `{ messages,
   * tools?, ...body }` to `api` in the OpenAI shape: each message's `parts`
   * become `content` (with `image_url` entries for images), assistant
   * `tool_calls` and `role: 'tool'` results, and `tools` lists
   * {@link ChatOptions.tools}; it throws `invalid-options` for a file that
   * is not an image. For the Flask tutorial's routes:
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
  /**
   * Tools the model may call, by name. When an answer ends with calls, those
   * whose tool has `execute` run in parallel; the others wait for
   * {@link Chat.approve} / {@link Chat.addToolResult}. A call of an unknown
   * tool, with arguments that are not JSON, with an id already used in the
   * answer, or one of more than 100 in an answer is an `output-error`, and
   * then no call of that answer runs and nothing more is sent.
   */
  tools?: Record<string, ChatTool> | undefined
  /**
   * Most generations per question: once every call of an answer has a
   * result, the results are sent back for another step while fewer than
   * `maxSteps` were made. Each step is a paid generation, so the default
   * sends none on its own.
   * @default 1
   */
  maxSteps?: number | undefined
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

/**
 * A file to send: a `File`/`Blob` (read into a base64 `data`), or its
 * media type with a `url` or base64 `data`. At most 20 MiB each.
 * @public
 */
export type ChatFile = Blob | { mediaType: string; url?: string | undefined; data?: string | undefined; name?: string | undefined }

/**
 * What {@link Chat.send} takes: the text, or the text with files and more
 * fields (kept in `data`).
 * @public
 */
export type ChatInput = string | ({ text: string; files?: readonly ChatFile[] | undefined } & Record<string, unknown>)

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
   * Add a user message (with its `files` as `file` parts) and generate the
   * answer. Resolves with the answer once it is final and its tools ran
   * (after the last tool step, or when a call waits for the user); never
   * rejects. Files that are not files or are over 20 MiB throw
   * `invalid-options` before anything is sent.
   */
  send(input: ChatInput): Promise<ChatMessage>
  /**
   * Stop the answer in flight, keeping its text (`aborted`), or the tools
   * running (their `signal` aborts, they end `output-error`, and nothing is
   * sent). A request stopped before it started never reaches the network.
   */
  stop(): void
  /**
   * Replace an answer (default: the last one, with all of its tool steps) by
   * a new generation of the same question; the old one and what followed it
   * stay as the previous branch. Given a user
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
  /** Change the text of a user message and generate a new answer; what followed it stays as the previous branch. */
  edit(messageId: string, text: string): Promise<ChatMessage>
  /**
   * Give the result of a call of the last answer that waits for one
   * (`input-available`, a tool without `execute`). Once no call of the answer
   * is pending, the results go back to the model for the next step (if
   * `maxSteps` allows): exactly one request, however many calls there were.
   * Resolves with the last answer once nothing more runs. A call that is not
   * waiting throws `invalid-options`.
   */
  addToolResult(callId: string, output: unknown): Promise<ChatMessage>
  /** Let a call `awaiting-approval` run (its `execute`, or then wait for `addToolResult`); continues as {@link Chat.addToolResult}. */
  approve(callId: string): Promise<ChatMessage>
  /** Refuse a call `awaiting-approval`: `denied`, and the model is told so (with `reason`); continues as {@link Chat.addToolResult}. */
  deny(callId: string, reason?: string): Promise<ChatMessage>
  /**
   * Where a message sits among its siblings: the branches `edit()` and
   * `regenerate()` made at its place (`{ index: 0, count: 1 }` when none).
   */
  branches(messageId: string): { index: number; count: number }
  /** Show another branch at a message's place: `messages` becomes that branch's history. */
  switchBranch(messageId: string, index: number): void
  /** Replace the messages (stops the answer in flight). */
  setMessages(messages: readonly ChatMessage[] | ((messages: readonly ChatMessage[]) => readonly ChatMessage[])): void
  /** Stop and remove every message. */
  clear(): void
  /** The messages as plain JSON values, for `initialMessages` (see {@link StoredMessage}). */
  serialize(): StoredMessage[]
}
