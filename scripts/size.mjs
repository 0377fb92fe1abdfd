#!/usr/bin/env node
// Min+gzip size of every build output, checked against a budget. The
// budgets are hard limits (the test fails above them); the UMD target from
// the performance issue is 5 KiB with everything inlined.
import { readFileSync } from 'node:fs'
import { gzipSync } from 'node:zlib'
import { build, transform } from 'esbuild'

const KiB = 1024
const budgets = {
  // +1.5 KiB since 9.5: every option checked up front with a hint
  // (`invalid-options`, ≈ 640 B) and the cross-origin (CORS) hint (≈ 600 B).
  // +3 KiB (here and below) for OpenAI tool calls, refusals and choices,
  // the AI SDK's two stream protocols and non-streamed answers: ≈ 2.7 KiB measured.
  // +1 KiB (here and below) for hardening: redirects kept to the request's
  // origin (≈ 450 B), the total deadline, restart detection on resume.
  'dist/llm-sse-client.umd.min.js': 15 * KiB,
  'dist/llm-sse-client-dom.umd.min.js': 1 * KiB,
  // Measured after esbuild's minifier (what Vite ships), which leaves ≈ 330 B
  // more than the UMD's terser passes: the same code, so the same alarm.
  'dist/index.js': 15.5 * KiB,
  'dist/index.cjs': 15.5 * KiB,
  'dist/dom.js': 1 * KiB,
}

/**
 * Add-on entries, by what they add to an app that already ships what they
 * import: min+gzip of the add-on bundled (esbuild, as Vite does) with its
 * base, minus the base alone. Measuring the file alone would count its
 * import line and miss what gzip shares with the core.
 */
const addOns = {
  // +112 B for resume() (a reloaded page continues a cut answer): measured
  // +116 B (1514 to 1630 B); the 22 B of slack before it stay about the same.
  chat: { base: ['index'], budget: 1.5 * KiB + 112 },
  react: { base: ['index', 'chat'], budget: 0.5 * KiB },
  vue: { base: ['index', 'chat'], budget: 0.5 * KiB },
  // Our code only: markdown-it stays external (an app's bundler adds it once; its size is printed above).
  // The 2 KiB target is missed (see docs/design-notes.md); this guards what is there.
  markdown: { base: [], budget: 5.25 * KiB },
  'react-markdown': { base: ['markdown'], budget: 0.5 * KiB },
  'vue-markdown': { base: ['markdown'], budget: 0.5 * KiB },
}

let over = 0
console.log('| file | min | min+gzip | budget |\n| --- | ---: | ---: | ---: |')
for (const [file, budget] of Object.entries(budgets)) {
  const source = readFileSync(file, 'utf8')
  // The UMD files are minified by the build; the ESM/CJS ones are measured as a bundler would ship them.
  const min = file.includes('.min.') ? source : (await transform(source, { minify: true, format: file.endsWith('.cjs') ? 'cjs' : 'esm' })).code
  const gz = gzipSync(min, { level: 9 }).length
  const ok = gz <= budget
  if (!ok) over++
  console.log(`| ${file} | ${min.length} | ${gz}${ok ? '' : ' ❌'} | ${Math.round(budget)} |`)
}
// The markdown entry's library, bundled and minified the same way, for the same table.
const lib = (
  await build({ stdin: { contents: "export { default } from 'markdown-it'", resolveDir: '.' }, bundle: true, minify: true, format: 'esm', write: false })
).outputFiles[0].text
console.log(`| markdown-it (dependency of the markdown entries, not budgeted) | ${lib.length} | ${gzipSync(lib, { level: 9 }).length} | |`)
const bundled = async (names) => {
  const contents = names.map((n) => `export * from './dist/${n}.js'`).join('\n')
  const out = await build({
    stdin: { contents, resolveDir: process.cwd() },
    bundle: true,
    minify: true,
    format: 'esm',
    write: false,
    external: ['react', 'vue', 'markdown-it'],
  })
  return gzipSync(out.outputFiles[0].text, { level: 9 }).length
}
for (const [name, { base, budget }] of Object.entries(addOns)) {
  const added = (await bundled([...base, name])) - (await bundled(base))
  const ok = added <= budget
  if (!ok) over++
  console.log(
    `| dist/${name}.js ${base.length ? `on top of ${base.join(' + ')}` : 'without its dependencies'} | | +${added}${ok ? '' : ' ❌'} | ${Math.round(budget)} |`,
  )
}
if (over) {
  console.error(`${over} output(s) over budget`)
  process.exit(1)
}
