// A reader selects text in the block still being written, in real
// Chromium, while tokens keep arriving frame after frame (and the block
// commits): the selection stays, because the growing block's nodes are
// updated in place rather than rebuilt.

import { build } from 'esbuild'
import type { Page } from 'playwright-core'
import { afterAll, beforeAll, expect, test } from 'vitest'
import { launchChromium } from '../helpers/chromium.js'
import type { TestBrowser } from '../helpers/chromium.js'
import { serve } from '../helpers/http.js'
import type { TestServer } from '../helpers/http.js'

let server: TestServer
let browser: TestBrowser
let page: Page

beforeAll(async () => {
  const script = (
    await build({
      entryPoints: ['src/markdown/index.ts'],
      bundle: true,
      format: 'iife',
      globalName: 'LlmSseMarkdown',
      target: 'es2020',
      write: false,
    })
  ).outputFiles[0]!.text
  server = await serve((req, res) => {
    if (req.url === '/md.js') return res.writeHead(200, { 'content-type': 'text/javascript' }).end(script)
    res
      .writeHead(200, { 'content-type': 'text/html; charset=utf-8' })
      .end('<!doctype html><meta charset="utf-8"><div id="out"></div><script src="/md.js"></script>')
  })
  browser = await launchChromium()
  page = await browser.context.newPage()
}, 60_000)

afterAll(async () => {
  await browser?.close()
  await server?.close()
})

test.each([
  [
    'a paragraph',
    '# Title\n\nThe selected words grow',
    ' on, with **bold**, `code`, a [link](https://example.com/) and more.\n\n- then a list item\n',
    'selected words',
    'p',
  ],
  ['an open code block', '```python\nprint("selected words")\n', 'x = 1\ny = 2\n' + 'z = 3\n'.repeat(20) + '```\n\nafter\n', 'selected words', 'code'],
])('a selection in %s being written survives the tokens that follow', async (_, start, more, word, tag) => {
  await page.goto(server.url)
  const result = await page.evaluate(
    async ({ start, more, word, tag }) => {
      const lib = (window as unknown as { LlmSseMarkdown: typeof import('../../src/markdown/index.js') }).LlmSseMarkdown
      const out = document.getElementById('out')!
      out.replaceChildren()
      const view = lib.createMarkdownRenderer(out)
      const frame = () => new Promise((r) => requestAnimationFrame(() => setTimeout(r)))
      view.append(start)
      await frame()
      // Select the words in the growing block, as a reader's drag would.
      const el = out.querySelector(`.md-tail ${tag}, ${tag}.md-tail`)!
      const text = Array.from(el.childNodes).find((n) => n.nodeType === 3 && n.nodeValue!.includes(word))!
      const at = text.nodeValue!.indexOf(word)
      getSelection()!.setBaseAndExtent(text, at, text, at + word.length)
      const before = getSelection()!.toString()
      // The rest arrives a few characters per frame.
      for (let i = 0; i < more.length; i += 3) {
        view.append(more.slice(i, i + 3))
        await frame()
      }
      view.finish()
      const sel = getSelection()!
      return { before, after: sel.toString(), ranges: sel.rangeCount, connected: sel.anchorNode?.isConnected, tail: out.querySelectorAll('.md-tail').length }
    },
    { start, more, word, tag },
  )
  expect(result.before).toBe(word)
  expect(result).toEqual({ before: word, after: word, ranges: 1, connected: true, tail: 0 })
})
