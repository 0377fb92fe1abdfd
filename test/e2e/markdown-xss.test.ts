// A corpus of XSS vectors (OWASP filter-evasion forms, `javascript:` in every
// Markdown link and image form, entities, mixed case, mutation XSS, reference
// links, autolinks) streamed token by token into real Chromium through
// llm-sse-client/markdown, with raw HTML off (the default) and on (through
// DOMPurify), on a page without CSP (a trap on window would fire) and under a
// strict CSP (a violation would be reported). Nothing may run, load, or
// leave an element or attribute outside the allow-list.
//
// Raw HTML on is not run under the CSP: DOMPurify's own parsing makes
// Chromium report a violation for every inline handler or <style> it is
// about to remove (nothing runs, but the listener cannot tell), so there the
// trap on window is the witness.

import { readFileSync } from 'node:fs'
import { build } from 'esbuild'
import type { BrowserContext } from 'playwright-core'
import { afterAll, beforeAll, expect, test } from 'vitest'
import { launchChromium } from '../helpers/chromium.js'
import type { TestBrowser } from '../helpers/chromium.js'
import { serve } from '../helpers/http.js'
import type { TestServer } from '../helpers/http.js'
import { hooks, installHooks } from './stack.js'

const VECTORS = JSON.parse(readFileSync('test/fixtures/markdown/xss.json', 'utf8')) as string[]
const CSP = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self'; object-src 'none'; frame-src 'none'; base-uri 'none'; form-action 'none'"
const TAGS = new Set('p h1 h2 h3 h4 h5 h6 blockquote ul ol li table thead tbody tr th td em strong s code pre hr br a span div button input'.split(' '))
const HTML_TAGS = new Set([...TAGS, ...'tfoot caption del ins b i u sub sup mark small kbd abbr details summary dl dt dd'.split(' ')])
const ATTRS = new Set('href rel title class align start type disabled checked aria-label colspan rowspan open'.split(' '))

let server: TestServer
let browser: TestBrowser
let context: BrowserContext

beforeAll(async () => {
  // The entry and DOMPurify as one script-tag bundle, built from source for this test.
  const script = (
    await build({
      stdin: { contents: "export * from './src/markdown/index.ts'\nexport { default as DOMPurify } from 'dompurify'", resolveDir: process.cwd(), loader: 'ts' },
      bundle: true,
      format: 'iife',
      globalName: 'LlmSseMarkdown',
      target: 'es2020',
      write: false,
    })
  ).outputFiles[0]!.text
  server = await serve((req, res) => {
    if (req.url === '/md.js') return res.writeHead(200, { 'content-type': 'text/javascript' }).end(script)
    if (req.url === '/page' || req.url === '/page-csp')
      return res
        .writeHead(200, { 'content-type': 'text/html; charset=utf-8', ...(req.url === '/page-csp' ? { 'content-security-policy': CSP } : {}) })
        .end('<!doctype html><meta charset="utf-8"><title>xss</title><div id="out"></div><script src="/md.js"></script>')
    res.writeHead(404).end()
  })
  browser = await launchChromium()
  context = browser.context
  await context.addInitScript(installHooks)
}, 60_000)

afterAll(async () => {
  await browser?.close()
  await server?.close()
})

test.each([
  ['raw HTML off (default)', false, false],
  ['raw HTML off (default), strict CSP', false, true],
  ['raw HTML on through DOMPurify', true, false],
])('%s: %#', async (_, html, csp) => {
  const page = await context.newPage()
  const errors: string[] = []
  page.on('pageerror', (e) => errors.push(e.message))
  await page.goto(`${server.url}/${csp ? 'page-csp' : 'page'}`)
  const evil = `${server.url}/evil`
  const found = await page.evaluate(
    ({ vectors, evil, html }) => {
      const lib = (window as unknown as { LlmSseMarkdown: typeof import('../../src/markdown/index.js') & { DOMPurify: never } }).LlmSseMarkdown
      const out = document.getElementById('out')!
      vectors.forEach((vector, k) => {
        const el = out.appendChild(document.createElement('div'))
        const view = lib.createMarkdownRenderer(el, { schedule: (f) => f(), ...(html ? { html: true, sanitizer: lib.DOMPurify } : {}) })
        const text = vector.replaceAll('EVIL', evil)
        // Token by token (1 to 4 characters), each one rendered: every half-written state reaches the DOM.
        for (let i = 0, n = 1; i < text.length; i += n, n = ((n + k) % 4) + 1) view.append(text.slice(i, i + n))
        view.finish()
      })
      const elements = Array.from(out.querySelectorAll('*')).filter((e) => e.parentElement !== out || e.id)
      return {
        tags: [...new Set(elements.map((e) => e.localName))],
        attrs: [...new Set(elements.flatMap((e) => Array.from(e.attributes, (a) => a.name)))],
        hrefs: Array.from(out.querySelectorAll('a'), (a) => a.protocol),
        text: out.textContent ?? '',
      }
    },
    { vectors: VECTORS, evil, html },
  )
  const allowed = html ? HTML_TAGS : TAGS
  expect(found.tags.filter((t) => !allowed.has(t))).toEqual([])
  expect(found.attrs.filter((a) => !ATTRS.has(a))).toEqual([])
  expect([...new Set(found.hrefs)].filter((p) => !/^(https?|mailto):$/.test(p))).toEqual([])
  // Raw HTML off: the markup is there, as text.
  if (!html) expect(found.text).toContain("<script>window.__e2e.pwned='script'</script>")

  // Positive control, inserted by the test itself: proves this page would report a live vector, and
  // that the events of everything rendered before it have had their turn.
  await page.evaluate(() => {
    const probe = document.createElement('div')
    probe.innerHTML = '<img src="/control.png" onerror="window.__control = 1">'
    document.body.append(probe)
  })
  if (csp) await page.waitForFunction(() => (window as unknown as { __e2e: { violations: string[] } }).__e2e.violations.length > 0)
  else await page.waitForFunction(() => (window as unknown as { __control?: number }).__control === 1)
  const h = await hooks(page)
  expect(h.pwned).toBeUndefined()
  expect(h.violations).toEqual(csp ? ['script-src-attr inline'] : [])
  expect(server.requests.filter((r) => r.url.startsWith('/evil'))).toEqual([])
  expect(errors).toEqual([])
  await page.close()
})
