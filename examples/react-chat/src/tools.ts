// A tool the page runs itself, declared with `createChat({ tools })`: the
// model asks for it, the user approves (it reads the conversation), the
// page runs it and the chat sends the result back in one follow-up request.

import type { ChatTool } from 'llm-sse-client/chat'

export const pageTools: Record<string, ChatTool> = {
  find_in_chat: {
    description: 'Count the messages of this conversation that mention some text.',
    parameters: { type: 'object', properties: { query: { type: 'string', description: 'The text to look for' } }, required: ['query'] },
    // It reads what the user wrote: ask first.
    needsApproval: true,
    execute(input, { messages }) {
      const query = String((input as { query?: unknown } | null)?.query ?? '').toLowerCase()
      return { query, messages: query ? messages.filter((m) => m.text.toLowerCase().includes(query)).length : 0 }
    },
  },
}
