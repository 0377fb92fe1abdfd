// A question with its attachments; Edit turns it into a text field, and
// saving asks the edited question instead. The earlier version stays: the
// arrows flip between versions (and what followed each).

import { memo, useEffect, useRef, useState } from 'react'
import type { ChatMessage } from 'llm-sse-client/chat'
import { Branches } from './Branches.js'
import { Files } from './Files.js'

export interface QuestionProps {
  message: ChatMessage
  disabled: boolean
  /** This question's place among its versions (edits). */
  branch: number
  branches: number
  onEdit: (id: string, text: string) => unknown
  onSwitch: (id: string, index: number) => unknown
}

export const Question = memo(function Question(props: QuestionProps) {
  const { message, disabled, onEdit } = props
  const [editing, setEditing] = useState<string | undefined>(undefined)
  const box = useRef<HTMLTextAreaElement>(null)
  const open = editing !== undefined
  // The edit box takes the focus when the user opens it.
  useEffect(() => {
    if (open) box.current?.focus()
  }, [open])
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
        <textarea
          className="edit-text"
          aria-label="Edited question"
          value={editing}
          onChange={(e) => setEditing(e.target.value)}
          onKeyDown={(e) => e.key === 'Escape' && setEditing(undefined)}
          rows={2}
          ref={box}
        />
        <button type="submit" className="primary save">
          Send
        </button>
        <button type="button" className="cancel" onClick={() => setEditing(undefined)}>
          Cancel
        </button>
      </form>
    )
  return (
    <article className="turn user" aria-label="Question">
      <Files parts={message.parts} />
      <div className="text">{message.text}</div>
      <div className="actions">
        <Branches id={message.id} index={props.branch} count={props.branches} disabled={disabled} onSwitch={props.onSwitch} />
        <button type="button" className="edit ghost" disabled={disabled} onClick={() => setEditing(message.text)}>
          Edit
        </button>
      </div>
    </article>
  )
})
