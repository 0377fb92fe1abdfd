import { EventSource as NodeEventSource } from 'eventsource'
import { afterAll, beforeAll, expect, test } from 'vitest'
import { createClient } from '../../src/index.js'
import type { EventSourceConstructor, StreamResult } from '../../src/index.js'
import { startMockServer } from '../../src/mock/server.js'
import type { MockServer } from '../../src/mock/server.js'
import { serve, sseHead } from '../helpers/http.js'
import type { TestServer } from '../helpers/http.js'

// A plain-text stream has no end marker, so a body that ends cleanly proves
// nothing: Werkzeug's `Connection: close` body cut short, or a framework
// that closes the response when its handler throws, look exactly like a
// finished answer. The status must also not depend on the transport.

const ES = NodeEventSource as unknown as EventSourceConstructor
const TRANSPORTS = ['fetch', 'eventsource'] as const

let cut: TestServer
let mock: MockServer
beforeAll(async () => {
  // Two tokens, then a clean end of the body: what a cut answer looks like on the wire.
  cut = await serve((_req, res) => {
    sseHead(res)
    res.end('data: The answer is\n\ndata:  forty\n\n')
  })
  mock = await startMockServer()
})
afterAll(async () => {
  await cut.close()
  await mock.close()
})

const run = (base: string, path: string, transport: (typeof TRANSPORTS)[number], options: object = {}): Promise<StreamResult> =>
  createClient({ baseUrl: base, EventSource: ES }).get(path, { transport, ...options }).result

test('a plain-text stream that ends without [DONE] is incomplete over fetch and EventSource alike', async () => {
  for (const transport of TRANSPORTS)
    for (const dialect of ['text', 'auto'] as const) {
      const r = await run(cut.url, '/', transport, { dialect })
      expect(r, `${transport} ${dialect}`).toMatchObject({ status: 'incomplete', text: 'The answer is forty', error: { code: 'incomplete' } })
      expect(r.error?.message).toMatch(/\[DONE\].*closeMeansDone/)
    }
})

test('closeMeansDone: true makes the same clean end completed, over fetch and EventSource alike', async () => {
  for (const transport of TRANSPORTS) {
    const r = await run(cut.url, '/', transport, { dialect: 'text', closeMeansDone: true })
    expect(r, transport).toMatchObject({ status: 'completed', text: 'The answer is forty' })
    expect(r.error).toBeUndefined()
  }
})

test("the mock's text route: completed with its [DONE], incomplete without it, over fetch and EventSource alike", async () => {
  for (const transport of TRANSPORTS) {
    const whole = await run(mock.url, '/stream/text?text=hi', transport)
    expect(whole.status, transport).toBe('completed')
    const cutShort = await run(mock.url, '/stream/text?text=hi&noDone=1', transport)
    expect(cutShort, transport).toMatchObject({ status: 'incomplete', text: whole.text })
  }
})

test('a seed-style stream cut before its completed event is incomplete with the same error over both transports', async () => {
  const messages = []
  for (const transport of TRANSPORTS) {
    const r = await run(mock.url, '/stream/get?text=hi&noDone=1', transport)
    expect(r.status, transport).toBe('incomplete')
    messages.push(r.error?.message)
  }
  expect(messages[0]).toBe(messages[1])
})
