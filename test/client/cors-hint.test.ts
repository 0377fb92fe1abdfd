// The CORS hint through the public API in Node, with a page origin given as
// `location` (as in a browser or a worker): only a request to another
// origin that fails before any response carries it. The browser's own
// behaviour is in test/e2e/cors.test.ts.

import { afterEach, expect, test, vi } from 'vitest'
import { createClient } from '../../src/index.js'
import { serve } from '../helpers/http.js'

afterEach(() => {
  vi.unstubAllGlobals()
})

/** An origin where nothing listens: a connection to it fails before any response. */
async function closedOrigin(): Promise<string> {
  const s = await serve(() => {})
  await s.close()
  return s.url
}

test('a failed request to another origin than the page carries a hint, in the error and after Hint: in its message', async () => {
  const api = await closedOrigin()
  vi.stubGlobal('location', { origin: 'http://localhost:5173' })
  const r = await createClient({ baseUrl: api, retry: false }).post('/stream/post', { json: { prompt: 'hi' }, headers: { Authorization: 'Bearer x' } }).result
  expect(r.error?.code).toBe('network')
  expect(r.error?.hint).toBe(
    `This page (http://localhost:5173) called another origin; when that fails before any response it is most often CORS: the server at ${api} must answer with \`Access-Control-Allow-Origin: http://localhost:5173 (or *)\`, and answer the preflight (OPTIONS) with \`Access-Control-Allow-Headers: Authorization, Content-Type\`. Or use a dev-server proxy so the API is on the page's origin. The browser's console names the actual cause.`,
  )
  expect(r.error?.message).toMatch(new RegExp(`^Could not reach ${api}/stream/post: .*\\. Hint: This page`))
})

test('with credentials on, the hint asks for the exact origin and Access-Control-Allow-Credentials', async () => {
  const api = await closedOrigin()
  vi.stubGlobal('location', { origin: 'http://localhost:5173' })
  const r = await createClient({ baseUrl: api, retry: false, withCredentials: true }).get('/stream/get', { transport: 'fetch' }).result
  expect(r.error?.hint).toContain('`Access-Control-Allow-Origin: http://localhost:5173`, and `Access-Control-Allow-Credentials: true` (credentials are on)')
  expect(r.error?.hint).not.toContain('(or *)')
})

test("no hint on the page's own origin, nor where there is no page (Node)", async () => {
  const api = await closedOrigin()
  const sameOrigin = (): Promise<unknown> => createClient({ baseUrl: api, retry: false }).get('/stream/get', { transport: 'fetch' }).result
  vi.stubGlobal('location', { origin: api })
  expect(await sameOrigin()).toMatchObject({ status: 'error', error: { code: 'network', hint: undefined } })
  vi.unstubAllGlobals()
  expect(globalThis.location).toBeUndefined()
  const r = (await sameOrigin()) as { error: { message: string; hint: unknown } }
  expect(r.error.hint).toBeUndefined()
  expect(r.error.message).not.toContain('Hint:')
})
