// A server that sends ids but ignores Last-Event-ID answers every resume
// with the answer from its start: with retry on, the text used to repeat
// once per reconnect (t1 t2 t1 t2 …). A restart is detected and ends the
// stream incomplete, keeping the text once.
import { afterEach, expect, test } from 'vitest'
import { createClient } from '../../src/index.js'
import { seedEvent, serve, sseHead } from '../helpers/http.js'
import type { TestServer } from '../helpers/http.js'

let s: TestServer
afterEach(() => s?.close())
const retry = { attempts: 5, baseDelay: 1, maxDelay: 5 }

/** Every request gets the same events from the start, then the connection is cut. */
async function amnesiac(ids: string[]) {
  s = await serve((_req, res) => {
    sseHead(res)
    res.write(ids.map((id, k) => `id: ${id}\n` + seedEvent(`t${k + 1} `)).join(''), () => res.socket?.destroy())
  })
}

for (const ids of [['1', '2'], ['a1', 'a2'], ['7']]) {
  test(`a server that ignores Last-Event-ID (ids ${ids.join(', ')}) is stopped after one resume, the text not repeated`, async () => {
    await amnesiac(ids)
    const r = await createClient({ baseUrl: s.url, retry }).post('/x').result
    expect(r.status).toBe('incomplete')
    expect(r.error?.code).toBe('incomplete')
    expect(r.error?.message).toContain(`resume from event ${ids.at(-1)} with event ${ids[0]}`)
    expect(r.text).toBe(ids.map((_, k) => `t${k + 1} `).join(''))
    expect(s.requests).toHaveLength(2)
    expect(s.requests[1]!.headers['last-event-id']).toBe(ids.at(-1))
  })
}

test('a lastEventId given by the caller that the server answers from the start is stopped too', async () => {
  await amnesiac(['1', '2', '3'])
  const r = await createClient({ baseUrl: s.url }).post('/x', { lastEventId: '2' }).result
  expect(r.status).toBe('incomplete')
  expect(r.text).toBe('')
})

test('a server that resumes properly is not taken for a restart, also with non-numeric ids', async () => {
  s = await serve((req, res) => {
    sseHead(res)
    if (!req.headers['last-event-id']) return res.write('id: x-9\n' + seedEvent('one '), () => res.socket?.destroy())
    res.end('id: b-1\n' + seedEvent('two') + seedEvent('two', ", 'status': 'completed'"))
  })
  const r = await createClient({ baseUrl: s.url, retry }).post('/x').result
  expect(r.status).toBe('completed')
  expect(r.text).toBe('one two')
})
