// Hostile payloads: 1 MB inputs built to hit a quadratic path, timed once
// each (a quadratic path would take minutes, so a ratio to JSON.parse of a
// benign payload of the same size is all there is to see). What the tests in
// test/**/*.hostile.test.ts bound with wall limits, measured.
import { loadTarget } from '../lib/build.mjs'
import { mdTable } from '../lib/measure.mjs'

const MB = 1_000_000

function cases() {
  const protoParts = []
  for (let k = 0, n = 0; n < MB; k++) n += protoParts[protoParts.push(`'k${k}': ${k}, '__proto__': {'x': ${k}}`) - 1].length + 2
  return [
    ["Python dict, a `'__proto__'` key after every other key", 'parseJsonish', `{${protoParts.join(', ')}}`],
    ['`set(` nested 100 000 deep (a payload error)', 'parseJsonish', 'set('.repeat(100_000) + ')'.repeat(100_000)],
    ['HTML error page: `<a` repeated (64 KiB of it read)', 'error page', '<a'.repeat(MB / 2)],
    ['HTML error page: `<b>` then `<` repeated (64 KiB read)', 'error page', '<b>' + '<'.repeat(MB)],
    ['200 000 whitespace tokens, then text', 'think', null],
  ]
}

/** Best of 3 runs of `fn`, in ms. */
async function time(fn) {
  let best = Infinity
  for (let r = 0; r < 3; r++) {
    const t = performance.now()
    await fn()
    best = Math.min(best, performance.now() - t)
  }
  return best
}

export async function hostile(_cfg, log) {
  const sdk = await loadTarget('sdk')
  const benign = JSON.stringify(Array.from({ length: MB / 20 }, (_, k) => ({ k, x: 'abcdefgh' })))
  const base = await time(() => JSON.parse(benign))
  const rows = []
  for (const [name, part, input] of cases()) {
    log(`hostile: ${name}`)
    let run
    if (part === 'parseJsonish')
      run = () => {
        try {
          sdk.parseJsonish(input)
        } catch {
          // A payload error is the expected outcome for the nesting case.
        }
      }
    else if (part === 'error page') {
      const fetch = async () => new Response(input.slice(0, MB), { status: 500, headers: { 'content-type': 'text/html' } })
      run = () => sdk.createClient({ baseUrl: 'http://127.0.0.1:9', fetch }).post('/x').result
    } else
      run = () => {
        const r = sdk.createReducer({ dialect: 'text', emit: () => {} })
        r.open()
        for (let k = 0; k < 200_000; k++) r.event({ type: 'message', data: ' ', id: undefined, lastEventId: '' })
        r.event({ type: 'message', data: 'answer', id: undefined, lastEventId: '' })
      }
    const ms = await time(run)
    rows.push([name, part, `${ms.toFixed(1)} ms`, `${(ms / base).toFixed(1)}×`])
  }
  return { rows, base }
}

export function hostileReport({ rows, base }) {
  return [
    '## Hostile payloads',
    '',
    `1 MB inputs built to hit a quadratic path; best of 3. The ratio is to \`JSON.parse\` of 1 MB of benign JSON (${base.toFixed(1)} ms). Before the hardening pass the first took 473 s, the error pages 5–9 s per 64 KiB, the whitespace tokens minutes.`,
    '',
    mdTable(['input', 'part', 'time', '× JSON.parse'], rows, ['---', '---', '---:', '---:']),
    '',
  ].join('\n')
}

export function hostileTargets({ rows }) {
  const worst = Math.max(...rows.map((r) => parseFloat(r[2])))
  return [['every 1 MB hostile payload well under 1 s', `worst ${worst.toFixed(0)} ms`, worst < 1000 ? 'met' : 'missed']]
}
