#!/usr/bin/env node
// Min+gzip size of every build output, and of the SDK inside an app that
// uses part of it, checked against a budget. The budgets are hard limits
// (the test fails above them); the targets they fall short of, and why,
// are in docs/performance.md. `--files` also prints what each source file
// adds to the apps (minified bytes, before gzip).
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
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
  // +0.25 KiB for the `debug` option (one line per attempt, retry decision,
  // timeout and final status; measured +322 B in the bundled post() app)
  // and the core's tool events (tool-input, tool-result, data).
  // +192 B (and in the apps below) for the AI SDK's tool and data parts,
  // read into the same tool events as the kit's format: ≈ 300 B measured.
  // Then −229 B from the request lifecycle (option checks from one table with
  // one message form, one timer for the three time limits, smaller
  // transports): measured 15547 B; the budget keeps 120 B of slack.
  // Then −277 B from payload decoding (shared field readers for OpenAI and
  // content dicts, one data-stream loop, the reducer's own tool-call map):
  // measured 15270 B.
  'dist/llm-sse-client.umd.min.js': 15270 + 120,
  'dist/llm-sse-client-dom.umd.min.js': 1 * KiB,
  // Measured after esbuild's minifier (what Vite ships), which leaves ≈ 330 B
  // more than the UMD's terser passes: the same code, so the same alarm.
  'dist/index.js': 15339 + 120,
  'dist/index.cjs': 15365 + 120,
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
  // +3000 B for message parts, the tool loop (checks, execute with timeout
  // and stop, approval, OpenAI tool_calls/tool messages), attachments and
  // branches kept in serialize(): measured +2983 B (1630 to 4613 B), of
  // which attachments ≈ 480 B. Parts, tools and branches alone (≈ 2.5 KiB)
  // miss the 2 KiB they were given: see docs/design-notes.md.
  // +64 B: files read with FileReader where a Blob has no arrayBuffer() (jsdom).
  chat: { base: ['index'], budget: 1.5 * KiB + 112 + 3000 + 64 },
  react: { base: ['index', 'chat'], budget: 0.5 * KiB },
  vue: { base: ['index', 'chat'], budget: 0.5 * KiB },
  // Our code only: markdown-it stays external (an app's bundler adds it once; its size is printed above).
  // The 3 KiB target is missed (see docs/design-notes.md): parsing inside the growing block
  // (src/markdown/inline.ts and the paths in stream.ts that skip the block parse) costs ≈ 2.2 KiB,
  // updating the growing block in place (morph.ts) ≈ 0.3 KiB.
  // +640 B: a list parsed from its last item, blocks after a blank line parsed alone, code typed
  // into an open code span appended unparsed (per-token reads 4.0× → 2.2× the answer): measured
  // +608 B (7402 to 8010 B).
  // +256 B: writing a burst (a long answer at once) in slices of ≈ 8 ms, fed to the parser a few
  // lines at a time, and finish({ inFrames }): measured +220 B.
  markdown: { base: [], budget: 7.25 * KiB + 640 + 256 },
  'react-markdown': { base: ['markdown'], budget: 0.5 * KiB },
  'vue-markdown': { base: ['markdown'], budget: 0.5 * KiB },
}

/**
 * Bundled apps: what an app's bundler ships of ours when the app uses only
 * part of the core. Each is bundled from dist/index.js as Vite or esbuild
 * would (esbuild, minified, tree-shaken, code splitting on) and counted as
 * the chunks that load: the entry and what it imports, plus, for an app
 * that calls get(), the EventSource transport that get() loads on first use.
 * The app's own two lines are counted too (≈ 70 B).
 */
