// A small chat on llm-sse-client/chat: history, GET (EventSource) or POST
// (fetch), Stop, and Retry after an error. The chat logic (one answer in
// flight, the history sent with each question, Retry replacing the failed
// answer, New chat) is the store's; this file only draws it. `?api=<url>`
// points it at a backend on another origin; by default it uses its own (the
// demo proxies /stream/*).

import { createChat } from 'llm-sse-client/chat'
import type { ChatMessage, ChatRequest } from 'llm-sse-client/chat'
import { answerView, userView } from './message-view.js'
import type { MessageView } from './message-view.js'

function byId<T extends HTMLElement>(id: string): T {
  const node = document.getElementById(id)
  if (!node) throw new Error(`#${id} is missing from index.html`)
  return node as T
}

const log = byId<HTMLElement>('log')
const form = byId<HTMLFormElement>('composer')
const input = byId<HTMLTextAreaElement>('prompt')
const sendButton = byId<HTMLButtonElement>('send')
const stopButton = byId<HTMLButtonElement>('stop')

const getMode = () => document.querySelector<HTMLInputElement>('input[name="mode"]:checked')?.value === 'get'

/**
 * GET can only carry the prompt in the URL (`?text=`, as the Flask tutorial does); POST sends
 * the conversation so far as well, for backends that use it.
 */
function request(messages: readonly ChatMessage[]): ChatRequest {
  const prompt = messages[messages.length - 1]!.text
  if (getMode()) return { method: 'GET', path: '/stream/get', query: { text: prompt } }
  return { path: '/stream/post', json: { prompt, messages: messages.map((m) => ({ role: m.role, content: m.text })) } }
}

const chat = createChat({ client: { baseUrl: new URLSearchParams(location.search).get('api') ?? '' }, request })

/** The view of each message, by id; a message's view is updated only when the message object changed. */
const views = new Map<string, { view: MessageView; shown: ChatMessage; last: boolean }>()
/** Keep the newest line in view, unless the user scrolled up to read. */
let follow = true
log.addEventListener('scroll', () => void (follow = log.scrollHeight - log.scrollTop - log.clientHeight < 80), { passive: true })

chat.subscribe(({ messages, status }) => {
  const busy = status === 'streaming'
  sendButton.disabled = busy
  stopButton.disabled = !busy
  byId('empty').hidden = messages.length > 0
  const ids = new Set(messages.map((m) => m.id))
  for (const [id, { view }] of views) if (!ids.has(id)) view.root.remove(), views.delete(id)
  messages.forEach((m, i) => {
    const last = i === messages.length - 1
    let entry = views.get(m.id)
    if (!entry) {
      const view = m.role === 'user' ? userView(m) : answerView(() => void chat.retry())
      entry = { view, shown: m, last }
      views.set(m.id, entry)
      view.update(m, last)
      log.append(view.root)
      follow = true
    } else if (entry.shown !== m || entry.last !== last) {
      entry.view.update(m, last)
      Object.assign(entry, { shown: m, last })
    }
  })
  if (follow) log.scrollTop = log.scrollHeight
})

form.addEventListener('submit', (event) => {
  event.preventDefault()
  const prompt = input.value.trim()
  if (!prompt || chat.getSnapshot().status === 'streaming') return
  input.value = ''
  void chat.send(prompt)
})

input.addEventListener('keydown', (event) => {
  if (event.key === 'Enter' && !event.shiftKey && !event.isComposing) {
    event.preventDefault()
    form.requestSubmit()
  }
})

stopButton.addEventListener('click', () => chat.stop())

byId<HTMLButtonElement>('clear').addEventListener('click', () => {
  chat.clear()
  input.focus()
})

input.focus()
