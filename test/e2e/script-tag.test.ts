// examples/script-tag.html in Chromium, against the Flask reference backend
// (through the demo's proxy) and the mock LLM behind it.

import type { Page } from 'playwright-core'
import { afterAll, beforeAll, beforeEach, expect, test } from 'vitest'
import { expectedReasoning, expectedText } from '../../src/mock/script.js'
import { finalStatus, hooks, screenshot, startStack, switchTabAway } from './stack.js'
import type { Stack } from './stack.js'

let stack: Stack
let page: Page

beforeAll(async () => {
  stack = await startStack()
  page = await stack.newPage()
})

afterAll(async () => {
  await stack?.close()
})

beforeEach(async () => {
  stack.faults({})
  await stack.resetStats()
  await page.goto(`${stack.web.url}/examples/script-tag.html`)
})

/** Type a prompt, click GET or POST, wait for the final status. */
async function ask(prompt: string, mode: 'get' | 'post'): Promise<string> {
  await page.fill('#prompt', prompt)
  await page.click(`#${mode}`)
  return finalStatus(page, '#status')
}

const answer = () => page.locator('#answer').textContent()
const reasoning = () => page.locator('#reasoning').textContent()

// The Flask backend's default model is `deepseek-r1:14b`, so the mock reasons first (`reasoning_content`).
const THINK = { think: true }

test('a POST (fetch) shows the exact answer and reasoning, with status completed and timings', async () => {
  const prompt = 'Explain Flask streaming'
  // A little delay between tokens, so the timings on the screenshot look like a real model's.
  stack.faults({ delay: 5 })
  expect(await ask(prompt, 'post')).toBe('completed')
  expect(await answer()).toBe(expectedText(prompt, THINK))
  expect(await reasoning()).toBe(expectedReasoning(prompt, THINK))
  expect(await page.locator('#thinking').isVisible()).toBe(true)
  expect(await page.locator('#status').textContent()).toMatch(/^Completed: \d+ tokens in \d+\.\d\d s\.$/)
  expect(await page.locator('#ttft').textContent()).toMatch(/^\d+ ms$/)
  expect(await page.locator('#tps').textContent()).toMatch(/^\d+\.\d tokens\/s$/)
  await page.locator('#thinking summary').click()
  await screenshot(page, 'script-tag-post')
  expect(stack.pageErrors).toEqual([])
})

test('a GET (EventSource) shows the exact answer, and its EventSource is CLOSED once the answer is final', async () => {
  const prompt = 'Explain Flask streaming over GET'
  expect(await ask(prompt, 'get')).toBe('completed')
  expect(await answer()).toBe(expectedText(prompt, THINK))
  expect(await reasoning()).toBe(expectedReasoning(prompt, THINK))
  // CLOSED (2), not CONNECTING (0): EventSource will never reconnect, so no
  // second generation can follow; no need to wait out its 3 s retry.
  const h = await hooks(page)
  expect(h.readyStates).toEqual([2])
  expect(h.fetches).toBe(0)
  expect((await stack.flask.stats()).requests['/stream/get']).toBe(1)
  await screenshot(page, 'script-tag-get')
})

test.each(['get', 'post'] as const)(
  'a Chinese answer with emoji, tabs and newlines arrives intact over %s, also with the emoji split across tokens',
  async (mode) => {
    const prompt = '请详细介绍一下 Flask 的流式输出'
    const expected = expectedText(prompt, THINK)
    // Guard: the script really contains what this test is about.
    for (const part of ['👨\u200d💻', '👋', '\n\n', '\t', '\u200b', '\u3000', '。']) expect(expected).toContain(part)
    // The upstream cuts the first emoji's surrogate pair in two tokens; Flask
    // then sends '\ud83d' and '\udc4b' as separate repr strings.
    stack.faults({ loneSurrogates: 1 })
    expect(await ask(prompt, mode)).toBe('completed')
    expect(await answer()).toBe(expected)
    expect(await answer()).not.toContain('\ufffd')
    if (mode === 'post') await screenshot(page, 'script-tag-chinese')
  },
)

test.each(['get', 'post'] as const)('Stop during a %s stream ends it as aborted and the backend sees the disconnect', async (mode) => {
  const prompt = 'A long answer, please'
  stack.faults({ delay: 40 })
  await page.fill('#prompt', prompt)
  await page.click(`#${mode}`)
  // Some answer text on screen, then Stop.
  await page.waitForFunction(() => (document.getElementById('answer')?.textContent ?? '').length > 10)
  await page.click('#stop')
  expect(await finalStatus(page, '#status')).toBe('aborted')
  const kept = (await answer()) ?? ''
  expect(kept.length).toBeGreaterThan(10)
  expect(expectedText(prompt, THINK).startsWith(kept)).toBe(true)
  expect(await page.locator('#status').textContent()).toMatch(/^Stopped\./)
  // Flask noticed the browser leaving and closed its upstream request:
  // the mock LLM has no open stream left, i.e. it stopped generating.
  await expect.poll(async () => (await stack.flask.stats()).disconnected).toBe(1)
  await expect.poll(() => stack.mock.stats().open).toBe(0)
  const stats = await stack.flask.stats()
  expect(stats.completed).toBe(0)
  expect(stats.requests[`/stream/${mode}`]).toBe(1)
  // Nothing more arrives after Stop.
  expect(await answer()).toBe(kept)
  if (mode === 'post') await screenshot(page, 'script-tag-stopped')
})

