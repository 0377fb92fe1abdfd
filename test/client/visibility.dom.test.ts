import { afterEach, expect, test } from 'vitest'
import { createClient } from '../../src/index.js'
import { seedEvent, serve, sseHead } from '../helpers/http.js'
import type { TestServer } from '../helpers/http.js'

let s: TestServer
afterEach(() => s?.close())

function setHidden(hidden: boolean) {
  Object.defineProperty(document, 'hidden', { configurable: true, get: () => hidden })
  Object.defineProperty(document, 'visibilityState', { configurable: true, get: () => (hidden ? 'hidden' : 'visible') })
  document.dispatchEvent(new Event('visibilitychange'))
}

// fetch-event-source aborts on hide and re-POSTs on show (Azure/fetch-event-source#36):
// a second, billed generation. We never look at visibility.
test('hiding and showing the tab during a POST sends exactly one request', async () => {
  let release!: () => void
  const gate = new Promise<void>((r) => (release = r))
  s = await serve(async (_req, res) => {
    sseHead(res)
    res.write(seedEvent('a'))
    await gate
    res.end(seedEvent('b') + seedEvent('b', ", 'status': 'completed'"))
  })
  const stream = createClient({ baseUrl: s.url }).post('/stream/post', { json: { prompt: 'p' } })
  stream.on('delta', (e) => {
    if (e.text !== 'a') return
    setHidden(true)
    setHidden(false)
    release()
  })
  const r = await stream.result
  expect(r.status).toBe('completed')
  expect(r.text).toBe('ab')
  expect(s.requests).toHaveLength(1)
})
