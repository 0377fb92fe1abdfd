// Paired, interleaved timing. A shared 2-core machine is noisy in bursts
// (other test suites, GC of a neighbour); timing contender A for a minute and
// then B for a minute lets a burst land on one of them only. Instead every
// repetition runs every contender once, in a fresh seeded random order, on the
// same input, and each contender is judged by its ratio to the reference
// *within* that repetition: a burst slows the whole repetition alike and
// mostly cancels out of the ratio.

/** mulberry32: a tiny seeded PRNG, so inputs, chunkings and orders are reproducible. */
export function rng(seed) {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

/** Fisher–Yates with the given PRNG. */
export function shuffle(items, random) {
  const a = [...items]
  for (let i = a.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1))
    ;[a[i], a[j]] = [a[j], a[i]]
  }
  return a
}

export function median(xs) {
  const s = [...xs].sort((a, b) => a - b)
  const n = s.length
  if (!n) return NaN
  return n % 2 ? s[(n - 1) / 2] : (s[n / 2 - 1] + s[n / 2]) / 2
}

export const min = (xs) => Math.min(...xs)
export const max = (xs) => Math.max(...xs)

const now = () => performance.now()
// No forced gc() between samples: a full GC shrinks the heap, and the next
// contender then pays for growing it again (measured: it doubled the
// spread of the SDK on input (c)). With samples of ≥ 50 ms each contender
// mostly pays for its own garbage.

/**
 * Time `fn` (sync or async) `iters` times in a row; ms per call.
 *
 * The clock is this process's CPU time (user + system, all its threads,
 * `process.cpuUsage()`), not wall time: on a shared machine whose load
 * average is above its core count, a sample can spend half its wall time
 * descheduled, which no pairing cancels when the load changes within a
 * repetition. CPU time still bills the contender's own GC, including V8's
 * helper threads. `BENCH_CLOCK=wall` switches back to wall time.
 */
const useWall = process.env.BENCH_CLOCK === 'wall'
async function sample(fn, iters, isAsync) {
  const c0 = process.cpuUsage()
  const t0 = now()
  if (isAsync) for (let i = 0; i < iters; i++) await fn()
  else for (let i = 0; i < iters; i++) fn()
  if (useWall) return (now() - t0) / iters
  const c = process.cpuUsage(c0)
  return (c.user + c.system) / 1000 / iters
}

/**
 * Run contenders paired and interleaved.
 *
 * @param {object} o
 * @param {{name: string, fn: () => unknown, async?: boolean}[]} o.contenders
 * @param {string} o.reference  name of the contender ratios are taken against
 * @param {number} o.reps       repetitions
 * @param {number} o.minSampleMs  a sample (one contender, one repetition) lasts at least this long
 * @param {() => number} o.random  seeded PRNG for the orders
 * @returns {Map<string, {ms: number[], msMedian: number, ratio: number, ratioMin: number, ratioMax: number, iters: number, reps: number}>}
 *   `ratio` = reference time / contender time, per repetition, median: > 1 means faster than the reference.
 */
export async function paired({ contenders, reference, reps, minSampleMs, random, warmupMs = 300, slowMs = 400, slowReps = 3 }) {
  const iters = new Map()
  // A contender whose single run takes longer than `slowMs` (fetch-event-stream
  // on one 4 MiB chunk takes seconds) is timed in the first `slowReps`
  // repetitions only, so it cannot blow the time budget; its ratios are
  // still paired with the reference's samples of the same repetitions.
  const slow = new Set()
  // Warm-up (let the JIT settle) and calibration (iterations per sample).
  for (const c of contenders) {
    let runs = 0
    const t0 = now()
    let first = 0
    while (runs < 1 || (now() - t0 < warmupMs && runs < 1000)) {
      await (c.async ? c.fn() : Promise.resolve(c.fn()))
      if (!runs++) first = now() - t0
    }
    if (first > slowMs) {
      slow.add(c.name)
      iters.set(c.name, 1)
      continue
    }
    const per = await sample(c.fn, Math.max(1, runs >> 1), c.async)
    iters.set(c.name, Math.max(1, Math.ceil(minSampleMs / Math.max(per, 1e-6))))
  }
  const times = new Map(contenders.map((c) => [c.name, []]))
  for (let r = 0; r < reps; r++) {
    for (const c of shuffle(contenders, random)) {
      if (slow.has(c.name) && r >= slowReps) continue
      times.get(c.name).push(await sample(c.fn, iters.get(c.name), c.async))
    }
  }
  const ref = times.get(reference)
  const out = new Map()
  for (const c of contenders) {
    const ms = times.get(c.name)
    const ratios = ms.map((t, i) => ref[i] / t).filter(Number.isFinite)
    out.set(c.name, {
      ms,
      msMedian: median(ms),
      ratio: median(ratios),
      ratioMin: min(ratios),
      ratioMax: max(ratios),
      iters: iters.get(c.name),
      reps: ms.length,
    })
  }
  return out
}

/** One number, in a width that reads well in a table. */
export function fmt(x, digits = 2) {
  if (!Number.isFinite(x)) return String(x)
  if (Math.abs(x) >= 100) return x.toFixed(0)
  if (Math.abs(x) >= 10) return x.toFixed(1)
  return x.toFixed(digits)
}

/** `1.52 (1.40–1.61)` */
export function fmtRatio(r) {
  return `${fmt(r.ratio)} (${fmt(r.ratioMin)}–${fmt(r.ratioMax)})`
}

export function mdTable(head, rows, align) {
  const a = align ?? head.map((_, i) => (i ? '---:' : '---'))
  return [`| ${head.join(' | ')} |`, `| ${a.join(' | ')} |`, ...rows.map((r) => `| ${r.join(' | ')} |`)].join('\n')
}

export const MiB = 1024 * 1024
export const KiB = 1024
