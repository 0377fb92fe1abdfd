import { StreamError } from '../errors.js'

/** What a fetch stream does when the server redirects. @public */
export type RedirectMode = 'same-origin' | 'follow' | 'error'

/** The statuses fetch follows (Fetch §4.4). */
const REDIRECTS = [301, 302, 303, 307, 308]
/** More hops than any real setup needs (fetch's own limit is 20). */
const MAX_HOPS = 20

/**
 * `fetch` that follows redirects only as `mode` allows. fetch's own
 * `redirect: 'follow'` sends the request's headers (an `X-Api-Key`, an
 * `Authorization` outside browsers) to whatever origin the `Location` names,
 * and re-sends the body on 307/308. So redirects are taken by hand here
 * (`redirect: 'manual'`): Node's fetch then shows the 3xx and its
 * `Location`; a browser shows an opaque response (`type: 'opaqueredirect'`,
 * status 0) that hides where it leads, so there no redirect can be checked,
 * and none is followed.
 */
export async function fetchRedirecting(
  fetchImpl: typeof fetch,
  url: string,
  init: RequestInit & { method: string; headers: Headers },
  mode: RedirectMode,
): Promise<Response> {
  let request: RequestInit = { ...init, redirect: mode === 'follow' ? 'follow' : 'manual' }
  for (let hop = 0; ; hop++) {
    const response = await fetchImpl(url, request)
    const { status } = response
    const opaque = response.type === 'opaqueredirect'
    if (mode === 'follow' || !(opaque || REDIRECTS.includes(status))) return response
    response.body?.cancel().catch(() => {})
    const location = response.headers.get('location')
    const target = !opaque && location !== null ? resolve(location, url) : undefined
    const from = resolve(url)
    // A browser hides where an opaque redirect leads, so it cannot be checked.
    const why =
      mode === 'error'
        ? "redirect is 'error'"
        : !target || !from || target.origin !== from.origin || target.origin === 'null'
          ? 'another origin must not get your headers and body'
          : hop >= MAX_HOPS && 'too many redirects'
    if (why)
      throw new StreamError(
        'http',
        `HTTP ${status || '3xx'}: redirected ${target ? 'to ' + target.href : '(target hidden by the browser)'}, not followed: ${why}. Use the final URL, or redirect: 'follow' if you trust it.`,
        { status: status || undefined },
      )
    url = target!.href
    // As fetch does (Fetch §4.4 HTTP-redirect fetch): 303, and 301/302 after
    // a POST, turn into a GET without body; 307/308 keep both.
    if (status === 303 || (status < 303 && request.method === 'POST')) {
      const headers = new Headers(request.headers)
      headers.delete('content-type')
      request = { ...request, method: 'GET', body: null, headers }
    }
  }
}

/** `href` resolved against `base` (or the page), or undefined when it is not a URL. */
function resolve(href: string, base?: string): URL | undefined {
  try {
    return new URL(href, base ?? (globalThis as { location?: { href?: string } }).location?.href)
  } catch {
    return undefined
  }
}
