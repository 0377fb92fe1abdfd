// The Vite example's Markdown page, built for production and served under
// the demo's strict CSP, streaming the mock's Markdown answer through the
// Flask backend: it renders headings, lists, a table, code with a copy
// button and a task list while streaming, never removes a finished block's
// nodes, and ends exactly as the same text rendered at once.

import { createRequire } from 'node:module'
import type { Page } from 'playwright-core'
import { afterAll, beforeAll, expect, test } from 'vitest'
import { expectedText } from '../../src/mock/script.js'
import { finalStatus, hooks, screenshot, startStack } from './stack.js'
import type { Stack } from './stack.js'
import { renderAtOnce } from '../helpers/markdown.js'

// jsdom ships no types; only its constructor is used here.
const { JSDOM } = createRequire(import.meta.url)('jsdom') as { JSDOM: new (html: string) => { window: Window } }

let stack: Stack
let page: Page

beforeAll(async () => {
  stack = await startStack({ app: true })
  page = await stack.newPage()
})

afterAll(async () => {
  await stack?.close()
})

test('the Markdown page streams a Markdown answer under the CSP: committed nodes stay, the end equals a render at once', async () => {
  stack.faults({ delay: 5 })
  await page.goto(`${stack.web.url}/app/markdown.html`)
  // Every node that ever left the answer, and whether it was the growing tail when it left.
  await page.evaluate(() => {
    const w = window as unknown as { __removed: string[] }
    w.__removed = []
    new MutationObserver((records) => {
      for (const r of records) for (const n of Array.from(r.removedNodes)) if (!(n as Element).classList?.contains('md-tail')) w.__removed.push(n.nodeName)
    }).observe(document.getElementById('answer')!, { childList: true })
  })
  await page.click('#send')
  await page.waitForSelector('#answer .md-tail')
  expect(await finalStatus(page, '#status')).toBe('completed')
  stack.faults({})

  const answer = page.locator('#answer')
  expect(await answer.locator('h1').textContent()).toBe('Flask in detail')
  expect(await answer.locator('table tbody tr').count()).toBe(3)
  expect(await answer.locator('pre > code.language-python').count()).toBe(1)
  expect(await answer.locator('.md-code > button.md-copy[aria-label="Copy code"]').count()).toBe(1)
  expect(await answer.locator('li.md-task input[type=checkbox][disabled]').count()).toBe(3)
  expect(await answer.locator('a').getAttribute('rel')).toBe('noopener noreferrer')
  expect(await answer.locator('.md-tail').count()).toBe(0)
  expect(await page.evaluate(() => (window as unknown as { __removed: string[] }).__removed)).toEqual([])

  // The streamed DOM equals the expected answer rendered in one go by the same entry (in jsdom).
  const el = new JSDOM('').window.document.createElement('div')
  expect(await answer.innerHTML()).toBe(renderAtOnce(expectedText('Explain Flask in Markdown'), el))
  expect((await hooks(page)).violations).toEqual([])
  expect(stack.pageErrors).toEqual([])
  await screenshot(page, 'markdown-page')
})
