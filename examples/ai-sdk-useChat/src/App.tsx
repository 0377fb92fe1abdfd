// The AI SDK's `useChat`, as its docs show it, with `resume: true`: the
// page talks to a Python backend (llm_sse, `format='ai-sdk'`), not to a
// Node route. Nothing here knows that.
import { useChat } from '@ai-sdk/react'
import { DefaultChatTransport } from 'ai'
import { useEffect, useState } from 'react'
import { PartView } from './Part.js'
import { forget, load, save } from './storage.js'

const initial = load()
// The page's own path (served under /ai-sdk-useChat/): POST api/chat, and GET api/chat/<id>/stream to resume.
const transport = new DefaultChatTransport({ api: `${import.meta.env.BASE_URL}api/chat` })

export function App() {
  const { messages, sendMessage, status, error, stop, regenerate } = useChat({ id: initial.id, messages: initial.messages, transport, resume: true })
  const [input, setInput] = useState('')

  useEffect(() => save({ id: initial.id, messages }), [messages])

  const busy = status === 'submitted' || status === 'streaming'
  return (
    <main data-status={status}>
      <h1>AI SDK useChat · Python backend</h1>
      <ol className="messages">
        {messages.map((m) => (
          <li key={m.id} className={m.role} data-role={m.role}>
            {m.parts.map((part, i) => (
              // Parts have no ids; their position in a message never changes.
              // biome-ignore lint/suspicious/noArrayIndexKey: see above
              <PartView key={i} part={part} />
            ))}
          </li>
        ))}
      </ol>
      {error && (
        <div className="error" role="alert" data-error>
          {error.message}{' '}
          <button type="button" onClick={() => regenerate()}>
            Retry
          </button>
        </div>
      )}
      <form
        onSubmit={(e) => {
          e.preventDefault()
          if (!input.trim() || busy) return
          void sendMessage({ text: input })
          setInput('')
        }}
      >
        <input value={input} onChange={(e) => setInput(e.target.value)} placeholder="Ask something (try: what time is it?)" aria-label="Message" />
        {busy ? (
          <button type="button" onClick={() => stop()}>
            Stop
          </button>
        ) : (
          <button type="submit">Send</button>
        )}
        <button
          type="button"
          onClick={() => {
            forget()
            location.reload()
          }}
        >
          New chat
        </button>
      </form>
      <p className="note">
        Status: <span data-status-text>{status}</span>. Reload during an answer: it continues (one generation).
      </p>
    </main>
  )
}
