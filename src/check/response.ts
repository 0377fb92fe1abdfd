// The checks one full answer can settle: status and headers, how the events
// arrived, what their payloads are, how the stream ends, and its ids.

import type { Exchange } from './capture.js'
import { read } from './payload.js'
import type { Reading } from './payload.js'
import { fail, pass, skip, warn } from './result.js'
import type { CheckResult } from './result.js'

const clip = (s: string, n = 120): string => (s.length > n ? `${s.slice(0, n)}…` : s)
const show = (s: string): string => JSON.stringify(clip(s, 60))

/** The data events (not `retry`-only or comment blocks) with their readings. */
export function readings(x: Exchange): { reading: Reading; id: string | undefined; data: string }[] {
  return x.events.map(({ event }) => ({ reading: read(event), id: event.id, data: event.data }))
}

/** Status and Content-Type: whether there is a stream to check at all. */
export function checkHead(x: Exchange): CheckResult[] {
  if (x.ended === 'unreachable' || x.status === 0)
    return [fail('status', `no response: ${x.reason ?? 'unknown error'}`, 'check the URL and that the server is running')]
  const out: CheckResult[] = []
  out.push(
    x.status === 200
      ? pass('status', '200')
      : fail(
          'status',
          `HTTP ${x.status}${x.text ? `: ${clip(x.text.replace(/\s+/g, ' '))}` : ''}`,
          'answer a stream request with 200 (check the method, path and body)',
        ),
  )
  const type = x.headers.get('content-type') ?? ''
  out.push(
    type.split(';')[0]!.trim().toLowerCase() === 'text/event-stream'
      ? pass('content-type', type)
      : fail(
          'content-type',
          type ? `Content-Type: ${type}` : 'no Content-Type',
          'send `Content-Type: text/event-stream` (Flask: `Response(gen(), mimetype="text/event-stream")`)',
        ),
  )
  return out
}

/** Headers that keep caches and proxies from storing or holding back the stream. */
export function checkHeaders(x: Exchange): CheckResult[] {
  const cache = x.headers.get('cache-control')
  const accel = x.headers.get('x-accel-buffering')
  return [
    cache && /no-cache|no-store/i.test(cache)
      ? pass('cache-control', `Cache-Control: ${cache}`)
      : fail(
          'cache-control',
          cache ? `Cache-Control: ${cache}` : 'no Cache-Control header',
          'send `Cache-Control: no-cache`, so no browser or proxy cache stores or replays a generation',
        ),
    accel?.trim().toLowerCase() === 'no'
      ? pass('x-accel-buffering', 'X-Accel-Buffering: no')
      : fail(
          'x-accel-buffering',
          accel ? `X-Accel-Buffering: ${accel}` : 'no X-Accel-Buffering header',
          'send `X-Accel-Buffering: no`: nginx (and proxies that honour it) buffer a response by default and would hold the answer back until the end',
        ),
  ]
}

/** When the first event came, and whether the events came as they were made or all at once. */
export function checkTiming(x: Exchange): CheckResult[] {
  const first = x.events[0]
  if (!first)
    return [
      fail(
        'first-event',
        `no event${x.ended === 'timeout' ? ' before the time limit' : ''} (headers after ${x.headersAt} ms)`,
        'write and flush each event as it is made',
      ),
    ]
  const out: CheckResult[] = []
  const firstEvent = `headers after ${x.headersAt} ms, first event after ${first.at} ms`
  out.push(
    first.at > 10_000
      ? warn(
          'first-event',
          firstEvent,
          'send the headers (and a `: keep-alive` comment) at once, so clients and proxies know the stream is alive while the model thinks',
        )
      : pass('first-event', firstEvent),
  )
  const last = x.events.at(-1)!
  const span = last.at - first.at
  const total = x.endAt
  const late = x.events.filter((e) => last.at - e.at <= 50).length
  // Buffering shows as every event arriving in the last instant of a long exchange.
  if (total >= 1000 && x.events.length >= 5 && late >= 0.9 * x.events.length)
    out.push(
      fail(
        'buffering',
        `${late} of ${x.events.length} events arrived in the last 50 ms of ${total} ms: the answer was buffered`,
        'flush after every event (a generator with Flask, `StreamingResponse` with FastAPI), disable compression on the stream, and send `X-Accel-Buffering: no` behind nginx',
      ),
    )
  else
    out.push(
      pass(
        'buffering',
        total >= 1000 ? `${x.events.length} events spread over ${span} ms` : `${x.events.length} events in ${total} ms (too fast to tell buffering apart)`,
      ),
    )
  return out
}

