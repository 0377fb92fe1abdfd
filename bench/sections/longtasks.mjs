// No long task while a React chat shows an answer as Markdown: useChat +
// <Markdown> in Chromium, 10,000 tokens paced and in a burst, a 1 MB answer
// and a 5,000-line code block (streamed in a burst, and shown at once).
import { buildTarget } from '../lib/build.mjs'
import { runChild } from '../lib/child.mjs'
import { chromiumMissing } from '../lib/chromium-path.mjs'
import { fmt, mdTable } from '../lib/measure.mjs'
import { mark, record } from '../lib/verdict.mjs'

const NAME = { chat: 'answer of 10,000 tokens (2,000 with --quick)', mb: '1 MB answer', code: '5,000-line code block' }
const MODE = { paced: 'streamed, paced', burst: 'streamed in a burst', once: 'shown at once (stored answer)' }

export async function longtasks(cfg, log) {
  const missing = chromiumMissing()
  if (missing) return { skipped: missing }
  await buildTarget('longtasks-react-browser')
  log('longtasks: useChat + <Markdown> in Chromium')
  const r = await runChild('longtasks.mjs', { tokens: cfg.quick ? 2000 : 10000, pace: 100, timeoutMs: 600_000 }, { timeoutMs: 1_800_000 })
  for (const x of r.results)
    record(`longtasks:${x.name}:${x.mode}`, 'longtasks', x.exact && x.status === 'completed' ? '' : 'the final DOM is not the text rendered at once')
  return r
}

export function longtasksReport(r) {
  if (r.skipped) return `## Long tasks: useChat + <Markdown>\n\nSkipped: ${r.skipped}.\n`
  const lines = [`## Long tasks: useChat + <Markdown> in Chromium (${r.version})\n`]
  lines.push(
    `A React 19 chat (production build): \`useChat\` from \`llm-sse-client/react\`, each answer in \`<Markdown>\` from \`llm-sse-client/react/markdown\`. The loopback server sends the answer in the seed's wire format, 1–6 character tokens, paced (${r.pace} tokens per second, a model's pace) or in a burst (16 KiB writes as fast as the socket takes them); "at once" fetches the whole text and mounts \`<Markdown text done>\` (a stored answer opened later). Long tasks: the page's \`PerformanceObserver('longtask')\` (wall time) from the moment the answer is asked for until its DOM has settled; "CPU": the main thread's thread time of each task after the page's script ran, from a DevTools trace (on a loaded machine a task's wall time also counts the time the renderer waited for a core); "worst frame gap": the longest time between two animation frames. The final DOM is compared with the same text rendered at once.\n`,
  )
  const rows = r.results.map((x) => [
    `${NAME[x.name]}, ${MODE[x.mode]}${mark(`longtasks:${x.name}:${x.mode}`)}`,
    x.chars.toLocaleString('en'),
    x.mode === 'once' ? '–' : x.tokens.toLocaleString('en'),
    x.longtasks ? `${fmt(x.longest, 0)} ms` : 'none over 50 ms',
    String(x.longtasks),
    `${fmt(x.cpuLongest, 0)} ms`,
    String(x.cpuOver50),
    `${fmt(x.worstGap, 0)} ms`,
    `${fmt(x.wall / 1000, 1)} s`,
  ])
  lines.push(
    mdTable(
      ['answer', 'characters', 'tokens', 'longest task', 'long tasks', 'longest task, CPU', 'tasks over 50 ms of CPU', 'worst frame gap', 'wall time'],
      rows,
    ),
  )
  return lines.join('\n') + '\n'
}

export function longtasksTargets(r) {
  if (r.skipped) return [['Long tasks: none over 50 ms (useChat + <Markdown>, 10,000 tokens, 1 MB, 5,000-line code)', 'skipped', 'not measured']]
  return r.results.map((x) => [
    `No task over 50 ms: ${NAME[x.name]}, ${MODE[x.mode]} (useChat + <Markdown>)`,
    `${x.longtasks ? `${x.longtasks} long tasks, longest ${fmt(x.longest, 0)} ms` : 'none'}; CPU: longest ${fmt(x.cpuLongest, 0)} ms, ${x.cpuOver50} over 50 ms`,
    x.longtasks ? (x.cpuOver50 ? 'missed' : 'missed in wall time only (CPU under 50 ms)') : 'met',
  ])
}
