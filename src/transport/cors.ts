// What to tell a developer whose request to another origin failed before any
// response. Browsers hide the reason from scripts on purpose (a CORS
// failure and a refused connection look the same: fetch's TypeError, an
// EventSource error with readyState CLOSED), so this is a hint, never a
// diagnosis; the browser's console names the real cause.

/** Request headers a browser sends cross-origin without a preflight (Fetch §2.2.2, CORS-safelisted), and the Content-Types that keep it so. */
const SAFELISTED = /^(accept|accept-language|content-language)$/
const SIMPLE_TYPE = /^\s*(application\/x-www-form-urlencoded|multipart\/form-data|text\/plain)\s*(;|$)/i

/** What the request looked like, for the parts of the hint that depend on it. */
export interface CorsRequest {
  method: string
  /** The headers sent; absent for EventSource (it sends none a preflight needs). */
  headers?: Headers | undefined
  withCredentials: boolean
}

/**
 * The CORS hint for a request to `url` that failed before any response, or
 * undefined when there is no page origin (Node, Deno without `location`)
 * or `url` is on the page's own origin, where CORS plays no part.
 */
export function corsHint(url: string, request: CorsRequest): string | undefined {
  const page = (globalThis as { location?: { origin?: unknown } }).location?.origin
  if (typeof page !== 'string') return undefined
  let target: string
  try {
    target = new URL(url, page === 'null' ? undefined : page).origin
  } catch {
    return undefined
  }
  if (target === page) return undefined
  const parts = [`the server at ${target} must answer with \`Access-Control-Allow-Origin: ${page}${request.withCredentials ? '' : ' (or *)'}\``]
  if (request.withCredentials) parts.push('`Access-Control-Allow-Credentials: true` (credentials are on)')
  const preflight = preflightHeaders(request)
  if (preflight.length)
    parts.push(
      `answer the preflight (OPTIONS) with \`Access-Control-Allow-Headers: ${preflight.join(', ')}\`${request.method === 'GET' || request.method === 'POST' ? '' : ` and \`Access-Control-Allow-Methods: ${request.method}\``}`,
    )
  return `This page (${page}) called another origin; when that fails before any response it is most often CORS: ${parts.join(', and ')}. Or use a dev-server proxy so the API is on the page's origin. The browser's console names the actual cause.`
}

/** Names of the headers that make the browser send a preflight, as the server must list them. */
function preflightHeaders(request: CorsRequest): string[] {
  const out: string[] = []
  for (const [name, value] of request.headers ?? [])
    if (name === 'content-type' ? !SIMPLE_TYPE.test(value) : !SAFELISTED.test(name)) out.push(CANONICAL[name] ?? name)
  return out
}

const CANONICAL: Record<string, string> = { 'content-type': 'Content-Type', 'last-event-id': 'Last-Event-ID', authorization: 'Authorization' }
