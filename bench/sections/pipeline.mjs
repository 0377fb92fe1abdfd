// Full pipeline, bytes → tokens, 1 KiB chunks.
import { runChild } from '../lib/child.mjs'
import { fmt, mdTable } from '../lib/measure.mjs'
import { PIPELINE_REFERENCE, pipelines } from '../lib/pipelines.mjs'
import { mark, record } from '../lib/verdict.mjs'

const TITLE = {
  seed: '(a) seed repr tokens (the JSON contenders get the same tokens as JSON)',
  openai: '(b) OpenAI chunks (Ollama)',
}

export async function pipeline(cfg, log) {
  const defs = await pipelines()
  const out = {}
  for (const kind of ['seed', 'openai']) {
    log(`pipeline ${kind}`)
    const r = await runChild('pipeline-case.mjs', { kind, mode: '1k', reps: cfg.reps, minSampleMs: cfg.minSampleMs, seed: cfg.seed })
    for (const name of Object.keys(defs[kind])) record(`pipeline:${kind}:${name}`, `pipeline ${kind}`, r.wrong[name] ?? '')
    out[kind] = { ...r, res: new Map(Object.entries(r.res)) }
  }
  return { defs, out }
}

export function pipelineReport({ defs, out }) {
  const lines = ['## Full pipeline (bytes → tokens), 1 KiB chunks\n']
  lines.push(
    'Cell: speed relative to the reference row (median of per-repetition ratios, min–max), median CPU time per 20k-token stream, tokens per CPU second. Output checked on all three chunkings, timed on 1 KiB chunks.\n',
  )
  for (const kind of ['seed', 'openai']) {
    const { res, tokens } = out[kind]
    lines.push(`### ${TITLE[kind]}\n`)
    const rows = Object.entries(defs[kind]).map(([name, d]) => {
      const r = res.get(name)
      return [
        d.label + mark(`pipeline:${kind}:${name}`),
        `${fmt(r.ratio)} (${fmt(r.ratioMin)}–${fmt(r.ratioMax)})`,
        `${fmt(r.msMedian)} ms`,
        `${fmt(((tokens / r.msMedian) * 1000) / 1e6)} M/s`,
      ]
    })
    lines.push(mdTable(['pipeline', 'vs reference', 'time', 'tokens/s'], rows))
    lines.push('')
  }
  return lines.join('\n')
}

export function pipelineTargets({ out }) {
  const seed = out.seed.res.get('sdk-seed')
  const noReducer = out.seed.res.get('sdk-jsonish')
  return [
    [
      'Seed pipeline ≥ 0.5× the speed of framing + `JSON.parse` on the same tokens',
      `${fmt(seed.ratio)}× (${fmt(seed.ratioMin)}–${fmt(seed.ratioMax)}) of SDK parser + JSON.parse; without the reducer (parser + \`parseJsonish\` only) ${fmt(noReducer.ratio)}×`,
      seed.ratio >= 0.5 ? 'met' : 'missed',
    ],
  ]
}

export { PIPELINE_REFERENCE }
