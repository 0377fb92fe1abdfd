import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { expect, test } from 'vitest'

// What users read (the source with its TSDoc, the README, the docs and the
// examples) names no path of the machine it was written on and no words of
// the project's tracker: comments say why the code is as it is.

const root = new URL('../../', import.meta.url).pathname
const SKIP = new Set(['node_modules', 'dist', '.venv', '__pycache__'])
const TEXT = /\.(ts|tsx|js|mjs|py|md|html|css|txt)$/

function files(dir: string): string[] {
  return readdirSync(join(root, dir), { withFileTypes: true }).flatMap((e) =>
    SKIP.has(e.name) ? [] : e.isDirectory() ? files(join(dir, e.name)) : TEXT.test(e.name) ? [join(dir, e.name)] : [],
  )
}

const FORBIDDEN: [string, RegExp][] = [
  ['a machine path', /(?<![\w.])\/(?:work|home|Users|tmp)\/[\w.-]+/],
  ['a tracker word', /\bdesign card\b|\bthe issue\b|\bissue #?\d+|\bthe brief\b/i],
]

test('no machine path or tracker word in src/, the README, docs/ or examples/', () => {
  const found: string[] = []
  for (const file of ['README.md', ...files('src'), ...files('docs'), ...files('examples')]) {
    const lines = readFileSync(join(root, file), 'utf8').split('\n')
    lines.forEach((line, i) => {
      for (const [what, re] of FORBIDDEN) if (re.test(line)) found.push(`${file}:${i + 1}: ${what}: ${line.trim().slice(0, 120)}`)
    })
  }
  expect(found).toEqual([])
})
