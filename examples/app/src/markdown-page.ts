// An answer rendered as Markdown while it streams: finished blocks are
// inserted once and never touched again, the growing block is redrawn once
// per frame, and nothing from the model reaches innerHTML. (The mock answers
// in Markdown when the prompt says "markdown".)

import { createClient } from 'llm-sse-client'
import type { LlmStream } from 'llm-sse-client'
import { renderMarkdown } from 'llm-sse-client/markdown'

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T
const answer = $('answer')
const reasoning = $('reasoning')
const thinking = $<HTMLDetailsElement>('thinking')
const status = $('status')
const input = $<HTMLTextAreaElement>('prompt')
const send = $<HTMLButtonElement>('send')
const stop = $<HTMLButtonElement>('stop')
const client = createClient({ baseUrl: new URLSearchParams(location.search).get('api') ?? '' })
let current: LlmStream | undefined

$<HTMLFormElement>('composer').addEventListener('submit', async (event) => {
  event.preventDefault()
  if (current) return
  answer.replaceChildren()
  reasoning.replaceChildren()
  thinking.hidden = true
  const stream = (current = client.post('/stream/post', { json: { prompt: input.value.trim() } }))
  send.disabled = true
  stop.disabled = false
  renderMarkdown(stream, answer, { reasoning })
  stream.on('reasoning', () => void (thinking.hidden = false))
  stream.on('status', (e) => void (status.dataset.status = status.textContent = e.status))
  const result = await stream.result
  status.dataset.status = status.textContent = result.status
  if (result.error && result.status !== 'aborted') status.textContent += `: ${result.error.message}`
  current = undefined
  send.disabled = false
  stop.disabled = true
})
stop.addEventListener('click', () => current?.abort())
