// llm-sse-client/chat: the chat state around the stream, framework-free.
// Built on the core's public API only (src/index.ts).

export { createChat } from './store.js'
export type {
  Chat,
  ChatFile,
  ChatInput,
  ChatMessage,
  ChatOptions,
  ChatRequest,
  ChatRequestContext,
  ChatRole,
  ChatState,
  ChatStatus,
  ChatTool,
  FilePart,
  MessagePart,
  ToolCallPart,
  ToolCallState,
  StoredMessage,
} from './types.js'
