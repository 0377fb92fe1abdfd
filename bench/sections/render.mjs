// Render in real Chromium.
import { buildTarget } from '../lib/build.mjs'
import { runChild } from '../lib/child.mjs'
import { chromiumMissing } from '../lib/chromium-path.mjs'
import { fmt, mdTable } from '../lib/measure.mjs'
import { mark, record } from '../lib/verdict.mjs'

const LABEL = {
  seed: 'seed page: `EventSource`, `innerHTML += e.data` (1 run)',
  'es-bare': 'baseline: `EventSource`, handler only counts',
  'sdk-get': '`renderStream` + `client.get()` (native `EventSource`)',
  'sdk-post': '`renderStream` + `client.post()` (fetch)',
}

export async function render(cfg, log) {
  const missing = chromiumMissing()
  if (missing) return { skipped: missing }
  await buildTarget('sdk-browser')
  await buildTarget('dom-browser')
  log('render: Chromium')
  const r = await runChild('render.mjs', { tokens: 10000, reps: cfg.renderReps, seed: cfg.seed, timeoutMs: 180_000 }, { timeoutMs: 900_000 })
  for (const k of ['sdk-get', 'sdk-post']) record(`render:${k}`, 'render', r.summary[k].textOk ? '' : 'rendered text differs from the answer')
  return r
}

export function renderReport(r) {
  if (r.skipped) return `## Render in Chromium\n\nSkipped: ${r.skipped}.\n`
  const lines = [`## Render in Chromium ${r.version}: ${r.tokens} tokens (${fmt(r.bytes / 1024, 0)} KiB of SSE) sent as fast as possible\n`]
  lines.push(
    'Main-thread cost from a DevTools trace of the page (every `RunTask` on its renderer main thread, from navigation to the last token on screen): longest task and sum of all tasks; median over runs, worst run in brackets. Long tasks: entries of `PerformanceObserver({type: "longtask"})` in the page (worst run). The seed page renders the raw dict text, as the seed does; the SDK pages render the decoded answer (checked).\n',
  )
  const rows = Object.entries(LABEL).map(([k, label]) => {
    const s = r.summary[k]
    return [
      label + mark(`render:${k}`),
      `${fmt(s.longest)} ms (${fmt(s.longestMax)})`,
      `${fmt(s.total)} ms`,
      String(s.over50),
      `${s.longtasks}${s.longtasks ? `, longest ${fmt(s.longestLongtask)} ms` : ''}`,
      `${fmt(s.wall)} ms`,
    ]
  })
  lines.push(mdTable(['page', 'longest task', 'main-thread total', 'tasks > 50 ms', 'longtask entries', 'wall time'], rows))
  lines.push('')
  const what = (k) => r.summary[k].inside?.[0]?.slice(0, 4).join(', ')
  lines.push(
    `Inside the longest task (first run; trace slices by name): seed page: ${what('seed')}; EventSource baseline: ${what('es-bare')}; SDK GET: ${what('sdk-get')}; SDK POST: ${what('sdk-post')}.\n`,
  )
  return lines.join('\n')
}

export function renderTargets(r) {
  if (r.skipped) return [['Render: no long task over 50 ms', 'skipped', 'not measured']]
  const g = r.summary['sdk-get'].longestMax
  const p = r.summary['sdk-post'].longestMax
  return [
    [
      'Render: no long task over 50 ms for 10,000 tokens',
      `longest task, worst run: POST (fetch) ${fmt(p)} ms, GET (EventSource) ${fmt(g)} ms; bound for GET: bare \`EventSource\` with an empty handler ${fmt(r.summary['es-bare'].longestMax)} ms; seed page ${fmt(r.summary.seed.longestMax)} ms`,
      Math.max(g, p) <= 50 ? 'met' : p <= 50 ? 'met with fetch, missed with EventSource' : 'missed',
    ],
  ]
}
