#!/usr/bin/env node
// The Python environment of the Python kit (python/, installed editable with
// its test tools) and the reference backends: `.venv` at the repo root with
// every file of PYTHON_REQUIREMENTS installed. Used by the test helpers, the
// demo and `npm test` (pytest); also a CLI that prints the venv's python:
//
//   node scripts/python-env.mjs        # create or update .venv, print its python
//
// A missing python3 or a failed install is an error (exit 1), never a skip:
// the backend's tests must fail loudly on a machine that cannot run them.

import { spawn } from 'node:child_process'
import { createHash } from 'node:crypto'
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'

/** The repository root (this file lives in scripts/). */
export const REPO_ROOT = resolve(fileURLToPath(new URL('..', import.meta.url)))

/** The Flask backend's requirements (one of {@link PYTHON_REQUIREMENTS}). */
export const REQUIREMENTS = join(REPO_ROOT, 'examples', 'flask-backend', 'requirements.txt')

/** Requirement files installed into the venv, relative to the repository root. */
export const PYTHON_REQUIREMENTS = ['examples/flask-backend/requirements.txt', 'examples/fastapi-backend/requirements.txt', 'python/requirements-dev.txt']
/** The kit, installed editable so a change to python/ needs no reinstall. */
const KIT = 'python'

const WINDOWS = process.platform === 'win32'
const STAMP = '.llm-sse-requirements.sha256'
// Another process (a parallel test worker, `npm run demo`) may be building
// the venv; an install from the local index takes ~10 s, from PyPI longer.
const LOCK_WAIT_MS = 10 * 60_000

function run(cmd, args, env) {
  return new Promise((resolveRun) => {
    let output = ''
    let child
    try {
      child = spawn(cmd, args, { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] })
    } catch (error) {
      return resolveRun({ code: -1, output: String(error) })
    }
    child.stdout.on('data', (b) => (output += b))
    child.stderr.on('data', (b) => (output += b))
    child.on('error', (error) => resolveRun({ code: -1, output: `${output}${error.message}`, missing: error.code === 'ENOENT' }))
    child.on('close', (code) => resolveRun({ code: code ?? -1, output }))
  })
}

const tail = (text, lines = 25) => text.trim().split('\n').slice(-lines).join('\n')

function pidAlive(pid) {
  try {
    process.kill(pid, 0)
    return true
  } catch (error) {
    return error.code === 'EPERM'
  }
}

/** Take `<venv>.lock` (mkdir is atomic), waiting while a live process holds it. */
async function lock(dir) {
  const path = `${dir}.lock`
  const deadline = Date.now() + LOCK_WAIT_MS
  for (;;) {
    try {
      mkdirSync(path)
      writeFileSync(join(path, 'pid'), String(process.pid))
      return () => rmSync(path, { recursive: true, force: true })
    } catch (error) {
      if (error.code !== 'EEXIST') throw error
    }
    let owner = NaN
    try {
      owner = Number(readFileSync(join(path, 'pid'), 'utf8'))
    } catch {}
    // A holder killed mid-install leaves its lock behind; the pid file may
    // also not be written yet, hence only a parsed, dead pid counts as stale.
    if (Number.isInteger(owner) && owner > 0 && !pidAlive(owner)) {
      rmSync(path, { recursive: true, force: true })
      continue
    }
    if (Date.now() > deadline) throw new Error(`${path} is held by process ${owner}; remove it if that process is gone`)
    await new Promise((r) => setTimeout(r, 250))
  }
}

/**
 * Make sure `<root>/.venv` exists and has the kit and every requirement file
 * installed (again when one of them changed), and return the path of
 * its python. Installs with `PIP_RETRIES=0` so a missing package fails at
 * once instead of retrying for minutes.
 *
 * @param {{ root?: string, python?: string, log?: (line: string) => void }} [options]
 *   `root`: repository root (default: this repo); `python`: the interpreter
 *   that creates the venv (default: `$PYTHON`, else `python3`); `log`:
 *   progress lines (default: none).
 * @returns {Promise<string>} absolute path of the venv's python
 */
export async function ensurePythonEnv(options = {}) {
  const root = options.root ?? REPO_ROOT
  const base = options.python ?? process.env.PYTHON ?? (WINDOWS ? 'python' : 'python3')
  const log = options.log ?? (() => {})
  const venv = join(root, '.venv')
  const python = WINDOWS ? join(venv, 'Scripts', 'python.exe') : join(venv, 'bin', 'python')
  const requirements = PYTHON_REQUIREMENTS.map((file) => join(root, file))
  // The kit's pyproject.toml names its dependencies: a change there reinstalls too.
  const hashed = [...requirements, join(root, KIT, 'pyproject.toml')]
  const hash = createHash('sha256')
    .update(hashed.map((file) => readFileSync(file, 'utf8')).join('\0'))
    .digest('hex')
  const stamp = join(venv, STAMP)
  const current = () => existsSync(python) && existsSync(stamp) && readFileSync(stamp, 'utf8').trim() === hash
  if (current()) return python

  const unlock = await lock(venv)
  try {
    if (current()) return python // built by whoever held the lock

    const probe = await run(base, ['-c', 'import sys; print("%d.%d" % sys.version_info[:2])'])
    if (probe.code !== 0)
      throw new Error(
        probe.missing
          ? `${base} not found: the Flask backend needs Python >= 3.9 (set PYTHON to its path, or install python3 and python3-venv)`
          : `${base} does not run: ${tail(probe.output)}`,
      )
    const [major, minor] = probe.output.trim().split('.').map(Number)
    if (major !== 3 || minor < 9) throw new Error(`${base} is Python ${probe.output.trim()}; the Flask backend needs >= 3.9`)

    const usable = existsSync(python) && (await run(python, ['-c', 'import sys'])).code === 0
    if (!usable) {
      // A venv left half-made by a killed run, or made by a Python since removed.
      rmSync(venv, { recursive: true, force: true })
      log(`creating ${venv} with ${base} ${probe.output.trim()}`)
      const made = await run(base, ['-m', 'venv', venv])
      if (made.code !== 0)
        throw new Error(
          `${base} -m venv ${venv} failed${/ensurepip|venv/.test(made.output) ? ' (on Debian/Ubuntu: apt-get install python3-venv)' : ''}:\n${tail(made.output)}`,
        )
    }

    log(`installing ${PYTHON_REQUIREMENTS.join(', ')} and ${KIT}/ (editable, with its test extra)`)
    rmSync(stamp, { force: true })
    const args = [...requirements.flatMap((file) => ['-r', file]), '-e', `${join(root, KIT)}[test]`]
    const pip = await run(python, ['-m', 'pip', 'install', '--disable-pip-version-check', ...args], {
      PIP_RETRIES: '0',
      PIP_DISABLE_PIP_VERSION_CHECK: '1',
    })
    if (pip.code !== 0) throw new Error(`pip install ${args.join(' ')} failed (exit ${pip.code}):\n${tail(pip.output)}`)
    writeFileSync(stamp, `${hash}\n`)
    return python
  } finally {
    unlock()
  }
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  ensurePythonEnv({ log: (line) => console.error(line) }).then(
    (python) => console.log(python),
    (error) => {
      console.error(`python-env: ${error.message}`)
      process.exit(1)
    },
  )
}
