#!/usr/bin/env node
// package-lock.json must be what `npm install` would write for package.json:
// run npm on copies of the two files (no node_modules touched) and compare.
// A lock out of step makes `npm ci` fail on a fresh clone, or `npm install`
// rewrite the lock in every contributor's tree.
import { spawnSync } from 'node:child_process'
import { copyFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

const dir = mkdtempSync(join(tmpdir(), 'llm-sse-lock-'))
try {
  for (const f of ['package.json', 'package-lock.json']) copyFileSync(f, join(dir, f))
  const args = ['install', '--package-lock-only', '--ignore-scripts', '--no-audit', '--no-fund', '--prefer-offline', '--loglevel=error']
  const npm = spawnSync('npm', args, { cwd: dir, stdio: 'inherit' })
  if (npm.status !== 0) process.exit(1)
  if (readFileSync(join(dir, 'package-lock.json'), 'utf8') !== readFileSync('package-lock.json', 'utf8')) {
    console.error('package-lock.json is out of step with package.json: run `npm install` and commit the lock.')
    process.exit(1)
  }
  console.log('package-lock.json is in step with package.json')
} finally {
  rmSync(dir, { recursive: true, force: true })
}
