// `npm run demo` (scripts/demo.mjs) as a user runs it: builds, starts the
// mock LLM, the Flask backend and the static server, streams through them;
// Ctrl-C stops every process it started.

import { execFileSync, spawn } from 'node:child_process'
import type { ChildProcess } from 'node:child_process'
import { join } from 'node:path'
import { afterEach, expect, test } from 'vitest'
import { REPO_ROOT } from '../../scripts/static-server.mjs'

const DEMO = join(REPO_ROOT, 'scripts', 'demo.mjs')
// Port 0 everywhere: a developer's own `npm run demo` may hold the defaults.
const ENV = { ...process.env, DEMO_PORT: '0', FLASK_PORT: '0', MOCK_PORT: '0', OPENAI_BASE_URL: '', MOCK_FAULTS: '' }

interface Demo {
  child: ChildProcess
  stdout: () => string
  stderr: () => string
  exit: Promise<number | null>
}

function demo(args: string[], nodeArgs: string[] = []): Demo {
  // Its own process group, so a failed test can kill the demo's children too.
  const child = spawn(process.execPath, [...nodeArgs, DEMO, ...args], { cwd: REPO_ROOT, env: ENV, stdio: ['ignore', 'pipe', 'pipe'], detached: true })
  let out = ''
  let err = ''
  groups.push(child.pid!)
  child.stdout!.setEncoding('utf8').on('data', (s: string) => (out += s))
  child.stderr!.setEncoding('utf8').on('data', (s: string) => (err += s))
  const exit = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)))
  return { child, stdout: () => out, stderr: () => err, exit }
}

const groups: number[] = []

// A failed test must not leave a demo's Flask or servers behind: kill whatever is left of each group.
afterEach(() => {
  for (const pid of groups.splice(0))
    try {
      process.kill(-pid, 'SIGKILL')
    } catch {
      // Already gone, as it should be.
    }
})

/** Whether any process of the group `pid` leads still runs (the Flask child included). */
function groupAlive(pid: number): boolean {
  try {
    process.kill(-pid, 0)
    return true
  } catch {
    return false
  }
}

/** Resolve once the demo printed its banner; reject if it exits first. */
function up(run: Demo): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const onData = (): void => {
      if (run.stdout().includes('Ctrl-C stops everything.')) resolve()
    }
    run.child.stdout!.on('data', onData)
    void run.exit.then((code) => reject(new Error(`demo exited ${code}:\n${run.stderr()}`)))
  })
}

/** The URL the demo's banner prints on the line `label`. */
function urlOf(run: Demo, label: string): string {
  const m = new RegExp(`^  ${label}\\s+(http://\\S+)`, 'm').exec(run.stdout())
  if (!m) throw new Error(`no ${label} URL in:\n${run.stdout()}`)
  return m[1]!
}

/** After the demo exited: none of its processes is left, and none of its servers answers. */
async function nothingLeft(run: Demo): Promise<void> {
  expect(groupAlive(run.child.pid!)).toBe(false)
  for (const u of [urlOf(run, 'Script tag'), urlOf(run, 'Flask backend'), urlOf(run, 'LLM')]) await expect(fetch(u)).rejects.toThrow()
}

test('npm run demo -- --check builds everything, streams over POST and GET through the proxy and prints OK', async () => {
  const run = demo(['--check'])
  const code = await run.exit
  expect({ code, stderr: code === 0 ? '' : run.stderr() }).toEqual({ code: 0, stderr: '' })
  const lines = run.stdout().trim().split('\n')
  expect(lines[0]).toMatch(/^OK POST \/stream\/post through http:\/\/127\.0\.0\.1:\d+: \d+ tokens/)
  expect(lines[1]).toMatch(/^OK GET \/stream\/get through http:\/\/127\.0\.0\.1:\d+: \d+ tokens/)
  expect(lines.at(-1)).toBe('OK')
}, 180_000)

test('npm run demo -- --cross-origin serves the pages on a second origin whose calls the Flask backend allows (CORS)', async () => {
  const run = demo(['--check', '--no-build', '--cross-origin'])
  const code = await run.exit
  expect({ code, stderr: code === 0 ? '' : run.stderr() }).toEqual({ code: 0, stderr: '' })
  const lines = run.stdout().trim().split('\n')
  expect(lines).toContainEqual(expect.stringMatching(/^OK POST \/stream\/post from http:\/\/127\.0\.0\.1:\d+: CORS allows it$/))
  expect(lines).toContainEqual(expect.stringMatching(/^OK GET \/stream\/get from http:\/\/127\.0\.0\.1:\d+: CORS allows it$/))
  expect(lines.at(-1)).toBe('OK')
}, 120_000)

test('the demo prints its URLs, serves the pages, and Ctrl-C stops the Flask backend, the mock and the static server', async () => {
  const run = demo(['--no-build'])
  try {
    await up(run)
    const page = urlOf(run, 'Script tag')
    const web = new URL(page).origin
    expect((await fetch(page)).status).toBe(200)
    expect((await fetch(`${web}/app/`)).status).toBe(200)
    const answer = await fetch(`${web}/stream/get?text=hi`)
    expect(answer.headers.get('content-type')).toMatch(/^text\/event-stream/)
    expect(await answer.text()).toContain("'status': 'completed'")

    run.child.kill('SIGINT')
    expect(await run.exit).toBe(130)
    // The demo waits for its children before exiting: nothing of it may be
    // left. (Checked here, not after --check: there the build's esbuild
    // service can linger a moment as a zombie, which is not ours to reap.)
    await nothingLeft(run)
  } finally {
    run.child.kill('SIGKILL')
  }
}, 60_000)

test('SIGTERM stops the demo and every process it started', async () => {
  const run = demo(['--no-build'])
  await up(run)
  run.child.kill('SIGTERM')
  expect(await run.exit).toBe(143)
  await nothingLeft(run)
}, 60_000)

test('an error nobody caught stops the demo and every process it started', async () => {
  const run = demo(['--no-build'], ['--import', join(REPO_ROOT, 'test', 'fixtures', 'demo-throws.mjs')])
  await up(run)
  expect(await run.exit).toBe(1)
  expect(run.stderr()).toContain('injected failure')
  await nothingLeft(run)
}, 60_000)

test('a Flask backend that dies ends the demo instead of leaving a proxy to nowhere', async () => {
  const run = demo(['--no-build'])
  await up(run)
  // The demo's only child once it is up (the builds were skipped).
  const [flaskPid] = execFileSync('pgrep', ['-P', String(run.child.pid)], { encoding: 'utf8' })
    .trim()
    .split('\n')
    .map(Number)
  process.kill(flaskPid!, 'SIGKILL')
  expect(await run.exit).toBe(1)
  expect(run.stderr()).toMatch(/the Flask backend exited/)
  await nothingLeft(run)
}, 60_000)

test('x-mock-* headers from a page reach the mock only with --forward-faults', async () => {
  // The fault: the mock answers 503, which the backend reports as an upstream failure.
  for (const [args, ok] of [
    [[], true],
    [['--forward-faults'], false],
  ] as const) {
    const run = demo(['--no-build', ...args])
    try {
      await up(run)
      const web = new URL(urlOf(run, 'Script tag')).origin
      const res = await fetch(`${web}/stream/get?text=hi`, { headers: { 'x-mock-status': '503' } })
      await res.arrayBuffer()
      expect({ args, ok: res.ok }).toEqual({ args, ok })
      run.child.kill('SIGINT')
      expect(await run.exit).toBe(130)
    } finally {
      run.child.kill('SIGKILL')
    }
  }
}, 90_000)
