// The AI SDK's own useChat (`@ai-sdk/react`, unmodified) in Chromium,
// against both Python reference backends in `--format ai-sdk` (resumable,
// in memory): examples/ai-sdk-useChat built for production, the mock LLM
// upstream counting every generation.

import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { startStaticServer } from '../../scripts/static-server.mjs'
import type { StaticServer } from '../../scripts/static-server.d.mts'
import { expectedReasoning, expectedText } from '../../src/mock/script.js'
import { startMockServer } from '../../src/mock/server.js'
import type { MockServer } from '../../src/mock/server.js'
import { launchChromium } from '../helpers/chromium.js'
import type { TestBrowser } from '../helpers/chromium.js'
import { startFlask } from '../helpers/flask.js'
import type { FlaskBackend } from '../helpers/flask.js'
import { buildApp, screenshot } from './stack.js'

const THINK = { think: true }
const GENERATIONS = '/v1/chat/completions'

let dir: string
let mock: MockServer
let browser: TestBrowser
const backends: Record<'flask' | 'fastapi', { backend: FlaskBackend; web: StaticServer }> = {} as never
const pageErrors: string[] = []

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'llm-sse-usechat-'))
  const browserStart = launchChromium()
  const [m] = await Promise.all([startMockServer(), buildApp(dir, 'ai-sdk-useChat')])
  mock = m
  for (const server of ['flask', 'fastapi'] as const) {
    const backend = await startFlask({ upstream: mock.url, server, format: 'ai-sdk', env: { RESUMABLE: '1' } })
    const web = await startStaticServer({ useChatDir: dir, useChatBackend: backend.url })
    backends[server] = { backend, web }
  }
  browser = await browserStart
}, 240_000)

afterAll(async () => {
  await browser?.close()
  for (const { backend, web } of Object.values(backends)) await Promise.all([web.close(), backend.close()])
  await mock?.close()
  rmSync(dir, { recursive: true, force: true })
})

const generations = (): number => mock.stats().requests[GENERATIONS] ?? 0
const assistant = 'li[data-role="assistant"]:last-of-type'

async function open(web: StaticServer): Promise<Page> {
  const page = await browser.context.newPage()
  page.on('pageerror', (e) => pageErrors.push(e.message))
  await page.goto(`${web.url}/ai-sdk-useChat/`)
  // A fresh chat: nothing to resume (the GET answers 204), so the page is ready.
  await page.waitForSelector('main[data-status="ready"]')
  return page
}

async function send(page: Page, text: string): Promise<void> {
  const asked = await page.locator('li[data-role="user"]').count()
  await page.fill('input[aria-label="Message"]', text)
  await page.click('button[type="submit"]')
  // The question shown is the sign it was sent. The status is not: an answer that fails at once
  // goes submitted → streaming → error between two polls.
  await page.waitForFunction((n) => document.querySelectorAll('li[data-role="user"]').length > n, asked)
}

/** A page with `prompt` asked (one step, no tool call) and 10+ characters of its answer shown. */
async function midAnswer(web: StaticServer, delay: number, prompt: string): Promise<Page> {
  web.setProxyHeaders({ 'x-mock-toolSteps': '0', 'x-mock-delay': String(delay) })
  const page = await open(web)
  await send(page, prompt)
  await page.waitForFunction((sel) => (document.querySelector(sel)?.textContent ?? '').length > 10, `${assistant} [data-part="text"]`)
  return page
}

/** `text` is a start of the answer to `prompt`, and not all of it. */
function expectPartial(text: string, prompt: string): void {
  expect(text.length).toBeGreaterThan(0)
  expect(expectedText(prompt, THINK).startsWith(text)).toBe(true)
  expect(text).not.toBe(expectedText(prompt, THINK))
}

const settled = (page: Page) => page.waitForSelector('main[data-status="ready"], main[data-status="error"]', { timeout: 30_000 })
const status = (page: Page) => page.getAttribute('main', 'data-status')
const answerText = (page: Page) =>
  page
    .locator(`${assistant} [data-part="text"]`)
    .allTextContents()
    .then((t) => t.join(''))

describe.each(['flask', 'fastapi'] as const)('useChat against the %s backend', (server) => {
  const web = () => backends[server].web

  test('an answer with reasoning and a server-side tool call: the tool card with its output, then the text', async () => {
    web().setProxyHeaders({})
    const page = await open(web())
    const prompt = `What time is it? (${server})`
    const before = generations()
    await send(page, prompt)
    await settled(page)
    expect(await status(page)).toBe('ready')
    const tool = page.locator(`${assistant} [data-part="tool"]`)
    expect(await tool.getAttribute('data-tool')).toBe('get_time')
    expect(await tool.getAttribute('data-state')).toBe('output-available')
    expect(JSON.parse((await tool.locator('.output').textContent()) ?? '')).toMatchObject({ timezone: 'UTC' })
    expect(await page.locator(`${assistant} [data-part="reasoning"] p`).textContent()).toBe(expectedReasoning(prompt, THINK))
    expect(await answerText(page)).toBe(expectedText(prompt, THINK))
    // One generation calls the tool, one answers with its result.
    expect(generations() - before).toBe(2)
    await screenshot(page, `ai-sdk-usechat-${server}`)
    await page.close()
  })

  test('an upstream failure mid-answer: useChat shows the error and keeps the partial text', async () => {
    web().setProxyHeaders({ 'x-mock-toolSteps': '0', 'x-mock-dropAfter': '40' })
    const page = await open(web())
    const prompt = `Fail half way (${server})`
    await send(page, prompt)
    await settled(page)
    expect(await status(page)).toBe('error')
    // The kit's fixed message: the upstream's own error text never reaches the page.
    expect(await page.locator('[data-error]').textContent()).toContain('the upstream LLM server')
    expectPartial(await answerText(page), prompt)
    await page.close()
  })

  test('Stop keeps the partial answer and the page is ready again', async () => {
    const prompt = `A long story to stop (${server})`
    const page = await midAnswer(web(), 40, prompt)
    await page.click('button:has-text("Stop")')
    await page.waitForSelector('main[data-status="ready"]')
    const stopped = await answerText(page)
    expect(stopped.length).toBeGreaterThan(10)
    expectPartial(stopped, prompt)
    await page.close()
  })

  test('resume: true after a reload mid-answer continues the same answer, one upstream generation', async () => {
    const prompt = `Reload me mid-answer 😀 (${server})`
    const before = generations()
    const page = await midAnswer(web(), 30, prompt)
    await page.reload()
    // The reloaded page asks GET /api/chat/<id>/stream and streams the rest.
    await page.waitForSelector('main[data-status="streaming"], main[data-status="ready"]')
    await page.waitForSelector('main[data-status="ready"]', { timeout: 30_000 })
    expect(await answerText(page)).toBe(expectedText(prompt, THINK))
    expect(await page.locator('li[data-role="assistant"]').count()).toBe(1)
    expect(await page.locator('li[data-role="user"]').count()).toBe(1)
    // A second reload after the end: nothing to resume (204), nothing generated.
    await page.reload()
    await page.waitForSelector('main[data-status="ready"]')
    expect(await answerText(page)).toBe(expectedText(prompt, THINK))
    expect(generations() - before).toBe(1)
    await page.close()
  })
})

test('no page error in any useChat page', () => {
  expect(pageErrors).toEqual([])
})
