// examples/app (Vite + TypeScript), built for production with `vite build`,
// in Chromium against the Flask reference backend and the mock LLM.

import type { Page } from 'playwright-core'
import { afterAll, beforeAll, beforeEach, expect, test } from 'vitest'
import { expectedReasoning, expectedText } from '../../src/mock/script.js'
import { finalStatus, screenshot, startStack } from './stack.js'
import type { Stack } from './stack.js'

let stack: Stack
let page: Page

beforeAll(async () => {
  stack = await startStack({ app: true })
  page = await stack.newPage()
})

afterAll(async () => {
  await stack?.close()
})

beforeEach(async () => {
  stack.faults({})
  await stack.resetStats()
  await page.goto(`${stack.web.url}/app/`)
})

const THINK = { think: true }
const last = '.turn.assistant:last-child'

async function send(prompt: string): Promise<void> {
  await page.fill('#prompt', prompt)
  await page.press('#prompt', 'Enter')
}

async function ask(prompt: string): Promise<string> {
  await send(prompt)
  return finalStatus(page, `${last} .status`)
}

const lastAnswer = () => page.locator(`${last} .answer`).textContent()

test('the production build chats with history over POST, then over GET, showing each exact answer', async () => {
  const first = 'What is SSE?'
  const second = 'And how does Flask send it?'
  const third = '用 GET 再说一遍'
  // A little delay between tokens, so the timings on the screenshot look like a real model's.
  stack.faults({ delay: 3 })
  expect(await ask(first)).toBe('completed')
  expect(await lastAnswer()).toBe(expectedText(first, THINK))
  expect(await page.locator(`${last} .reasoning`).textContent()).toBe(expectedReasoning(first, THINK))

  // The second POST carries the conversation so far.
  const request = page.waitForRequest((r) => r.url().endsWith('/stream/post'))
  expect(await ask(second)).toBe('completed')
  expect((await request).postDataJSON()).toEqual({
    prompt: second,
    messages: [
      { role: 'user', content: first },
      { role: 'assistant', content: expectedText(first, THINK) },
      { role: 'user', content: second },
    ],
  })
  expect(await lastAnswer()).toBe(expectedText(second, THINK))

  await page.click('label:has(input[value="get"])')
  expect(await ask(third)).toBe('completed')
  expect(await lastAnswer()).toBe(expectedText(third, THINK))
  expect(await page.locator(`${last} .metrics`).textContent()).toMatch(/^first token \d+ ms · [\d.]+ tokens\/s · \d+ tokens$/)

  expect(await page.locator('.turn.user').allTextContents()).toEqual([first, second, third])
  expect(await page.locator('.turn.assistant .status').evaluateAll((els) => els.map((e) => e.getAttribute('data-status')))).toEqual([
    'completed',
    'completed',
    'completed',
  ])
  expect((await stack.flask.stats()).requests).toEqual({ '/stream/get': 1, '/stream/post': 2 })
  await screenshot(page, 'app-chat')
  expect(stack.pageErrors).toEqual([])
})

test('Stop ends the answer as aborted, keeps its text, and the backend sees the disconnect', async () => {
  const prompt = 'Tell me a long story'
  stack.faults({ delay: 40 })
  await send(prompt)
  await page.waitForFunction((sel) => (document.querySelector(sel)?.textContent ?? '').length > 10, `${last} .answer`)
  await page.click('#stop')
  expect(await finalStatus(page, `${last} .status`)).toBe('aborted')
  const kept = (await lastAnswer()) ?? ''
  expect(expectedText(prompt, THINK).startsWith(kept)).toBe(true)
  expect(kept.length).toBeGreaterThan(10)
  expect(await page.locator('#send').isEnabled()).toBe(true)
  expect(await page.locator('#stop').isDisabled()).toBe(true)
  await expect.poll(async () => (await stack.flask.stats()).disconnected).toBe(1)
  await expect.poll(() => stack.mock.stats().open).toBe(0)
})

test('after an upstream error the answer shows the message, and Retry sends the question once more and shows the answer', async () => {
  const prompt = 'Try again later'
  stack.faults({ status: 503 })
  expect(await ask(prompt)).toBe('error')
  expect(await page.locator(`${last} .status .error`).textContent()).toMatch(/^HTTP 502: the upstream LLM server answered HTTP 503/)
  expect(await page.locator(`${last} .status .code`).textContent()).toBe('http')
  const retry = page.locator(`${last} .retry`)
  expect(await retry.isVisible()).toBe(true)
  // Nothing was retried by itself.
  expect((await stack.flask.stats()).requests['/stream/post']).toBe(1)
  await screenshot(page, 'app-error')

  stack.faults({})
  await retry.click()
  expect(await finalStatus(page, `${last} .status`)).toBe('completed')
  expect(await lastAnswer()).toBe(expectedText(prompt, THINK))
  expect(await retry.isVisible()).toBe(false)
  // One user message, one answer: the retry replaced the failed attempt.
  expect(await page.locator('.turn').count()).toBe(2)
  expect((await stack.flask.stats()).requests['/stream/post']).toBe(2)
})
