// `llm-sse-client check <url>`: the conformance checker, bundled to
// dist/check-cli.js (the package's `llm-sse-client` bin).

import { parseCheckArgs, USAGE, UsageError } from './args.js'
import { formatReport } from './report.js'
import { runChecks } from './run.js'

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv
  if (command === undefined || command === '--help' || command === '-h' || rest.includes('--help') || rest.includes('-h')) {
    console.log(USAGE)
    return command === undefined ? 2 : 0
  }
  if (command !== 'check') throw new UsageError(`unknown command ${JSON.stringify(command)}`)
  const { jsonReport, ...options } = parseCheckArgs(rest)
  const report = await runChecks(options)
  console.log(jsonReport ? JSON.stringify(report, null, 2) : formatReport(report))
  return report.ok ? 0 : 1
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code
  },
  (error: unknown) => {
    if (error instanceof UsageError) {
      console.error(`llm-sse-client: ${error.message}\n\n${USAGE}`)
      process.exitCode = 2
    } else {
      console.error(`llm-sse-client: ${error instanceof Error ? error.message : String(error)}`)
      process.exitCode = 3
    }
  },
)
