import { StreamError } from '../errors.js'

/** How much of an error body we read: enough for any error page, bounded for a hostile one. */
const MAX_ERROR_BODY = 64 * 1024
/** How much of a 200 JSON body we read: it may be a whole answer (a request without `stream: true`). */
const MAX_JSON_ANSWER = 4 * 1024 * 1024

/**
 * Accept only what `EventSource` would (WHATWG HTML §9.2.3): status 200 and
 * a MIME essence of `text/event-stream` (parameters such as `;charset=utf-8`
 * allowed, case-insensitive). Any 2xx other than 200 fails too; 204 is the
 * spec's "stop, do not reconnect". Otherwise reads a bounded excerpt of the
 * body and throws a {@link StreamError} whose message is what a person
 * needs: the JSON error's message or the HTML page's text, not its markup.
 *
 * Resolves with the body of a 200 `chat.completion` JSON document: the
 * whole answer of a request that forgot `stream: true`, read as one event.
 */
export async function checkResponse(response: Response): Promise<string | undefined> {
  const type = response.headers.get('content-type') ?? ''
  const essence = type.split(';')[0]!.trim().toLowerCase()
  if (response.status === 200 && essence === 'text/event-stream') return
  const json = response.status === 200 && /^application\/([\w.-]+\+)?json$/.test(essence)
  const body = await readBounded(response, json ? MAX_JSON_ANSWER : MAX_ERROR_BODY)
  if (json && isCompletion(body)) return body
  const retryAfter = parseRetryAfter(response.headers.get('retry-after'))
  const status = response.status
  const init = { status, body, retryAfter }
  if (status !== 200) {
    const reason = summarize(body, type) || response.statusText
    throw new StreamError('http', `HTTP ${status}${reason ? `: ${reason}` : ''}`, init)
  }
  // Any other JSON: its error message if it has one, never the whole document.
  const detail = json ? jsonMessage(body) ?? 'a JSON document, not a stream (an OpenAI-compatible API streams only with "stream": true)' : body && summarize(body, type)
  throw new StreamError('content-type', `Expected text/event-stream, got ${type || 'no Content-Type'}${detail ? `: ${detail}` : ''}`, init)
}

/** A whole `chat.completion` document. */
function isCompletion(body: string): boolean {
  try {
    const v = JSON.parse(body) as { object?: unknown; choices?: unknown }
    return v.object === 'chat.completion' && Array.isArray(v.choices)
  } catch {
    return false
  }
}

async function readBounded(response: Response, limit: number): Promise<string> {
  const reader = response.body?.getReader()
  if (!reader) return ''
  const decoder = new TextDecoder()
  let text = ''
  try {
    while (text.length < limit) {
      const { done, value } = await reader.read()
      if (done) break
      text += decoder.decode(value, { stream: true })
    }
  } catch {
    // A body that breaks while we read an error page: what we have is enough.
  } finally {
    reader.cancel().catch(() => {})
  }
  return text
}

/** The human part of an error body: a JSON `error.message`/`message`/`detail`, or an HTML page's visible text. */
export function summarize(body: string, type = ''): string {
  const trimmed = body.trim()
  if (!trimmed) return ''
  const msg = trimmed[0] === '{' || type.includes('json') ? jsonMessage(trimmed) : undefined
  if (msg !== undefined) return msg
  const text = /<[a-z!/][\s\S]*>/i.test(trimmed)
    ? trimmed
        .replace(/<(script|style|title)[\s\S]*?<\/\1>/gi, ' ')
        .replace(/<[^>]*>/g, ' ')
        .replace(/&lt;/g, '<')
        .replace(/&gt;/g, '>')
        .replace(/&quot;/g, '"')
        .replace(/&#39;|&#x27;/g, "'")
        .replace(/&amp;/g, '&')
    : trimmed
  const flat = text.replace(/\s+/g, ' ').trim()
  return flat.length > 300 ? flat.slice(0, 300) + '…' : flat
}

/** A JSON error body's `error.message` / `error` / `message` / `detail`, if it is JSON and has one. */
function jsonMessage(body: string): string | undefined {
  try {
    const json = JSON.parse(body) as Record<string, unknown>
    const e = json.error
    const msg = (typeof e === 'object' && e !== null ? (e as Record<string, unknown>).message : e) ?? json.message ?? json.detail
    return typeof msg === 'string' ? msg : undefined
  } catch {
    // Not JSON after all.
  }
}

/** `Retry-After` as milliseconds: delta-seconds or an HTTP date (RFC 9110 §10.2.3). */
export function parseRetryAfter(value: string | null): number | undefined {
  if (!value) return undefined
  const seconds = value.trim()
  if (/^\d+$/.test(seconds)) return +seconds * 1000
  const date = Date.parse(value)
  return Number.isNaN(date) ? undefined : Math.max(0, date - Date.now())
}
