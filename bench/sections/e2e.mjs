// End to end over loopback (fetch mode).
import { runChild } from '../lib/child.mjs'
import { fmt, max, median, MiB, mdTable, min } from '../lib/measure.mjs'
import { mark, record } from '../lib/verdict.mjs'

const LABEL = { sdk: "SDK `client.post()` (fetch, `dialect: 'seed'`)", raw: 'raw `fetch` reader loop + `TextDecoder` + `indexOf` + `parseJsonish`' }

export async function e2e(cfg, log) {
  log('e2e: loopback server, throughput and latency')
  const r = await runChild('e2e-client.mjs', {
    tokens: 20000,
    reps: cfg.e2eReps,
    latencyReps: cfg.latencyReps,
    latencyTokens: cfg.latencyTokens,
    paceMs: 5,
    seed: cfg.seed,
  })
  for (const k of ['sdk', 'raw']) record(`e2e:${k}`, 'end to end, burst', r.wrong[k] ?? '')
  return { ...r, cfg: { latencyTokens: cfg.latencyTokens, latencyReps: cfg.latencyReps, reps: cfg.e2eReps } }
}

export function e2eReport(r) {
  const lines = ['## End to end over loopback (fetch mode)\n']
  lines.push(
    `Server and client are separate Node processes. Throughput: ${r.tokens} seed tokens sent as fast as the socket takes them, ${r.cfg.reps} interleaved repetitions; client CPU = \`process.cpuUsage()\` of the client process over the stream (when it is well below the wall time, the client was waiting for the server); heap = peak V8 heap during the stream minus the heap after \`gc()\` before it. Latency: ${r.cfg.latencyTokens} tokens, one every 5 ms, ${r.cfg.latencyReps} run(s) each; per token, client receive time (in the delta callback) minus the server's timestamp taken just before \`res.write\` (both \`process.hrtime\`, the same monotonic clock).\n`,
  )
  const rows = ['sdk', 'raw'].map((k) => {
    const b = r.burst[k]
    const l = r.latency[k]
    return [
      LABEL[k] + mark(`e2e:${k}`),
      `${fmt(median(b.map((x) => x.tps)) / 1000)}k`,
      `${fmt(median(b.map((x) => x.ms)))} ms`,
      `${fmt(median(b.map((x) => x.cpu)))} ms`,
      `${fmt(median(b.map((x) => x.heap)) / MiB)} MiB`,
      `${fmt(l.median, 3)} ms`,
      `${fmt(l.p99, 3)} ms`,
    ]
  })
  lines.push(mdTable(['client', 'tokens/s', 'time for 20k', 'client CPU for 20k', 'peak heap', 'latency median', 'latency p99'], rows))
  lines.push('')
  const rr = r.ratios
  lines.push(
    `SDK throughput ÷ raw loop throughput, per repetition: median ${fmt(median(rr))} (${fmt(min(rr))}–${fmt(max(rr))}). Added latency (SDK median − raw median): ${fmt((r.latency.sdk.median - r.latency.raw.median) * 1000, 0)} µs.\n`,
  )
  return lines.join('\n')
}

export function e2eTargets(r) {
  const ratio = median(r.ratios)
  const added = r.latency.sdk.median - r.latency.raw.median
  return [
    [
      'End to end: SDK throughput ≥ 0.8× the raw reader loop',
      `${fmt(ratio)}× (${fmt(min(r.ratios))}–${fmt(max(r.ratios))}); client CPU per 20k tokens: SDK ${fmt(median(r.burst.sdk.map((x) => x.cpu)))} ms, raw ${fmt(median(r.burst.raw.map((x) => x.cpu)))} ms`,
      ratio >= 0.8 ? 'met' : 'missed',
    ],
    [
      'End to end: added latency per token < 0.1 ms median',
      `${fmt(added * 1000, 0)} µs (SDK ${fmt(r.latency.sdk.median, 3)} ms, raw ${fmt(r.latency.raw.median, 3)} ms)`,
      added < 0.1 ? 'met' : 'missed',
    ],
  ]
}
