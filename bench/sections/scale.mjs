// Resumable streams at scale: bench/scale.py runs one uvicorn worker (the
// FastAPI reference backend) and one gunicorn gthread worker (the Flask one)
// on one Redis, with the mock LLM upstream: concurrent streams on each, a
// share of them cut and resumed on the other worker; readers that stop
// reading; Redis restarted under running streams.
import { ensurePythonEnv } from '../../scripts/python-env.mjs'
import { loadTarget } from '../lib/build.mjs'
import { fmt, mdTable } from '../lib/measure.mjs'
import { runPython } from './resumable.mjs'

const GENERATIONS = '/v1/chat/completions'

export async function scale(cfg, log) {
  const python = await ensurePythonEnv({ log })
  const { startMockServer } = await loadTarget('mock')
  const mock = await startMockServer()
  // SCALE_STREAMS / SCALE_CUT override the issue's 2,000 / 500 where the machine cannot take them.
  const streams = Number(process.env.SCALE_STREAMS ?? (cfg.quick ? 200 : 2000))
  const cut = Number(process.env.SCALE_CUT ?? Math.round(streams / 4))
  try {
    log(`scale: ${streams} concurrent streams per worker, ${cut} resumed on the other worker`)
    const before = mock.stats().requests[GENERATIONS] ?? 0
    const r = await runPython(
      python,
      ['--upstream', `${mock.url}/v1`, '--streams', String(streams), '--cut', String(cut), '--slow', cfg.quick ? '20' : '100'],
      'scale.py',
      1_800_000,
    )
    r.generations = (mock.stats().requests[GENERATIONS] ?? 0) - before
    return r
  } finally {
    await mock.close()
  }
}

const ms = (v) => (v == null ? '–' : `${fmt(v, 0)} ms`)

export function scaleReport(r) {
  const lines = ['## Resumable streams at scale (Python kit: uvicorn and gunicorn gthread, one Redis)\n']
  lines.push(
    `\`bench/scale.py\`: one uvicorn worker (FastAPI reference backend) and one gunicorn \`gthread\` worker (Flask reference backend) on one Redis; the mock LLM sends ${r.events_per_stream} events per answer, one every ${r.delay_ms} ms. Per row, all streams opened at once on the first worker by an asyncio client; the cut ones are dropped after 5 events and continued with \`Last-Event-ID\` on the other worker. Connections: peak of \`CLIENT LIST\` entries with the worker's client name, sampled every 0.2 s. RSS: the worker process. Generations over all runs (warm-ups, slow readers and the outage included): ${r.generations}.\n`,
  )
  const rows = Object.entries(r.runs).map(([first, x]) => [
    first,
    `${x.completed_exact}/${x.streams}`,
    String(x.resumed),
    ms(x.first_token_ms.p50),
    ms(x.first_token_ms.p95),
    ms(x.first_token_ms.p99),
    `${fmt(x.wall_s, 1)} s`,
    `${x.redis_connections_peak.uvicorn} / ${x.redis_connections_peak.gunicorn}`,
    `${fmt(x.rss_mb_peak.uvicorn, 0)} / ${fmt(x.rss_mb_peak.gunicorn, 0)} MiB`,
    x.cpu_us_per_event ? `${fmt(x.cpu_us_per_event[first], 0)} µs` : '–',
    x.load_average ? fmt(x.load_average[0], 1) : '–',
  ])
  lines.push(
    mdTable(
      [
        'first worker',
        'complete, exact',
        'resumed',
        'first token p50',
        'p95',
        'p99',
        'wall',
        'Redis conns uvicorn / gunicorn',
        'RSS peak uvicorn / gunicorn',
        'first worker CPU per event',
        'load',
      ],
      rows,
    ),
  )
  if (r.slow) {
    const s = r.slow
    lines.push(
      `\nSlow readers: ${s.readers} answers of ${s.answer_events} events generated on uvicorn, followed from gunicorn by readers that read one event and then nothing; meanwhile ${s.others.streams} other streams on gunicorn: ${s.others.completed_exact}/${s.others.streams} complete. Gunicorn worker RSS ${fmt(s.gunicorn_rss_mb.before, 0)} → ${fmt(s.gunicorn_rss_mb.peak, 0)} MiB; its /metrics: ${Object.entries(
        s.dropped,
      )
        .map(([k, v]) => `\`${k}\` ${v}`)
        .join(', ')}.\n`,
    )
  }
  if (r.failover) {
    const f = r.failover
    lines.push(
      `Redis Cluster (3 masters, 3 replicas; both workers with \`REDIS_CLUSTER=1\`), one master killed (SIGKILL) 1 s into ${f.streams} running streams (${f.resumed} cut and resumed on the other worker): its replica took over after ${fmt(f.killed_master_promoted_after_s, 1)} s; ${f.completed_exact}/${f.streams} complete with the exact text, the others ended with ${JSON.stringify(f.errors)}; a stream started after it, cut and resumed on the other worker, completed: ${f.next_stream_completed}.\n`,
    )
  }
  if (r.outage)
    lines.push(
      `Redis killed and restarted (no persistence) under ${r.outage.streams} running streams: ${r.outage.completed_exact} complete, the others ended with ${JSON.stringify(r.outage.errors)}; the next stream after the restart completed: ${r.outage.next_stream_completed}.\n`,
    )
  return lines.join('\n')
}

export function scaleTargets(r) {
  const runs = Object.values(r.runs)
  const ok = runs.every((x) => x.completed_exact === x.streams && x.redis_connections_peak.uvicorn <= 4 && x.redis_connections_peak.gunicorn <= 4)
  return [
    [
      `Scale: ${runs[0].streams} concurrent resumable streams per worker (uvicorn, gunicorn gthread), ${runs[0].resumed} resumed on the other worker, all exact, ≤ 4 Redis connections per worker`,
      runs
        .map(
          (x) =>
            `${x.completed_exact}/${x.streams} exact, conns ${x.redis_connections_peak.uvicorn}/${x.redis_connections_peak.gunicorn}, p99 ${ms(x.first_token_ms.p99)}`,
        )
        .join('; '),
      ok ? 'met' : 'missed',
    ],
  ]
}
