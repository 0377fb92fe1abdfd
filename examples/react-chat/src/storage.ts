// The history in localStorage, as docs/chat.md recommends: saved whenever
// the chat settles and when the page goes away (so a reload mid-answer
// keeps the partial answer, restored as `incomplete`), never once per frame.

import { useEffect } from 'react'
import { createChat } from 'llm-sse-client/chat'
import type { Chat, StoredMessage } from 'llm-sse-client/chat'

const KEY = 'llm-sse-client/react-chat'

/** The saved messages, or none when there are none or they cannot be read back. */
export function loadMessages(): StoredMessage[] {
  try {
    const saved = JSON.parse(localStorage.getItem(KEY) ?? '[]') as StoredMessage[]
    // createChat checks them; a corrupt entry must not keep the page from starting.
    createChat({ initialMessages: saved })
    return saved
  } catch {
    return []
  }
}

/** Keep `chat`'s messages saved while the component lives. */
export function usePersistence(chat: Chat): void {
  useEffect(() => {
    // Once the page is going away, the browser cuts the answer's connection
    // and the chat sees a network error: the copy saved at `pagehide` (still
    // streaming, restored as `incomplete`) is the truthful one, so keep it.
    let leaving = false
    const save = () => {
      if (leaving) return
      try {
        localStorage.setItem(KEY, JSON.stringify(chat.serialize()))
      } catch (error) {
        // Full (attached images are data URLs) or blocked: the chat goes on unsaved.
        console.warn('the chat could not be saved', error)
      }
    }
    const off = chat.subscribe((s) => {
      if (s.status !== 'streaming') save()
    })
    const hide = () => {
      save()
      leaving = true
    }
    // Back from the back/forward cache: the page lives on.
    const show = () => void (leaving = false)
    addEventListener('pagehide', hide)
    addEventListener('pageshow', show)
    return () => {
      off()
      removeEventListener('pagehide', hide)
      removeEventListener('pageshow', show)
    }
  }, [chat])
}
