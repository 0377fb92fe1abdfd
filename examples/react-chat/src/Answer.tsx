// An answer, part by part in the order the stream produced them: reasoning
// (collapsible), text as Markdown, tool calls as cards, files, named data;
// then its status, its versions, and Regenerate or Retry on the last one.

import { memo } from 'react'
import type { ChatMessage, MessagePart } from 'llm-sse-client/chat'
import { Markdown } from 'llm-sse-client/react/markdown'
import type { StreamStatus } from 'llm-sse-client'
import { Branches } from './Branches.js'
import { Files } from './Files.js'
import { ToolCard } from './ToolCard.js'

const LABELS: Record<StreamStatus, string> = {
  connecting: 'Connecting…',
  streaming: 'Streaming…',
  completed: 'Completed',
  incomplete: 'Incomplete (may be cut off)',
  error: 'Error',
  aborted: 'Stopped',
}

export interface AnswerProps {
  message: ChatMessage
  last: boolean
  /** This answer's place among its versions (regenerations). */
  branch: number
  branches: number
  busy: boolean
  onRegenerate: (id: string) => unknown
  onRetry: () => unknown
  onApprove: (callId: string) => unknown
  onDeny: (callId: string) => unknown
  onSwitch: (id: string, index: number) => unknown
}

export const Answer = memo(function Answer(props: AnswerProps) {
  const { message: m, last, onRegenerate, onRetry } = props
  const final = m.status !== 'connecting' && m.status !== 'streaming'
  const failed = m.status === 'error' || m.status === 'incomplete'
  return (
    <article className="turn assistant" aria-label="Answer">
      {m.parts.map((part, i) => (
        // Parts are only ever appended, so their index is a stable key.
        // biome-ignore lint/suspicious/noArrayIndexKey: see above.
        <Part key={i} part={part} done={final || i < m.parts.length - 1} {...props} />
      ))}
      <footer className="meta">
        <Branches id={m.id} index={props.branch} count={props.branches} disabled={props.busy} onSwitch={props.onSwitch} />
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

function Part(props: AnswerProps & { part: MessagePart; done: boolean }) {
  const { part, done } = props
  switch (part.type) {
    case 'reasoning':
      return (
        <details className="thinking">
          <summary>{done ? 'Reasoning' : 'Thinking…'}</summary>
          <div className="reasoning">{part.text}</div>
        </details>
      )
    case 'text':
      return <Markdown className="answer md" text={part.text} done={done} />
    case 'tool-call':
      return <ToolCard part={part} onApprove={props.onApprove} onDeny={props.onDeny} />
    case 'file':
      return <Files parts={[part]} />
    case 'data':
      return (
        <details className="data">
          <summary>{part.name}</summary>
          <pre>{JSON.stringify(part.data, null, 2)}</pre>
        </details>
      )
  }
}
