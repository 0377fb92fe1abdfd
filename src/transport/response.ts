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
  const doc = json ? parsed(body) : undefined
  // A whole `chat.completion`: the answer of a request that forgot `stream: true`.
  if (doc?.object === 'chat.completion' && Array.isArray(doc.choices)) return body
  const retryAfter = parseRetryAfter(response.headers.get('retry-after'))
  const status = response.status
  const init = { status, body, retryAfter }
  if (status !== 200) {
    const reason = summarize(body, type) || response.statusText
    throw new StreamError('http', `HTTP ${status}${reason ? `: ${reason}` : ''}`, init)
  }
  // Any other JSON: its error message if it has one, never the whole document.
  const detail = json
    ? (jsonMessage(doc) ?? 'a JSON document, not a stream (an OpenAI-compatible API streams only with "stream": true)')
    : body && summarize(body, type)
  throw new StreamError('content-type', `Expected text/event-stream, got ${type || 'no Content-Type'}${detail ? `: ${detail}` : ''}`, init)
}

/** `body` parsed as JSON, or undefined when it is not JSON (or is `null`). */
function parsed(body: string): Record<string, unknown> | undefined {
  try {
    return JSON.parse(body) ?? undefined
  } catch {
    // Not JSON after all.
  }
}

/**
 * At most `limit` bytes of the body, decoded. A chunk is cut at the
 * limit before it is decoded: one huge chunk (a Response built from a big
 * string, a proxy that buffers) must not become one huge string.
 */
async function readBounded(response: Response, limit: number): Promise<string> {
  const reader = response.body?.getReader()
  if (!reader) return ''
  const decoder = new TextDecoder()
  let text = ''
  let left = limit
  try {
    while (left > 0) {
      const { done, value } = await reader.read()
      if (done) break
      const part = value.length > left ? value.subarray(0, left) : value
      left -= part.length
      text += decoder.decode(part, { stream: left > 0 })
    }
  } catch {
    // A body that breaks while we read an error page: what we have is enough.
  } finally {
    reader.cancel().catch(() => {})
  }
  return text
}

/**
 * The visible text of an HTML page: `script`, `style` and `title` elements
 * and every tag removed. Hand-written scans, one pass each: the obvious
 * regexes (`<[a-z!/][\s\S]*>`, `<(script|…)[\s\S]*?<\/\1>`, `<[^>]*>`)
 * retry from every `<` and take seconds on a crafted 60 KiB page.
 */
function pageText(html: string): string {
  let out = ''
  let i = 0
  for (;;) {
    const lt = html.indexOf('<', i)
    if (lt < 0) break
    const gt = html.indexOf('>', lt)
    // No `>` anywhere after: no tag can follow, the rest is text.
    if (gt < 0) break
    out += html.slice(i, lt) + ' '
    i = gt + 1
    const name = /^<(script|style|title)\b/i.exec(html.slice(lt, lt + 8))
    if (name) {
      // Up to the matching close tag (a literal search, so linear); an
      // element never closed hides the rest.
      const close = new RegExp('</' + name[1], 'gi')
      close.lastIndex = i
      const at = close.exec(html)?.index ?? -1
      const end = at < 0 ? -1 : html.indexOf('>', at)
      if (end < 0) return out
      i = end + 1
    }
  }
  return out + html.slice(i)
}

const ENTITIES: Record<string, string> = { '&lt;': '<', '&gt;': '>', '&quot;': '"', '&#39;': "'", '&#x27;': "'", '&amp;': '&' }

/** The human part of an error body: a JSON `error.message`/`message`/`detail`, or an HTML page's visible text. */
export function summarize(body: string, type = ''): string {
  const trimmed = body.trim()
  if (!trimmed) return ''
  const msg = trimmed[0] === '{' || type.includes('json') ? jsonMessage(parsed(trimmed)) : undefined
  if (msg !== undefined) return msg
  // Markup when a tag opens somewhere and a `>` follows it.
  const tag = /<[a-z!/]/i.exec(trimmed)
  const text = tag && trimmed.lastIndexOf('>') > tag.index ? pageText(trimmed).replace(/&(?:lt|gt|quot|#39|#x27|amp);/g, (e) => ENTITIES[e]!) : trimmed
  const flat = text.replace(/\s+/g, ' ').trim()
  return flat.length > 300 ? flat.slice(0, 300) + '…' : flat
}

/** A JSON error body's `error.message` / `error` / `message` / `detail`, if it has one. */
function jsonMessage(json: Record<string, unknown> | undefined): string | undefined {
  const e = json?.error
  const msg = (typeof e === 'object' && e !== null ? (e as Record<string, unknown>).message : e) ?? json?.message ?? json?.detail
  return typeof msg === 'string' ? msg : undefined
}

/** `Retry-After` as milliseconds: delta-seconds or an HTTP date (RFC 9110 §10.2.3). */
export function parseRetryAfter(value: string | null): number | undefined {
  if (!value) return undefined
  const seconds = value.trim()
  if (/^\d+$/.test(seconds)) return +seconds * 1000
  const date = Date.parse(value)
  return Number.isNaN(date) ? undefined : Math.max(0, date - Date.now())
}
