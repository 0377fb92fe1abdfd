// A tool call as a card: its name, the input (raw while it streams, parsed
// once whole), what the chat is doing with it, and its result or error.
// A call waiting for approval gets Approve and Deny.

import { memo, useRef } from 'react'
import type { ToolCallPart } from 'llm-sse-client/chat'

const STATES: Record<ToolCallPart['state'], string> = {
  'streaming-input': 'Writing the input…',
  'input-available': 'Running…',
  'awaiting-approval': 'Needs your approval',
  'output-available': 'Done',
  'output-error': 'Failed',
  denied: 'Denied',
}

/** JSON for people: indented, and never a throw (a bigint or a cycle in a server's output). */
function show(value: unknown): string {
  try {
    return JSON.stringify(value, null, 2) ?? String(value)
  } catch {
    return String(value)
  }
}

export const ToolCard = memo(function ToolCard(props: { part: ToolCallPart; onApprove: (id: string) => unknown; onDeny: (id: string) => unknown }) {
  const { part, onApprove, onDeny } = props
  const { state } = part
  const card = useRef<HTMLElement>(null)
  // The buttons go away once used: keep the keyboard focus on the card, not lost to the page.
  const settle = (decide: (id: string) => unknown) => () => {
    card.current?.focus()
    decide(part.id)
  }
  return (
    <section className="tool" data-state={state} aria-label={`Tool call ${part.name}`} tabIndex={-1} ref={card}>
      <header className="tool-head">
        <span className="tool-name">{part.name || 'tool'}</span>
        {/* The log around it is a live region already: no role of its own, or it would be announced twice. */}
        <span className="tool-state">{STATES[state]}</span>
      </header>
      <div className="tool-label">Input</div>
      <pre className="tool-input">{part.input !== undefined ? show(part.input) : part.inputText}</pre>
      {state === 'awaiting-approval' && (
        <div className="tool-actions">
          <button type="button" className="approve primary" onClick={settle(onApprove)}>
            Approve
          </button>
          <button type="button" className="deny" onClick={settle(onDeny)}>
            Deny
          </button>
        </div>
      )}
      {state === 'output-available' && (
        <>
          <div className="tool-label">Result</div>
          <pre className="tool-output">{show(part.output)}</pre>
        </>
      )}
      {(state === 'output-error' || state === 'denied') && part.errorText && <p className="tool-error">{part.errorText}</p>}
    </section>
  )
})
