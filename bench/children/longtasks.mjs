// Long tasks in real Chromium while a React chat (useChat + <Markdown>)
// shows an answer: 10,000 tokens paced like a model (100 per second) and in
// a burst, a 1 MB answer and a 5,000-line code block, each streamed in a
// burst and shown at once (a stored answer). The loopback server generates
// the tokens (seed wire format); the page records long tasks with
// PerformanceObserver('longtask') and checks the final DOM against the
// same text rendered at once.
import { readFileSync, writeFileSync } from 'node:fs'
import { createServer } from 'node:http'
import { join } from 'node:path'
import { outDir } from '../lib/build.mjs'
import { emit } from '../lib/child.mjs'
import { endTrace, launchBenchChromium } from '../lib/chromium.mjs'
import { markdownTokens } from '../lib/markdown-answer.mjs'
import { completedEvent, seedEvent } from '../lib/seed-event.mjs'

const args = JSON.parse(process.argv[2])

/** Cut `text` into 1–6 character tokens (deterministic). */
const cut = (text) => {
  const out = []
  for (let i = 0, n = 1; i < text.length; i += n, n = (n % 6) + 1) out.push(text.slice(i, i + n))
  return out
}
const chat = markdownTokens(args.tokens)
const mb = markdownTokens(300_000).join('').slice(0, 1_000_000)
const code = `Here is the module:\n\n\`\`\`python\n${Array.from({ length: 5000 }, (_, i) => `    value_${i} = compute(${i}, "text")  # line ${i}`).join('\n')}\n\`\`\`\n\nThat is all.\n`
const answers = { chat: chat, mb: cut(mb), code: cut(code) }
const texts = Object.fromEntries(Object.entries(answers).map(([k, v]) => [k, v.join('')]))

const page = `<!doctype html><meta charset="utf-8"><div id="root"></div><script src="/page.js"></script>`
const script = readFileSync(join(outDir, 'longtasks-react-browser.js'))
const server = createServer(async (req, res) => {
  for await (const _ of req);
  const url = new URL(req.url, 'http://x')
  const name = url.searchParams.get('case')
  if (url.pathname === '/answer') return res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8' }).end(texts[name])
  if (url.pathname === '/stream/post') {
    res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache' })
    const events = [...answers[name].map((t) => seedEvent(t)), completedEvent]
    if (url.searchParams.get('mode') === 'paced') {
      // A model writing `pace` tokens per second: each write carries the tokens due by now.
      const start = Date.now()
      for (let i = 0; i < events.length; ) {
        const due = Math.min(events.length, Math.floor(((Date.now() - start) * args.pace) / 1000) + 1)
        if (due > i) res.write(events.slice(i, (i = due)).join(''))
        await new Promise((r) => setTimeout(r, 1000 / args.pace))
      }
    } else {
      // As fast as the socket takes it, in 16 KiB writes.
      const body = events.join('')
      for (let i = 0; i < body.length; i += 16384) if (!res.write(body.slice(i, i + 16384))) await new Promise((r) => res.once('drain', r))
    }
    return res.end()
  }
  if (url.pathname === '/page.js') return res.writeHead(200, { 'content-type': 'text/javascript' }).end(script)
  if (url.pathname === '/') return res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(page)
  res.writeHead(404).end()
})
await new Promise((r) => server.listen(0, '127.0.0.1', r))
const base = `http://127.0.0.1:${server.address().port}`

