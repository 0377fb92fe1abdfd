// Scaling: one event of 2–16 MB in 64 KiB chunks; streams of 10k–80k tokens in 1 KiB chunks.
import { runChild } from '../lib/child.mjs'
import { fmt, max, median, MiB, mdTable, min } from '../lib/measure.mjs'

const CASES = {
  event: { sizes: [2, 4, 8, 16], unit: (s) => `${s} MB`, title: 'One event of 2–16 MB (one `data:` line) in 64 KiB chunks' },
  stream: { sizes: [10000, 20000, 40000, 80000], unit: (s) => `${s / 1000}k tokens`, title: 'Seed streams of 10k–80k tokens in 1 KiB chunks' },
}
const LABEL = {
  sdk: 'SDK `createSseParser`',
  esp: 'eventsource-parser',
  decoder: 'baseline: `TextDecoder` alone',
  'sdk-seed': "SDK parser + `dialect: 'seed'` reducer",
}

export async function scaling(cfg, log) {
  const out = {}
  for (const [kind, c] of Object.entries(CASES)) {
    log(`scaling ${kind}: time`)
    const t = await runChild('scale.mjs', { what: 'time', kind, sizes: c.sizes, reps: cfg.scaleReps, minSampleMs: cfg.minSampleMs, seed: cfg.seed })
    const heap = {}
    for (const name of t.names)
      for (const size of c.sizes) {
        log(`scaling ${kind}: heap ${name} ${size}`)
        heap[`${name}@${size}`] = await runChild('scale.mjs', { what: 'heap', kind, size, contender: name })
      }
    out[kind] = { ...t, heap }
  }
  return out
}

/** Per-repetition t(2N)/t(N), median and max, for each doubling step. */
function doublings(res, name, sizes) {
  const steps = []
  for (let i = 1; i < sizes.length; i++) {
    const a = res[`${name}@${sizes[i - 1]}`].ms
    const b = res[`${name}@${sizes[i]}`].ms
    const r = b.map((t, k) => t / a[k]).filter(Number.isFinite)
    steps.push({ median: median(r), min: min(r), max: max(r) })
  }
  return steps
}

export function scalingReport(out) {
  const lines = ['## Scaling (must be linear)\n']
  lines.push(
    'Time: median CPU time per run; "×2" = time for 2N ÷ time for N, median of per-repetition ratios (min–max); ≤ 2.2 is linear enough. Peak heap: highest V8 `used_heap_size` sampled after every chunk, minus the heap after `gc()` before the run, in a fresh process per cell (garbage not yet collected counts, so this is an upper bound).\n',
  )
  for (const [kind, c] of Object.entries(CASES)) {
    const o = out[kind]
    lines.push(`### ${c.title}\n`)
    const rows = []
    for (const name of o.names) {
      const steps = doublings(o.res, name, c.sizes)
      c.sizes.forEach((s, i) => {
        const r = o.res[`${name}@${s}`]
        const h = o.heap[`${name}@${s}`]
        const prev = i ? o.heap[`${name}@${c.sizes[i - 1]}`] : undefined
        rows.push([
          i ? '' : LABEL[name],
          c.unit(s),
          `${fmt(r.msMedian)} ms`,
          i ? `${fmt(steps[i - 1].median)} (${fmt(steps[i - 1].min)}–${fmt(steps[i - 1].max)})` : '',
          `${fmt(h.peak / MiB)} MiB`,
          i ? fmt(h.peak / prev.peak) : '',
          fmt(h.peak / o.bytes[s]),
        ])
      })
    }
    lines.push(mdTable(['contender', 'input', 'time', 'time ×2', 'peak heap', 'heap ×2', 'heap ÷ input bytes'], rows))
    lines.push('')
  }
  return lines.join('\n')
}

export function scalingTargets(out) {
  const rows = []
  for (const [kind, c] of Object.entries(CASES)) {
    const name = kind === 'event' ? 'sdk' : out[kind].names[0]
    const steps = doublings(out[kind].res, name, c.sizes)
    const worst = Math.max(...steps.map((s) => s.median))
    const heapSteps = c.sizes.slice(1).map((s, i) => out[kind].heap[`${name}@${s}`].peak / out[kind].heap[`${name}@${c.sizes[i]}`].peak)
    const worstHeap = Math.max(...heapSteps)
    rows.push([
      `Linear: ${kind === 'event' ? 'single large event' : 'long token stream'} (${LABEL[name]}), doubling ≤ 2.2× time`,
      `worst doubling ${fmt(worst)}× time, ${fmt(worstHeap)}× peak heap`,
      worst <= 2.2 ? 'met' : 'missed',
    ])
  }
  return rows
}
