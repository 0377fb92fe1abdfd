// End to end over loopback, fetch mode: the SDK's client against a raw
// fetch reader loop doing the same decoding (TextDecoder, split on the blank
// line, parseJsonish), against the same local server process.
import { spawn } from 'node:child_process'
import { join } from 'node:path'
import { getHeapStatistics } from 'node:v8'
import { loadTarget, root } from '../lib/build.mjs'
import { emit } from '../lib/child.mjs'
import { makeTokens } from '../lib/inputs.mjs'
import { median, rng, shuffle } from '../lib/measure.mjs'

const args = JSON.parse(process.argv[2])
const sdk = await loadTarget('sdk')

const server = spawn(process.execPath, [join(root, 'bench/children/e2e-server.mjs')], { stdio: ['ignore', 'pipe', 'inherit'] })
const port = await new Promise((resolve, reject) => {
  let buf = ''
  server.stdout.setEncoding('utf8').on('data', (d) => {
    buf += d
    if (buf.includes('\n')) resolve(JSON.parse(buf.split('\n')[0]).port)
  })
  server.on('exit', (code) => reject(new Error(`server exited ${code}`)))
})
const base = `http://127.0.0.1:${port}`

let peak = 0
const probe = () => {
  const h = getHeapStatistics().used_heap_size
  if (h > peak) peak = h
}

/** SDK: client.post() in fetch mode; onToken gets each delta's text. */
async function viaSdk(path, onToken) {
  const client = sdk.createClient({ baseUrl: base, dialect: 'seed' })
  const s = client.post(path, { json: { prompt: 'bench' } })
  s.on('delta', (e) => onToken(e.text))
  const r = await s.result
  return { status: r.status, text: r.text }
}

/** Raw: the reader loop a page would write, with the same payload decoder. */
async function viaRaw(path, onToken) {
  const res = await fetch(base + path, { method: 'POST', body: JSON.stringify({ prompt: 'bench' }), headers: { 'content-type': 'application/json' } })
  const reader = res.body.getReader()
  const d = new TextDecoder()
  let buf = ''
  let text = ''
  let status = 'incomplete'
  for (;;) {
    const { done, value } = await reader.read()
    if (done) break
    buf += d.decode(value, { stream: true })
    let at = 0
    for (let i; (i = buf.indexOf('\n\n', at)) >= 0; at = i + 2) {
      const v = sdk.parseJsonish(buf.slice(at + 6, i))
      if (v.status === 'completed') status = 'completed'
      else if (v.content) {
        text += v.content
        onToken(v.content)
      }
    }
    buf = buf.slice(at)
  }
  return { status, text }
}

const contenders = { sdk: viaSdk, raw: viaRaw }
const random = rng(args.seed)

// Throughput: 20,000 tokens as fast as the server sends them.
const tokens = makeTokens(args.tokens)
const all = tokens.join('')
const close = tokens.indexOf('</think>')
const answer = tokens
  .slice(close + 1)
  .join('')
  .replace(/^\s+/, '')
const wrong = {}
for (const [name, run] of Object.entries(contenders)) {
  // Warm-up and correctness.
  const r = await run(`/burst?n=${args.tokens}`, () => {})
  const ok = r.status === 'completed' && (name === 'raw' ? r.text === all : r.text.replace(/^\s+/, '') === answer)
  if (!ok) wrong[name] = `status ${r.status}, text ${r.text.length} chars (expected ${name === 'raw' ? all.length : answer.length})`
}
const burst = { sdk: [], raw: [] }
for (let rep = 0; rep < args.reps; rep++) {
  for (const name of shuffle(Object.keys(contenders), random)) {
    globalThis.gc()
    const before = getHeapStatistics().used_heap_size
    peak = before
    let n = 0
    const cpu0 = process.cpuUsage()
    const t0 = performance.now()
    await contenders[name](`/burst?n=${args.tokens}`, () => {
      if (++n % 256 === 0) probe()
    })
    const ms = performance.now() - t0
    const cpu = process.cpuUsage(cpu0)
    probe()
    // CPU time of this client process (main thread and V8's helper threads): what the client itself costs,
    // while wall time may be bounded by the server.
    burst[name].push({ ms, tps: (args.tokens / ms) * 1000, heap: peak - before, cpu: (cpu.user + cpu.system) / 1000 })
  }
}

// Latency: one token every `paceMs`; server timestamp vs client receive time.
const latency = { sdk: [], raw: [] }
for (let rep = 0; rep < args.latencyReps; rep++) {
  for (const name of shuffle(Object.keys(contenders), random)) {
    const lat = []
    await contenders[name](`/paced?n=${args.latencyTokens}&ms=${args.paceMs}`, (t) => {
      const now = process.hrtime.bigint()
      if (/^\d+$/.test(t)) lat.push(Number(now - BigInt(t)) / 1e6)
    })
    latency[name].push(lat)
  }
}

server.kill('SIGTERM')
const pct = (xs, p) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(p * xs.length))]
emit({
  tokens: args.tokens,
  wrong,
  burst,
  // SDK throughput ÷ raw throughput, per repetition.
  ratios: burst.sdk.map((s, i) => s.tps / burst.raw[i].tps),
  latency: Object.fromEntries(
    Object.entries(latency).map(([k, runs]) => [
      k,
      { median: median(runs.flat()), p99: pct(runs.flat(), 0.99), count: runs.flat().length, perRun: runs.map((r) => median(r)) },
    ]),
  ),
})
