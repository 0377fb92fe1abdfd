// Correctness before speed: every contender's output is compared with the
// generator's truth on every input × chunking before anything is timed. A
// contender that disagrees anywhere keeps a mark in every table it appears
// in, so a fast wrong answer is never read as a win.

const wrong = new Map() // contender name → Set of case labels

/** Compare event lists; returns '' when equal, else a short description of the first difference. */
export function diffEvents(got, expected) {
  const n = Math.min(got.length, expected.length)
  for (let i = 0; i < n; i++) {
    const g = got[i]
    const e = expected[i]
    if (g.type !== e.type)
      return `event ${i}: got type ${JSON.stringify(g.type)} with data ${clip(g.data)}, expected type ${JSON.stringify(e.type)} with data ${clip(e.data)}`
    if (g.data !== e.data) {
      let k = 0
      while (g.data[k] === e.data[k]) k++
      const from = Math.max(0, k - 12)
      return `event ${i}: data differs at char ${k}: got ${clip(g.data.slice(from, k + 12))}, expected ${clip(e.data.slice(from, k + 12))}`
    }
  }
  if (got.length !== expected.length) return `${got.length} events, expected ${expected.length}`
  return ''
}

export function diffText(got, expected, what = 'text') {
  if (got === expected) return ''
  let i = 0
  while (i < got.length && got[i] === expected[i]) i++
  return `${what} differs at char ${i} of ${expected.length}: ${clip(got.slice(i, i + 20))} vs ${clip(expected.slice(i, i + 20))} (got ${got.length} chars)`
}

function clip(s) {
  const t = JSON.stringify(String(s))
  return t.length > 48 ? t.slice(0, 45) + '…"' : t
}

/** Record one check. */
export function record(contender, caseLabel, difference) {
  if (!difference) return
  if (!wrong.has(contender)) wrong.set(contender, new Map())
  wrong.get(contender).set(caseLabel, difference)
}

export function isWrong(contender, caseLabel) {
  return wrong.get(contender)?.has(caseLabel) ?? false
}

/** ' ✗' after a contender's label in every table when it was wrong anywhere. */
export function mark(contender) {
  return wrong.has(contender) ? ' ✗' : ''
}

/** Markdown list of every wrong result, for the report. */
export function wrongList(labels) {
  if (!wrong.size) return 'Every contender produced the expected events on every input and chunking.'
  const lines = ['Contenders marked ✗ gave wrong output (compared before timing):']
  for (const [name, cases] of wrong) for (const [c, d] of cases) lines.push(`- ${labels[name] ?? name}, ${c}: ${d}`)
  return lines.join('\n')
}
