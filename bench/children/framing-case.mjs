// One framing case (input × chunking): correctness of every contender, then paired timing.
import { emit } from '../lib/child.mjs'
import { framers } from '../lib/framers.mjs'
import { chunk, cutStats, largeInput, openaiInput, seedInput } from '../lib/inputs.mjs'
import { paired, rng } from '../lib/measure.mjs'
import { diffEvents } from '../lib/verdict.mjs'

const { input: key, mode, reps, minSampleMs, seed } = JSON.parse(process.argv[2])
const input = key === 'a' ? seedInput(20000) : key === 'b' ? openaiInput(20000) : largeInput(24)
const chunks = chunk(input.bytes, mode, seed + key.charCodeAt(0))
const contenders = await framers()

const wrong = {}
for (const c of contenders) {
  if (c.noEvents) continue
  const got = []
  try {
    await c.run(chunks, (type, data) => got.push({ type, data }))
    const d = diffEvents(got, input.events)
    if (d) wrong[c.name] = d
  } catch (error) {
    wrong[c.name] = `threw ${error}`
  }
}

let sink = 0
const onEvent = (_t, d) => {
  sink += d.length
}
const res = await paired({
  contenders: contenders.map((c) => ({ name: c.name, async: c.async, fn: () => c.run(chunks, onEvent) })),
  reference: 'esp',
  reps,
  minSampleMs,
  random: rng(seed + mode.length + key.charCodeAt(0)),
})
emit({
  key,
  mode,
  bytes: input.bytes.length,
  events: input.events.length,
  chunks: chunks.length,
  cuts: cutStats(chunks),
  wrong,
  res,
  sink: sink > 0,
})
