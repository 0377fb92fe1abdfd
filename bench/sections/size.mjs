// Bundle size: the SDK's real build outputs (the repo's rollup config, written
// to bench/out/dist) and every entry point, SDK and alternatives alike,
// bundled the same way: esbuild, minify, gzip -9.
import { mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs'
import { join, relative } from 'node:path'
import { pathToFileURL } from 'node:url'
import { gzipSync } from 'node:zlib'
import { build, transform } from 'esbuild'
import { rollup } from 'rollup'
import { outDir, root } from '../lib/build.mjs'
import { mdTable } from '../lib/measure.mjs'

const distOut = join(outDir, 'dist')
const gz = (s) => gzipSync(s, { level: 9 }).length

/** Run the repo's rollup config, with every output path moved from dist/ to bench/out/dist/ (declaration builds skipped). */
async function rollupOutputs() {
  rmSync(distOut, { recursive: true, force: true })
  mkdirSync(distOut, { recursive: true })
  const configs = (await import(pathToFileURL(join(root, 'rollup.config.mjs')).href + `?t=${Date.now()}`)).default
  const move = (p) => p && join(distOut, relative(join(root, 'dist'), join(root, p)))
  const cwd = process.cwd()
  process.chdir(root)
  try {
    for (const cfg of configs) {
      if ((cfg.plugins ?? []).some((p) => p?.name === 'dts')) continue
      const bundle = await rollup({ ...cfg, onwarn: () => {} })
      for (const o of [cfg.output].flat()) await bundle.write({ ...o, dir: move(o.dir), file: move(o.file) })
      await bundle.close()
    }
  } finally {
    process.chdir(cwd)
  }
  return readdirSync(distOut)
    .filter((f) => /\.(c?js|mjs)$/.test(f))
    .sort()
}

/** esbuild bundle of `code` (resolved from the repo root), minified, browser ESM (node for node-only entries). */
async function bundled(code, platform = 'browser') {
  const r = await build({
    stdin: { contents: code, resolveDir: root, loader: 'ts' },
    bundle: true,
    minify: true,
    format: 'esm',
    platform,
    target: 'es2020',
    write: false,
    external: ['node:*', 'msw', 'msw/*', 'http', 'https', 'url', 'events'],
    logLevel: 'silent',
  })
  return r.outputFiles[0].text
}

const ENTRIES = [
  ['SDK: everything (`src/index.ts`)', "export * from './src/index.ts'"],
  ['SDK: `createClient` only', "export { createClient } from './src/index.ts'"],
  ['SDK: `createSseParser` only', "export { createSseParser } from './src/index.ts'"],
  ['SDK: `parseJsonish` only', "export { parseJsonish } from './src/index.ts'"],
  ['SDK: `renderStream` (`src/dom`)', "export * from './src/dom/index.ts'"],
  ['eventsource-parser `createParser`', "export { createParser } from 'eventsource-parser'"],
  ['eventsource-parser/stream `EventSourceParserStream`', "export { EventSourceParserStream } from 'eventsource-parser/stream'"],
  ['@microsoft/fetch-event-source `fetchEventSource`', "export { fetchEventSource } from '@microsoft/fetch-event-source'"],
  ['fetch-event-stream `events` + `stream`', "export { events, stream } from 'fetch-event-stream'"],
  ['eventsource (EventSource over fetch)', "export { EventSource } from 'eventsource'"],
]

/** Minified bytes each source file contributes to the whole-SDK bundle (esbuild metafile), largest first. */
async function contributions() {
  const r = await build({
    entryPoints: [join(root, 'src/index.ts')],
    bundle: true,
    minify: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2020',
    write: false,
    metafile: true,
    outdir: join(outDir, 'meta'),
    logLevel: 'silent',
  })
  const inputs = Object.values(r.metafile.outputs)[0].inputs
  return Object.entries(inputs)
    .map(([file, v]) => ({ file: relative(root, join(root, file)), bytes: v.bytesInOutput }))
    .sort((a, b) => b.bytes - a.bytes)
}

export async function size(_cfg, log) {
  log('size: rollup build + esbuild bundles')
  const rows = []
  let files = []
  let buildError
  try {
    files = await rollupOutputs()
  } catch (error) {
    buildError = String(error?.message ?? error).split('\n')[0]
  }
  for (const f of files) {
    const src = readFileSync(join(distOut, f), 'utf8')
    const min = f.includes('.min.') ? src : (await transform(src, { minify: true, format: f.endsWith('.cjs') ? 'cjs' : 'esm', loader: 'js' })).code
    rows.push({ what: `build output \`dist/${f}\``, raw: Buffer.byteLength(src), min: Buffer.byteLength(min), gz: gz(min), umd: f.includes('.umd.') })
  }
  for (const [what, code] of ENTRIES) {
    try {
      const min = await bundled(code)
      rows.push({ what, raw: undefined, min: Buffer.byteLength(min), gz: gz(min) })
    } catch (error) {
      rows.push({ what, error: String(error?.message ?? error).split('\n')[0] })
    }
  }
  let parts = []
  try {
    parts = await contributions()
  } catch {}
  return { rows, buildError, parts }
}

export function sizeReport({ rows, buildError, parts }) {
  const lines = ['## Bundle size\n']
  lines.push(
    "Build outputs: the repo's own `rollup.config.mjs`, written to `bench/out/dist`; ESM/CJS outputs minified with esbuild before gzip (as a bundler would ship them), UMD files measured as built (already minified by terser). Entry points: each bundled alone with esbuild (`bundle`, `minify`, ESM, browser), then `gzip -9`.\n",
  )
  if (buildError) lines.push(`Rollup build failed: ${buildError}\n`)
  lines.push(
    mdTable(
      ['what', 'raw bytes', 'min bytes', 'min+gzip bytes'],
      rows.map((r) => (r.error ? [r.what, '', '', `error: ${r.error}`] : [r.what, r.raw === undefined ? '' : String(r.raw), String(r.min), String(r.gz)])),
    ),
  )
  lines.push('')
  if (parts?.length) {
    const total = parts.reduce((a, p) => a + p.bytes, 0)
    lines.push(`Where the whole-SDK bundle's ${total} minified bytes come from (esbuild metafile, before gzip):\n`)
    lines.push(
      mdTable(
        ['source file', 'min bytes', 'share'],
        parts.filter((p) => p.bytes > 0).map((p) => [`\`${p.file}\``, String(p.bytes), `${((100 * p.bytes) / total).toFixed(0)} %`]),
      ),
    )
    lines.push('')
  }
  return lines.join('\n')
}

export function sizeTargets({ rows }) {
  const umd = rows.find((r) => r.what.includes('llm-sse-client.umd.min.js'))
  if (!umd) return [['UMD build ≤ 5 KiB min+gzip', 'not built', 'missed']]
  return [['UMD build ≤ 5 KiB (5120 B) min+gzip, everything inlined', `${umd.gz} B`, umd.gz <= 5120 ? 'met' : 'missed']]
}
