// A page reload in the middle of an answer, in Chromium, against the Flask
// reference backend in resumable mode: the reloaded page continues the
// answer from the id it saved (the `lastEventId` request option) instead of
// starting a second generation, and the text ends exactly as in one go.

import type { Page } from 'playwright-core'
import { afterAll, beforeAll, expect, test } from 'vitest'
import { expectedReasoning, expectedText } from '../../src/mock/script.js'
import { startStack } from './stack.js'
import type { Stack } from './stack.js'

const PROMPT = 'Resume me after a reload 😀'
const THINK = { think: true }

let stack: Stack
let page: Page

/** What the test page keeps in sessionStorage while an answer streams. */
interface Saved {
  id: string
  text: string
  reasoning: string
}

/**
 * The page's code, run on every load of a page whose hash is `#reload-test`:
 * stream an answer (or continue the saved one), saving the last event id and
 * the text so far after every token, as a chat page that survives reloads would.
 */
function reloadingChat(prompt: string): void {
  addEventListener('DOMContentLoaded', () => {
    if (location.hash !== '#reload-test') return
    const S = (window as unknown as { LlmSse: typeof import('../../src/index.js') }).LlmSse
    const w = window as unknown as { __done?: unknown; __attempts: number }
    const saved = JSON.parse(sessionStorage.getItem('answer') ?? 'null') as Saved | null
    const state: Saved = saved ?? { id: '', text: '', reasoning: '' }
    let lastId = state.id
    const client = S.createClient({
      // Built-in decoding; the wrapper only notes which event each token came from.
      dialect: (ev) => {
        if (ev.lastEventId) lastId = ev.lastEventId
        return S.seedDialect(ev)
      },
    })
    const s = client.post('/stream/post', { json: { prompt }, ...(saved ? { lastEventId: saved.id } : {}) })
    const save = (): void => {
      state.id = lastId
      sessionStorage.setItem('answer', JSON.stringify(state))
    }
    s.on('delta', (e) => {
      state.text += e.text
      save()
    })
    s.on('reasoning', (e) => {
      state.reasoning += e.text
      save()
    })
    void s.result.then((r) => {
      w.__done = { status: r.status, text: state.text, reasoning: state.reasoning, resumed: saved !== null }
    })
  })
}

beforeAll(async () => {
  stack = await startStack({ flask: { format: 'json', env: { RESUMABLE: '1' } } })
  await stack.context.addInitScript(reloadingChat, PROMPT)
  page = await stack.newPage()
})

afterAll(async () => {
  await stack?.close()
})

test('a reload mid-answer continues the same generation from the saved id: exact text, one generation', async () => {
  await stack.resetStats()
  // ~110 events at 30 ms: the reload lands mid-answer.
  stack.faults({ delay: 30 })
  await page.goto(`${stack.web.url}/examples/script-tag.html#reload-test`)
  await page.waitForFunction(() => (JSON.parse(sessionStorage.getItem('answer') ?? '{"text": ""}') as Saved).text.length > 10)
  await page.reload()
  const done = (await (await page.waitForFunction(() => (window as unknown as { __done?: unknown }).__done, undefined, { timeout: 30_000 })).jsonValue()) as {
    status: string
    text: string
    reasoning: string
    resumed: boolean
  }
  expect(done.resumed).toBe(true)
  expect(done.status).toBe('completed')
  expect(done.text).toBe(expectedText(PROMPT, THINK))
  expect(done.reasoning).toBe(expectedReasoning(PROMPT, THINK))
  expect(stack.mock.stats().requests['/v1/chat/completions']).toBe(1)
  expect(stack.pageErrors).toEqual([])
})
