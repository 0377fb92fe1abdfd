// Builds dist/: ESM + CJS (+ one declaration file per format) for every
// entry, a minified script-tag UMD for the browser entries, and the
// mock-server and checker CLIs. esbuild only strips types; rollup does the bundling.
import { readFileSync, rmSync } from 'node:fs'
import terser from '@rollup/plugin-terser'
import { dts } from 'rollup-plugin-dts'
import esbuild from 'rollup-plugin-esbuild'

const ts = () => esbuild({ target: 'es2020', tsconfig: 'tsconfig.json' })
const nodeBuiltins = /^node:/
// Peer dependencies stay imports: the app brings its own copy. So do
// dependencies (the markdown entry's markdown-it: the app's bundler dedupes it).
const peers = /^(msw|react|vue|markdown-it)(\/|$)/
const external = (id) => nodeBuiltins.test(id) || peers.test(id)

/** name → source: each becomes dist/<name>.js, .cjs, .d.ts, .d.cts */
const entries = {
  index: 'src/index.ts',
  dom: 'src/dom/index.ts',
  'mock-server': 'src/mock/index.ts',
  testing: 'src/testing/index.ts',
  markdown: 'src/markdown/index.ts',
  chat: 'src/chat/index.ts',
  react: 'src/react/index.ts',
  // Separate from react/vue so that useChat alone never pulls in markdown-it.
  'react-markdown': 'src/react/markdown.ts',
  'vue-markdown': 'src/vue/markdown.ts',
  vue: 'src/vue/index.ts',
}

/**
 * Terser for the script-tag builds. `unsafe_arrows` turns function
 * expressions that never use `this` into arrows: safe here, as nothing in
 * src/ calls `new` on one or reads its `arguments`/`prototype`. `module:
 * false` because a UMD file runs as a classic script (sloppy mode, `this`
 * is the global object at its top).
 */
const umdTerser = { ecma: 2020, module: false, toplevel: true, compress: { passes: 3, unsafe_arrows: true } }

/** Browser entries that also get a script-tag build exposing a global. */
const umd = {
  index: { file: 'dist/llm-sse-client.umd.min.js', name: 'LlmSse' },
  dom: { file: 'dist/llm-sse-client-dom.umd.min.js', name: 'LlmSseDom' },
}

/**
 * Start from an empty dist/: chunk names carry hashes, so files of earlier
 * builds would otherwise stay and be packed. A hook of the first build (the
 * CLI runs the configs in order), not a top-level call: tests import this
 * file to build the script-tag bundles alone.
 */
const cleanDist = { name: 'clean-dist', buildStart: () => rmSync('dist', { recursive: true, force: true }) }

/** Declarations of the script-tag globals (`LlmSse`, `LlmSseDom`), next to the files they import. */
const umdGlobals = {
  name: 'umd-globals',
  generateBundle() {
    this.emitFile({ type: 'asset', fileName: 'umd.d.ts', source: readFileSync('types/umd.d.ts', 'utf8') })
  },
}

export default [
  {
    input: entries,
    external,
    plugins: [cleanDist, ts()],
    output: [
      // No bare `import './index.js'` in an add-on for modules it only reaches through another entry.
      { dir: 'dist', format: 'es', entryFileNames: '[name].js', chunkFileNames: 'shared-[hash].js', hoistTransitiveImports: false },
      { dir: 'dist', format: 'cjs', entryFileNames: '[name].cjs', chunkFileNames: 'shared-[hash].cjs', hoistTransitiveImports: false },
    ],
  },
  ...Object.entries(umd).map(([entry, { file, name }]) => ({
    input: entries[entry],
    plugins: [ts()],
    // One file: the lazily loaded EventSource transport is inlined.
    output: { file, format: 'umd', name, sourcemap: false, inlineDynamicImports: true, plugins: [terser(umdTerser)] },
  })),
  {
    input: { 'mock-cli': 'src/mock/cli.ts', 'check-cli': 'src/check/cli.ts' },
    external,
    plugins: [ts()],
    output: { dir: 'dist', format: 'es', entryFileNames: '[name].js', banner: '#!/usr/bin/env node' },
  },
  ...['js', 'cjs'].map((ext) => ({
    input: entries,
    external,
    plugins: [dts(), ...(ext === 'js' ? [umdGlobals] : [])],
    output: {
      dir: 'dist',
      format: 'es',
      entryFileNames: `[name].d.${ext === 'js' ? 'ts' : 'cts'}`,
      chunkFileNames: `shared-[hash].d.${ext === 'js' ? 'ts' : 'cts'}`,
    },
  })),
]