/** Whether every payload is JSON (a Python literal or undecodable text is a failure). */
export function checkPayload(x: Exchange): CheckResult {
  const all = readings(x).filter((r) => r.reading.kind !== 'sentinel')
  if (all.length === 0) return skip('payload', 'no event with data')
  const python = all.filter((r) => r.reading.kind === 'python')
  const text = all.filter((r) => r.reading.kind === 'text')
  const json = all.length - python.length - text.length
  if (python.length)
    return fail(
      'payload',
      `${python.length} of ${all.length} events are Python literals, not JSON (e.g. ${show(python[0]!.data)})`,
      'send JSON: `json.dumps(payload, ensure_ascii=False)`, not `str(dict)` (f"data: {dict}"); JSON.parse and most clients cannot read a Python repr, whose quoting changes with the text',
    )
  const looksBroken = text.filter((r) => /^\s*[[{]/.test(r.data))
  if (looksBroken.length)
    return fail(
      'payload',
      `${looksBroken.length} of ${all.length} events start like JSON but do not parse (e.g. ${show(looksBroken[0]!.data)})`,
      'serialise every event with a JSON encoder, never by string formatting',
    )
  if (text.length && json === 0)
    return warn(
      'payload',
      `plain text (${text.length} events)`,
      'plain text works for text only; JSON events can also carry reasoning, usage, ids and an explicit end marker',
    )
  return pass('payload', `JSON (${json} events)${text.length ? `, ${text.length} plain-text events` : ''}`)
}

/** An explicit end marker after a clean end, and no repeated last token in it. */
export function checkEnd(x: Exchange): CheckResult[] {
  const all = readings(x)
  const endAt = all.findIndex((r) => r.reading.end)
  const errorAt = all.findIndex((r) => r.reading.error)
  const out: CheckResult[] = []
  if (x.ended === 'cut')
    out.push(
      fail(
        'end-marker',
        `the connection broke (${x.reason ?? 'no reason'}) before the body ended`,
        'end the body properly; on a failure send `event: error` with a message, then end it',
      ),
    )
  else if (x.ended === 'timeout') out.push(fail('end-marker', 'the stream did not end within the time limit', 'end the body once the answer is complete'))
  else if (errorAt >= 0 && (endAt < 0 || errorAt < endAt))
    out.push(fail('end-marker', `the stream reported an error: ${show(all[errorAt]!.data)}`, 'check the server log; the upstream failed'))
  else if (endAt < 0)
    out.push(
      fail(
        'end-marker',
        'the body ended without an end marker: a client cannot tell a finished answer from a cut one',
        'send an end marker only when the model finished (`finish_reason`): `data: [DONE]`, `event: done`, or a final object with `"status": "completed"`',
      ),
    )
  else out.push(pass('end-marker', `event ${endAt + 1} of ${all.length}: ${show(all[endAt]!.data)}`))

  if (endAt < 0) {
    out.push(skip('repeated-token', 'no end marker to look at'))
    return out
  }
  const marker = all[endAt]!.reading
  let previous: string | undefined
  for (let i = endAt - 1; i >= 0 && previous === undefined; i--) previous = all[i]!.reading.content
  if (marker.content && marker.content === previous)
    out.push(
      fail(
        'repeated-token',
        `the end event repeats the last token ${show(marker.content)}: a client that appends every \`content\` shows it twice`,
        'send the end marker with empty content (`{"content": "", "status": "completed"}`) or none, not the last dict again',
      ),
    )
  else out.push(pass('repeated-token', marker.content ? `the end event carries new text ${show(marker.content)}` : 'the end event carries no token'))
  return out
}

/** Whether events carry ids, so a client can resume after a dropped connection. */
export function checkIds(x: Exchange): CheckResult {
  const all = readings(x)
  if (all.length === 0) return skip('ids', 'no events')
  const withId = all.filter((r) => r.id !== undefined && r.id !== '').length
  if (withId === 0)
    return fail(
      'ids',
      `none of ${all.length} events has an id`,
      'send `id: <n>` on every event and continue after it when a request carries `Last-Event-ID`: without ids a dropped connection can only start over (a second, billed generation)',
    )
  if (withId < all.length)
    return warn(
      'ids',
      `${withId} of ${all.length} events have an id`,
      'send an id on every event, so a resume continues exactly after the last one the client saw',
    )
  return pass('ids', `every event has an id (last: ${show(all.at(-1)!.id!)})`)
}
