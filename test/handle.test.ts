// The handle keeps what a late `for await` needs without holding every
// event: memory is bounded by the answer's text, not by the event count.
// Counted through the public API: how many events an iterator yields.
import { afterEach, expect, test } from 'vitest'
import { createClient } from '../src/index.js'
import type { StreamEvent } from '../src/index.js'
import { serve, sseHead } from './helpers/http.js'
import type { TestServer } from './helpers/http.js'

let s: TestServer
afterEach(() => s?.close())
const N = 200_000

async function tinyEvents() {
  s = await serve((_req, res) => {
    sseHead(res)
    res.write('data: x\n\n'.repeat(N))
    res.end('data: [DONE]\n\n')
  })
  return createClient({ baseUrl: s.url, dialect: 'text' }).post('/x')
}

async function drain(it: AsyncIterator<StreamEvent>): Promise<StreamEvent[]> {
  const out: StreamEvent[] = []
  for (let r = await it.next(); !r.done; r = await it.next()) out.push(r.value)
  return out
}

test(`a for await started after ${N} tiny events gets a replay of a few events holding the whole text`, async () => {
  const stream = await tinyEvents()
  let deltas = 0
  stream.on('delta', () => deltas++)
  const r = await stream.result
  expect(r.status).toBe('completed')
  expect(deltas).toBe(N)
  const late = await drain(stream[Symbol.asyncIterator]())
  expect(late.length).toBeLessThan(12)
  expect(late.filter((e) => e.type === 'delta').map((e) => (e as { text: string }).text)).toEqual(['x'.repeat(N)])
  expect(late.at(-1)?.type).toBe('done')
})

test('a for await that keeps up sees every delta as it came', async () => {
  const stream = await tinyEvents()
  let deltas = 0
  let text = ''
  for await (const e of stream) if (e.type === 'delta') deltas++, (text += e.text)
  expect(text).toBe('x'.repeat(N))
  expect(deltas).toBe(N)
})

test('an iterator that stopped reading holds a merged backlog, not one entry per event', async () => {
  const stream = await tinyEvents()
  const it = stream[Symbol.asyncIterator]()
  await it.next()
  await stream.result
  const rest = await drain(it)
  expect(rest.length).toBeLessThan(2 * 16_384 + 10)
  expect(rest.filter((e) => e.type === 'delta').reduce((n, e) => n + (e as { text: string }).text.length, 0)).toBe(N)
})
