// `llm-sse-mock --help`, written from the same tables the server runs, so
// the listing cannot drift from what the mock does.

import { MOCK_PARAMS } from './params.js'
import { MOCK_SCENARIOS } from './presets.js'
import { MOCK_ROUTES } from './scenarios.js'

export const USAGE = 'usage: llm-sse-mock [--port 8787] [--host 127.0.0.1]'

const DOCS = 'https://github.com/llm-sse-client/llm-sse-client/blob/main/src/mock/README.md'

/** Markdown code spans read as plain text in a terminal. */
const plain = (text: string) => text.replaceAll('`', '').replaceAll('\\|', '|')

function table(rows: [string, string][]): string[] {
  const width = Math.max(...rows.map(([k]) => k.length)) + 2
  return rows.map(([k, v]) => `  ${k.padEnd(width)}${plain(v)}`)
}

/** The full help text: options, routes, knobs and named scenarios. */
export function mockHelp(): string {
  return [
    USAGE,
    '',
    'An offline, deterministic LLM streaming server for development and tests.',
    '',
    'Options:',
    ...table([
      ['--port, -p <n>', 'port to listen on; 0 picks a free one (default 8787)'],
      ['--host <addr>', 'interface to bind (default 127.0.0.1)'],
      ['--help, -h', 'this text'],
    ]),
    '',
    'Routes:',
    ...table(MOCK_ROUTES.map((r) => [`${r.methods.join('|')} ${r.path}`, r.description])),
    '',
    'Knobs, per request: a query parameter, or the header x-mock-<name>:',
    ...table(MOCK_PARAMS.map((p) => [`${p.name}=${plain(p.values)}`, p.effect])),
    '',
    'Scenarios, per request: ?scenario=<name> (explicit knobs override it):',
    ...table(MOCK_SCENARIOS.map((s) => [s.name, s.description])),
    '',
    `More: ${DOCS}`,
  ].join('\n')
}
