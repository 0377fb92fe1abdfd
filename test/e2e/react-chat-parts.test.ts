// examples/react-chat's message parts in Chromium: a tool the page declares
// (against the mock LLM, called by the page itself through a recording
// forwarder), an image attachment as the model receives it, branch arrows
// after an edit and a regeneration, and a tool the Flask backend runs in its
// own loop (/api/chat). Every action is counted at the server that received
// it: exactly one generation each.

import type { Page } from 'playwright-core'
import { afterAll, beforeAll, beforeEach, expect, test } from 'vitest'
import { expectedText } from '../../src/mock/script.js'
import { PNG } from '../helpers/chat-mock.js'
import { renderDetached as md } from '../helpers/markdown.js'
import { startRecorder } from '../helpers/recorder.js'
import type { Recorder } from '../helpers/recorder.js'
import { finalStatus, hooks, screenshot, startStack } from './stack.js'
import type { Stack } from './stack.js'

let stack: Stack
let page: Page
/** Between the page and the mock on the page-tools backend: what the model was sent. */
let recorder: Recorder

beforeAll(async () => {
  stack = await startStack({ reactChat: true })
  recorder = await startRecorder(stack.mock.url)
  page = await stack.newPage()
})

afterAll(async () => {
  await recorder?.close()
  await stack?.close()
})

/** Open the chat, empty, on `backend` (`llm` for the page-tools one: the recorder, with mock knobs in its path). */
async function open(backend: 'tutorial' | 'tools' | 'page', knobs = ''): Promise<void> {
  await page.goto(`${stack.web.url}/examples/script-tag.html`)
  await page.evaluate(() => localStorage.clear())
  const llm = encodeURIComponent(knobs ? `${recorder.url}/_/${knobs}` : recorder.url)
  await page.goto(`${stack.web.url}/react-chat/?backend=${backend}&llm=${llm}`)
  await stack.resetStats()
  recorder.bodies.length = 0
}

beforeEach(() => stack.faults({}))

const last = '#log > .turn.assistant:last-child'
const completions = () => stack.mock.stats().requests['/v1/chat/completions'] ?? 0

async function send(prompt: string): Promise<void> {
  await page.fill('#prompt', prompt)
  await page.press('#prompt', 'Enter')
}

/** Record every state the page's tool cards show, in order (a state repeated in a row counts once per card). */
async function recordToolStates(): Promise<() => Promise<string[][]>> {
  await page.evaluate(() => {
    const w = window as unknown as { __states: string[][] }
    w.__states = []
    const seen = () =>
      document.querySelectorAll('.tool').forEach((el, i) => {
        const states = (w.__states[i] ??= [])
        const s = el.getAttribute('data-state')!
        if (states[states.length - 1] !== s) states.push(s)
      })
    new MutationObserver(seen).observe(document.getElementById('log')!, { subtree: true, childList: true, attributes: true, attributeFilter: ['data-state'] })
  })
  return () => page.evaluate(() => (window as unknown as { __states: string[][] }).__states)
}

test('a page tool: the card streams its input, waits for approval, runs on Enter, and one follow-up generation answers', async () => {
  // Slow tokens, so the arguments visibly stream.
  await open('page', 'delay=20')
  const states = await recordToolStates()
  await send('What is SSE?')
  const card = page.locator('#log .tool')
  await page.waitForSelector('#log .tool[data-state="awaiting-approval"]')
  expect(await card.locator('.tool-name').textContent()).toBe('find_in_chat')
  expect(JSON.parse((await card.locator('.tool-input').textContent()) ?? '')).toEqual({ query: 'What is SSE?' })
  expect(await finalStatus(page, `${last} .status`)).toBe('completed')
  expect(completions()).toBe(1)
  await screenshot(page, 'react-chat-tool-approval')

  // Keyboard only: focus Approve and press Enter.
  await card.locator('.approve').focus()
  await page.keyboard.press('Enter')
  // The follow-up's text, then its end (the first step had no text and had already ended).
  await page.waitForSelector(`${last} .answer`)
  expect(await finalStatus(page, `${last} .status`)).toBe('completed')
  expect(await card.getAttribute('data-state')).toBe('output-available')
  expect(JSON.parse((await card.locator('.tool-output').textContent()) ?? '')).toEqual({ query: 'what is sse?', messages: 1 })
  expect(await page.locator(`${last} .answer`).innerHTML()).toBe(md(expectedText('What is SSE?')))
  const [first, ...rest] = await states()
  expect(rest).toEqual([])
  expect(first!.filter((s) => s !== 'input-available')).toEqual(['streaming-input', 'awaiting-approval', 'output-available'])
  // Exactly one follow-up, and it carried the tool's result.
  expect(completions()).toBe(2)
  const followUp = recorder.bodies[1] as { messages: { role: string; content?: unknown; tool_call_id?: string }[] }
  expect(followUp.messages.find((m) => m.role === 'tool')?.content).toBe(JSON.stringify({ query: 'what is sse?', messages: 1 }))
  expect(stack.pageErrors).toEqual([])
  await screenshot(page, 'react-chat-tool-done')
})

