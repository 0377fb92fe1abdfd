// Render in real Chromium: 10,000 tokens into the page through the SDK's
// renderStream against the seed page's `innerHTML += e.data`. Main-thread
// cost from a DevTools trace (every task on the renderer main thread) and
// from PerformanceObserver('longtask') in the page.
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
const body = tokens.map((t) => seedEvent(t)).join('') + completedEvent

// Each page records long tasks from the start and sets window.__done at the end.
const head = `<!doctype html><meta charset="utf-8"><div id="out"></div><div id="think"></div><script>
window.__long = []
new PerformanceObserver((l) => { for (const e of l.getEntries()) window.__long.push(e.duration) }).observe({ type: 'longtask', buffered: true })
</script>`
const pages = {
  // The seed's demo page, verbatim in spirit: EventSource, innerHTML += e.data, close() on error.
  seed: `${head}<script>
const es = new EventSource('/stream/get')
es.onmessage = (e) => { document.getElementById('out').innerHTML += e.data }
es.onerror = () => { es.close(); window.__done = { status: 'closed', length: document.getElementById('out').textContent.length } }
</script>`,
  // What the browser's own EventSource costs with a handler that does nothing: the floor for any GET page.
  'es-bare': `${head}<script>
let n = 0
const es = new EventSource('/stream/get')
es.onmessage = (e) => { n++ }
es.onerror = () => { es.close(); window.__done = { status: 'closed', length: n } }
</script>`,
  'sdk-get': `${head}<script src="/sdk.js"></script><script src="/dom.js"></script><script>
const s = LlmSse.createClient().get('/stream/get')
LlmSseDom.renderStream(s, { text: document.getElementById('out'), reasoning: document.getElementById('think') })
s.result.then((r) => requestAnimationFrame(() => setTimeout(() => { window.__done = { status: r.status, length: document.getElementById('out').textContent.length, text: document.getElementById('out').textContent } })))
</script>`,
  'sdk-post': `${head}<script src="/sdk.js"></script><script src="/dom.js"></script><script>
const s = LlmSse.createClient().post('/stream/post', { json: { prompt: 'bench' } })
LlmSseDom.renderStream(s, { text: document.getElementById('out'), reasoning: document.getElementById('think') })
s.result.then((r) => requestAnimationFrame(() => setTimeout(() => { window.__done = { status: r.status, length: document.getElementById('out').textContent.length, text: document.getElementById('out').textContent } })))
</script>`,
}
const files = {
  '/sdk.js': readFileSync(process.env.BENCH_SDK_BROWSER ?? join(outDir, 'sdk-browser.js')),
  '/dom.js': readFileSync(join(outDir, 'dom-browser.js')),
}

const server = createServer(async (req, res) => {
  for await (const _ of req);
  const path = req.url.split('?')[0]
  if (path.startsWith('/stream/')) {
    // As fast as the socket takes it, in ~1 KiB writes like a busy Flask worker.
    res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache' })
    for (let i = 0; i < body.length; i += 1024) if (!res.write(body.slice(i, i + 1024))) await new Promise((r) => res.once('drain', r))
    return res.end()
  }
  if (files[path]) return res.writeHead(200, { 'content-type': 'text/javascript' }).end(files[path])
  const page = pages[path.slice(1)]
  if (page) return res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(page)
  res.writeHead(404).end()
})
await new Promise((r) => server.listen(0, '127.0.0.1', r))
const base = `http://127.0.0.1:${server.address().port}`

const chromium = await launchBenchChromium()
const { context } = chromium
const browser = context.browser()

