import { Worker } from 'node:worker_threads'
import { build } from 'esbuild'
import { afterAll, beforeAll, expect, test } from 'vitest'
import { seedStream, serve, sseHead } from '../helpers/http.js'
import type { TestServer } from '../helpers/http.js'

// The SDK must run where there is no window and no document (Web Workers,
// Node). A worker thread gets the bundled package and streams a POST.
let s: TestServer
let bundle: string
beforeAll(async () => {
  s = await serve((_req, res) => {
    sseHead(res)
    res.end(seedStream(['from ', 'a worker']))
  })
  const out = await build({ entryPoints: ['src/index.ts'], bundle: true, format: 'cjs', platform: 'neutral', write: false })
  bundle = out.outputFiles[0]!.text
})
afterAll(() => s.close())

test('a POST streams inside a worker thread with no window or document', async () => {
  const code = `
    const { parentPort, workerData } = require('node:worker_threads')
    const module = { exports: {} }
    ;(function (module, exports) { ${bundle} })(module, module.exports)
    const { createClient } = module.exports
    if (typeof window !== 'undefined' || typeof document !== 'undefined') throw new Error('not a bare environment')
    createClient({ baseUrl: workerData }).post('/x', { json: {} }).result.then((r) => parentPort.postMessage({ status: r.status, text: r.text }))
  `
  const worker = new Worker(code, { eval: true, workerData: s.url })
  const result = await new Promise((resolve, reject) => {
    worker.once('message', resolve)
    worker.once('error', reject)
  })
  await worker.terminate()
  expect(result).toEqual({ status: 'completed', text: 'from a worker' })
})
