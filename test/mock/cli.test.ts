import { spawn } from 'node:child_process'
import { afterAll, beforeAll, expect, test } from 'vitest'
import { bundleCli } from '../helpers/bundle.js'
import type { BundledCli } from '../helpers/bundle.js'
import { MOCK_PARAMS } from '../../src/mock/params.js'
import { MOCK_SCENARIOS } from '../../src/mock/presets.js'
import { MOCK_ROUTES } from '../../src/mock/scenarios.js'

// The CLI as the package ships it: bundled to one ES module (rollup does this
// for dist/mock-cli.js; esbuild is the quick equivalent here).
let bundled: BundledCli | undefined
let cli: string
beforeAll(async () => {
  bundled = await bundleCli(new URL('../../src/mock/cli.ts', import.meta.url), 'llm-sse-mock-', 'mock-cli.mjs')
  cli = bundled.file
})
afterAll(() => bundled?.remove())

function run(args: string[]): { child: ReturnType<typeof spawn>; output: Promise<string>; exit: Promise<number | null> } {
  const child = spawn(process.execPath, [cli, ...args], { stdio: ['ignore', 'pipe', 'pipe'] })
  let text = ''
  child.stdout!.on('data', (c: Buffer) => (text += c.toString()))
  child.stderr!.on('data', (c: Buffer) => (text += c.toString()))
  const exit = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)))
  const output = new Promise<string>((resolve) => {
    child.stdout!.on('data', () => text.includes('Ctrl-C') && resolve(text))
    void exit.then(() => resolve(text))
  })
  return { child, output, exit }
}

test('llm-sse-mock prints its URL and routes, serves them, and exits 0 on Ctrl-C', async () => {
  const { child, output, exit } = run(['--port', '0'])
  const text = await output
  const url = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(text)?.[1]
  expect(url).toBeDefined()
  for (const path of ['/stream/get', '/stream/post', '/v1/chat/completions', '/__stats']) expect(text).toContain(`${url}${path}`)
  const res = await fetch(`${url}/stream/get?length=1`)
  expect(await res.text()).toContain("'status': 'completed'")
  child.kill('SIGINT')
  expect(await exit).toBe(0)
})

test('llm-sse-mock rejects an unknown argument with the usage line and exit code 1', async () => {
  const { output, exit } = run(['--prot', '1'])
  expect(await exit).toBe(1)
  expect(await output).toContain('usage: llm-sse-mock')
})

test('llm-sse-mock --help lists every route, knob and scenario from the tables the server runs', async () => {
  const { output, exit } = run(['--help'])
  expect(await exit).toBe(0)
  const text = await output
  expect(text).toContain('usage: llm-sse-mock')
  for (const route of MOCK_ROUTES) expect(text).toContain(`${route.methods.join('|')} ${route.path}`)
  for (const knob of MOCK_PARAMS) expect(text).toMatch(new RegExp(`^  ${knob.name}=`, 'm'))
  for (const scenario of MOCK_SCENARIOS) expect(text).toMatch(new RegExp(`^  ${scenario.name} `, 'm'))
})