test('an attached image shows as a thumbnail and reaches the model as an image_url part', async () => {
  await open('page')
  await page.setInputFiles('#attach', { name: 'dot.png', mimeType: 'image/png', buffer: Buffer.from(PNG) })
  expect(await page.locator('.composer .pending img.thumb').getAttribute('alt')).toBe('dot.png')
  await send('What is in this picture?')
  await page.waitForSelector('#log .tool[data-state="awaiting-approval"]')
  expect(await page.locator('.composer .pending').count()).toBe(0)
  const thumb = page.locator('#log > .turn.user img.thumb')
  expect(await thumb.getAttribute('alt')).toBe('dot.png')
  expect(await thumb.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth)).toBe(1)
  expect(completions()).toBe(1)
  const { messages } = recorder.bodies[0] as { messages: { role: string; content: unknown }[] }
  expect(messages).toEqual([
    {
      role: 'user',
      content: [
        { type: 'text', text: 'What is in this picture?' },
        { type: 'image_url', image_url: { url: `data:image/png;base64,${Buffer.from(PNG).toString('base64')}` } },
      ],
    },
  ])
  expect((await hooks(page)).violations).toEqual([])
  expect(stack.pageErrors).toEqual([])
  await screenshot(page, 'react-chat-attachment')
})

test('branch arrows: a stopped answer and its regeneration, an edited question and the original, switched without a request', async () => {
  await open('tutorial')
  const posts = async () => (await stack.flask.stats()).requests['/stream/post'] ?? 0
  stack.faults({ delay: 40 })
  await send('Tell me a long story')
  await page.waitForFunction((sel) => (document.querySelector(sel)?.textContent ?? '').length > 10, `${last} .answer`)
  await page.click('#stop')
  expect(await finalStatus(page, `${last} .status`)).toBe('aborted')
  stack.faults({})
  await page.click(`${last} .regenerate`)
  await page.waitForSelector(`${last} .status[data-status="completed"]`)
  expect(await page.locator(`${last} .branch-index`).textContent()).toBe('2/2')
  await page.click(`${last} .branches .prev`)
  expect(await page.locator(`${last} .branch-index`).textContent()).toBe('1/2')
  expect(await page.locator(`${last} .status`).getAttribute('data-status')).toBe('aborted')
  expect(await page.locator(`${last} .branches .prev`).isDisabled()).toBe(true)
  await page.click(`${last} .branches .next`)
  expect(await page.locator(`${last} .status`).getAttribute('data-status')).toBe('completed')
  expect(await posts()).toBe(2)

  await page.click('#log > .turn.user .edit')
  await page.fill('.edit-text', 'A short story')
  await page.click('.turn.editing .save')
  await page.waitForSelector(`${last} .status[data-status="completed"]`)
  const question = '#log > .turn.user'
  expect(await page.locator(`${question} .branch-index`).textContent()).toBe('2/2')
  expect(await page.locator(`${last} .answer`).innerHTML()).toBe(md(expectedText('A short story', { think: true })))
  await page.click(`${question} .branches .prev`)
  expect(await page.locator(`${question} .text`).textContent()).toBe('Tell me a long story')
  // The original question comes back with the answer it had last: the regenerated one, 2/2.
  expect(await page.locator(`${last} .branch-index`).textContent()).toBe('2/2')
  expect(await page.locator(`${last} .answer`).innerHTML()).toBe(md(expectedText('Tell me a long story', { think: true })))
  expect(await posts()).toBe(3)

  // The versions survive a reload.
  await page.reload()
  await page.waitForSelector(`${question} .branch-index`)
  expect(await page.locator(`${question} .branch-index`).textContent()).toBe('1/2')
  expect(await posts()).toBe(3)
  expect(stack.pageErrors).toEqual([])
  await screenshot(page, 'react-chat-branches')
})

test('a server tool: the Flask backend runs get_time in its loop on /api/chat and the card shows the call and its result', async () => {
  await open('tools')
  await send('What time is it?')
  expect(await finalStatus(page, `${last} .status`)).toBe('completed')
  const card = page.locator('#log .tool')
  expect(await card.locator('.tool-name').textContent()).toBe('get_time')
  expect(await card.getAttribute('data-state')).toBe('output-available')
  expect(await card.locator('.tool-output').textContent()).toBeTruthy()
  expect(await page.locator(`${last} .answer`).innerHTML()).toBe(md(expectedText('What time is it?')))
  // One request from the page; two generations upstream (the call, then the answer with its result).
  const requests: Record<string, number> = (await stack.flask.stats()).requests
  expect(requests['/api/chat']).toBe(1)
  expect(completions()).toBe(2)
  expect(stack.pageErrors).toEqual([])
  await screenshot(page, 'react-chat-server-tool')
})