async function measure(name) {
  const page = await context.newPage()
  const cdp = await context.newCDPSession(page)
  await cdp.send('Tracing.start', { categories: 'devtools.timeline,disabled-by-default-devtools.timeline', transferMode: 'ReturnAsStream' })
  const t0 = Date.now()
  await page.goto(`${base}/${name}`)
  await page.waitForFunction(() => window.__done, undefined, { timeout: args.timeoutMs, polling: 100 })
  const wall = Date.now() - t0
  const done = await page.evaluate(() => window.__done)
  const long = await page.evaluate(() => window.__long)
  const events = await endTrace(cdp)
  await page.close()
  // The page's renderer main thread: the CrRendererMain thread that ran our script's tasks.
  const mains = new Set(events.filter((e) => e.ph === 'M' && e.name === 'thread_name' && e.args?.name === 'CrRendererMain').map((e) => `${e.pid}:${e.tid}`))
  const byThread = new Map()
  for (const e of events) {
    if (e.ph !== 'X' || e.name !== 'RunTask' || !mains.has(`${e.pid}:${e.tid}`)) continue
    const k = `${e.pid}:${e.tid}`
    if (!byThread.has(k)) byThread.set(k, [])
    byThread.get(k).push(e.dur / 1000)
  }
  // The busiest renderer main thread is this page's (others: about:blank, spare renderers).
  const [thread, tasks = []] = [...byThread.entries()].sort((a, b) => sum(b[1]) - sum(a[1]))[0] ?? []
  // What the longest task did: the slices nested in it, by name (self-explanatory in the report).
  const longestEv = events.filter((e) => e.ph === 'X' && e.name === 'RunTask' && `${e.pid}:${e.tid}` === thread).sort((a, b) => b.dur - a.dur)[0]
  const inside = {}
  if (longestEv)
    for (const e of events)
      if (e.ph === 'X' && e.name !== 'RunTask' && `${e.pid}:${e.tid}` === thread && e.ts >= longestEv.ts && e.ts + e.dur <= longestEv.ts + longestEv.dur) {
        const key = e.name + (e.args?.data?.type ? ' ' + e.args.data.type : '')
        inside[key] = (inside[key] ?? 0) + e.dur / 1000
      }
  const firstTask = events.filter((e) => e.ph === 'X' && e.name === 'RunTask' && `${e.pid}:${e.tid}` === thread).sort((a, b) => a.ts - b.ts)[0]
  return {
    wall,
    status: done.status,
    textOk: done.text === undefined ? null : done.text.replace(/^\s+/, '') === answer,
    longest: Math.max(0, ...tasks),
    total: tasks.reduce((x, y) => x + y, 0),
    tasks: tasks.length,
    over50: tasks.filter((d) => d > 50).length,
    longestAt: longestEv && firstTask ? (longestEv.ts - firstTask.ts) / 1000 : 0,
    inside: Object.entries(inside)
      .sort((a, b) => b[1] - a[1])
      .slice(0, 8)
      .map(([k, v]) => `${k} ${v.toFixed(1)} ms`),
    longtasks: long.length,
    longestLongtask: Math.max(0, ...long),
  }
}

const sum = (xs) => xs.reduce((x, y) => x + y, 0)
const close = tokens.indexOf('</think>')
const answer = tokens
  .slice(close + 1)
  .join('')
  .replace(/^\s+/, '')
const names = Object.keys(pages)
const runs = Object.fromEntries(names.map((n) => [n, []]))
const random = rng(args.seed)
try {
  // The seed page takes ~30 s per run (innerHTML += re-parses the whole answer per token): once is enough.
  for (let rep = 0; rep < args.reps; rep++) for (const n of shuffle(names, random)) if (n !== 'seed' || rep === 0) runs[n].push(await measure(n))
} finally {
  await chromium.close()
  server.close()
}
const summary = Object.fromEntries(
  names.map((n) => {
    const r = runs[n]
    return [
      n,
      {
        longest: median(r.map((x) => x.longest)),
        longestMax: Math.max(...r.map((x) => x.longest)),
        total: median(r.map((x) => x.total)),
        wall: median(r.map((x) => x.wall)),
        over50: Math.max(...r.map((x) => x.over50)),
        longtasks: Math.max(...r.map((x) => x.longtasks)),
        longestLongtask: Math.max(...r.map((x) => x.longestLongtask)),
        textOk: r.every((x) => x.textOk !== false),
        runs: r.length,
        inside: r.map((x) => x.inside),
        status: r.map((x) => x.status),
      },
    ]
  }),
)
emit({ version: browser?.version() ?? 'unknown', tokens: args.tokens, bytes: Buffer.byteLength(body), runs, summary })
