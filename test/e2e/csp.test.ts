// The examples under a strict Content-Security-Policy (no inline script, no
// eval), as served by the demo's static server: they must work unchanged.

import type { Page } from 'playwright-core'
import { afterAll, beforeAll, expect, test } from 'vitest'
import { expectedText } from '../../src/mock/script.js'
import { finalStatus, hooks, startStack } from './stack.js'
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

const THINK = { think: true }

test.each(['/examples/script-tag.html', '/app/'])('%s is served with a CSP allowing scripts from its own origin only', async (path) => {
  const res = await fetch(`${stack.web.url}${path}`)
  expect(res.status).toBe(200)
  const csp = res.headers.get('content-security-policy') ?? ''
  expect(csp.split(';').map((d) => d.trim())).toContain("script-src 'self'")
  expect(csp).not.toMatch(/unsafe-(inline|eval|hashes)|strict-dynamic|nonce-|sha\d+-/)
})

test('under the CSP the script-tag page streams over POST and GET, with no violation, and the CSP is really enforced', async () => {
  await page.goto(`${stack.web.url}/examples/script-tag.html`)
  for (const mode of ['post', 'get']) {
    const prompt = `CSP ${mode}`
    await page.fill('#prompt', prompt)
    await page.click(`#${mode}`)
    expect(await finalStatus(page, '#status')).toBe('completed')
    expect(await page.locator('#answer').textContent()).toBe(expectedText(prompt, THINK))
  }
  expect((await hooks(page)).violations).toEqual([])

  // Proof that the policy is in force here (else the test above proves
  // nothing): an inline script is refused. (eval cannot be probed from
  // page.evaluate: DevTools-evaluated code is exempt from CSP; an eval in
  // the SDK would show up above as a violation.)
  const inline = await page.evaluate(() => {
    const script = document.createElement('script')
    script.textContent = 'window.__inline = 1'
    document.head.append(script)
    return (window as unknown as { __inline?: number }).__inline
  })
  expect(inline).toBeUndefined()
  await page.waitForFunction(() => (window as unknown as { __e2e: { violations: string[] } }).__e2e.violations.length > 0)
  expect((await hooks(page)).violations).toEqual(['script-src-elem inline'])
})

test('under the CSP the Vite app streams an answer with no violation', async () => {
  await page.goto(`${stack.web.url}/app/`)
  const prompt = 'CSP app'
  await page.fill('#prompt', prompt)
  await page.press('#prompt', 'Enter')
  expect(await finalStatus(page, '.turn.assistant:last-child .status')).toBe('completed')
  expect(await page.locator('.turn.assistant:last-child .answer').textContent()).toBe(expectedText(prompt, THINK))
  expect((await hooks(page)).violations).toEqual([])
  expect(stack.pageErrors).toEqual([])
})
