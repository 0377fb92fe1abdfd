// examples/react-chat (Vite + React, useChat), built for production, in
// Chromium against the Flask reference backend and the mock LLM. The
// backend's counters check that every user action made exactly one request.
// Answers are Markdown: each must be the exact text rendered at once.

import type { Page } from 'playwright-core'
import { afterAll, beforeAll, beforeEach, expect, test } from 'vitest'
import { expectedReasoning, expectedText } from '../../src/mock/script.js'
import { finalStatus, hooks, screenshot, startStack } from './stack.js'
import type { Stack } from './stack.js'
import { renderDetached as md } from '../helpers/markdown.js'

/** How much of `text` the final `html` shows: the longest prefix rendering to it (0 if none). */
function shownPrefix(text: string, html: string): number {
  let k = text.length
  while (k > 0 && md(text.slice(0, k)) !== html) k--
  return k
}

let stack: Stack
let page: Page

beforeAll(async () => {
  stack = await startStack({ reactChat: true })
  page = await stack.newPage()
})

afterAll(async () => {
  await stack?.close()
})

beforeEach(async () => {
  stack.faults({})
  // Clear the saved history from another page of the origin: leaving the chat saves it (pagehide).
  await page.goto(`${stack.web.url}/examples/script-tag.html`)
  await page.evaluate(() => localStorage.clear())
  await page.goto(`${stack.web.url}/react-chat/`)
  await stack.resetStats()
})

const THINK = { think: true }
const last = '#log > .turn.assistant:last-child'
const posts = async () => (await stack.flask.stats()).requests['/stream/post'] ?? 0

async function send(prompt: string): Promise<void> {
  await page.fill('#prompt', prompt)
  await page.press('#prompt', 'Enter')
}

async function ask(prompt: string): Promise<string> {
  const before = await turns()
  await send(prompt)
  // The question and its answer appear at once; then wait for the answer to be final.
  await page.waitForFunction((n) => document.querySelectorAll('#log > .turn').length === n, before + 2)
  return finalStatus(page, `${last} .status`)
}

const turns = () => page.locator('#log > .turn').count()
const lastAnswer = () => page.locator(`${last} .answer`).innerHTML()
const userTexts = () => page.locator('#log > .turn.user .text').allTextContents()
const answerHtmls = () => page.locator('#log > .turn.assistant .answer').evaluateAll((els) => els.map((e) => e.innerHTML))
const statuses = () => page.locator('#log > .turn.assistant .status').evaluateAll((els) => els.map((e) => e.getAttribute('data-status')))

test('three turns, each answer exact; a reload shows the same history without a request', async () => {
  const prompts = ['What is SSE?', 'And how does Flask send it?', '用中文再说一遍']
  for (const p of prompts) expect(await ask(p)).toBe('completed')
  expect(await userTexts()).toEqual(prompts)
  expect(await answerHtmls()).toEqual(prompts.map((p) => md(expectedText(p, THINK))))
  expect(await page.locator(`${last} .reasoning`).textContent()).toBe(expectedReasoning(prompts[2]!, THINK))
  expect(await posts()).toBe(3)

  await page.reload()
  await page.waitForSelector('#log > .turn')
  expect(await userTexts()).toEqual(prompts)
  expect(await answerHtmls()).toEqual(prompts.map((p) => md(expectedText(p, THINK))))
  expect(await statuses()).toEqual(['completed', 'completed', 'completed'])
  expect((await hooks(page)).fetches).toBe(0)
  expect(await posts()).toBe(3)
  await screenshot(page, 'react-chat')
  expect(stack.pageErrors).toEqual([])
})

test('Stop keeps the partial answer; Regenerate and editing a question show the new version; one request each', async () => {
  const story = 'Tell me a long story'
  stack.faults({ delay: 40 })
  await send(story)
  await page.waitForFunction((sel) => (document.querySelector(sel)?.textContent ?? '').length > 10, `${last} .answer`)
  await page.click('#stop')
  expect(await finalStatus(page, `${last} .status`)).toBe('aborted')
  expect(shownPrefix(expectedText(story, THINK), await lastAnswer())).toBeGreaterThan(10)
  await expect.poll(async () => (await stack.flask.stats()).disconnected).toBe(1)
  await expect.poll(() => stack.mock.stats().open).toBe(0)
  expect(await posts()).toBe(1)

  stack.faults({})
  await page.click(`${last} .regenerate`)
  await page.waitForFunction((sel) => document.querySelector(sel)?.getAttribute('data-status') === 'completed', `${last} .status`)
  expect(await lastAnswer()).toBe(md(expectedText(story, THINK)))
  expect(await turns()).toBe(2)
  expect(await posts()).toBe(2)

  expect(await ask('Second question')).toBe('completed')
  expect(await posts()).toBe(3)

  await page.click('#log > .turn.user:first-child .edit')
  await page.fill('.edit-text', 'An edited first question')
  await page.click('.turn.editing .save')
  await page.waitForFunction(() => document.querySelectorAll('#log > .turn').length === 2)
  expect(await finalStatus(page, `${last} .status`)).toBe('completed')
  expect(await userTexts()).toEqual(['An edited first question'])
  expect(await answerHtmls()).toEqual([md(expectedText('An edited first question', THINK))])
  expect(await posts()).toBe(4)
  expect(stack.pageErrors).toEqual([])
})

test('after an upstream error Retry sends the question once more; a reload mid-answer brings it back incomplete, and Retry finishes it', async () => {
  stack.faults({ status: 503 })
  expect(await ask('Try again later')).toBe('error')
  expect(await page.locator(`${last} .status .code`).textContent()).toBe('http')
  expect(await posts()).toBe(1)
  stack.faults({})
  await page.click(`${last} .retry`)
  expect(await finalStatus(page, `${last} .status`)).toBe('completed')
  expect(await lastAnswer()).toBe(md(expectedText('Try again later', THINK)))
  expect(await turns()).toBe(2)
  expect(await posts()).toBe(2)

  stack.faults({ delay: 40 })
  await send('Reload during the answer')
  await page.waitForFunction((sel) => (document.querySelector(sel)?.textContent ?? '').length > 10, `${last} .answer`)
  await page.reload()
  await page.waitForSelector(`${last} .status[data-status="incomplete"]`)
  expect(shownPrefix(expectedText('Reload during the answer', THINK), await lastAnswer())).toBeGreaterThan(10)
  expect(await page.locator(`${last} .retry`).isVisible()).toBe(true)
  // The reload itself sent nothing.
  expect(await posts()).toBe(3)
  await expect.poll(() => stack.mock.stats().open).toBe(0)
  await screenshot(page, 'react-chat-incomplete')

  stack.faults({})
  await page.click(`${last} .retry`)
  expect(await finalStatus(page, `${last} .status`)).toBe('completed')
  expect(await lastAnswer()).toBe(md(expectedText('Reload during the answer', THINK)))
  expect(await posts()).toBe(4)
  expect(stack.pageErrors).toEqual([])
})
