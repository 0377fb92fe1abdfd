// A small chat on llm-sse-client: history, GET (EventSource) or POST (fetch),
// Stop, and Retry after an error. `?api=<url>` points it at a backend on
// another origin; by default it uses its own (the demo proxies /stream/*).

import { createClient } from 'llm-sse-client'
import type { LlmStream } from 'llm-sse-client'
import { createTurnView } from './turn.js'

type Mode = 'get' | 'post'

/** One message of the conversation, in the shape OpenAI-style backends take. */
interface ChatMessage {
  role: 'user' | 'assistant'
  content: string
}

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

const client = createClient({ baseUrl: new URLSearchParams(location.search).get('api') ?? '' })
const history: ChatMessage[] = []
let current: LlmStream | undefined
/** Bumped by "New chat", so an answer that ends afterwards stays out of the new history. */
let conversation = 0
/** Keep the newest line in view, unless the user scrolled up to read. */
let follow = true

function mode(): Mode {
  return document.querySelector<HTMLInputElement>('input[name="mode"]:checked')?.value === 'get' ? 'get' : 'post'
}

/**
 * GET can only carry the prompt in the URL (the seed's `?text=`); POST sends
 * the conversation so far as well, for backends that use it.
 */
function open(prompt: string, earlier: readonly ChatMessage[]): LlmStream {
  if (mode() === 'get') return client.get('/stream/get', { query: { text: prompt } })
  return client.post('/stream/post', { json: { prompt, messages: [...earlier, { role: 'user', content: prompt }] } })
}

function nearBottom(): boolean {
  return log.scrollHeight - log.scrollTop - log.clientHeight < 80
}

log.addEventListener('scroll', () => void (follow = nearBottom()), { passive: true })

function setBusy(busy: boolean): void {
  sendButton.disabled = busy
  stopButton.disabled = !busy
}

function ask(prompt: string): void {
  byId('empty').hidden = true
  // Only the newest answer can be retried: an older one would answer out of order.
  for (const button of log.querySelectorAll<HTMLButtonElement>('.retry')) button.hidden = true
  const bubble = document.createElement('article')
  bubble.className = 'turn user'
  bubble.textContent = prompt
  const turn = createTurnView(() => {
    if (follow) log.scrollTop = log.scrollHeight
  })
  log.append(bubble, turn.root)
  follow = true
  log.scrollTop = log.scrollHeight
  // The history as it was when the question was asked: a retry sends the same context.
  const earlier = [...history]
  const chat = conversation

  const run = async (): Promise<void> => {
    const stream = open(prompt, earlier)
    current = stream
    setBusy(true)
    const result = await turn.play(stream)
    current = undefined
    setBusy(false)
    if (chat !== conversation) return // "New chat" was clicked meanwhile.
    if (result.status === 'error') {
      // Nothing is re-sent by itself (a retry may start a second, billed
      // generation): the user decides.
      turn.offerRetry(() => {
        if (!current && chat === conversation) void run()
      })
      return
    }
    // A stopped or cut answer stays in the history as far as it got.
    history.push({ role: 'user', content: prompt }, { role: 'assistant', content: result.text })
  }
  void run()
}

form.addEventListener('submit', (event) => {
  event.preventDefault()
  const prompt = input.value.trim()
  if (!prompt || current) return
  input.value = ''
  ask(prompt)
})

input.addEventListener('keydown', (event) => {
  if (event.key === 'Enter' && !event.shiftKey && !event.isComposing) {
    event.preventDefault()
    form.requestSubmit()
  }
})

stopButton.addEventListener('click', () => current?.abort())

byId<HTMLButtonElement>('clear').addEventListener('click', () => {
  conversation++
  current?.abort()
  history.length = 0
  for (const turn of log.querySelectorAll('.turn')) turn.remove()
  byId('empty').hidden = false
  input.focus()
})

input.focus()
