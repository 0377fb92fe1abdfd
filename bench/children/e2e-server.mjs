// Loopback SSE server for the end-to-end bench, in its own process (so it
// gets its own core and its event loop never delays the client's).
//   /burst?n=N   N seed tokens as fast as the socket takes them, then `completed`
//   /paced?n=N&ms=M  one token every M ms whose content is the server's
//                    process.hrtime (CLOCK_MONOTONIC, the same clock in every process)
import { createServer } from 'node:http'
import { makeTokens } from '../lib/inputs.mjs'
import { completedEvent, seedEvent as event } from '../lib/seed-event.mjs'

const tokenCache = new Map()

const server = createServer(async (req, res) => {
  const url = new URL(req.url, 'http://x')
  const n = Number(url.searchParams.get('n') ?? 1000)
  for await (const _ of req); // drain the POST body
  res.socket.setNoDelay(true)
  res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache' })
  if (url.pathname === '/burst') {
    if (!tokenCache.has(n))
      tokenCache.set(
        n,
        makeTokens(n).map((t) => event(t)),
      )
    for (const e of tokenCache.get(n)) if (!res.write(e)) await new Promise((r) => res.once('drain', r))
    res.end(completedEvent)
  } else {
    const ms = Number(url.searchParams.get('ms') ?? 5)
    let sent = 0
    const start = performance.now()
    const tick = () => {
      if (res.destroyed) return
      if (sent++ >= n) return res.end(completedEvent)
      res.write(event(String(process.hrtime.bigint())))
      // Scheduled against the start time, so timer lateness does not accumulate.
      setTimeout(tick, Math.max(0, start + sent * ms - performance.now()))
    }
    tick()
  }
})
server.listen(0, '127.0.0.1', () => process.stdout.write(JSON.stringify({ port: server.address().port }) + '\n'))
process.on('SIGTERM', () => process.exit(0))
