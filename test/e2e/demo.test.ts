// `npm run demo` (scripts/demo.mjs) as a user runs it: builds, starts the
// mock LLM, the Flask backend and the static server, streams through them;
// Ctrl-C stops every process it started.

import { spawn } from 'node:child_process'
import type { ChildProcess } from 'node:child_process'
import { join } from 'node:path'
import { afterEach, expect, test } from 'vitest'
import { REPO_ROOT } from '../../scripts/static-server.mjs'

const DEMO = join(REPO_ROOT, 'scripts', 'demo.mjs')
// Port 0 everywhere: a developer's own `npm run demo` may hold the defaults.
const ENV = { ...process.env, DEMO_PORT: '0', FLASK_PORT: '0', MOCK_PORT: '0', OPENAI_BASE_URL: '', MOCK_FAULTS: '' }

function demo(args: string[]): { child: ChildProcess; stdout: () => string; stderr: () => string; exit: Promise<number | null> } {
  // Its own process group, so a failed test can kill the demo's children too.
  const child = spawn(process.execPath, [DEMO, ...args], { cwd: REPO_ROOT, env: ENV, stdio: ['ignore', 'pipe', 'pipe'], detached: true })
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

test('npm run demo -- --check builds everything, streams over POST and GET through the proxy and prints OK', async () => {
  const run = demo(['--check'])
  const code = await run.exit
  expect({ code, stderr: code === 0 ? '' : run.stderr() }).toEqual({ code: 0, stderr: '' })
  const lines = run.stdout().trim().split('\n')
  expect(lines[0]).toMatch(/^OK POST \/stream\/post through http:\/\/127\.0\.0\.1:\d+: \d+ tokens/)
  expect(lines[1]).toMatch(/^OK GET \/stream\/get through http:\/\/127\.0\.0\.1:\d+: \d+ tokens/)
  expect(lines.at(-1)).toBe('OK')
}, 180_000)

test('the demo prints its URLs, serves the pages, and Ctrl-C stops the Flask backend, the mock and the static server', async () => {
  const run = demo(['--no-build'])
  try {
    await new Promise<void>((resolve, reject) => {
      const onData = (): void => {
        if (run.stdout().includes('Ctrl-C stops everything.')) resolve()
      }
      run.child.stdout!.on('data', onData)
      void run.exit.then((code) => reject(new Error(`demo exited ${code}:\n${run.stderr()}`)))
    })
    const url = (label: string): string => {
      const m = new RegExp(`^  ${label}\\s+(http://\\S+)`, 'm').exec(run.stdout())
      if (!m) throw new Error(`no ${label} URL in:\n${run.stdout()}`)
      return m[1]!
    }
    const page = url('Script tag')
    const web = new URL(page).origin
    const flask = url('Flask backend')
    const mock = url('LLM')
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
    expect(groupAlive(run.child.pid!)).toBe(false)
    // Nothing is left listening.
    for (const u of [web, flask, mock]) await expect(fetch(u)).rejects.toThrow()
  } finally {
    run.child.kill('SIGKILL')
  }
}, 60_000)
