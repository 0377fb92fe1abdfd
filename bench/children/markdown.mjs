// Streaming Markdown in real Chromium: an LLM-style answer (headings, lists,
// a table, code blocks) delivered one token per event (one task each, as
// network events arrive), rendered by
//   ours:  llm-sse-client/markdown's createMarkdownRenderer (one DOM write per frame),
//   naive: marked.parse(whole text) + innerHTML on every token,
//   relex: markdown-it.parse(whole text) on every token, re-rendering only the
//          top-level blocks whose HTML changed (streamdown's method, same library as ours).
// Measured in the page: script time of every token handler and frame
// callback (sum and longest), long tasks, DOM nodes removed (MutationObserver).
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { createServer } from 'node:http'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { chromium } from 'playwright-core'
import { outDir } from '../lib/build.mjs'
import { emit } from '../lib/child.mjs'
import { markdownTokens } from '../lib/markdown-answer.mjs'

const args = JSON.parse(process.argv[2])
const files = {
  '/md.js': readFileSync(join(outDir, 'markdown-browser.js')),
  '/baselines.js': readFileSync(join(outDir, 'markdown-baselines.js')),
  '/harness.js': readFileSync(new URL('../pages/markdown-harness.js', import.meta.url)),
}
const server = createServer((req, res) => {
  const file = files[req.url]
  if (file) return res.writeHead(200, { 'content-type': 'text/javascript' }).end(file)
  res
    .writeHead(200, { 'content-type': 'text/html' })
    .end(
      '<!doctype html><meta charset="utf-8"><div id="out"></div><script src="/md.js"></script><script src="/baselines.js"></script><script src="/harness.js"></script>',
    )
})
await new Promise((r) => server.listen(0, '127.0.0.1', r))
const base = `http://127.0.0.1:${server.address().port}`
const userDataDir = mkdtempSync(join(tmpdir(), 'bench-md-'))
const context = await chromium.launchPersistentContext(userDataDir, {
  executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
  headless: true,
  args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking'],
})
const results = []
try {
  const version = context.browser()?.version() ?? ''
  for (const size of args.sizes) {
    const tokens = markdownTokens(size)
    for (const kind of ['ours', 'relex', 'naive']) {
      const page = await context.newPage()
      await page.goto(base)
      const r = await page.evaluate(({ kind, tokens, capMs }) => window.runBench(kind, tokens, capMs), { kind, tokens, capMs: args.capMs })
      results.push({ size, kind, chars: tokens.join('').length, ...r })
      process.stderr.write(`[bench markdown] ${size} tokens ${kind}: ${r.tokensDone} done, script ${r.total.toFixed(0)} ms\n`)
      await page.close()
    }
  }
  emit({ version, results })
} finally {
  await context.close()
  rmSync(userDataDir, { recursive: true, force: true })
  server.close()
}
