// `npx vite build examples/app` (from the repo root) or `npx vite examples/app`.
// `llm-sse-client` resolves to the repository's sources, as openai-node's
// examples do, so the example always runs the code under test; an app of
// yours just installs the package and drops the aliases.
import { fileURLToPath } from 'node:url'
import { defineConfig } from 'vite'

const src = (path: string): string => fileURLToPath(new URL(`../../src/${path}`, import.meta.url))

export default defineConfig({
  // Served under /app/ by scripts/static-server.mjs (npm run demo).
  base: '/app/',
  resolve: {
    alias: [
      { find: /^llm-sse-client\/dom$/, replacement: src('dom/index.ts') },
      { find: /^llm-sse-client\/chat$/, replacement: src('chat/index.ts') },
      { find: /^llm-sse-client\/markdown$/, replacement: src('markdown/index.ts') },
      { find: /^llm-sse-client$/, replacement: src('index.ts') },
    ],
  },
  server: {
    // `npx vite examples/app` during development: same-origin streams through
    // Vite's proxy to the Flask backend (`npm run demo` prints its URL).
    proxy: { '/stream/': process.env.BACKEND_URL ?? 'http://127.0.0.1:5000' },
  },
  build: {
    target: 'es2020',
    // The polyfill is not needed by any browser with EventSource and
    // ReadableStream, and every script must be a file for `script-src 'self'`.
    modulePreload: { polyfill: false },
    // Two pages: the chat and the streaming Markdown example.
    rollupOptions: {
      input: { main: fileURLToPath(new URL('index.html', import.meta.url)), markdown: fileURLToPath(new URL('markdown.html', import.meta.url)) },
    },
  },
})
