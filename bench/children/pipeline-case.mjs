// One full-pipeline case: correctness of every contender, then paired timing.
import { emit } from '../lib/child.mjs'
import { CHUNKINGS, chunk, openaiInput, seedInput, seedJsonInput } from '../lib/inputs.mjs'
import { paired, rng } from '../lib/measure.mjs'
import { PIPELINE_REFERENCE, pipelines } from '../lib/pipelines.mjs'
import { diffText } from '../lib/verdict.mjs'

const { kind, mode, reps, minSampleMs, seed } = JSON.parse(process.argv[2])
const all = (await pipelines())[kind]
const inputs = kind === 'seed' ? { seed: seedInput(20000), seedJson: seedJsonInput(20000) } : { openai: openaiInput(20000) }
const chunksOf = Object.fromEntries(Object.entries(inputs).map(([k, v]) => [k, chunk(v.bytes, mode, seed)]))
const tokens = Object.values(inputs)[0].tokens

// The truth: every token; for the SDK's reducer, the <think> block is reasoning
// and the answer starts after it (leading blank lines of the answer are not
// compared: where the reducer trims them is its own business).
const all_ = tokens.join('')
const close = tokens.indexOf('</think>')
const expectReasoning = close > 0 ? tokens.slice(1, close).join('') : ''
const expectAnswer = close > 0 ? tokens.slice(close + 1).join('') : all_
const trimStart = (s) => s.replace(/^\s+/, '')

// Checked on every chunking; timed on `mode` only.
const wrong = {}
for (const [name, c] of Object.entries(all))
  for (const m of CHUNKINGS) {
    if (wrong[name]) break
    try {
      const r = c.run(chunk(inputs[c.input].bytes, m, seed))
      let d
      if (name.startsWith('sdk-') && r.reasoning !== undefined) {
        d = diffText(trimStart(r.text), trimStart(expectAnswer), 'answer') || diffText(r.reasoning.trim(), expectReasoning.trim(), 'reasoning')
      } else d = diffText(r.text, all_, 'text')
      if (d) wrong[name] = `${m} chunks: ${d}`
    } catch (error) {
      wrong[name] = `${m} chunks: threw ${error?.stack ?? error}`.slice(0, 400)
    }
  }

const res = await paired({
  contenders: Object.entries(all).map(([name, c]) => ({ name, fn: () => c.run(chunksOf[c.input]) })),
  reference: PIPELINE_REFERENCE[kind],
  reps,
  minSampleMs,
  random: rng(seed + kind.length),
})
emit({ kind, mode, tokens: tokens.length, bytes: Object.fromEntries(Object.entries(inputs).map(([k, v]) => [k, v.bytes.length])), wrong, res })
