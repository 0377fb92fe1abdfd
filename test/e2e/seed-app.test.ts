// The script-tag build in Chromium against the seed's own app
// (../shared/seed/app.py, bugs kept), on the seed's own page so that both
// modes are same-origin as the seed needs (it sends no CORS headers). See
// test/integration/seed-app.test.ts for how each upstream makes the seed end.

import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Page } from 'playwright-core'
import { afterAll, beforeAll, expect, test } from 'vitest'
import { DEFAULT_PROMPT, expectedReasoning, expectedText } from '../../src/mock/script.js'
import { startMockServer } from '../../src/mock/server.js'
import type { MockServer } from '../../src/mock/server.js'
import { launchChromium } from '../helpers/chromium.js'
import type { TestBrowser } from '../helpers/chromium.js'
import { startSeed } from '../helpers/flask.js'
import { buildUmd, hooks, installHooks } from './stack.js'

type Seed = Awaited<ReturnType<typeof startSeed>>
let dir: string
let mock: MockServer
let browser: TestBrowser
let seeds: { ok: Seed; cut: Seed; down: Seed }
const pageErrors: string[] = []

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'llm-sse-seed-e2e-'))
  const launched = launchChromium()
  mock = await startMockServer()
  const [ok, cut, down] = await Promise.all([
    startSeed(`${mock.url}/_/think=inline&lastContent=empty/v1`),
    startSeed(`${mock.url}/_/think=inline/v1`),
    startSeed(`${mock.url}/_/status=500/v1`),
    buildUmd(dir),
  ])
  seeds = { ok: ok!, cut: cut!, down: down! }
  browser = await launched
  await browser.context.addInitScript(installHooks)
}, 180_000)

afterAll(async () => {
  await browser?.close()
  await Promise.all(Object.values(seeds ?? {}).map((s) => s.close()))
  await mock?.close()
  if (dir) rmSync(dir, { recursive: true, force: true })
  expect(pageErrors).toEqual([])
})

interface PageResult {
  status: string
  text: string
  reasoning: string
  code?: string | undefined
  httpStatus?: number | undefined
  message?: string | undefined
}

/** Open the seed's GET demo page, add the UMD build as a script tag, and stream once with it. */
async function streamOnSeedPage(seed: Seed, mode: 'get' | 'post'): Promise<{ page: Page; r: PageResult }> {
  const page = await browser.context.newPage()
  page.on('pageerror', (e) => pageErrors.push(e.message))
  await page.goto(`${seed.url}/`)
  await page.addScriptTag({ path: join(dir, 'llm-sse-client.umd.min.js') })
  const r = await page.evaluate(async (m): Promise<PageResult> => {
    const { createClient } = (window as unknown as { LlmSse: typeof import('../../src/index.js') }).LlmSse
    const client = createClient()
    const s =
      m === 'get' ? client.get('/stream/get', { query: { text: '详解一下flask框架' } }) : client.post('/stream/post', { json: { prompt: '详解一下flask框架' } })
    const r = await s.result
    return { status: r.status, text: r.text, reasoning: r.reasoning, code: r.error?.code, httpStatus: r.error?.status, message: r.error?.message }
  }, mode)
  return { page, r }
}

const TEXT = expectedText(DEFAULT_PROMPT)
const REASONING = expectedReasoning(DEFAULT_PROMPT, { think: true })

for (const mode of ['get', 'post'] as const) {
  test(`${mode}: the seed's completed stream is the exact answer with its reasoning, one generation, EventSource closed`, async () => {
    mock.resetStats()
    const { page, r } = await streamOnSeedPage(seeds.ok, mode)
    expect(r).toMatchObject({ status: 'completed', text: TEXT, reasoning: REASONING })
    expect(r.code).toBeUndefined()
    const h = await hooks(page)
    expect(h.readyStates).toEqual(mode === 'get' ? [2] : [])
    expect(h.fetches).toBe(mode === 'post' ? 1 : 0)
    expect(mock.stats().requests['/v1/chat/completions']).toBe(1)
    await page.close()
  })

  test(`${mode}: the seed's cut stream is never completed, keeps the whole text, and EventSource does not reconnect`, async () => {
    const { page, r } = await streamOnSeedPage(seeds.cut, mode)
    // Chromium's fetch rejects the cut chunked body (network); EventSource cannot tell, so: incomplete.
    expect(r.status).toBe(mode === 'get' ? 'incomplete' : 'error')
    expect(r.code).toBe(mode === 'get' ? 'incomplete' : 'network')
    expect(r.text).toBe(TEXT)
    expect(r.reasoning).toBe(REASONING)
    expect((await hooks(page)).readyStates).toEqual(mode === 'get' ? [2] : [])
    await page.close()
  })

  test(`${mode}: the seed's HTML 500 is an http error`, async () => {
    const { page, r } = await streamOnSeedPage(seeds.down, mode)
    expect(r).toMatchObject({ status: 'error', code: 'http', text: '' })
    if (mode === 'post') {
      expect(r.httpStatus).toBe(500)
      expect(r.message).toContain('Internal Server Error')
      expect(r.message).not.toContain('<')
    }
    expect((await hooks(page)).readyStates).toEqual(mode === 'get' ? [2] : [])
    await page.close()
  })
}
