import { StreamError } from '../errors.js'
import type { SseEnd, SseEvent } from '../sse/types.js'

// The AI SDK's data stream (v3/v4, `x-vercel-ai-data-stream: v1`) is not SSE
// but one `CODE:JSON` part per line, served as text/plain. Each line becomes
// one event, so the `ai-sdk` dialect reads it like its SSE-framed form.

/** Split a body into lines, each delivered as one `message` event. Linear; a line is bounded by `maxEventBytes`. */
export function createLineParser(options: { onEvent: (event: SseEvent) => void; onError: (error: StreamError) => void; maxEventBytes: number }): {
  feed(chunk: Uint8Array): void
  end(): SseEnd
} {
  const decoder = new TextDecoder()
  let tail = ''
  const line = (data: string) => {
    if (data) options.onEvent({ type: 'message', data, id: undefined, lastEventId: '' })
  }
  return {
    feed(chunk) {
      // Only the new text is searched: a long line in many small chunks must not be rescanned.
      const text = decoder.decode(chunk, { stream: true })
      let start = 0
      for (let nl; (nl = text.indexOf('\n', start)) !== -1; start = nl + 1) {
        line(tail + text.slice(start, nl))
        tail = ''
      }
      tail += text.slice(start)
      if (tail.length > options.maxEventBytes) {
        tail = ''
        options.onError(new StreamError('too-large', `A data stream line grew past ${options.maxEventBytes} characters (maxEventBytes)`))
      }
    },
    // Every part ends with a newline: a last line without one was cut.
    end: () => ({ discarded: tail + decoder.decode() || undefined }),
  }
}
