/** How one check came out. `warn` does not fail the run; `skip` could not be tested here. */
export type CheckStatus = 'pass' | 'fail' | 'warn' | 'skip'

/** One line of the report. */
export interface CheckResult {
  /** Stable name, for `--json-report` consumers: `content-type`, `ids`, ... */
  id: string
  status: CheckStatus
  /** What was seen. */
  detail: string
  /** What to change on the server (for `fail` and `warn`). */
  fix?: string | undefined
}

export const pass = (id: string, detail: string): CheckResult => ({ id, status: 'pass', detail })
export const fail = (id: string, detail: string, fix: string): CheckResult => ({ id, status: 'fail', detail, fix })
export const warn = (id: string, detail: string, fix: string): CheckResult => ({ id, status: 'warn', detail, fix })
export const skip = (id: string, detail: string): CheckResult => ({ id, status: 'skip', detail })
