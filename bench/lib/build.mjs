// Bundle the SDK's TypeScript sources with esbuild at bench start, so
// `npm run bench` measures the working tree on a fresh clone (after
// `npm install`) without depending on a previous `npm run build`.
import { mkdirSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { build } from 'esbuild'

export const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..')
export const outDir = join(root, 'bench', 'out')

const targets = {
  // Node builds, imported by the bench itself.
  sdk: { entry: 'src/index.ts', platform: 'node', format: 'esm', file: 'sdk.mjs' },
  parse: { entry: 'src/sse/parse.ts', platform: 'node', format: 'esm', file: 'parse.mjs' },
  // The mock LLM, as the upstream of the resumable-streams bench.
  mock: { entry: 'src/mock/server.ts', platform: 'node', format: 'esm', file: 'mock.mjs' },
  // Browser builds for the render bench (script tags exposing a global).
  'sdk-browser': { entry: 'src/index.ts', platform: 'browser', format: 'iife', globalName: 'LlmSse', file: 'sdk-browser.js' },
  'dom-browser': { entry: 'src/dom/index.ts', platform: 'browser', format: 'iife', globalName: 'LlmSseDom', file: 'dom-browser.js' },
  // The chat bench's page: React's production build with useChat and the hand-written hook.
  'chat-react-browser': {
    entry: 'bench/pages/chat-react.js',
    platform: 'browser',
    format: 'iife',
    file: 'chat-react-browser.js',
    define: { 'process.env.NODE_ENV': '"production"' },
    // The production build with <Profiler> callbacks (a plain production build never calls onRender).
    alias: { 'react-dom/client': 'react-dom/profiling' },
  },
  // The long-task bench's page: React's production build, useChat and <Markdown>.
  'longtasks-react-browser': {
    entry: 'bench/pages/longtasks-react.js',
    platform: 'browser',
    format: 'iife',
    file: 'longtasks-react-browser.js',
    define: { 'process.env.NODE_ENV': '"production"' },
  },
}

/**
 * Build one target; returns its path, or throws with esbuild's message
 * (a section that needs it then reports "not built" instead of a number).
 */
export async function buildTarget(name) {
  const t = targets[name]
  mkdirSync(outDir, { recursive: true })
  const outfile = join(outDir, t.file)
  await build({
    entryPoints: [join(root, t.entry)],
    bundle: true,
    format: t.format,
    platform: t.platform,
    target: 'es2020',
    globalName: t.globalName,
    outfile,
    logLevel: 'silent',
    // Node builds keep a source map for --cpu-prof; browser builds are minified like the shipped UMD.
    sourcemap: t.platform === 'node' ? 'inline' : false,
    minify: t.platform === 'browser',
    // Node builtins of the mock server are never reached by these entries, but keep them out.
    external: ['node:*', 'msw', 'msw/*'],
    define: t.define,
    alias: t.alias,
  })
  return outfile
}

const cache = new Map()

/**
 * Import a built Node target once. Child processes get BENCH_PREBUILT=1:
 * the parent built everything already, and the children must all measure
 * the same bytes.
 */
export function loadTarget(name) {
  const built = process.env.BENCH_PREBUILT ? Promise.resolve(join(outDir, targets[name].file)) : buildTarget(name)
  if (!cache.has(name))
    cache.set(
      name,
      built.then((file) => import(pathToFileURL(file).href)),
    )
  return cache.get(name)
}
