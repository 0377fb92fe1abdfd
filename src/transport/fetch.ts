import { StreamError } from '../errors.js'
import { createSseParser } from '../sse/parse.js'
import type { Attempt, AttemptOutcome } from './attempt.js'
import { corsHint } from './cors.js'
import { lastEventIdHeader } from './last-event-id.js'
import { resolveHeaders } from './headers.js'
import { createLineParser } from './lines.js'
import { fetchRedirecting } from './redirect.js'
import { checkResponse } from './response.js'

/**
 * One request over fetch streaming, parsed by our own SSE parser.
 *
 * Why not `@microsoft/fetch-event-source` underneath: every behaviour of its
 * connection loop had to be turned off (retry forever, re-POST on tab
 * switch, `window`/`document`, dropped `Headers`, ignored pre-aborted
 * signal, leaked bodies on retry) and its parser had to be replaced (2/11
 * WPT vectors); what remained was a `fetch()` call and a reader loop. See
 * the README's design notes.
 */
export async function fetchAttempt(a: Attempt): Promise<AttemptOutcome> {
  const ended = { kind: 'ended' } as const
  const controller = new AbortController()
  a.setCancel(() => controller.abort())
  // connect() only resumes from ids that can be sent, so undefined means none.
  const resumeFrom = a.lastEventId ? lastEventIdHeader(a.lastEventId) : undefined
  // Ours first: the caller's headers (copied for each attempt) win.
  const headers = await resolveHeaders([{ accept: 'text/event-stream', 'content-type': a.contentType }, ...a.headers, { 'last-event-id': resumeFrom }])
  if (a.isFinal()) return ended

  let response: Response
  try {
    // Resolved now, not at import: msw and other patchers replace the global later.
    const fetchImpl = a.fetch ?? globalThis.fetch
    if (typeof fetchImpl !== 'function') throw new StreamError('invalid-options', 'No fetch() here: pass `fetch` to createClient().')
    response = await fetchRedirecting(
      fetchImpl,
      a.url,
      {
        method: a.method,
        headers,
        // The public type spells BodyInit out without generics, for older TypeScript and no DOM lib.
        body: (a.body ?? null) as BodyInit | null,
        signal: controller.signal,
        cache: 'no-store',
        credentials: a.withCredentials ? 'include' : 'same-origin',
      },
      a.redirect,
    )
  } catch (cause) {
    if (a.isFinal()) return ended
    // A refused redirect: the server answered, so it is no reason to retry.
    if (cause instanceof StreamError) {
      if (cause.code === 'http') return { kind: 'failed', responded: true, error: cause }
      throw cause
    }
    return {
      kind: 'failed',
      responded: false,
      error: new StreamError('network', `Could not reach ${a.url}: ${message(cause)}`, {
        cause,
        hint: corsHint(a.url, { method: a.method, headers, withCredentials: a.withCredentials }),
      }),
    }
  }

  let whole: string | undefined
  // The AI SDK's data stream: text/plain lines, marked by its own header.
  const lines = response.status === 200 && response.headers.has('x-vercel-ai-data-stream')
  try {
    if (!lines) whole = await checkResponse(response)
  } catch (error) {
    return { kind: 'failed', responded: true, error: error as StreamError }
  }
  a.opened()
  if (whole !== undefined) {
    // The request lacked `stream: true`: the answer is whole, only not streamed.
    a.warn({ code: 'not-streamed', message: 'The server sent the whole answer as one JSON document: add "stream": true to the request to stream it' })
    a.event({ type: 'message', data: whole, id: undefined, lastEventId: '' })
    return ended
  }

  const options = { onEvent: a.event, onRetry: a.retryHint, onError: a.fail, maxEventBytes: a.maxEventBytes }
  const parser = lines ? createLineParser(options) : createSseParser(options)
  const reader = response.body!.getReader()
  try {
    for (;;) {
      const { done, value } = await reader.read()
      if (done) break
      a.bytes()
      parser.feed(value)
      if (a.isFinal()) return ended
    }
  } catch (cause) {
    if (a.isFinal()) return ended
    // A Flask generator that raised: HTTP 200, whole events, then the
    // connection closes without the terminating chunk (undici: "terminated").
    return {
      kind: 'failed',
      responded: true,
      events: true,
      error: new StreamError('network', `Connection broke before the end marker: ${message(cause)}`, { cause }),
    }
  } finally {
    // Every exit releases the connection: after the end marker, on abort,
    // on timeout and on error (ky #651, fetch-event-source PR #7).
    reader.cancel().catch(() => {})
    controller.abort()
  }
  return { kind: 'ended', discarded: parser.end().discarded }
}

/** An error's message, with its cause's (undici hides the reason there: "fetch failed (connect ECONNREFUSED)"). */
function message(error: unknown): string {
  const e = error as { message?: unknown; cause?: { message?: unknown } }
  const inner = e?.cause?.message
  return (typeof e?.message === 'string' ? e.message : String(error)) + (typeof inner === 'string' ? ` (${inner})` : '')
}
