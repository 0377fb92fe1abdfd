import { EventSource } from 'eventsource'
import { afterAll, beforeAll, expect, test } from 'vitest'
import { startMockServer } from '../../src/mock/server.js'
import type { MockServer } from '../../src/mock/server.js'
import { scriptFor } from '../../src/mock/script.js'
import { dataOf, raw } from './wire.js'

let mock: MockServer
beforeAll(async () => {
  mock = await startMockServer()
})
afterAll(() => mock.close())

const ids = (text: string): string[] => text.match(/^id: (\d+)$/gm)?.map((l) => l.slice(4)) ?? []

test('with ids=1 a request carrying Last-Event-ID continues after that event instead of restarting', async () => {
  const url = `${mock.url}/stream/get?text=hi&ids=1&dropAfter=5`
  const first = await raw(url)
  expect(first.complete).toBe(false)
  expect(ids(first.text)).toEqual(['1', '2', '3', '4', '5'])
  const second = await raw(url, { headers: { 'Last-Event-ID': '5' } })
  expect(second.complete).toBe(true)
  const whole = await raw(`${mock.url}/stream/get?text=hi&ids=1`)
  expect(first.text + second.text).toBe(whole.text)
  expect(ids(second.text)[0]).toBe('6')
})

test('a fault that already fired does not fire again on the resumed request, a later one does', async () => {
  const url = `${mock.url}/stream/get?text=hi&ids=1&dropAfter=5`
  expect((await raw(url, { headers: { 'Last-Event-ID': '5' } })).complete).toBe(true)
  const early = await raw(url, { headers: { 'Last-Event-ID': '2' } })
  expect(ids(early.text)).toEqual(['3', '4', '5'])
  expect(early.complete).toBe(false)
})

test('the lastEventId query parameter resumes like the header, and the header wins', async () => {
  const byQuery = await raw(`${mock.url}/stream/get?text=hi&ids=1&lastEventId=10`)
  expect(ids(byQuery.text)[0]).toBe('11')
  const both = await raw(`${mock.url}/stream/get?text=hi&ids=1&lastEventId=10`, { headers: { 'Last-Event-ID': '20' } })
  expect(ids(both.text)[0]).toBe('21')
})

test('without ids=1 Last-Event-ID is ignored and the whole answer starts again, as the seed does', async () => {
  const res = await raw(`${mock.url}/stream/get?text=hi`, { headers: { 'Last-Event-ID': '5' } })
  expect(dataOf(res.text)).toHaveLength(scriptFor('hi').tokens.length + 1)
})

test('OpenAI streams resume by event id too: the role chunk is event 1', async () => {
  const body = JSON.stringify({ model: 'm', stream: true, messages: [{ role: 'user', content: 'hi' }] })
  const url = `${mock.url}/v1/chat/completions?ids=1&dropAfter=3`
  const first = await raw(url, { method: 'POST', body })
  expect(ids(first.text)).toEqual(['1', '2', '3', '4'])
  const second = await raw(url, { method: 'POST', body, headers: { 'Last-Event-ID': '4' } })
  const content = (text: string): string =>
    dataOf(text)
      .filter((d) => d !== '[DONE]')
      .map((d) => (JSON.parse(d) as { choices: { delta: { content?: string } }[] }).choices[0]?.delta.content ?? '')
      .join('')
  expect(content(first.text) + content(second.text)).toBe(scriptFor('hi').tokens.join(''))
})

test('a real EventSource client reconnects after the cut and gets the rest of the same answer', async () => {
  const source = new EventSource(`${mock.url}/stream/get?text=hi&ids=1&retry=10&dropAfter=5`)
  const received: string[] = []
  let opens = 0
  source.onopen = () => opens++
  await new Promise<void>((resolve, reject) => {
    source.onmessage = (e) => {
      received.push(e.data)
      if (e.data.includes("'status': 'completed'")) resolve()
    }
    source.onerror = () => {
      if (opens > 3) reject(new Error('too many reconnects'))
    }
  })
  source.close()
  expect(opens).toBe(2)
  expect(received).toHaveLength(scriptFor('hi').tokens.length + 1)
  expect(received.join('\n\n')).toBe(dataOf((await raw(`${mock.url}/stream/get?text=hi`)).text).join('\n\n'))
})
