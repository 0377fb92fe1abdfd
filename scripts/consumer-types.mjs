#!/usr/bin/env node
// `node scripts/consumer-types.mjs <tarball> <fixture>`: install the packed
// package into a scratch project and type-check test/fixtures/consumer/<fixture>
// against it, as a user's project would see it (skipLibCheck off):
// - node-only: `lib: ["ES2022"]`, `types: ["node"]`, no DOM lib;
// - node10: `moduleResolution: node10`, which ignores the exports map;
// - umd: a page using the script-tag globals `LlmSse` and `LlmSseDom`.
import { spawnSync } from 'node:child_process'
import { cpSync, mkdirSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'

const [tarball, fixture] = process.argv.slice(2)
if (!tarball || !fixture) {
  console.error('usage: node scripts/consumer-types.mjs <tarball> <fixture>')
  process.exit(2)
}
const repo = resolve(import.meta.dirname, '..')
const dir = mkdtempSync(join(tmpdir(), 'llm-sse-consumer-'))
try {
  const pkg = join(dir, 'node_modules', 'llm-sse-client')
  mkdirSync(pkg, { recursive: true })
  const untar = spawnSync('tar', ['-xzf', resolve(tarball), '-C', pkg, '--strip-components=1'], { stdio: 'inherit' })
  if (untar.status !== 0) process.exit(1)
  // Only what a user would install next to it: the Node types and msw (the
  // optional peer of /testing). Symlinks resolve to the repository's copies,
  // whose own dependencies are found from there.
  mkdirSync(join(dir, 'node_modules', '@types'))
  symlinkSync(join(repo, 'node_modules', '@types', 'node'), join(dir, 'node_modules', '@types', 'node'), 'dir')
  symlinkSync(join(repo, 'node_modules', 'msw'), join(dir, 'node_modules', 'msw'), 'dir')
  cpSync(join(repo, 'test', 'fixtures', 'consumer', fixture), join(dir, fixture), { recursive: true })
  const tsc = spawnSync(process.execPath, [join(repo, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', join(dir, fixture)], { stdio: 'inherit' })
  process.exitCode = tsc.status ?? 1
} finally {
  rmSync(dir, { recursive: true, force: true })
}
