// A 10,000-token answer through useChat in Chromium, against the hook
// people write by hand (one setState per token), in the same run.
import { buildTarget } from '../lib/build.mjs'
import { runChild } from '../lib/child.mjs'
import { chromiumMissing } from '../lib/chromium-path.mjs'
import { fmt, mdTable } from '../lib/measure.mjs'
import { mark, record } from '../lib/verdict.mjs'

const LABEL = {
  'use-chat': '`useChat` (`llm-sse-client/react`)',
  'hand-written': 'baseline: `useState` + `setText((t) => t + e.text)` per token',
}

export async function chat(cfg, log) {
  const missing = chromiumMissing()
  if (missing) return { skipped: missing }
  await buildTarget('chat-react-browser')
  log('chat: React in Chromium')
  const r = await runChild('chat.mjs', { tokens: 10000, reps: cfg.renderReps, seed: cfg.seed, timeoutMs: 180_000 }, { timeoutMs: 900_000 })
  for (const k of Object.keys(r.summary)) record(`chat:${k}`, 'chat', r.summary[k].textOk ? '' : 'the page did not show the whole answer, completed')
  return r
}

export function chatReport(r) {
  if (r.skipped) return `## Chat in React\n\nSkipped: ${r.skipped}.\n`
  const lines = [
    `## Chat in React (${r.version}): ${r.tokens} tokens, in a burst (as fast as the socket takes them) and paced (${r.pace} tokens per millisecond, a fast model)\n`,
  ]
  lines.push(
    "React commits after mounting counted by a `<Profiler>` (commits per frame leaves out the two that come at once by design: the question appearing and the final status), animation frames by a `requestAnimationFrame` loop while the answer streams; main-thread cost from a DevTools trace: longest task and sum of all tasks on the page's main thread after the page's script ran (loading React costs both pages the same). Medians over runs, worst in brackets. React 19 production build (profiling variant, for the `<Profiler>`), no StrictMode.\n",
  )
  const rows = Object.keys(r.summary).map((k) => {
    const s = r.summary[k]
    const [mode, page] = k.split(':')
    return [
      `${mode}: ${LABEL[page]}${mark(`chat:${k}`)}`,
      String(s.commits),
      String(s.frames),
      fmt(s.worstCommitsPerFrame),
      `${fmt(s.longest)} ms (${fmt(s.longestMax)})`,
      `${fmt(s.total)} ms`,
      `${fmt(s.wall)} ms`,
    ]
  })
  lines.push(mdTable(['page', 'commits', 'frames', 'commits per frame (worst run)', 'longest task', 'main-thread total', 'wall time'], rows))
  const q = (m) => `${fmt(r.ratios[m].median)}× (${fmt(r.ratios[m].min)}–${fmt(r.ratios[m].max)})`
  lines.push(`\nMain-thread total, hand-written ÷ useChat per run pair (above 1: useChat costs less): burst ${q('burst')}, paced ${q('paced')}.`)
  for (const k of Object.keys(r.summary)) lines.push(`Inside the longest task, ${k} (first run): ${r.summary[k].inside?.join(', ')}.`)
  lines.push('')
  return lines.join('\n')
}

export function chatTargets(r) {
  if (r.skipped) return [['Chat: ≤ 1 React commit per frame, longest task < 50 ms', 'skipped', 'not measured']]
  const b = r.summary['burst:use-chat']
  const p = r.summary['paced:use-chat']
  const worst = Math.max(b.worstCommitsPerFrame, p.worstCommitsPerFrame)
  const longest = Math.max(b.longestMax, p.longestMax)
  return [
    [
      'Chat (useChat, 10,000 tokens): at most one React commit per animation frame',
      `worst run ${fmt(worst)} commits per frame (paced: ${p.commits} commits in ${p.frames} frames; hand-written hook ${r.summary['paced:hand-written'].commits})`,
      worst <= 1 ? 'met' : 'missed',
    ],
    [
      'Chat (useChat, 10,000 tokens): longest task < 50 ms',
      `worst run: burst ${fmt(b.longestMax)} ms, paced ${fmt(p.longestMax)} ms; hand-written hook: burst ${fmt(r.summary['burst:hand-written'].longestMax)} ms, paced ${fmt(r.summary['paced:hand-written'].longestMax)} ms`,
      longest < 50 ? 'met' : p.longestMax < 50 ? 'met when paced, missed in a burst' : 'missed',
    ],
    [
      'Chat: main-thread time against a useState-per-token hook',
      `hand-written ÷ useChat: burst ${fmt(r.ratios.burst.median)}×, paced ${fmt(r.ratios.paced.median)}×`,
      'measured',
    ],
  ]
}
