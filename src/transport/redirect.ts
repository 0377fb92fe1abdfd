import { StreamError } from '../errors.js'

/** What a fetch stream does when the server redirects. @public */
export type RedirectMode = 'same-origin' | 'follow' | 'error'

/** More hops than any real setup needs (fetch's own limit is 20). */
const MAX_HOPS = 20
const REDIRECT_STATUS = [301, 302, 303, 307, 308]

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
  if (mode === 'follow') return fetchImpl(url, { ...init, redirect: 'follow' })
  let current = url
  let request = init
  for (let hop = 0; ; hop++) {
    const response = await fetchImpl(current, { ...request, redirect: 'manual' })
    const opaque = response.type === 'opaqueredirect'
    if (!opaque && !REDIRECT_STATUS.includes(response.status)) return response
    response.body?.cancel().catch(() => {})
    const status = response.status
    const location = response.headers.get('location')
    const target = opaque || location === null ? undefined : resolve(location, current)
    const where = target ? `to ${target.href}` : '(the browser does not say where)'
    const refuse = (why: string) => {
      throw new StreamError(
        'http',
        `HTTP ${status || '3xx'}: redirected ${where}, not followed: ${why} Point the client at the final URL${mode === 'error' ? '' : ", or set redirect: 'follow' if you trust where it leads"}.`,
        { status: status || undefined },
      )
    }
    if (mode === 'error') refuse("redirect is 'error'.")
    if (!target) refuse(opaque ? 'a browser hides the target of a redirect, so it cannot be checked to be on the same origin.' : 'it has no valid Location.')
    const from = resolve(current, undefined)
    if (!from || target!.origin !== from.origin || target!.origin === 'null')
      refuse('it leads to another origin, and your headers and body must not go there.')
    if (hop >= MAX_HOPS) refuse(`more than ${MAX_HOPS} redirects.`)
    current = target!.href
    // As fetch does (Fetch §4.4 HTTP-redirect fetch): 303, and 301/302 after
    // a POST, turn into a GET without body; 307/308 keep both.
    if (status === 303 || ((status === 301 || status === 302) && request.method === 'POST')) {
      const headers = new Headers(request.headers)
      headers.delete('content-type')
      request = { ...request, method: 'GET', body: null, headers }
    } else if (request.body instanceof ReadableStream) refuse('a stream body cannot be sent twice.')
  }
}

/** `href` resolved against `base` (or the page), or undefined when it is not a URL. */
function resolve(href: string, base: string | undefined): URL | undefined {
  try {
    return new URL(href, base ?? (globalThis as { location?: { href?: string } }).location?.href)
  } catch {
    return undefined
  }
}
