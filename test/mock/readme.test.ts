import { readFileSync } from 'node:fs'
import { expect, test } from 'vitest'
import { MOCK_PARAMS } from '../../src/mock/params.js'
import { MOCK_ROUTES, MOCK_SCENARIOS } from '../../src/mock/scenarios.js'

// src/mock/README.md embeds these tables verbatim, so the docs cannot drift
// from the one table the server and the msw handlers run. On failure, paste
// the expected text into the README.
const README = readFileSync(new URL('../../src/mock/README.md', import.meta.url), 'utf8')
const cell = (text: string): string => text.replaceAll('|', '\\|')

function routesTable(): string {
  const rows = MOCK_ROUTES.map((r) => `| \`${r.methods.join(' ')}\` | \`${r.path}\` | ${cell(r.description)} |`)
  return ['| method | path | what |', '| --- | --- | --- |', ...rows].join('\n')
}

function paramsTable(): string {
  const rows = MOCK_PARAMS.map((p) => `| \`${p.name}\` | ${p.values} | ${cell(p.effect)} | ${cell(p.expect)} |`)
  return ['| name | values | effect | a correct client reports |', '| --- | --- | --- | --- |', ...rows].join('\n')
}

function scenariosTable(): string {
  const rows = MOCK_SCENARIOS.map((s) => {
    const settings =
      Object.entries(s.params)
        .map(([k, v]) => `\`${k}=${v}\``)
        .join(' ') || '—'
    const ends = s.expect.map((e) => `\`${e.status}\`${e.code ? `/\`${e.code}\`` : ''}${e.warning ? ` + \`${e.warning}\` warning` : ''}`).join(' or ')
    return `| \`${s.name}\` | ${settings} | ${cell(s.description)} | ${ends} |`
  })
  return ['| scenario | settings | what it is | a correct client ends with |', '| --- | --- | --- | --- |', ...rows].join('\n')
}

test('the README lists every route as MOCK_ROUTES defines it', () => {
  expect(README).toContain(routesTable())
})

test('the README fault table lists every knob as MOCK_PARAMS defines it', () => {
  expect(README).toContain(paramsTable())
})

test('the README lists every named scenario as MOCK_SCENARIOS defines it', () => {
  expect(README).toContain(scenariosTable())
})
