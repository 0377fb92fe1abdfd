// Any web page can reach the mock (it answers every Origin): knobs that mean
// billions of writes must cost the mock memory for one write at a time, and
// must not stop it answering others. The mock runs as its own process with
// a small heap, as the CLI ships, so running out of memory shows as a crash.

import { execFileSync, spawn } from 'node:child_process'
import type { ChildProcess } from 'node:child_process'
import { request } from 'node:http'
import { afterAll, beforeAll, expect, test } from 'vitest'
import { bundleCli } from '../helpers/bundle.js'
import type { BundledCli } from '../helpers/bundle.js'
import { raw } from './wire.js'

const HEAP_MB = 128

let bundled: BundledCli | undefined
let child: ChildProcess
let url: string
beforeAll(async () => {
  bundled = await bundleCli(new URL('../../src/mock/cli.ts', import.meta.url), 'llm-sse-mock-bounded-', 'mock-cli.mjs')
  const cli = bundled.file
  child = spawn(process.execPath, [`--max-old-space-size=${HEAP_MB}`, cli, '--port', '0'], { stdio: ['ignore', 'pipe', 'inherit'] })
  url = await new Promise<string>((resolve, reject) => {
    let out = ''
    child.stdout!.setEncoding('utf8').on('data', (s: string) => {
      out += s
      const m = /listening on (http:\/\/\S+)/.exec(out)
      if (m) resolve(m[1]!)
    })
    child.once('exit', (code) => reject(new Error(`the mock exited (${code}) before listening`)))
  })
})
afterAll(() => {
  child?.kill('SIGKILL')
  bundled?.remove()
})

/** Resident memory of the mock process, in MB. */
function rssMb(): number {
  return Number(execFileSync('ps', ['-o', 'rss=', '-p', String(child.pid)], { encoding: 'utf8' }).trim()) / 1024
}

/**
 * Start `query` on /stream/get and resolve once `bytes` of its body arrived.
 * Then it stops reading, as a hostile client may: the mock must wait for it
 * (backpressure), not buffer what it cannot send.
 */
function hostile(query: string, bytes: number): Promise<{ stop: () => Promise<void> }> {
  return new Promise((resolve, reject) => {
    let received = 0
    const req = request(`${url}/stream/get?text=hi&${query}`, (res) => {
      const closed = new Promise<void>((done) => res.once('close', done))
      res.on('data', (chunk: Buffer) => {
        received += chunk.length
        if (received < bytes) return
        res.pause()
        resolve({ stop: () => (req.destroy(), closed) })
      })
      res.once('end', () => reject(new Error(`${query}: the body ended after ${received} bytes`)))
    })
    req.on('error', reject)
    req.end()
  })
}

test('knobs that mean gigabytes of writes stream lazily: the mock stays small and keeps answering', async () => {
  const before = rssMb()
  const open = await Promise.all([
    // 100,000 tokens with 1,000 keep-alives each: 10^8 writes.
    hostile('length=100000&keepalive=1000', 256 * 1024),
    // A keep-alive every millisecond for 24 days.
    hostile('delay=2147483647&keepalive=1ms', 10 * 'keep-alive'.length),
    // 100,000 tokens written byte by byte.
    hostile('length=100000&chunk=1', 16 * 1024),
    hostile('length=100000&chunk=random', 16 * 1024),
  ])
  // All four are still streaming, and others are served meanwhile.
  const small = await raw(`${url}/stream/get?text=hi&length=3`)
  expect(small.complete).toBe(true)
  expect(small.text).toContain("'status': 'completed'")
  expect((await raw(`${url}/health`)).text).toBe('{"ok":true}')
  expect(child.exitCode).toBeNull()
  // Generous: a plan built up front needs more than a gigabyte (and crashes this heap).
  const grown = rssMb() - before
  console.log(`mock RSS grew ${grown.toFixed(1)} MB`)
  expect(grown).toBeLessThan(100)
  for (const o of open) await o.stop()
  const stats = (await (await fetch(`${url}/__stats`)).json()) as { open: number }
  expect(stats.open).toBe(0)
}, 60_000)

test('one oversized token is capped at 16 MiB with a 400 that says so', async () => {
  const res = await raw(`${url}/stream/get?text=hi&oversize=${16 * 1024 * 1024 + 1}`)
  expect(res.status).toBe(400)
  expect(res.text).toContain('expected a whole number up to 16777216')
  expect(child.exitCode).toBeNull()
})
