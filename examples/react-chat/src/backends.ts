// The backends the page can talk to, picked in the header (or with
// `?backend=` in the URL):
//
// - `tutorial`: the Flask tutorial's POST route (`{ prompt }`), text only;
// - `tools`: the reference backend's `/api/chat`, OpenAI messages in, its
//   own tool loop (`get_time`) on the server: the page shows the calls and
//   results it streams;
// - `page`: an OpenAI-compatible server the page calls itself (`?llm=`,
//   the demo's mock LLM; `?model=`), with a tool the page declares and runs
//   after the user approves it. Only for a local model: a page calling a
//   paid API itself would need its key.
//
// `?api=<url>` points the first two at a backend on another origin; by
// default the page's own (the demo proxies /stream/* and /api/*).

import type { ChatMessage, ChatOptions, ChatRequest } from 'llm-sse-client/chat'
import { pageTools } from './tools.js'

export type BackendName = 'tutorial' | 'tools' | 'page'

export interface Backend {
  label: string
  /** Shown while the chat is empty. */
  hint: string
  options: ChatOptions
  /** Why this backend takes no attachments, if it does not. */
  noFiles?: string | undefined
}

const params = new URLSearchParams(location.search)
const baseUrl = params.get('api') ?? ''
const llm = params.get('llm')
const model = params.get('model') ?? 'mock-model'

/** The tutorial backend's POST route takes `{ prompt }`; OpenAI-style backends can use `messages` too. */
function tutorial(messages: readonly ChatMessage[]): ChatRequest {
  return {
    path: '/stream/post',
    json: { prompt: messages[messages.length - 1]!.text, messages: messages.map((m) => ({ role: m.role, content: m.text })) },
  }
}

export const BACKENDS: Partial<Record<BackendName, Backend>> = {
  tutorial: {
    label: 'Flask tutorial (/stream/post)',
    hint: 'Ask anything. The answer streams from the backend, token by token.',
    options: { client: { baseUrl }, request: tutorial },
    noFiles: 'The tutorial route takes text only',
  },
  tools: {
    label: 'Server tools (/api/chat)',
    hint: 'Ask for the time: the backend runs its get_time tool and the page shows the call as a card.',
    options: { client: { baseUrl }, api: '/api/chat' },
  },
  ...(llm && {
    page: {
      label: 'LLM + page tools',
      hint: 'Ask anything: the model calls find_in_chat, a tool of this page, which runs once you approve it.',
      options: { client: { baseUrl: llm }, api: '/v1/chat/completions', body: { model, stream: true }, tools: pageTools, maxSteps: 3 },
    },
  }),
}

export function initialBackend(): BackendName {
  const asked = params.get('backend') as BackendName | null
  return asked && BACKENDS[asked] ? asked : 'tutorial'
}
