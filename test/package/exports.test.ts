import { readFileSync } from 'node:fs'
import { expect, test } from 'vitest'

// `moduleResolution: node10` ignores the exports map and finds subpath types
// only through typesVersions; the packed package is compiled that way by
// `npm test` (scripts/consumer-types.mjs). This keeps the two maps in step
// when an entry is added.

const root = new URL('../../', import.meta.url).pathname
type Conditions = { require: { types: string } }
const pkg = JSON.parse(readFileSync(root + 'package.json', 'utf8')) as {
  exports: Record<string, Conditions | string>
  typesVersions: { '*': Record<string, string[]> }
}

test('every subpath of the exports map has a typesVersions entry to its declarations', () => {
  const subpaths = Object.entries(pkg.exports).filter(([k, v]) => k !== '.' && typeof v !== 'string')
  expect(subpaths.length).toBeGreaterThan(3)
  expect(Object.fromEntries(subpaths.map(([k, v]) => [k.slice(2), [(v as Conditions).require.types]]))).toEqual(pkg.typesVersions['*'])
})

test('the README names both script-tag globals and where their types are', () => {
  const readme = readFileSync(root + 'README.md', 'utf8')
  expect(readme).toContain('**`LlmSse`**')
  expect(readme).toContain('**`LlmSseDom`**')
  expect(readme).toContain('dist/umd.d.ts')
  expect(readFileSync(root + 'rollup.config.mjs', 'utf8')).toMatch(/name: 'LlmSse'[\s\S]*name: 'LlmSseDom'/)
})
