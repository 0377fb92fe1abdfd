import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { expect, test } from 'vitest'

// The package ships dist/ only (plus README, LICENSE and package.json), so
// what users read there must not point at files they do not have: links go
// to the repository by URL, and each such URL names a file that exists here.

const root = new URL('../../', import.meta.url).pathname
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { repository: { url: string }; files: string[]; license: string }
const REPO = pkg.repository.url.replace(/^git\+/, '').replace(/\.git$/, '')
const readme = readFileSync(join(root, 'README.md'), 'utf8')

/** Markdown link targets, code blocks left out. */
const links = (md: string) => [...md.replace(/```[\s\S]*?```/g, '').matchAll(/\]\(([^)\s]+)\)/g)].map((m) => m[1]!)

function srcFiles(dir: string): string[] {
  return readdirSync(join(root, dir), { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? srcFiles(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : [],
  )
}

test('the package names its repository, and ships the license it declares', () => {
  expect(REPO).toMatch(/^https:\/\/github\.com\/[\w.-]+\/[\w.-]+$/)
  expect(pkg.license).toBe('MIT')
  expect(readFileSync(join(root, 'LICENSE'), 'utf8')).toMatch(/^MIT License/)
})

test('every README link works outside the repository: a URL, or an anchor of a README heading', () => {
  const anchors = new Set(
    [...readme.matchAll(/^#+ (.+)$/gm)].map((m) =>
      m[1]!
        .toLowerCase()
        .replace(/[^\p{L}\p{N} -]/gu, '')
        .replace(/ /g, '-'),
    ),
  )
  const bad = links(readme).filter((l) => !(/^https?:\/\//.test(l) || (l.startsWith('#') && anchors.has(l.slice(1)))))
  expect(bad).toEqual([])
})

test('every link into the repository names a file that exists', () => {
  const docs = [readme, ...srcFiles('src').map((f) => readFileSync(join(root, f), 'utf8'))]
  const targets = docs.flatMap((d) => [...d.matchAll(new RegExp(`${REPO}/blob/main/([^)\\s#\`'"]+)`, 'g'))].map((m) => m[1]!))
  expect(targets.length).toBeGreaterThan(5)
  expect(targets.filter((t) => !existsSync(join(root, t)))).toEqual([])
})

test('no source file points users at a repository path they do not have', () => {
  // TSDoc ships in dist/*.d.ts: a bare `src/mock/README.md` there leads nowhere.
  const tsdoc = (f: string) => (readFileSync(join(root, f), 'utf8').match(/\/\*\*[\s\S]*?\*\//g) ?? []).join('\n')
  const bare = srcFiles('src').flatMap((f) => [...tsdoc(f).matchAll(/(?<!blob\/main\/)\b(?:src|examples|docs)\/[\w/.-]+\.md\b/g)].map((m) => `${f}: ${m[0]}`))
  expect(bare).toEqual([])
})
