import type { StreamError } from '../errors.js'
import type { Attempt, AttemptOutcome } from './attempt.js'
import type { corsHint } from './cors.js'

/** Something constructed like the browser's `EventSource`. @public */
export interface EventSourceLike {
  readonly readyState: number
  close(): void
  addEventListener(type: string, listener: (event: Event) => void): void
}

/** The `EventSource` constructor shape the GET transport needs. @public */
export type EventSourceConstructor = new (url: string, init?: { withCredentials?: boolean }) => EventSourceLike

const CONNECTING = 0
const CLOSED = 2

/**
 * What this transport uses of the rest of the SDK, handed in by the caller
 * rather than imported: it is loaded on first use, and a bundler would
 * otherwise split what both sides import into a third chunk.
 * @internal
 */
export interface EventSourceDeps {
  StreamError: typeof StreamError
  corsHint: typeof corsHint
}

/** `url` with a `lastEventId` query parameter, for `EventSource`, which cannot set headers. */
function withLastEventIdQuery(url: string, id: string): string {
  const hash = url.indexOf('#')
  const base = hash < 0 ? url : url.slice(0, hash)
  return base + (base.includes('?') ? '&' : '?') + 'lastEventId=' + encodeURIComponent(id) + (hash < 0 ? '' : url.slice(hash))
}

/**
 * One GET over the platform's `EventSource`.
 *
 * `EventSource` reconnects by itself whenever the response ends, cleanly or
 * not (WHATWG HTML §9.2.3), and a typical Flask generator ignores `Last-Event-ID`, so
 * every reconnect is a second, billed generation. We therefore close it as
 * soon as the stream is final and on every connection error, unless retry
 * is on and the server sent ids (then the platform's own reconnect, which
 * sends `Last-Event-ID`, is the retry).
 *
 * It cannot see the HTTP status, nor tell a finished body from a cut one:
 * readyState CLOSED after an error means the connection failed (a status
 * other than 200 or a wrong Content-Type); CONNECTING means the body ended.
 */
export function eventSourceAttempt(a: Attempt, { StreamError, corsHint }: EventSourceDeps): Promise<AttemptOutcome> {
  const ES = a.EventSource ?? (globalThis as { EventSource?: Attempt['EventSource'] }).EventSource
  if (!ES) throw new StreamError('invalid-options', "No EventSource here: pass `EventSource` or use transport: 'fetch'.")
  return new Promise((resolve) => {
    // EventSource cannot set `Last-Event-ID` on its first request, so a
    // resume goes as a query parameter; its own later reconnects add the
    // header too, which a server should prefer as the newer of the two.
    const url = a.lastEventId ? withLastEventIdQuery(a.url, a.lastEventId) : a.url
    const source = new ES(url, { withCredentials: a.withCredentials })
    let opened = false
    let lastId = a.lastEventId
    const finish = (outcome: AttemptOutcome) => {
      source.close()
      resolve(outcome)
    }
    a.setCancel(() => finish({ kind: 'ended' }))

    const onMessage = (e: Event) => {
      const m = e as MessageEvent
      const id = m.lastEventId ?? ''
      a.bytes()
      a.event({ type: m.type, data: String(m.data), id: id !== lastId ? id : undefined, lastEventId: id })
      lastId = id
      if (a.isFinal()) finish({ kind: 'ended' })
    }
    source.addEventListener('open', () => {
      opened = true
      a.opened()
    })
    for (const type of new Set(['message', 'done', ...a.eventTypes])) source.addEventListener(type, onMessage)
    source.addEventListener('error', (e) => {
      // A server-sent `event: error` arrives on the same listener as the
      // connection's own error; only the former carries data.
      if (typeof (e as MessageEvent).data === 'string') return onMessage(e)
      if (a.isFinal()) return finish({ kind: 'ended' })
      const state = source.readyState
      if (state === CONNECTING && opened && a.mayReconnect()) return
      // The `eventsource` npm package exposes the status; browsers do not.
      const { code: status, message: detail } = e as { code?: unknown; message?: unknown }
      // The body ended after it had opened. EventSource cannot tell a clean
      // end from a cut, so it is reported as an end, and the reducer decides
      // as for fetch's clean end: the status must not depend on the transport.
      if (state === CONNECTING && opened && typeof status !== 'number') return finish({ kind: 'ended' })
      // Closed before it opened, on another origin: a refused CORS check looks
      // exactly like this, and nothing says a response was even readable.
      const hint = state === CLOSED && !opened && typeof status !== 'number' ? corsHint(url, { method: 'GET', withCredentials: a.withCredentials }) : undefined
      // EventSource hides why it failed (browsers give no status); fetch shows it.
      const why = 'a status other than 200 or a Content-Type other than text/event-stream (transport: "fetch" shows which)'
      const error =
        hint || state === CLOSED || typeof status === 'number'
          ? new StreamError(
              hint ? 'network' : 'http',
              `EventSource could not open ${a.url}: ${hint ? 'CORS, or ' + why : typeof detail === 'string' && detail ? detail : why}`,
              { hint, status: typeof status === 'number' ? status : undefined },
            )
          : new StreamError('network', `EventSource could not connect to ${a.url}`)
      finish({ kind: 'failed', error, responded: opened || state === CLOSED, events: opened })
    })
  })
}