test.each(['get', 'post'] as const)('with ?api= the page streams over %s from a backend on another origin (CORS)', async (mode) => {
  // The mock's seed routes answer CORS requests; the page's origin is the static server's.
  await page.goto(`${stack.web.url}/examples/script-tag.html?api=${encodeURIComponent(stack.mock.url)}`)
  expect(await page.locator('#backend').textContent()).toBe(stack.mock.url)
  const prompt = 'cross-origin'
  expect(await ask(prompt, mode)).toBe('completed')
  expect(await answer()).toBe(expectedText(prompt))
  expect(stack.mock.stats().requests[`/stream/${mode}`]).toBe(1)
  expect((await stack.flask.stats()).requests[`/stream/${mode}`]).toBe(0)
})

test('an upstream HTTP 500 is shown as an error with the backend message (POST)', async () => {
  stack.faults({ status: 500 })
  expect(await ask('hello', 'post')).toBe('error')
  // Flask answers 502 with a JSON error; the page shows its message, not the JSON.
  expect(await page.locator('#status .error').textContent()).toMatch(/^HTTP 502: the upstream LLM server answered HTTP 500/)
  expect(await page.locator('#status .code').textContent()).toBe('http')
  expect(await answer()).toBe('')
  expect((await stack.flask.stats()).requests['/stream/post']).toBe(1)
  await screenshot(page, 'script-tag-error')
})

test('an upstream HTTP 500 ends a GET (EventSource) as an error, without reconnecting', async () => {
  stack.faults({ status: 500 })
  expect(await ask('hello', 'get')).toBe('error')
  expect(await page.locator('#status .error').textContent()).toMatch(/^EventSource could not open/)
  expect(await page.locator('#status .code').textContent()).toBe('http')
  expect((await hooks(page)).readyStates).toEqual([2])
  expect((await stack.flask.stats()).requests['/stream/get']).toBe(1)
})

test.each(['get', 'post'] as const)('an upstream cut mid-answer over %s shows the error event and keeps the text so far', async (mode) => {
  const prompt = 'cut me off'
  // After 30 script tokens (reasoning included) the mock drops the connection; Flask reports it in-band.
  stack.faults({ dropAfter: 30 })
  expect(await ask(prompt, mode)).toBe('error')
  expect(await page.locator('#status .error').textContent()).toContain('the connection to the upstream LLM server failed')
  expect(await page.locator('#status .code').textContent()).toBe('server')
  const full = expectedReasoning(prompt, THINK) + expectedText(prompt, THINK)
  const shown = ((await reasoning()) ?? '') + ((await answer()) ?? '')
  expect(shown.length).toBeGreaterThan(0)
  expect(full.startsWith(shown)).toBe(true)
  expect(shown.length).toBeLessThan(full.length)
})

test('one click is one generation over POST, also when the tab is hidden and shown during and after the stream', async () => {
  const prompt = 'count my requests'
  stack.faults({ delay: 15 })
  await page.fill('#prompt', prompt)
  await page.click('#post')
  await page.waitForFunction(() => document.getElementById('status')?.dataset.status === 'streaming')
  await switchTabAway(page)
  // A real tab switch too: another tab comes to the front, then this one again.
  const other = await stack.newPage()
  await other.bringToFront()
  await page.bringToFront()
  await other.close()
  expect(await finalStatus(page, '#status')).toBe('completed')
  expect(await answer()).toBe(expectedText(prompt, THINK))
  // A client that re-sends on visibilitychange calls fetch synchronously in
  // its listener: the counter would already show it when evaluate returns.
  await switchTabAway(page)
  expect((await hooks(page)).fetches).toBe(1)
  const stats = await stack.flask.stats()
  expect(stats.requests).toEqual({ '/stream/get': 0, '/stream/post': 1 })
  expect(stats.completed).toBe(1)
  expect(stack.mock.stats().requests['/v1/chat/completions']).toBe(1)
})

test('one click is one generation over GET: no EventSource reconnect after the answer, none on a tab switch', async () => {
  const prompt = 'count my GET requests'
  stack.faults({ delay: 15 })
  await page.fill('#prompt', prompt)
  await page.click('#get')
  await page.waitForFunction(() => document.getElementById('status')?.dataset.status === 'streaming')
  await switchTabAway(page)
  expect(await finalStatus(page, '#status')).toBe('completed')
  await switchTabAway(page)
  const h = await hooks(page)
  expect(h.readyStates).toEqual([2])
  expect(h.fetches).toBe(0)
  const stats = await stack.flask.stats()
  expect(stats.requests).toEqual({ '/stream/get': 1, '/stream/post': 0 })
  expect(stats.completed).toBe(1)
  expect(stack.mock.stats().requests['/v1/chat/completions']).toBe(1)
})
