// SSE framing: bytes → (type, data), every contender on every input × chunking.
import { runChild } from '../lib/child.mjs'
import { framers } from '../lib/framers.mjs'
import { CHUNKING_LABEL, CHUNKINGS } from '../lib/inputs.mjs'
import { fmt, max, median, MiB, mdTable, min } from '../lib/measure.mjs'
import { isWrong, mark, record } from '../lib/verdict.mjs'

export const INPUTS = {
  a: { label: '(a) seed repr, 20k events' },
  b: { label: '(b) OpenAI chunks (Ollama), 20k events' },
  c: { label: '(c) large multi-line events, CRLF' },
}

/** Per-repetition ratio time(b)/time(a) from paired raw times: how many times faster `a` is than `b`. */
export function ratioOf(res, a, b) {
  const ta = res.get(a).ms
  const tb = res.get(b).ms
  const r = ta.map((t, i) => tb[i] / t).filter(Number.isFinite)
  return { ratio: median(r), ratioMin: min(r), ratioMax: max(r) }
}

export async function framing(cfg, log) {
  const contenders = await framers()
  const labels = Object.fromEntries(contenders.map((c) => [c.name, c.label]))
  const results = {} // `${input}/${chunking}` → { res: Map, bytes, caseLabel }
  const meta = {}
  for (const [key, spec] of Object.entries(INPUTS)) {
    for (const mode of CHUNKINGS) {
      const caseLabel = `${spec.label.split(',')[0]} ${CHUNKING_LABEL[mode]}`
      log(`framing ${caseLabel}`)
      const r = await runChild('framing-case.mjs', { input: key, mode, reps: cfg.reps, minSampleMs: cfg.minSampleMs, seed: cfg.seed })
      for (const c of contenders) record(c.name, caseLabel, r.wrong[c.name] ?? '')
      meta[key] ??= { bytes: r.bytes, events: r.events }
      if (mode === 'rand') meta[key].cuts = { chunks: r.chunks, ...r.cuts }
      results[`${key}/${mode}`] = { res: new Map(Object.entries(r.res)), bytes: r.bytes, caseLabel }
    }
  }
  return { results, labels, contenders, meta }
}

export function framingReport({ results, contenders, meta }) {
  const out = []
  out.push('## SSE framing (bytes → event data)\n')
  out.push(
    'Cell: speed relative to eventsource-parser (reference time ÷ contender time, median of per-repetition ratios, min–max), then median throughput in MiB of input per CPU second. > 1 is faster than the reference. ✗ = wrong output on that case (see Correctness). [3 reps] = one run takes over 0.4 s, so it was timed in the first 3 repetitions only. Each input × chunking runs in a fresh Node process.\n',
  )
  for (const [key, spec] of Object.entries(INPUTS)) {
    const m = meta[key]
    out.push(
      `### ${spec.label}: ${fmt(m.bytes / MiB)} MiB, ${m.events} events; random cut: ${m.cuts.chunks} chunks, ${m.cuts.utf8} split UTF-8 characters, ${m.cuts.crlf} split CRLF pairs\n`,
    )
    const rows = contenders.map((c) => [
      c.label + mark(c.name),
      ...CHUNKINGS.map((mode) => {
        const { res, bytes, caseLabel } = results[`${key}/${mode}`]
        const r = res.get(c.name)
        const cell = `${fmt(r.ratio)} (${fmt(r.ratioMin)}–${fmt(r.ratioMax)}), ${fmt(bytes / MiB / (r.msMedian / 1000), 0)} MiB/s${r.reps < res.get('esp').reps ? ` [${r.reps} reps]` : ''}`
        return isWrong(c.name, caseLabel) ? `✗ ${cell}` : cell
      }),
    ])
    out.push(mdTable(['contender', ...CHUNKINGS.map((m) => CHUNKING_LABEL[m])], rows))
    out.push('')
  }
  return out.join('\n')
}

/** The framing targets, as rows for the summary table. */
export function framingTargets({ results }) {
  const rows = []
  let worst = { ratio: Infinity }
  let worstCase = ''
  let worstBase = { ratio: Infinity }
  let worstBaseCase = ''
  for (const [k, { res }] of Object.entries(results)) {
    const r = res.get('sdk')
    if (r.ratio < worst.ratio) {
      worst = r
      worstCase = k
    }
    // SDK speed ÷ indexOf-baseline speed; ≥ 0.5 means "within 2×".
    const b = ratioOf(res, 'sdk', 'indexof')
    if (b.ratio < worstBase.ratio) {
      worstBase = b
      worstBaseCase = k
    }
  }
  const seed1k = results['a/1k'].res.get('sdk')
  const floor = results['a/1k'].res.get('decoder')
  const below = Object.entries(results)
    .filter(([, { res }]) => res.get('sdk').ratio < 1)
    .map(([k, { res }]) => `${k} ${fmt(res.get('sdk').ratio)}`)
  rows.push([
    'Framing ≥ 1.0× eventsource-parser on every input × chunking',
    `worst ${fmt(worst.ratio)}× (${fmt(worst.ratioMin)}–${fmt(worst.ratioMax)}) on ${worstCase}${below.length ? `; below 1.0 on ${below.length} of ${Object.keys(results).length}: ${below.join(', ')}` : ''}`,
    worst.ratio >= 1 ? 'met' : 'missed',
  ])
  rows.push([
    'Framing ≥ 1.5× eventsource-parser, seed input, 1 KiB chunks',
    `${fmt(seed1k.ratio)}× (${fmt(seed1k.ratioMin)}–${fmt(seed1k.ratioMax)}); bound: \`TextDecoder\` alone, parsing nothing, is ${fmt(floor.ratio)}×`,
    seed1k.ratio >= 1.5 ? 'met' : 'missed',
  ])
  rows.push([
    'Framing within 2× of `TextDecoder` + `indexOf`',
    `worst: SDK takes ${fmt(1 / worstBase.ratio)}× the baseline's time on ${worstBaseCase}`,
    worstBase.ratio >= 0.5 ? 'met' : 'missed',
  ])
  return rows
}
