// The message box: Enter sends, Shift+Enter is a new line; Attach adds
// files (images show as thumbnails before they are sent); Stop while an
// answer streams.

import { useEffect, useRef, useState } from 'react'

export interface ComposerProps {
  busy: boolean
  /** Why files cannot be attached to this backend, or `undefined` when they can. */
  noFiles?: string | undefined
  onSend: (text: string, files: File[]) => unknown
  onStop: () => unknown
}

export function Composer(props: ComposerProps) {
  const { busy, noFiles, onSend, onStop } = props
  const [draft, setDraft] = useState('')
  const [files, setFiles] = useState<File[]>([])
  const picker = useRef<HTMLInputElement>(null)
  const submit = () => {
    const text = draft.trim()
    const sent = noFiles ? [] : files
    if ((!text && sent.length === 0) || busy) return
    setDraft('')
    setFiles([])
    onSend(text, sent)
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
      {files.length > 0 && !noFiles && <Pending files={files} onRemove={(f) => setFiles(files.filter((x) => x !== f))} />}
      <div className="composer-row">
        <input
          id="attach"
          type="file"
          multiple
          hidden
          ref={picker}
          onChange={(e) => {
            setFiles([...files, ...Array.from(e.target.files ?? [])])
            // The same file may be picked again after it was removed.
            e.target.value = ''
          }}
        />
        <button
          type="button"
          id="attach-button"
          className="ghost"
          aria-label="Attach files"
          title={noFiles ?? 'Attach files'}
          disabled={noFiles !== undefined}
          onClick={() => picker.current?.click()}
        >
          📎
        </button>
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
      </div>
    </form>
  )
}

/** The files about to be sent, each with a Remove button. */
function Pending(props: { files: File[]; onRemove: (file: File) => unknown }) {
  return (
    <ul className="files pending" aria-label="Files to send">
      {props.files.map((f, i) => (
        // biome-ignore lint/suspicious/noArrayIndexKey: the same file may be listed twice.
        <li key={i} className="file">
          <Preview file={f} />
          <button type="button" className="remove ghost" aria-label={`Remove ${f.name}`} onClick={() => props.onRemove(f)}>
            ×
          </button>
        </li>
      ))}
    </ul>
  )
}

/** An image as a thumbnail (an object URL, revoked when it goes), anything else by name. */
function Preview(props: { file: File }) {
  const { file } = props
  const [url, setUrl] = useState<string | undefined>(undefined)
  useEffect(() => {
    if (!file.type.startsWith('image/')) return
    const u = URL.createObjectURL(file)
    setUrl(u)
    return () => URL.revokeObjectURL(u)
  }, [file])
  return url ? <img className="thumb" src={url} alt={file.name} /> : <span className="chip">{file.name}</span>
}
