// The DOM of one chat message. Model output is only ever text nodes, and a
// growing answer gets only its new characters appended, so a long answer
// costs one small DOM write per animation frame (the chat's throttle).

import type { ChatMessage } from 'llm-sse-client/chat'
import type { StreamStatus } from 'llm-sse-client'

const LABELS: Record<StreamStatus, string> = {
  connecting: 'Connecting…',
  streaming: 'Streaming…',
  completed: 'Completed',
  incomplete: 'Incomplete (may be cut off)',
  error: 'Error',
  aborted: 'Stopped',
}

function el<K extends keyof HTMLElementTagNameMap>(tag: K, className: string, text?: string): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag)
  node.className = className
  if (text !== undefined) node.textContent = text
  return node
}

/** Show `text` in `node`, appending when it only grew. */
function setText(node: HTMLElement, text: string): void {
  const shown = node.firstChild as Text | null
  if (shown && text.startsWith(shown.data)) shown.appendData(text.slice(shown.data.length))
  else node.textContent = text
}

/** The view of one message; `update` takes each new version of it. */
export interface MessageView {
  readonly root: HTMLElement
  update(message: ChatMessage, last: boolean): void
}

/** A question: its text. */
export function userView(message: ChatMessage): MessageView {
  const root = el('article', 'turn user', message.text)
  return { root, update: (m) => void (root.textContent = m.text) }
}

/** An answer: reasoning (collapsible), the text, a status line with timings, Retry on the last one after an error. */
export function answerView(onRetry: () => void): MessageView {
  const root = el('article', 'turn assistant')
  const thinking = el('details', 'thinking')
  const reasoning = el('div', 'reasoning')
  thinking.append(el('summary', '', 'Reasoning'), reasoning)
  const answer = el('div', 'answer')
  const footer = el('footer', 'meta')
  const status = el('span', 'status')
  const metrics = el('span', 'metrics')
  const retry = el('button', 'retry', 'Retry')
  retry.type = 'button'
  retry.addEventListener('click', onRetry)
  footer.append(status, metrics, retry)
  root.append(thinking, answer, footer)
  return {
    root,
    update(m, last) {
      setText(answer, m.text)
      setText(reasoning, m.reasoning)
      thinking.hidden = !m.reasoning
      if (status.dataset.status !== m.status || m.error) {
        status.dataset.status = m.status
        status.textContent = LABELS[m.status]
        if (m.error) status.append(': ', el('span', 'error', m.error.message), ' ', el('span', 'code', m.error.code))
      }
      metrics.textContent = describe(m)
      // Nothing is re-sent by itself (it may start a second, billed generation): the user decides.
      retry.hidden = !(last && (m.status === 'error' || m.status === 'incomplete'))
    },
  }
}

/** "first token 120 ms · 48.2 tokens/s · 85 tokens", once the answer is final. */
function describe({ timings, counts }: ChatMessage): string {
  if (!counts?.tokens || !timings) return ''
  const parts: string[] = []
  const { firstToken, total } = timings
  if (firstToken !== undefined) parts.push(`first token ${Math.round(firstToken)} ms`)
  // Rate over the intervals between tokens: time to first token is latency, not speed.
  if (firstToken !== undefined && total !== undefined && counts.tokens > 1 && total > firstToken)
    parts.push(`${(((counts.tokens - 1) * 1000) / (total - firstToken)).toFixed(1)} tokens/s`)
  parts.push(`${counts.tokens} tokens`)
  return parts.join(' · ')
}
