// A 10,000-token answer through React in Chromium: useChat against a
// hand-written useState-per-token hook, same page shell, same server, same
// run. React commits and animation frames counted in the page; main-thread
// cost from a DevTools trace (every RunTask on the page's main thread).
import { readFileSync } from 'node:fs'
import { createServer } from 'node:http'
import { join } from 'node:path'
import { outDir } from '../lib/build.mjs'
import { emit } from '../lib/child.mjs'
import { endTrace, launchBenchChromium } from '../lib/chromium.mjs'
import { makeTokens } from '../lib/inputs.mjs'
import { median, rng, shuffle } from '../lib/measure.mjs'
import { completedEvent, seedEvent } from '../lib/seed-event.mjs'

const args = JSON.parse(process.argv[2])
const tokens = makeTokens(args.tokens)
const events = [...tokens.map((t) => seedEvent(t)), completedEvent]
const body = events.join('')
/** Tokens per write in the paced mode. */
const PACE = 8
const answer = tokens
  .slice(tokens.indexOf('</think>') + 1)
  .join('')
  .replace(/^\s+/, '')

const page = `<!doctype html><meta charset="utf-8"><div id="root"></div><script src="/chat.js"></script>`
const script = readFileSync(join(outDir, 'chat-react-browser.js'))
const server = createServer(async (req, res) => {
  for await (const _ of req);
  const path = req.url.split('?')[0]
  if (path.startsWith('/stream/')) {
    res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache' })
    if (req.url.includes('paced=1')) {
      // A fast model: a few tokens per millisecond, each write its own network read in the page.
      for (let i = 0; i < events.length; i += PACE) {
        res.write(events.slice(i, i + PACE).join(''))
        await new Promise((r) => setTimeout(r, 1))
      }
    } else {
      // As fast as the socket takes it, in ~1 KiB writes like a busy Flask worker.
      for (let i = 0; i < body.length; i += 1024) if (!res.write(body.slice(i, i + 1024))) await new Promise((r) => res.once('drain', r))
    }
    return res.end()
  }
  if (path === '/chat.js') return res.writeHead(200, { 'content-type': 'text/javascript' }).end(script)
  if (path === '/use-chat' || path === '/hand-written') return res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(page)
  res.writeHead(404).end()
})
await new Promise((r) => server.listen(0, '127.0.0.1', r))
const base = `http://127.0.0.1:${server.address().port}`

const chromium = await launchBenchChromium()
const { context } = chromium

async function measure(name, mode) {
  const tab = await context.newPage()
  const cdp = await context.newCDPSession(tab)
  await cdp.send('Tracing.start', { categories: 'devtools.timeline,disabled-by-default-devtools.timeline', transferMode: 'ReturnAsStream' })
  const t0 = Date.now()
  await tab.goto(`${base}/${name}${mode === 'paced' ? '?paced=1' : ''}`)
  await tab.waitForFunction(() => window.__done, undefined, { timeout: args.timeoutMs, polling: 100 })
  const wall = Date.now() - t0
  const done = await tab.evaluate(() => window.__done)
  const stats = await tab.evaluate(() => window.__stats)
  version ??= await tab.evaluate(() => /Chrome\/[\d.]+/.exec(navigator.userAgent)?.[0] ?? 'Chromium')
  const events = await endTrace(cdp)
  await tab.close()
  const mains = new Set(events.filter((e) => e.ph === 'M' && e.name === 'thread_name' && e.args?.name === 'CrRendererMain').map((e) => `${e.pid}:${e.tid}`))
  const byThread = new Map()
  for (const e of events) {
    if (e.ph !== 'X' || e.name !== 'RunTask' || !mains.has(`${e.pid}:${e.tid}`)) continue
    const k = `${e.pid}:${e.tid}`
    byThread.set(k, [...(byThread.get(k) ?? []), e.dur / 1000])
  }
  // The busiest renderer main thread is this page's.
  const [thread] = [...byThread.entries()].sort((a, b) => sum(b[1]) - sum(a[1]))[0] ?? []
  const own = events.filter((e) => e.ph === 'X' && `${e.pid}:${e.tid}` === thread)
  // Page load (parsing and running React's bundle) costs both pages the same; count what follows it.
  const load = own.find((e) => e.name === 'EvaluateScript' && e.args?.data?.url?.endsWith('/chat.js'))
  const loaded = load ? load.ts + load.dur : 0
  const runs = own.filter((e) => e.name === 'RunTask' && e.ts >= loaded).sort((a, b) => a.ts - b.ts)
  const tasks = runs.map((e) => e.dur / 1000)
  const top = [...runs].sort((a, b) => b.dur - a.dur)[0]
  // What the longest task did, by slice name.
  const inside = {}
  for (const e of own)
    if (top && e.name !== 'RunTask' && e.ts >= top.ts && e.ts + e.dur <= top.ts + top.dur) {
      const key = e.name + (e.args?.data?.type ? ' ' + e.args.data.type : '')
      inside[key] = (inside[key] ?? 0) + e.dur / 1000
    }
  return {
    wall,
    status: done.status,
    textOk: done.text === answer,
    commits: stats.commits,
    frames: stats.frames,
    longest: Math.max(0, ...tasks),
    inside: Object.entries(inside)
      .sort((a, b) => b[1] - a[1])
      .slice(0, 6)
      .map(([k, v]) => `${k} ${v.toFixed(1)} ms`),
    total: sum(tasks),
  }
}

const sum = (xs) => xs.reduce((x, y) => x + y, 0)
let version
const names = ['use-chat', 'hand-written']
const modes = ['burst', 'paced']
const keys = modes.flatMap((m) => names.map((n) => `${m}:${n}`))
const runs = Object.fromEntries(keys.map((k) => [k, []]))
const random = rng(args.seed)
try {
  for (let rep = 0; rep < args.reps; rep++)
    for (const k of shuffle(keys, random)) {
      const [mode, name] = k.split(':')
      runs[k].push(await measure(name, mode))
    }
} finally {
  await chromium.close()
  server.close()
}
const summary = Object.fromEntries(
  keys.map((k) => {
    const r = runs[k]
    const pick = (f) => median(r.map((x) => x[f]))
    return [
      k,
      {
        textOk: r.every((x) => x.textOk && x.status === 'completed'),
        commits: pick('commits'),
        frames: pick('frames'),
        // The question appearing and the final status are published at once by design; the rest is per frame.
        worstCommitsPerFrame: Math.max(...r.map((x) => Math.max(0, x.commits - 2) / Math.max(1, x.frames))),
        longest: pick('longest'),
        longestMax: Math.max(...r.map((x) => x.longest)),
        inside: r[0]?.inside,
        total: pick('total'),
        wall: pick('wall'),
      },
    ]
  }),
)
// Main-thread time ratio per run pair (hand-written ÷ useChat: > 1 means useChat costs less).
const ratio = (mode) => {
  const xs = runs[`${mode}:use-chat`].map((x, i) => runs[`${mode}:hand-written`][i].total / x.total)
  return { median: median(xs), min: Math.min(...xs), max: Math.max(...xs) }
}
emit({ tokens: args.tokens, pace: PACE, version, summary, ratios: Object.fromEntries(modes.map((m) => [m, ratio(m)])) })
