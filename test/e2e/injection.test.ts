// A prompt-injected answer full of markup, from an OpenAI-compatible
// upstream through the Flask backend: the examples must show it as text and
// run none of it. The seed's page did `innerHTML += e.data`.
//
// Served WITHOUT a CSP: a strict CSP would block the inline handlers by
// itself and hide an innerHTML bug. The last test proves the payload is live.

import type { Page } from 'playwright-core'
import { afterAll, beforeAll, beforeEach, expect, test } from 'vitest'
import { serve } from '../helpers/http.js'
import type { TestServer } from '../helpers/http.js'
import { finalStatus, hooks, screenshot, startStack } from './stack.js'
import type { Stack } from './stack.js'

const PWN = 'window.__e2e.pwned'
const ANSWER = [
  'Here is your picture: ',
  `<img src=x onerror="${PWN}='img'">`,
  ' and a script ',
  `<script>${PWN}='script'</script>`,
  ', an ',
  `<svg><animate onbegin="${PWN}='svg'" attributeName=x dur=1s>`,
  ' <b>bold</b> &lt;escaped&gt; &amp; ',
  `<iframe srcdoc="<script>parent.${PWN}='iframe'</script>"></iframe>`,
  '\nDone.',
]
const REASONING = [`<img src=y onerror="${PWN}='reasoning'">`, ' I will answer with markup.']

let upstream: TestServer
let stack: Stack
let page: Page

/** An OpenAI-compatible Chat Completions stream of the hostile answer. */
function chunk(delta: Record<string, string>, finish: string | null = null): string {
  const body = { id: 'chatcmpl-x', object: 'chat.completion.chunk', created: 0, model: 'evil-r1', choices: [{ index: 0, delta, finish_reason: finish }] }
  return `data: ${JSON.stringify(body)}\n\n`
}

beforeAll(async () => {
  upstream = await serve((req, res) => {
    if (req.method !== 'POST' || !req.url?.endsWith('/chat/completions')) {
      res.writeHead(404).end()
      return
    }
    res.writeHead(200, { 'Content-Type': 'text/event-stream' })
    res.write(chunk({ role: 'assistant', content: '' }))
    for (const r of REASONING) res.write(chunk({ reasoning_content: r }))
    for (const c of ANSWER) res.write(chunk({ content: c }))
    res.write(chunk({}, 'stop'))
    res.end('data: [DONE]\n\n')
  })
  stack = await startStack({ upstream: upstream.url, app: true, csp: false })
  page = await stack.newPage()
})

afterAll(async () => {
  await stack?.close()
  await upstream?.close()
})

beforeEach(async () => {
  await stack.resetStats()
})

async function expectInert(answerSel: string, reasoningSel: string): Promise<void> {
  expect(await page.locator(answerSel).textContent()).toBe(ANSWER.join(''))
  expect(await page.locator(reasoningSel).textContent()).toBe(REASONING.join(''))
  // Text only: not one element was created from the answer.
  expect(await page.locator(`${answerSel} *, ${reasoningSel} *`).count()).toBe(0)
  expect(await page.locator('img, iframe, svg').count()).toBe(0)
  expect((await hooks(page)).pwned).toBeUndefined()
}

test.each(['post', 'get'] as const)('the script-tag page shows a markup answer over %s as text and runs none of it', async (mode) => {
  await page.goto(`${stack.web.url}/examples/script-tag.html`)
  expect((await fetch(`${stack.web.url}/examples/script-tag.html`)).headers.get('content-security-policy')).toBeNull()
  await page.fill('#prompt', 'draw me a picture')
  await page.click(`#${mode}`)
  expect(await finalStatus(page, '#status')).toBe('completed')
  await expectInert('#answer', '#reasoning')
  if (mode === 'post') {
    await page.locator('#thinking summary').click()
    await screenshot(page, 'script-tag-injection')
  }
})

test('the Vite app shows a markup answer as text and runs none of it', async () => {
  await page.goto(`${stack.web.url}/app/`)
  await page.fill('#prompt', 'draw me a picture')
  await page.press('#prompt', 'Enter')
  const last = '.turn.assistant:last-child'
  expect(await finalStatus(page, `${last} .status`)).toBe('completed')
  await expectInert(`${last} .answer`, `${last} .reasoning`)
})

test('control: the same answer parsed as HTML (the seed’s innerHTML) does run its handler on this page', async () => {
  await page.goto(`${stack.web.url}/examples/script-tag.html`)
  await page.evaluate((html) => {
    document.getElementById('answer')!.innerHTML += html
  }, ANSWER.join(''))
  await page.waitForFunction(() => (window as unknown as { __e2e: { pwned?: unknown } }).__e2e.pwned !== undefined)
  expect((await hooks(page)).pwned).toBeTruthy()
})
