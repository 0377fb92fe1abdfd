// The public API, listed name by name: nothing internal leaks through `export *`.

export { createClient } from './client.js'
export type { Client } from './client.js'

export type { LlmStream, StreamEventOf } from './handle.js'

export type {
  StreamStatus,
  FinalStatus,
  StreamResult,
  StreamEvent,
  StreamEventType,
  StreamWarning,
  StreamTimings,
  StreamCounts,
} from './result.js'

export type { ClientOptions, RequestOptions, RequestBody, StreamOptions, Timeouts, RetryOptions, DebugEntry } from './options.js'
export type { RedirectMode } from './transport/redirect.js'
export type { HeadersInput, HeaderValue, HeaderPairs } from './transport/headers.js'
export type { EventSourceLike, EventSourceConstructor } from './transport/eventsource.js'

export { createSseParser } from './sse/parse.js'
export type { SseEvent, SseParser, SseParserOptions, SseEnd } from './sse/types.js'

export { parseJsonish } from './payload/jsonish.js'
export type { JsonishOptions } from './payload/jsonish.js'

export { contentDictDialect, seedDialect, openaiDialect, aiSdkDialect, textDialect } from './payload/dialects/index.js'
export type { ToolCall, ToolCallDelta } from './payload/tool-calls.js'
export type { Decoded, Dialect, DialectFn, Usage } from './payload/types.js'

export { createReducer } from './reduce.js'
export type { Reducer, ReducerOptions } from './reduce.js'

export { StreamError, isStreamError } from './errors.js'
export type { StreamErrorCode, StreamErrorInit } from './errors.js'
