// A deliberately naive reading of WHATWG HTML §9.2.6, used as the oracle in
// the fuzz tests: the whole decoded body at once, character by character,
// with the spec's own buffers (data + "\n" per line, one "\n" removed at
// dispatch, a last event ID buffer that persists). No fast paths to share
// bugs with src/sse/parse.ts.

import type { SseEvent } from '../../src/index.js'

export interface ReferenceResult {
  events: SseEvent[]
  comments: string[]
  retries: number[]
  discarded: string | undefined
  lastEventId: string
}

const FIELDS = ['data', 'event', 'id', 'retry']

/** Interpret `text` (already decoded, leading BOM already removed) as one whole stream. */
export function reference(text: string, lastEventIdBefore = ''): ReferenceResult {
  const events: SseEvent[] = []
  const comments: string[] = []
  const retries: number[] = []
  let dataBuffer = ''
  let typeBuffer = ''
  let idBuffer = lastEventIdBefore
  let blockId: string | undefined
  let lastEventId = lastEventIdBefore
  // The pending event's field lines (data, event, id, retry) with their line
  // ends: comments and unknown fields are no part of it.
  let pending = ''
  let pos = 0
  for (;;) {
    let end = pos
    while (end < text.length && text[end] !== '\r' && text[end] !== '\n') end++
    if (end === text.length) break
    const line = text.slice(pos, end)
    const next = text[end] === '\r' && text[end + 1] === '\n' ? end + 2 : end + 1
    if (line === '') {
      lastEventId = idBuffer
      if (dataBuffer !== '') {
        let data = dataBuffer
        if (data.endsWith('\n')) data = data.slice(0, -1)
        events.push({ type: typeBuffer === '' ? 'message' : typeBuffer, data, id: blockId, lastEventId })
      }
      dataBuffer = ''
      typeBuffer = ''
      blockId = undefined
      pending = ''
    } else if (line.startsWith(':')) {
      comments.push(line.slice(1))
    } else {
      let name = line
      let value = ''
      const colon = line.indexOf(':')
      if (colon >= 0) {
        name = line.slice(0, colon)
        value = line.slice(colon + 1)
        if (value.startsWith(' ')) value = value.slice(1)
      }
      if (FIELDS.includes(name)) pending += text.slice(pos, next)
      if (name === 'event') typeBuffer = value
      else if (name === 'data') dataBuffer += value + '\n'
      else if (name === 'id' && !value.includes('\0')) {
        idBuffer = value
        blockId = value
      } else if (name === 'retry' && /^[0-9]+$/.test(value)) retries.push(parseInt(value, 10))
    }
    pos = next
  }
  const partial = text.slice(pos)
  // A last, unterminated line counts when it is, or may still become, a field line.
  const field = FIELDS.some((f) => (partial.length <= f.length ? f.startsWith(partial) : partial.startsWith(f + ':'))) && partial !== ''
  const discarded = pending || field ? pending + (field ? partial : '') : undefined
  return { events, comments, retries, discarded, lastEventId }
}
