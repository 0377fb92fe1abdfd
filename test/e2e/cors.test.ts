// The first wall of a new setup: the page on one origin (a Vite dev server,
// here the demo's static server) and the API on another (the mock, another
// port). Without CORS headers the browser hides the reason; the error must
// say it is most often CORS and what the server must send. With them the
// same calls complete.

import { mkdirSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Page } from 'playwright-core'
import { afterAll, beforeAll, expect, test } from 'vitest'
import { startStaticServer } from '../../scripts/static-server.mjs'
import type { StaticServer } from '../../scripts/static-server.d.mts'
import { expectedText } from '../../src/mock/script.js'
import { startMockServer } from '../../src/mock/server.js'
import type { MockServer } from '../../src/mock/server.js'
import { launchChromium } from '../helpers/chromium.js'
import type { TestBrowser } from '../helpers/chromium.js'
import { buildUmd } from './stack.js'

let dir: string
let web: StaticServer
let mock: MockServer
let browser: TestBrowser
let page: Page

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'llm-sse-cors-'))
  const distDir = join(dir, 'dist')
  mkdirSync(distDir)
  const launched = launchChromium()
  await buildUmd(distDir)
  web = await startStaticServer({ distDir })
  mock = await startMockServer()
  browser = await launched
  page = await browser.context.newPage()
  await page.goto(`${web.url}/`)
  await page.addScriptTag({ url: '/dist/llm-sse-client.umd.min.js' })
}, 120_000)

afterAll(async () => {
  await browser?.close()
  await web?.close()
  await mock?.close()
  rmSync(dir, { recursive: true, force: true })
})

type Call = 'eventsource' | 'fetch-get' | 'post'

interface Outcome {
  status: string
  text: string
  code?: string | undefined
  message?: string | undefined
  hint?: string | undefined
}

/** Run one stream in the page with the UMD build, against `baseUrl`. */
function run(baseUrl: string, call: Call, query: Record<string, string>): Promise<Outcome> {
  return page.evaluate(
    async ([baseUrl, call, query]) => {
      const sdk = (window as unknown as { LlmSse: typeof import('../../src/index.js') }).LlmSse
      const client = sdk.createClient({ baseUrl, retry: false })
      const stream =
        call === 'post'
          ? client.post(`/stream/post?${new URLSearchParams(query)}`, { json: { prompt: 'cors' } })
          : client.get('/stream/get', { query: { text: 'cors', ...query }, transport: call === 'eventsource' ? 'eventsource' : 'fetch' })
      const r = await stream.result
      return { status: r.status, text: r.text, code: r.error?.code, message: r.error?.message, hint: r.error?.hint }
    },
    [baseUrl, call, query] as const,
  )
}

const CALLS: Call[] = ['eventsource', 'fetch-get', 'post']

test('without CORS headers, every call from another origin fails with a hint naming the headers the server must send', async () => {
  for (const call of CALLS) {
    const r = await run(mock.url, call, { cors: '0' })
    expect({ call, status: r.status, code: r.code }).toEqual({ call, status: 'error', code: 'network' })
    expect(r.hint).toContain(`This page (${web.url}) called another origin`)
    expect(r.hint).toContain('most often CORS')
    expect(r.hint).toContain(`Access-Control-Allow-Origin: ${web.url}`)
    expect(r.message).toContain(`Hint: ${r.hint}`)
    // A JSON POST is preflighted: the server must allow its Content-Type.
    if (call === 'post') expect(r.hint).toContain('Access-Control-Allow-Headers: Content-Type')
    else expect(r.hint).not.toContain('Access-Control-Allow-Headers')
  }
  // Nothing was streamed: the mock answered, but the browser kept the answer from the page.
  expect(mock.stats().open).toBe(0)
})

test('with CORS headers, the same calls from another origin complete', async () => {
  for (const call of CALLS) {
    const r = await run(mock.url, call, {})
    expect({ call, status: r.status, text: r.text }).toEqual({ call, status: 'completed', text: expectedText('cors') })
  }
})

test("a failed request to the page's own origin carries no CORS hint", async () => {
  // The static server has no backend: /stream/ is a 404 here, an answer the page can read.
  const r = await run(web.url, 'fetch-get', {})
  expect(r.code).toBe('http')
  expect(r.hint).toBeUndefined()
  // And a server that is down on another origin gets the hint, worded as a likelihood.
  const gone = await startMockServer()
  const url = gone.url
  await gone.close()
  const down = await run(url, 'post', {})
  expect(down.code).toBe('network')
  expect(down.hint).toContain('most often CORS')
})
