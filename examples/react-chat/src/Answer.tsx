// An answer: reasoning (collapsible), the text as Markdown, its status, and
// Regenerate or Retry on the last one.

import { memo } from 'react'
import type { ChatMessage } from 'llm-sse-client/chat'
import { Markdown } from 'llm-sse-client/react/markdown'
import type { StreamStatus } from 'llm-sse-client'

const LABELS: Record<StreamStatus, string> = {
  connecting: 'Connecting…',
  streaming: 'Streaming…',
  completed: 'Completed',
  incomplete: 'Incomplete (may be cut off)',
  error: 'Error',
  aborted: 'Stopped',
}

export const Answer = memo(function Answer(props: { message: ChatMessage; last: boolean; onRegenerate: (id: string) => unknown; onRetry: () => unknown }) {
  const { message: m, last, onRegenerate, onRetry } = props
  const final = m.status !== 'connecting' && m.status !== 'streaming'
  const failed = m.status === 'error' || m.status === 'incomplete'
  return (
    <article className="turn assistant" aria-label="Answer">
      {m.reasoning && (
        <details className="thinking">
          <summary>Reasoning</summary>
          <div className="reasoning">{m.reasoning}</div>
        </details>
      )}
      <Markdown className="answer md" text={m.text} done={final} />
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
