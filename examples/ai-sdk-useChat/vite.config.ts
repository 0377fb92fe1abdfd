// `npx vite build examples/ai-sdk-useChat` (from the repo root) or `npx vite examples/ai-sdk-useChat`.
// The AI SDK's own `useChat` (`@ai-sdk/react`), unmodified, against the
// Python kit: a reference backend started with `--format ai-sdk` answers
// `/api/chat` in the AI SDK's UI-message stream. Nothing of llm-sse-client
// runs in this page. Vite compiles the JSX itself (automatic runtime).
import { defineConfig } from 'vite'

export default defineConfig({
  // Served under /ai-sdk-useChat/ by scripts/static-server.mjs (npm run demo).
  base: '/ai-sdk-useChat/',
  server: {
    // `npx vite examples/ai-sdk-useChat` against `python examples/flask-backend/app.py --format ai-sdk`.
    proxy: {
      '/ai-sdk-useChat/api/': {
        target: process.env.BACKEND_URL ?? 'http://127.0.0.1:5000',
        rewrite: (path) => path.slice('/ai-sdk-useChat'.length),
      },
    },
  },
  build: {
    target: 'es2020',
    // Every script a file, for the demo's `script-src 'self'`.
    modulePreload: { polyfill: false },
    rollupOptions: {
      // swr (under @ai-sdk/react) marks its files 'use client', a directive for React Server Components bundlers.
      onwarn(warning, warn) {
        if (warning.code !== 'MODULE_LEVEL_DIRECTIVE') warn(warning)
      },
    },
  },
})
