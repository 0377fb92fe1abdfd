// `llm-sse-mock [--port 8787] [--host 127.0.0.1]`: the mock server for
// examples and manual testing. Bundled to dist/mock-cli.js.

import { USAGE, mockHelp } from './help.js'
import { MOCK_SCENARIOS } from './presets.js'
import { MOCK_ROUTES } from './scenarios.js'
import { startMockServer } from './server.js'

function parseArgs(argv: string[]): { port: number; host: string } {
  const out = { port: 8787, host: '127.0.0.1' }
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!
    const [flag, inline] = arg.split('=', 2) as [string, string | undefined]
    const value = (): string => {
      const v = inline ?? argv[++i]
      if (v === undefined) throw new Error(`${flag} needs a value\n${USAGE}`)
      return v
    }
    if (flag === '--port' || flag === '-p') {
      const port = Number(value())
      if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`--port must be 0-65535\n${USAGE}`)
      out.port = port
    } else if (flag === '--host') out.host = value()
    else if (flag === '--help' || flag === '-h') {
      console.log(mockHelp())
      process.exit(0)
    } else throw new Error(`unknown argument ${arg}\n${USAGE}`)
  }
  return out
}

async function main(): Promise<void> {
  const server = await startMockServer(parseArgs(process.argv.slice(2)))
  const lines = [`llm-sse-mock listening on ${server.url}`, '']
  for (const route of MOCK_ROUTES) lines.push(`  ${route.methods.join('|').padEnd(8)} ${server.url}${route.path}`)
  lines.push('', 'Faults: query parameters or x-mock-<name> headers (dropAfter=5, delay=50, status=500, ...; --help lists them).')
  lines.push(`Scenarios (?scenario=<name>): ${MOCK_SCENARIOS.map((s) => s.name).join(', ')}`)
  lines.push(`Try: curl -N '${server.url}/stream/get?text=hello&delay=50'`, 'Ctrl-C to stop.')
  console.log(lines.join('\n'))
  const stop = (): void => {
    void server.close().then(() => process.exit(0))
  }
  process.once('SIGINT', stop)
  process.once('SIGTERM', stop)
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error)
  process.exit(1)
})
