import type { LlmStream, StreamResult, StreamStatus } from '../index.js'
import { throttled } from './schedule.js'

/** The fields of an answer that a stream fills in. @internal */
export type AnswerFields = Omit<StreamResult, 'warnings' | 'status'> & { status: StreamStatus }

/**
 * Follow a stream: `update(fields)` with its live values at most once per
 * throttle tick when one of them changed, then `update(fields, result)`
 * synchronously when it is final, and nothing after, so the
 * last tokens are published together with the final status, never after it.
 * @internal
 */
export function follow(
  stream: LlmStream,
  throttle: () => number | 'frame' | undefined,
  update: (fields: Partial<AnswerFields>, result?: StreamResult) => void,
): void {
  let last: Partial<AnswerFields> = {}
  let done = false
  const tick = throttled(throttle, () => {
    // The id is read with the text it belongs to: a stored answer resumes after exactly what it shows.
    const now = { text: stream.text, reasoning: stream.reasoning, status: stream.status, meta: stream.meta, lastEventId: stream.lastEventId }
    // A tick still pending when the stream ended has nothing left to say.
    if (!done && (now.text !== last.text || now.reasoning !== last.reasoning || now.status !== last.status || now.meta !== last.meta)) update((last = now))
  })
  for (const type of ['status', 'delta', 'reasoning', 'meta'] as const) stream.on(type, tick)
  stream.on('done', ({ result }) => {
    done = true
    const { warnings, ...fields } = result
    update(fields, result)
  })
}
