import { defineConfig } from 'vitest/config'

// Three projects: pure/Node tests, jsdom tests (`*.dom.test.ts`), and the
// real-browser tests under test/e2e (they start Chromium and servers, so
// they run one file at a time). A test waits for conditions, never a fixed
// time; the 30 s cap only keeps a loaded two-core machine from failing a
// test that is merely slow (vitest's default is 5 s).
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'node',
          environment: 'node',
          include: ['test/**/*.test.ts'],
          testTimeout: 30_000,
          exclude: ['test/**/*.dom.test.ts', 'test/e2e/**'],
        },
      },
      {
        test: {
          name: 'jsdom',
          environment: 'jsdom',
          include: ['test/**/*.dom.test.ts'],
          testTimeout: 30_000,
          setupFiles: ['test/helpers/dom-setup.ts'],
        },
      },
      {
        test: {
          name: 'e2e',
          environment: 'node',
          include: ['test/e2e/**/*.test.ts'],
          fileParallelism: false,
          testTimeout: 60_000,
          hookTimeout: 120_000,
        },
      },
    ],
  },
})
