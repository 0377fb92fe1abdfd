// One assistant answer in the chat: reasoning (collapsible), the answer as
// text nodes, a status line with timings, and a Retry button after an error.

import type { LlmStream, StreamError, StreamResult, StreamStatus } from 'llm-sse-client'
import { renderStream } from 'llm-sse-client/dom'

/** The view of one assistant turn. */
export interface TurnView {
  readonly root: HTMLElement
  /** Show `stream` in this turn (a retry replaces the previous attempt's output). */
  play(stream: LlmStream): Promise<StreamResult>
  /** Show a Retry button that calls `retry` once; hidden again by the next `play`. */
  offerRetry(retry: () => void): void
}

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

/**
 * Create the DOM of one turn. `onGrow` is called when text was added, so the
 * chat can keep the newest line in view.
 */
export function createTurnView(onGrow: () => void): TurnView {
  const root = el('article', 'turn assistant')
  const thinking = el('details', 'thinking')
  thinking.append(el('summary', '', 'Reasoning'))
  const reasoning = el('div', 'reasoning')
  thinking.append(reasoning)
  const answer = el('div', 'answer')
  const footer = el('footer', 'meta')
  const status = el('span', 'status')
  const metrics = el('span', 'metrics')
  const retryButton = el('button', 'retry', 'Retry')
  retryButton.type = 'button'
  footer.append(status, metrics, retryButton)
  root.append(thinking, answer, footer)

  let retry: (() => void) | undefined
  retryButton.addEventListener('click', () => {
    const run = retry
    retry = undefined
    run?.()
  })

  function setStatus(value: StreamStatus, error?: StreamError): void {
    status.dataset.status = value
    status.textContent = LABELS[value]
    if (error) status.append(': ', el('span', 'error', error.message), ' ', el('span', 'code', error.code))
  }

  return {
    root,
    async play(stream) {
      retry = undefined
      retryButton.hidden = true
      answer.replaceChildren()
      reasoning.replaceChildren()
      thinking.hidden = true
      metrics.textContent = ''
      setStatus('connecting')
      // Text nodes, batched per frame: model output never becomes markup.
      // Scroll after each flush, once the new text is laid out.
      const detach = renderStream(stream, { text: answer, reasoning }, {
        schedule: (flush) =>
          requestAnimationFrame(() => {
            flush()
            onGrow()
          }),
      })
      stream.on('status', (e) => setStatus(e.status))
      stream.on('reasoning', () => void (thinking.hidden = false))
      const result = await stream.result
      detach()
      setStatus(result.status, result.status === 'aborted' ? undefined : result.error)
      metrics.textContent = describe(result)
      onGrow()
      return result
    },
    offerRetry(run) {
      retry = run
      retryButton.hidden = false
    },
  }
}

/** "first token 120 ms · 48.2 tokens/s · 85 tokens" */
function describe({ timings, counts }: StreamResult): string {
  if (counts.tokens === 0) return ''
  const parts: string[] = []
  const { firstToken, total } = timings
  if (firstToken !== undefined) parts.push(`first token ${Math.round(firstToken)} ms`)
  // Rate over the intervals between tokens: time to first token is latency, not speed.
  if (firstToken !== undefined && total !== undefined && counts.tokens > 1 && total > firstToken)
    parts.push(`${(((counts.tokens - 1) * 1000) / (total - firstToken)).toFixed(1)} tokens/s`)
  parts.push(`${counts.tokens} tokens`)
  return parts.join(' · ')
}
