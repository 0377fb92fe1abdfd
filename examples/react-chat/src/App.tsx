// A chat on llm-sse-client/react: send with attachments, Stop, Regenerate,
// edit a previous question, flip between versions, tool calls as cards,
// Retry after an error, history kept across reloads. All the chat logic is
// the store's; these files are only the view.

import { useEffect, useRef, useState } from 'react'
import { useChat } from 'llm-sse-client/react'
import { Answer } from './Answer.js'
import { BACKENDS, initialBackend } from './backends.js'
import type { BackendName } from './backends.js'
import { Composer } from './Composer.js'
import { Question } from './Question.js'
import { loadMessages, usePersistence } from './storage.js'

export function App() {
  const [initialMessages] = useState(loadMessages)
  const [backend, setBackend] = useState(initialBackend)
  const b = BACKENDS[backend]!
  // The options are read when used: switching the backend takes effect with the next request.
  const chat = useChat({ ...b.options, initialMessages })
  const { messages, status, send, stop, regenerate, retry, edit, clear, approve, deny, branches, switchBranch } = chat
  usePersistence(chat.chat)
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
        <label className="backend">
          Backend{' '}
          <select id="backend" value={backend} onChange={(e) => setBackend(e.target.value as BackendName)}>
            {Object.entries(BACKENDS).map(([name, { label }]) => (
              <option key={name} value={name}>
                {label}
              </option>
            ))}
          </select>
        </label>
        <button type="button" id="clear" className="ghost" onClick={clear}>
          New chat
        </button>
      </header>
      <main id="log" className="log" ref={log} aria-live="polite">
        {messages.length === 0 && <p className="empty">{b.hint}</p>}
        {messages.map((m, i) => {
          const { index, count } = branches(m.id)
          return m.role === 'user' ? (
            <Question key={m.id} message={m} disabled={busy} branch={index} branches={count} onEdit={edit} onSwitch={switchBranch} />
          ) : (
            <Answer
              key={m.id}
              message={m}
              last={i === messages.length - 1}
              branch={index}
              branches={count}
              busy={busy}
              onRegenerate={regenerate}
              onRetry={retry}
              onApprove={approve}
              onDeny={deny}
              onSwitch={switchBranch}
            />
          )
        })}
      </main>
      <Composer busy={busy} noFiles={b.noFiles} onSend={(text, files) => send(files.length ? { text, files } : text)} onStop={stop} />
    </div>
  )
}
