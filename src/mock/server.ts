// The mock SSE server on node:http: runs the plans of src/mock/scenarios.ts
// with real sockets, so clients meet real chunked encoding, real cuts
// (no terminating chunk) and real stalls.

import { createServer } from 'node:http'
import type { IncomingMessage, ServerResponse } from 'node:http'
import type { AddressInfo, Socket } from 'node:net'
import { planResponse } from './scenarios.js'
import type { Plan } from './scenarios.js'
import { createMockStats } from './stats.js'
import type { MockStatsSnapshot } from './stats.js'

/** Options of {@link startMockServer}. @public */
export interface MockServerOptions {
  /** Port to listen on; `0` picks a free one. @default 0 */
  port?: number | undefined
  /** Interface to bind. @default '127.0.0.1' */
  host?: string | undefined
}

/** A running mock server. @public */
export interface MockServer {
  /** `http://host:port`, without a trailing slash. */
  url: string
  port: number
  /** Stop listening and destroy every open connection (stalled streams included). */
  close(): Promise<void>
  /** Requests per path, responses still open, and sockets still connected. */
  stats(): MockStatsSnapshot & { sockets: number }
  /** Zero the request counts. */
  resetStats(): void
}

const MAX_BODY = 1024 * 1024

function readBody(req: IncomingMessage): Promise<unknown> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = []
    let size = 0
    req.on('data', (chunk: Buffer) => {
      size += chunk.length
      if (size <= MAX_BODY) chunks.push(chunk)
    })
    req.on('end', () => {
      if (!chunks.length) return resolve(undefined)
      const text = Buffer.concat(chunks).toString('utf8')
      try {
        resolve(JSON.parse(text))
      } catch {
        resolve(text)
      }
    })
    req.on('error', () => resolve(undefined))
  })
}

/**
 * Execute `plan` on `res`. Every wait is cancelled when the client goes
 * away, so an aborted or stalled stream leaves no timer and no socket behind.
 */
async function execute(plan: Plan, res: ServerResponse, socket: Socket): Promise<void> {
  let gone = false
  const cancels = new Set<() => void>()
  res.once('close', () => {
    gone = true
    for (const cancel of cancels) cancel()
    // A client that aborts may only half-close (FIN): the response is over
    // for Node, but the socket would linger until close() without this.
    if (!res.writableEnded) socket.destroy()
  })
  const wait = (ms: number): Promise<void> =>
    new Promise((resolve) => {
      if (gone) return resolve()
      // delay 0 means "let the client read what was written": one macrotask turn.
      const timer = ms > 0 ? setTimeout(done, ms) : setImmediate(done)
      function done(): void {
        cancels.delete(cancel)
        resolve()
      }
      function cancel(): void {
        if (ms > 0) clearTimeout(timer as ReturnType<typeof setTimeout>)
        else clearImmediate(timer as ReturnType<typeof setImmediate>)
        resolve()
      }
      cancels.add(cancel)
    })
  const untilGone = (): Promise<void> => new Promise((resolve) => (gone ? resolve() : cancels.add(resolve)))
  const write = (bytes: Uint8Array): Promise<void> =>
    new Promise((resolve) => {
      if (gone) return resolve()
      // Wait for the flush: backpressure for huge events, and `destroy` must
      // not cut the connection before the earlier events are on the wire.
      // A client that stops reading and leaves must not leave us waiting.
      const done = (): void => {
        cancels.delete(done)
        resolve()
      }
      cancels.add(done)
      res.write(bytes, done)
    })

  if (plan.headDelay > 0) await wait(plan.headDelay)
  if (gone) return
  res.writeHead(plan.status, plan.statusText, plan.headers)
  res.flushHeaders()
  for (const step of plan.steps) {
    if (gone) return
    if ('bytes' in step) await write(step.bytes)
    else if ('delay' in step) await wait(step.delay)
    else if ('destroy' in step) {
      socket.destroy()
      return
    } else {
      const beat = step.heartbeat
      // A client that stopped reading gets no more beats until it drains:
      // buffering them would grow without end.
      const interval = beat ? setInterval(() => res.writableNeedDrain || res.write(beat.bytes), beat.every) : undefined
      await untilGone()
      clearInterval(interval)
      return
    }
  }
  res.end()
}

/**
 * Start the mock SSE server. Routes and faults:
 * https://github.com/llm-sse-client/llm-sse-client/blob/main/src/mock/README.md
 *
 * @example
 * ```ts
 * const mock = await startMockServer()
 * const res = await fetch(`${mock.url}/stream/get?text=hi&dropAfter=3`)
 * await mock.close()
 * ```
 * @public
 */
export async function startMockServer(options: MockServerOptions = {}): Promise<MockServer> {
  const { port = 0, host = '127.0.0.1' } = options
  const stats = createMockStats()
  const sockets = new Set<Socket>()
  const server = createServer((req, res) => {
    void (async () => {
      const body = await readBody(req)
      const url = new URL(req.url ?? '/', 'http://mock.invalid')
      const plan = planResponse({ method: req.method ?? 'GET', path: url.pathname, query: url.searchParams, headers: req.headers, body }, stats)
      if (!plan.control) {
        stats.opened()
        res.once('close', () => stats.closed())
      }
      await execute(plan, res, req.socket)
    })().catch((error: unknown) => {
      // A bug in the mock must show as a cut stream, not hang the test run.
      console.error('llm-sse-mock:', error)
      req.socket.destroy()
    })
  })
  server.on('connection', (socket) => {
    sockets.add(socket)
    socket.once('close', () => sockets.delete(socket))
  })
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(port, host, () => resolve())
  })
  const address = server.address() as AddressInfo
  const shown = address.family === 'IPv6' ? `[${address.address}]` : address.address
  return {
    url: `http://${shown}:${address.port}`,
    port: address.port,
    close: () =>
      new Promise((resolve) => {
        for (const socket of sockets) socket.destroy()
        server.close(() => resolve())
      }),
    stats: () => ({ ...stats.snapshot(), sockets: sockets.size }),
    resetStats: () => stats.reset(),
  }
}
