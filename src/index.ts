// The public API, listed name by name: nothing internal leaks through `export *`.

export { createClient } from './client.js'
export type { Client } from './client.js'

export type { LlmStream, StreamEventOf } from './stream.js'

export type {
  ClientOptions,
  RequestOptions,
  StreamOptions,
  Timeouts,
  RetryOptions,
  HeadersInput,
  HeaderValue,
  EventSourceLike,
  EventSourceConstructor,
} from './options.js'

export { createSseParser } from './sse/parse.js'

export { parseJsonish } from './payload/jsonish.js'
export type { JsonishOptions } from './payload/jsonish.js'

export { seedDialect, openaiDialect, textDialect } from './payload/dialects.js'

export { createReducer } from './reduce.js'
export type { Reducer, ReducerOptions } from './reduce.js'

export { StreamError, isStreamError } from './errors.js'
export type { StreamErrorCode, StreamErrorInit } from './errors.js'

export type {
  SseEvent,
  SseParser,
  SseParserOptions,
  SseEnd,
  Decoded,
  Dialect,
  DialectFn,
  Usage,
  StreamStatus,
  FinalStatus,
  StreamResult,
  StreamEvent,
  StreamEventType,
  StreamWarning,
  StreamTimings,
  StreamCounts,
} from './types.js'
