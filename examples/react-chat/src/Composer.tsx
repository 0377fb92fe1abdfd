// The message box: Enter sends, Shift+Enter is a new line; Stop while an
// answer streams.

import { useState } from 'react'

export function Composer(props: { busy: boolean; onSend: (text: string) => unknown; onStop: () => unknown }) {
  const { busy, onSend, onStop } = props
  const [draft, setDraft] = useState('')
  const submit = () => {
    const text = draft.trim()
    if (!text || busy) return
    setDraft('')
    onSend(text)
  }
  return (
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
        aria-label="Message"
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
        <button type="button" id="stop" onClick={() => onStop()}>
          Stop
        </button>
      ) : (
        <button type="submit" id="send" className="primary">
          Send
        </button>
      )}
    </form>
  )
}
