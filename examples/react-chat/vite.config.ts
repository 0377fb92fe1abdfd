// `npx vite build examples/react-chat` (from the repo root) or `npx vite examples/react-chat`.
// As in examples/app, `llm-sse-client` resolves to this repository's
// sources so the example runs the code under test; an app of yours installs
// the package and drops the aliases. Vite compiles the JSX itself
// (automatic runtime), so no React plugin is needed.
import { fileURLToPath } from 'node:url'
import { defineConfig } from 'vite'

const src = (path: string): string => fileURLToPath(new URL(`../../src/${path}`, import.meta.url))

export default defineConfig({
  // Served under /react-chat/ by scripts/static-server.mjs (npm run demo).
  base: '/react-chat/',
  resolve: {
    alias: [
      { find: /^llm-sse-client\/chat$/, replacement: src('chat/index.ts') },
      { find: /^llm-sse-client\/react\/markdown$/, replacement: src('react/markdown.ts') },
      { find: /^llm-sse-client\/react$/, replacement: src('react/index.ts') },
      { find: /^llm-sse-client$/, replacement: src('index.ts') },
    ],
  },
  server: {
    proxy: { '/stream/': process.env.BACKEND_URL ?? 'http://127.0.0.1:5000' },
  },
  build: {
    target: 'es2020',
    // Every script a file, for the demo's `script-src 'self'`.
    modulePreload: { polyfill: false },
  },
})
