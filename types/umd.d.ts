// Globals of the script-tag builds: `llm-sse-client.umd.min.js` defines
// `LlmSse` (the `llm-sse-client` entry), `llm-sse-client-dom.umd.min.js`
// defines `LlmSseDom` (the `llm-sse-client/dom` entry). For a page without a
// bundler: add `node_modules/llm-sse-client/dist/umd.d.ts` to the `files` of
// your tsconfig.json or jsconfig.json.

import type * as Client from './index.js'
import type * as Dom from './dom.js'

declare global {
  /** The `llm-sse-client` entry, from `llm-sse-client.umd.min.js`. */
  const LlmSse: typeof Client
  /** The `llm-sse-client/dom` entry, from `llm-sse-client-dom.umd.min.js`. */
  const LlmSseDom: typeof Dom
}
