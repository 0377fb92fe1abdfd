// Every measured case runs in a fresh Node process: JIT state left by one
// input (a parser optimised for LF-only text, then deoptimised by CRLF) must
// not be billed to the next, and a real app runs one kind of stream anyway.
import { spawn } from 'node:child_process'
import { join } from 'node:path'
import { root } from './build.mjs'

/**
 * Run `bench/children/<script>` with `args` (JSON in argv[2]); resolves with
 * the JSON object the child printed as its last stdout line.
 */
export function runChild(script, args, { nodeArgs = [], timeoutMs = 300_000 } = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--expose-gc', ...nodeArgs, join(root, 'bench', 'children', script), JSON.stringify(args)], {
      cwd: root,
      env: { ...process.env, BENCH_PREBUILT: '1' },
      stdio: ['ignore', 'pipe', 'inherit'],
    })
    let out = ''
    child.stdout.setEncoding('utf8').on('data', (d) => (out += d))
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs)
    child.on('error', reject)
    child.on('close', (code, signal) => {
      clearTimeout(timer)
      const last = out.trim().split('\n').pop() ?? ''
      try {
        if (code !== 0) throw new Error(`exit ${code ?? signal}`)
        resolve(JSON.parse(last))
      } catch (error) {
        reject(new Error(`${script} ${JSON.stringify(args)} failed: ${error.message}\n${out.slice(-2000)}`))
      }
    })
  })
}

/** What a child prints: Maps become objects. */
export function emit(value) {
  process.stdout.write('\n' + JSON.stringify(value, (_k, v) => (v instanceof Map ? Object.fromEntries(v) : v)) + '\n')
}
