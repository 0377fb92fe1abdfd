// Resumable streams under load: bench/resumable.py runs the reference Flask
// backend under gunicorn (2 workers) on one Redis, with the mock LLM as its
// upstream, once in resumable mode (a quarter of the streams dropped and
// resumed mid-answer) and once plain (the same backend streaming directly),
// and reports first-token latency, wall time and memory.
import { spawn } from 'node:child_process'
import { join } from 'node:path'
import { ensurePythonEnv } from '../../scripts/python-env.mjs'
import { loadTarget, root } from '../lib/build.mjs'
import { fmt, mdTable } from '../lib/measure.mjs'

const GENERATIONS = '/v1/chat/completions'

/** Run `bench/<script>` with the venv's python; its last stdout line is the JSON result. */
export function runPython(python, args, script = 'resumable.py', timeoutMs = 600_000) {
  return new Promise((resolve, reject) => {
    const child = spawn(python, [join(root, 'bench', script), ...args], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] })
    let out = ''
    let err = ''
    child.stdout.setEncoding('utf8').on('data', (d) => (out += d))
    child.stderr.setEncoding('utf8').on('data', (d) => (err = (err + d).slice(-4000)))
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs)
    child.on('error', reject)
    child.on('close', (code) => {
      clearTimeout(timer)
      try {
        if (code !== 0) throw new Error(`exit ${code}`)
        resolve(JSON.parse(out.trim().split('\n').pop() ?? ''))
      } catch (error) {
        reject(new Error(`bench/${script} ${args.join(' ')} failed: ${error.message}\n${err}`))
      }
    })
  })
}

export async function resumable(cfg, log) {
  const python = await ensurePythonEnv({ log })
  const { startMockServer } = await loadTarget('mock')
  const mock = await startMockServer()
  const streams = cfg.quick ? 50 : 200
  try {
    const runs = {}
    for (const mode of ['plain', 'resumable']) {
      log(`resumable: ${streams} concurrent streams through gunicorn, ${mode}`)
      const before = mock.stats().requests[GENERATIONS] ?? 0
      const r = await runPython(python, ['--upstream', `${mock.url}/v1`, '--streams', String(streams), ...(mode === 'plain' ? ['--plain'] : [])])
      r.generations = (mock.stats().requests[GENERATIONS] ?? 0) - before - r.warmups
      runs[mode] = r
    }
    return runs
  } finally {
    await mock.close()
  }
}

const ms = (v) => (v == null ? '–' : `${fmt(v, 0)} ms`)

export function resumableReport(runs) {
  const lines = ['## Resumable streams under load (Python kit, gunicorn, Redis)\n']
  const r = runs.resumable
  lines.push(
    `\`bench/resumable.py\`: the reference Flask backend under gunicorn (${r.workers} workers, \`gthread\`), the mock LLM upstream sending ${r.events_per_stream} events per answer, one every ${r.delay_ms} ms; ${r.streams} POST streams opened at once by a threaded Python client. *resumable*: \`REDIS_URL\` set, every 4th stream dropped after 5 events and continued with \`Last-Event-ID\` on a new connection (either worker). *plain*: the same backend without resumable mode. A stream counts as complete only with the end marker and exactly the text of an uninterrupted answer; generations are the mock's request count. CPU: user + system time of the gunicorn processes (and of redis-server) over the burst, the figure that matters on a shared machine where wall time follows the load. Memory: gunicorn master + workers RSS (idle before the burst, and peak), Redis \`used_memory\` peak.\n`,
  )
  const rows = ['plain', 'resumable'].map((k) => {
    const x = runs[k]
    return [
      k,
      `${x.completed_exact}/${x.streams}`,
      String(x.resumed),
      String(x.generations),
      ms(x.first_token_ms.p50),
      ms(x.first_token_ms.p95),
      ms(x.first_token_ms.max),
      `${fmt(x.wall_s, 1)} s`,
      `${fmt(x.server_cpu_s, 1)} s`,
      k === 'plain' ? '–' : `${fmt(x.redis_cpu_s, 1)} s`,
      `${fmt(x.gunicorn_rss_mb.idle, 0)} → ${fmt(x.gunicorn_rss_mb.peak, 0)} MiB`,
      k === 'plain' ? '–' : `${fmt(x.redis_used_mb_peak, 1)} MiB`,
    ]
  })
  lines.push(
    mdTable(
      [
        'mode',
        'complete, exact',
        'resumed',
        'generations',
        'first token p50',
        'p95',
        'max',
        'wall',
        'gunicorn CPU',
        'Redis CPU',
        'gunicorn RSS',
        'Redis memory',
      ],
      rows,
    ),
  )
  lines.push('')
  lines.push(
    `Resumable ÷ plain: gunicorn CPU ${fmt(r.server_cpu_s / runs.plain.server_cpu_s)}×, wall ${fmt(r.wall_s / runs.plain.wall_s)}×, first-token p50 ${fmt(r.first_token_ms.p50 / runs.plain.first_token_ms.p50)}×, peak RSS ${fmt(r.gunicorn_rss_mb.peak / runs.plain.gunicorn_rss_mb.peak)}×.\n`,
  )
  if (r.failures.length) lines.push(`First failures: ${r.failures.map((f) => `\`${f}\``).join(', ')}\n`)
  return lines.join('\n')
}

export function resumableTargets(runs) {
  const r = runs.resumable
  const ok = r.completed_exact === r.streams && r.generations === r.streams
  return [
    [
      `Resumable: ${r.streams} concurrent streams through gunicorn (2 workers), ${r.resumed} resumed mid-answer, all complete and exact, one generation each`,
      `${r.completed_exact}/${r.streams} exact, ${r.generations} generations; first token p50 ${ms(r.first_token_ms.p50)}, p95 ${ms(r.first_token_ms.p95)}; gunicorn peak ${fmt(r.gunicorn_rss_mb.peak, 0)} MiB, Redis ${fmt(r.redis_used_mb_peak, 1)} MiB; gunicorn CPU ${fmt(r.server_cpu_s / runs.plain.server_cpu_s)}× plain`,
      ok ? 'met' : 'missed',
    ],
  ]
}
