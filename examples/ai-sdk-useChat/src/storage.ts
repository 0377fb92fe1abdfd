// The chat survives a reload: its id and messages in sessionStorage. With
// the same id, `useChat({ resume: true })` asks the backend for the answer
// still being generated (`GET /api/chat/<id>/stream`) and shows it whole.
import type { UIMessage } from 'ai'

const KEY = 'ai-sdk-useChat'

export interface Saved {
  id: string
  messages: UIMessage[]
}

export function load(): Saved {
  try {
    const saved = JSON.parse(sessionStorage.getItem(KEY) ?? 'null') as Saved | null
    if (saved && typeof saved.id === 'string' && Array.isArray(saved.messages)) return saved
  } catch {
    // A broken entry starts a new chat.
  }
  return { id: crypto.randomUUID(), messages: [] }
}

export function save(saved: Saved): void {
  try {
    sessionStorage.setItem(KEY, JSON.stringify(saved))
  } catch {
    // Storage full or disabled: the chat goes on, only a reload loses it.
  }
}

export function forget(): void {
  sessionStorage.removeItem(KEY)
}