const all = [
  ['chat', 'paced'],
  ['chat', 'burst'],
  ['mb', 'burst'],
  ['mb', 'once'],
  ['code', 'burst'],
  ['code', 'once'],
]
// BENCH_LONGTASKS=mb:once,code:burst runs only those; BENCH_PROFILE_DIR=dir saves the DevTools trace of each.
const only = process.env.BENCH_LONGTASKS?.split(',')
const cases = all.filter(([n, m]) => !only || only.includes(`${n}:${m}`))
const profiles = process.env.BENCH_PROFILE_DIR
const chromium = await launchBenchChromium()
const results = []
let version
try {
  for (const [name, mode] of cases) {
    const tab = await chromium.context.newPage()
    // A trace too: on a loaded machine a task's wall time includes the time the renderer waited for a
    // core; the trace's thread time (CPU) of each task is what the page's own work cost.
    const cdp = await chromium.context.newCDPSession(tab)
    await cdp.send('Tracing.start', { categories: 'devtools.timeline,disabled-by-default-devtools.timeline', transferMode: 'ReturnAsStream' })
    await tab.goto(`${base}/?case=${name}&mode=${mode}`)
    await tab.waitForFunction(() => window.__done, undefined, { timeout: args.timeoutMs, polling: 200 })
    const events = await endTrace(cdp)
    if (profiles) {
      writeFileSync(join(profiles, `${name}-${mode}.json`), JSON.stringify(events))
      process.stderr.write(`[bench longtasks] inside the longest task: ${longestTask(events)}\n`)
    }
    const cpu = taskCpu(events)
    const done = await tab.evaluate(() => window.__done)
    const exact = await tab.evaluate(() => window.__check())
    version ??= await tab.evaluate(() => /Chrome\/[\d.]+/.exec(navigator.userAgent)?.[0] ?? 'Chromium')
    await tab.close()
    const r = {
      name,
      mode,
      chars: texts[name].length,
      tokens: answers[name].length,
      status: done.status,
      exact,
      wall: done.wall,
      longtasks: done.long.length,
      longest: Math.max(0, ...done.long.map((l) => l.duration)),
      cpuLongest: Math.max(0, ...cpu),
      cpuOver50: cpu.filter((d) => d > 50).length,
      worstGap: done.worstGap,
      frames: done.frames,
    }
    process.stderr.write(
      `[bench longtasks] ${name} ${mode}: longest ${r.longest.toFixed(0)} ms (CPU ${r.cpuLongest.toFixed(0)} ms), ${r.longtasks} long tasks (${r.cpuOver50} over 50 ms of CPU), ${(r.wall / 1000).toFixed(1)} s, exact ${exact}\n`,
    )
    results.push(r)
  }
} finally {
  await chromium.close()
  server.close()
}
emit({ version, pace: args.pace, results })

/** Thread time (CPU, ms) of each task on the page's main thread after the page's script ran. */
function taskCpu(events) {
  const mains = new Set(events.filter((e) => e.ph === 'M' && e.args?.name === 'CrRendererMain').map((e) => `${e.pid}:${e.tid}`))
  const own = events.filter((e) => e.ph === 'X' && mains.has(`${e.pid}:${e.tid}`))
  const load = own.find((e) => e.name === 'EvaluateScript' && e.args?.data?.url?.endsWith('/page.js'))
  if (!load) return []
  const thread = `${load.pid}:${load.tid}`
  return own.filter((e) => e.name === 'RunTask' && `${e.pid}:${e.tid}` === thread && e.ts > load.ts + load.dur).map((e) => (e.tdur ?? e.dur) / 1000)
}

/** What the longest task on a renderer main thread of a trace did, by slice name (for BENCH_PROFILE_DIR runs). */
function longestTask(events) {
  const mains = new Set(events.filter((e) => e.ph === 'M' && e.args?.name === 'CrRendererMain').map((e) => `${e.pid}:${e.tid}`))
  const own = events.filter((e) => e.ph === 'X' && mains.has(`${e.pid}:${e.tid}`))
  const top = own.filter((e) => e.name === 'RunTask').sort((a, b) => b.dur - a.dur)[0]
  if (!top) return 'no task'
  const inside = {}
  for (const e of own)
    if (e.name !== 'RunTask' && e.pid === top.pid && e.tid === top.tid && e.ts >= top.ts && e.ts + e.dur <= top.ts + top.dur) {
      const key = e.name + (e.args?.data?.type ? ` ${e.args.data.type}` : '')
      inside[key] = (inside[key] ?? 0) + e.dur / 1000
    }
  const parts = Object.entries(inside)
    .sort((a, b) => b[1] - a[1])
    .slice(0, 8)
  return `${(top.dur / 1000).toFixed(0)} ms: ${parts.map(([k, v]) => `${k} ${v.toFixed(0)} ms`).join(', ')}`
}
