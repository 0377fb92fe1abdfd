// Scaling: does time (and peak heap) grow linearly with the input?
//   {what: 'time', kind, sizes, reps, minSampleMs, seed}: every contender × size, paired and interleaved.
//   {what: 'heap', kind, size, contender}: one run in this fresh process, heap sampled after every chunk.
import { getHeapStatistics } from 'node:v8'
import { createParser } from 'eventsource-parser'
import { loadTarget } from '../lib/build.mjs'
import { emit } from '../lib/child.mjs'
import { chunk, seedInput, singleEventInput } from '../lib/inputs.mjs'
import { paired, rng } from '../lib/measure.mjs'

const args = JSON.parse(process.argv[2])
const sdk = await loadTarget('sdk').catch(() => loadTarget('parse'))
const MB = 1e6

function inputFor(kind, size) {
  // event: one `data:` line of `size` MB in 64 KiB chunks; stream: `size` seed tokens in 1 KiB chunks.
  const input = kind === 'event' ? singleEventInput(size * MB) : seedInput(size)
  return { chunks: chunk(input.bytes, 'n', 0, kind === 'event' ? 64 * 1024 : 1024), bytes: input.bytes.length }
}

let probe = () => {}
let sink = 0
const contenders = {
  sdk(chunks) {
    const p = sdk.createSseParser({ onEvent: (e) => (sink += e.data.length), maxEventBytes: 64 * 1024 * 1024 })
    for (const c of chunks) {
      p.feed(c)
      probe()
    }
    p.end()
  },
  esp(chunks) {
    const d = new TextDecoder()
    const p = createParser({ onEvent: (e) => (sink += e.data.length) })
    for (const c of chunks) {
      p.feed(d.decode(c, { stream: true }))
      probe()
    }
  },
  // The floor: streaming UTF-8 decoding of the same chunks, nothing kept.
  decoder(chunks) {
    const d = new TextDecoder()
    for (const c of chunks) {
      sink += d.decode(c, { stream: true }).length
      probe()
    }
  },
  'sdk-seed'(chunks) {
    const reducer = sdk.createReducer({ dialect: 'seed', emit: () => {}, thinkTags: true })
    reducer.connecting?.(1)
    reducer.open?.()
    const p = sdk.createSseParser({ onEvent: (e) => reducer.event(e) })
    for (const c of chunks) {
      p.feed(c)
      probe()
    }
    reducer.end(p.end().discarded)
    sink += reducer.text.length
  },
}
const available = (names) => names.filter((n) => n !== 'sdk-seed' || typeof sdk.createReducer === 'function')

if (args.what === 'time') {
  const names = available(args.kind === 'event' ? ['sdk', 'esp', 'decoder'] : ['sdk-seed', 'sdk', 'esp'])
  const inputs = Object.fromEntries(args.sizes.map((s) => [s, inputFor(args.kind, s)]))
  const list = []
  for (const n of names) for (const s of args.sizes) list.push({ name: `${n}@${s}`, fn: () => contenders[n](inputs[s].chunks) })
  const res = await paired({ contenders: list, reference: list[0].name, reps: args.reps, minSampleMs: args.minSampleMs, random: rng(args.seed) })
  emit({ names, sizes: args.sizes, bytes: Object.fromEntries(args.sizes.map((s) => [s, inputs[s].bytes])), res })
} else {
  const { chunks, bytes } = inputFor(args.kind, args.size)
  const run = contenders[args.contender]
  run(chunks) // warm the code, so compiled code is not billed to the input
  globalThis.gc()
  globalThis.gc()
  const base = getHeapStatistics().used_heap_size
  let peak = base
  probe = () => {
    const h = getHeapStatistics().used_heap_size
    if (h > peak) peak = h
  }
  const t0 = performance.now()
  run(chunks)
  const ms = performance.now() - t0
  probe = () => {}
  emit({ bytes, peak: peak - base, ms })
}
