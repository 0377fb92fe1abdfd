#!/usr/bin/env node
// `npm test`: type-check, build, check the package (size budget, publint,
// attw), check and test the Python kit (ruff, mypy, pytest) and run every
// vitest project (Node, jsdom, real Chromium). Each
// check counts as one test next to vitest's own; the last line is
// "N passed, N failed" for CI.
import { spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

const bin = (name) => join('node_modules', '.bin', name)
let passed = 0
let failed = 0
const failures = []

function step(name, cmd, args, opts = {}) {
  console.log(`\n== ${name}: ${[cmd, ...args].join(' ')}`)
  const r = spawnSync(cmd, args, { stdio: 'inherit', ...opts })
  const ok = r.status === 0
  if (opts.count !== false) ok ? passed++ : (failed++, failures.push(name))
  return ok
}

step('package-lock in step', process.execPath, ['scripts/lock-in-step.mjs'])
// Format and lint (biome.jsonc); `npx biome check --write .` fixes what it can.
step('biome format + lint', bin('biome'), ['ci', '--colors=off', '.'])
step('typecheck', bin('tsc'), ['-p', 'tsconfig.json', '--noEmit'])
const built = step('build', bin('rollup'), ['-c', 'rollup.config.mjs', '--silent'])
if (built) {
  step('size budget', process.execPath, ['scripts/size.mjs'])
  const packDir = mkdtempSync(join(tmpdir(), 'llm-sse-pack-'))
  const packed = spawnSync('npm', ['pack', '--silent', '--pack-destination', packDir], { encoding: 'utf8' })
  const tarball = join(packDir, (packed.stdout || '').trim().split('\n').pop() || 'missing.tgz')
  step('publint', bin('publint'), ['run', '--strict', tarball])
  step('attw', bin('attw'), [tarball, '--format', 'table-flipped'])
  // The packed declarations as users' projects see them (scripts/consumer-types.mjs).
  for (const fixture of ['node-only', 'node10', 'umd'])
    step(`types in a ${fixture} project`, process.execPath, ['scripts/consumer-types.mjs', tarball, fixture])
  rmSync(packDir, { recursive: true, force: true })
}

// The Python kit (python/): lint, types, then pytest, whose tests count one
// by one (from its JUnit report) like vitest's.
const venv = spawnSync(process.execPath, ['scripts/python-env.mjs'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] })
const python = venv.status === 0 ? venv.stdout.trim().split('\n').pop() : undefined
if (!python) {
  failed++
  failures.push('python env (node scripts/python-env.mjs)')
} else {
  step('ruff check (python/)', python, ['-m', 'ruff', 'check', '.'], { cwd: 'python' })
  step('ruff format (python/)', python, ['-m', 'ruff', 'format', '--check', '.'], { cwd: 'python' })
  step('mypy --strict (python/)', python, ['-m', 'mypy'], { cwd: 'python' })
  const junit = join(mkdtempSync(join(tmpdir(), 'llm-sse-pytest-')), 'junit.xml')
  console.log('\n== pytest (python/)')
  const py = spawnSync(python, ['-m', 'pytest', '-q', `--junitxml=${junit}`], { cwd: 'python', stdio: 'inherit' })
  let counted = false
  try {
    const suite = /<testsuite\b[^>]*>/.exec(readFileSync(junit, 'utf8'))?.[0] ?? ''
    const count = (name) => Number(new RegExp(`\\b${name}="(\\d+)"`).exec(suite)?.[1] ?? NaN)
    const [tests, bad, errors, skipped] = ['tests', 'failures', 'errors', 'skipped'].map(count)
    if ([tests, bad, errors, skipped].some(Number.isNaN)) throw new Error(`no counts in ${suite || 'the report'}`)
    passed += tests - bad - errors - skipped
    failed += bad + errors
    if (bad + errors) failures.push(`pytest: ${bad + errors} failed`)
    if (skipped) failed++, failures.push(`pytest: ${skipped} skipped (CI runs them all)`)
    if (tests === 0) failed++, failures.push('pytest ran no test')
    counted = bad + errors + skipped > 0 || tests === 0
  } catch (error) {
    failed++
    failures.push(`pytest report unreadable (exit ${py.status}): ${error.message}`)
    counted = true
  }
  if (py.status !== 0 && !counted) failed++, failures.push(`pytest exited ${py.status}`)
}

const failedBeforeVitest = failed
const report = join(mkdtempSync(join(tmpdir(), 'llm-sse-vitest-')), 'report.json')
console.log('\n== vitest (node, jsdom, e2e in Chromium)')
const v = spawnSync(bin('vitest'), ['run', '--reporter=default', '--reporter=json', `--outputFile.json=${report}`], {
  stdio: 'inherit',
})
try {
  const json = JSON.parse(readFileSync(report, 'utf8'))
  passed += json.numPassedTests
  failed += json.numFailedTests
  // A file that failed to load has no failed test but must fail the run.
  const broken = json.testResults.filter((f) => f.status === 'failed' && f.assertionResults.every((t) => t.status !== 'failed'))
  for (const f of broken) failures.push(`vitest file ${f.name}: ${f.message?.split('\n')[0] ?? 'failed'}`)
  failed += broken.length
  if (json.numPendingTests || json.numTodoTests) {
    failures.push(`${json.numPendingTests + json.numTodoTests} skipped/todo tests (CI runs them all)`)
    failed++
  }
  if (json.numTotalTests === 0) failures.push('vitest ran no test'), failed++
} catch (error) {
  failures.push(`vitest report unreadable (exit ${v.status}): ${error.message}`)
  failed++
}
// A non-zero exit with every test passing (an unhandled error, a crashed worker) still fails the run.
if (v.status !== 0 && failed === failedBeforeVitest) failures.push(`vitest exited ${v.status}`), failed++

if (failures.length) console.log(`\nFailed:\n- ${failures.join('\n- ')}`)
console.log(`\n${passed} passed, ${failed} failed`)
process.exit(failed ? 1 : 0)
