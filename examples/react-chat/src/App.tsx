// A chat on llm-sse-client/react: send, Stop, Regenerate, edit a previous
// question, Retry after an error, history kept across reloads. All the
// chat logic is the store's; this file is only the view.

import { memo, useEffect, useRef, useState } from 'react'
import type { ChatMessage, ChatRequest } from 'llm-sse-client/chat'
import { useChat } from 'llm-sse-client/react'
import type { StreamStatus } from 'llm-sse-client'
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

const LABELS: Record<StreamStatus, string> = {
  connecting: 'Connecting…',
  streaming: 'Streaming…',
  completed: 'Completed',
  incomplete: 'Incomplete (may be cut off)',
  error: 'Error',
  aborted: 'Stopped',
}

export function App() {
  const [initialMessages] = useState(loadMessages)
  const { chat, messages, status, send, stop, regenerate, retry, edit, clear } = useChat({ client: { baseUrl }, request, initialMessages })
  usePersistence(chat)
  const [draft, setDraft] = useState('')
  const log = useRef<HTMLElement>(null)
  const busy = status === 'streaming'

  // Keep the newest line in view.
  // biome-ignore lint/correctness/useExhaustiveDependencies: `messages` is the trigger: scroll when a message changes.
  useEffect(() => {
    const el = log.current
    if (el) el.scrollTop = el.scrollHeight
  }, [messages])

  const submit = () => {
    const text = draft.trim()
    if (!text || busy) return
    setDraft('')
    void send(text)
  }

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
      <form
        id="composer"
        className="composer"
        autoComplete="off"
        onSubmit={(e) => {
          e.preventDefault()
          submit()
        }}
      >
        <textarea
          id="prompt"
          rows={2}
          placeholder="Message (Enter to send, Shift+Enter for a new line)"
          value={draft}
          onChange={(e) => setDraft(e.target.value)}
          onKeyDown={(e) => {
            if (e.key === 'Enter' && !e.shiftKey && !e.nativeEvent.isComposing) {
              e.preventDefault()
              submit()
            }
          }}
        />
        {busy ? (
          <button type="button" id="stop" onClick={stop}>
            Stop
          </button>
        ) : (
          <button type="submit" id="send" className="primary">
            Send
          </button>
        )}
      </form>
    </div>
  )
}

/** A question; Edit turns it into a text field, and saving asks the edited question instead (what followed is dropped). */
const Question = memo(function Question(props: { message: ChatMessage; disabled: boolean; onEdit: (id: string, text: string) => unknown }) {
  const { message, disabled, onEdit } = props
  const [editing, setEditing] = useState<string | undefined>(undefined)
  if (editing !== undefined)
    return (
      <form
        className="turn user editing"
        onSubmit={(e) => {
          e.preventDefault()
          setEditing(undefined)
          if (editing.trim()) onEdit(message.id, editing.trim())
        }}
      >
        <textarea className="edit-text" value={editing} onChange={(e) => setEditing(e.target.value)} rows={2} autoFocus />
        <button type="submit" className="primary save">
          Send
        </button>
        <button type="button" className="cancel" onClick={() => setEditing(undefined)}>
          Cancel
        </button>
      </form>
    )
  return (
    <article className="turn user">
      <div className="text">{message.text}</div>
      <button type="button" className="edit ghost" disabled={disabled} onClick={() => setEditing(message.text)}>
        Edit
      </button>
    </article>
  )
})

/** An answer: reasoning (collapsible), the text, its status, and Regenerate or Retry on the last one. */
const Answer = memo(function Answer(props: { message: ChatMessage; last: boolean; onRegenerate: (id: string) => unknown; onRetry: () => unknown }) {
  const { message: m, last, onRegenerate, onRetry } = props
  const final = m.status !== 'connecting' && m.status !== 'streaming'
  const failed = m.status === 'error' || m.status === 'incomplete'
  return (
    <article className="turn assistant">
      {m.reasoning && (
        <details className="thinking">
          <summary>Reasoning</summary>
          <div className="reasoning">{m.reasoning}</div>
        </details>
      )}
      <div className="answer">{m.text}</div>
      <footer className="meta">
        <span className="status" data-status={m.status}>
          {LABELS[m.status]}
          {m.error && (
            <>
              : <span className="error">{m.error.message}</span> <span className="code">{m.error.code}</span>
            </>
          )}
        </span>
        {last && final && failed && (
          <button type="button" className="retry" onClick={() => onRetry()}>
            Retry
          </button>
        )}
        {last && final && !failed && (
          <button type="button" className="regenerate ghost" onClick={() => onRegenerate(m.id)}>
            Regenerate
          </button>
        )}
      </footer>
    </article>
  )
})
