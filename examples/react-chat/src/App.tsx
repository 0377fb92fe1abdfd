// A chat on llm-sse-client/react: send, Stop, Regenerate, edit a previous
// question, Retry after an error, history kept across reloads. All the
// chat logic is the store's; these files are only the view.

import { useEffect, useRef, useState } from 'react'
import type { ChatMessage, ChatRequest } from 'llm-sse-client/chat'
import { useChat } from 'llm-sse-client/react'
import { Answer } from './Answer.js'
import { Composer } from './Composer.js'
import { Question } from './Question.js'
import { loadMessages, usePersistence } from './storage.js'

/** `?api=<url>` points the page at a backend on another origin; by default its own (the demo proxies /stream/*). */
const baseUrl = new URLSearchParams(location.search).get('api') ?? ''

/** The tutorial backend's POST route takes `{ prompt }`; OpenAI-style backends can use `messages` too. */
function request(messages: readonly ChatMessage[]): ChatRequest {
  return {
    path: '/stream/post',
    json: { prompt: messages[messages.length - 1]!.text, messages: messages.map((m) => ({ role: m.role, content: m.text })) },
  }
}

export function App() {
  const [initialMessages] = useState(loadMessages)
  const { chat, messages, status, send, stop, regenerate, retry, edit, clear } = useChat({ client: { baseUrl }, request, initialMessages })
  usePersistence(chat)
  const log = useRef<HTMLElement>(null)
  const busy = status === 'streaming'

  // Keep the newest line in view.
  // biome-ignore lint/correctness/useExhaustiveDependencies: `messages` is the trigger: scroll when a message changes.
  useEffect(() => {
    const el = log.current
    if (el) el.scrollTop = el.scrollHeight
  }, [messages])

  return (
    <div className="app">
      <header className="bar">
        <h1>
          Chat <span className="sub">llm-sse-client/react</span>
        </h1>
        <button type="button" id="clear" className="ghost" onClick={clear}>
          New chat
        </button>
      </header>
      <main id="log" className="log" ref={log} aria-live="polite">
        {messages.length === 0 && <p className="empty">Ask anything. The answer streams from the backend, token by token.</p>}
        {messages.map((m, i) =>
          m.role === 'user' ? (
            <Question key={m.id} message={m} disabled={busy} onEdit={edit} />
          ) : (
            <Answer key={m.id} message={m} last={i === messages.length - 1} onRegenerate={regenerate} onRetry={retry} />
          ),
        )}
      </main>
      <Composer busy={busy} onSend={send} onStop={stop} />
    </div>
  )
}
