// A question; Edit turns it into a text field, and saving asks the edited
// question instead (what followed is dropped from the current path).

import { memo, useEffect, useRef, useState } from 'react'
import type { ChatMessage } from 'llm-sse-client/chat'

export const Question = memo(function Question(props: { message: ChatMessage; disabled: boolean; onEdit: (id: string, text: string) => unknown }) {
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
      <div className="text">{message.text}</div>
      <button type="button" className="edit ghost" disabled={disabled} onClick={() => setEditing(message.text)}>
        Edit
      </button>
    </article>
  )
})