const apps = {
  // Targets: 6 KiB for post(), 7.5 KiB with get(); see docs/performance.md for what bounds them.
  'createClient + post()': {
    code: "import { createClient } from 'llm-sse-client'\nwindow.s = createClient({ baseUrl: 'http://h' }).post('/p', { json: {} })",
    // Measured 15393 B after the request lifecycle shrank (−220 B), then
    // 15134 B after payload decoding shrank (−259 B); 120 B of slack.
    budget: 15134 + 120,
  },
  'createClient + post() + get() over EventSource': {
    code: "import { createClient } from 'llm-sse-client'\nconst c = createClient({ baseUrl: 'http://h' })\nwindow.s = [c.post('/p', { json: {} }), c.get('/g')]",
    // Measured 16261 B (15412 + 849), then 15998 B (15149 + 849) after payload decoding shrank; 120 B of slack.
    budget: 15998 + 120,
    lazy: true,
  },
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
/**
 * Stands in for the dialects (`auto` and every format) with a plain-text one:
 * `--files` uses it to show what the rest of the core weighs on its own.
 */
const noDialects = {
  name: 'no-dialects',
  setup(b) {
    b.onLoad({ filter: /src[\\/]payload[\\/]dialects[\\/]index\.ts$/ }, () => ({
      contents: 'export const resolveDialect = () => ({ decode: (e) => ({ text: e.data }), textLike: () => true })',
      loader: 'ts',
    }))
  },
}

/** esbuild's bundle of `code` as an app's bundler would make it, and the outputs that load (see `apps`). */
async function bundleApp(code, lazy, dir, plugins = []) {
  writeFileSync(join(dir, 'app.js'), code)
  const out = await build({
    entryPoints: [join(dir, 'app.js')],
    alias: { 'llm-sse-client': resolve('dist/index.js'), 'llm-sse-client/src': resolve('src/index.ts') },
    bundle: true,
    splitting: true,
    minify: true,
    format: 'esm',
    platform: 'browser',
    write: false,
    metafile: true,
    outdir: join(dir, 'out'),
    plugins,
  })
  const meta = out.metafile.outputs
  // Dynamic imports are entry points to esbuild too: start from the app's own.
  const entry = Object.keys(meta).find((k) => meta[k].entryPoint?.endsWith('app.js'))
  const loaded = new Set()
  const visit = (k) => {
    if (loaded.has(k)) return
    loaded.add(k)
    for (const i of meta[k].imports) if (i.kind === 'import-statement' || lazy) visit(i.path)
  }
  visit(entry)
  const files = out.outputFiles.filter((f) => [...loaded].some((k) => f.path.endsWith(k.replace(/^.*\//, ''))))
  return { files, meta: [...loaded].map((k) => meta[k]) }
}

// The apps are bundled in a scratch folder; `llm-sse-client` resolves to this package's dist/.
const scratch = mkdtempSync(join(tmpdir(), 'llm-sse-size-'))
try {
  const perFile = process.argv.includes('--files')
  for (const [name, { code, budget, lazy }] of Object.entries(apps)) {
    const { files } = await bundleApp(code, lazy, scratch)
    const min = files.reduce((n, f) => n + f.text.length, 0)
    const sizes = files.map((f) => gzipSync(f.text, { level: 9 }).length)
    const gz = sizes.reduce((a, b) => a + b, 0)
    const ok = gz <= budget
    if (!ok) over++
    console.log(
      `| app: ${name} (${files.length} chunk${files.length > 1 ? 's: ' + sizes.join(' + ') : ''}) | ${min} | ${gz}${ok ? '' : ' ❌'} | ${Math.round(budget)} |`,
    )
    if (perFile) {
      // What each source file adds: the same app built from src/ (bytes after minifying, before gzip).
      const { meta } = await bundleApp(code.replace("'llm-sse-client'", "'llm-sse-client/src'"), lazy, scratch)
      const inputs = {}
      for (const o of meta) for (const [f, { bytesInOutput }] of Object.entries(o.inputs)) inputs[f] = (inputs[f] ?? 0) + bytesInOutput
      for (const [f, b] of Object.entries(inputs).sort((x, y) => y[1] - x[1])) if (b && f.startsWith('src/')) console.log(`|   ${f} | ${b} | | |`)
      const { files: floor } = await bundleApp(code.replace("'llm-sse-client'", "'llm-sse-client/src'"), lazy, scratch, [noDialects])
      const fmin = floor.reduce((n, f) => n + f.text.length, 0)
      const fgz = floor.reduce((n, f) => n + gzipSync(f.text, { level: 9 }).length, 0)
      console.log(`|   the same with every dialect replaced by plain text (not budgeted) | ${fmin} | ${fgz} | |`)
    }
  }
} finally {
  rmSync(scratch, { recursive: true, force: true })
}
if (over) {
  console.error(`${over} output(s) over budget`)
  process.exit(1)
}
