// The report as lines for a terminal: one per check, what was seen, and
// for a failure or a warning what to change.

import type { CheckReport } from './run.js'

const LABEL = { pass: 'PASS', fail: 'FAIL', warn: 'WARN', skip: 'SKIP' } as const

/** One line per check, then the counts. */
export function formatReport(report: CheckReport): string {
  const width = Math.max(...report.checks.map((c) => c.id.length))
  const lines = [`llm-sse-client check ${report.method} ${report.url}`]
  for (const c of report.checks) lines.push(`${LABEL[c.status]}  ${c.id.padEnd(width)}  ${c.detail}${c.fix ? `. Fix: ${c.fix}` : ''}`)
  const count = (s: keyof typeof LABEL): number => report.checks.filter((c) => c.status === s).length
  lines.push(`${count('fail')} failed, ${count('pass')} passed, ${count('warn')} warnings, ${count('skip')} skipped`)
  return lines.join('\n')
}
