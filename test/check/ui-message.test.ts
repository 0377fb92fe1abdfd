// The checker's reading of the AI SDK's UI-message stream: the part order
// its `useChat` enforces, on recorded exchanges, and the whole battery
// against the Flask reference backend in `--format ai-sdk`.

import { spawn } from 'node:child_process'
import { afterAll, beforeAll, expect, test } from 'vitest'
import type { Exchange } from '../../src/check/capture.js'
import { checkUiMessage } from '../../src/check/ui-message.js'
import { startMockServer } from '../../src/mock/server.js'
import type { MockServer } from '../../src/mock/server.js'
import { bundleCli } from '../helpers/bundle.js'
import type { BundledCli } from '../helpers/bundle.js'
import { startFlask } from '../helpers/flask.js'
import type { FlaskBackend } from '../helpers/flask.js'

const GOOD = [
  { type: 'start', messageId: 'm1' },
  { type: 'start-step' },
  { type: 'reasoning-start', id: 'r1' },
  { type: 'reasoning-delta', id: 'r1', delta: 'hmm' },
  { type: 'reasoning-end', id: 'r1' },
  { type: 'tool-input-start', toolCallId: 'c1', toolName: 'get_time' },
  { type: 'tool-input-delta', toolCallId: 'c1', inputTextDelta: '{}' },
  { type: 'tool-input-available', toolCallId: 'c1', toolName: 'get_time', input: {} },
  { type: 'tool-output-available', toolCallId: 'c1', output: { time: 'noon' } },
  { type: 'finish-step' },
  { type: 'start-step' },
  { type: 'text-start', id: 't1' },
  { type: 'text-delta', id: 't1', delta: 'Noon.' },
  { type: 'text-end', id: 't1' },
  { type: 'finish-step' },
  { type: 'finish', finishReason: 'stop' },
]

function exchange(chunks: readonly (object | string)[], headers: Record<string, string> = { 'x-vercel-ai-ui-message-stream': 'v1' }): Exchange {
  const events = chunks.map((c, i) => ({
    event: { type: 'message', data: typeof c === 'string' ? c : JSON.stringify(c), id: String(i), lastEventId: String(i) },
    at: i,
  }))
  return {
    status: 200,
    headers: new Headers({ 'content-type': 'text/event-stream', ...headers }),
    headersAt: 0,
    events,
    endAt: events.length,
    ended: 'end',
    text: '',
  }
}

const results = (x: Exchange) => Object.fromEntries(checkUiMessage(x).map((c) => [c.id, `${c.status}: ${c.detail}`]))

test('a UI-message stream in protocol order, with its header, passes', () => {
  const r = results(exchange([...GOOD, '[DONE]']))
  expect(r['ui-message-header']).toMatch(/^pass/)
  expect(r['ui-message-stream']).toMatch(/^pass: 17 events in protocol order.*1 tool calls/)
})

test('an error chunk then [DONE] passes: the stream said it failed', () => {
  expect(results(exchange([...GOOD.slice(0, 4), { type: 'error', errorText: 'x' }, '[DONE]']))['ui-message-stream']).toMatch(/^pass/)
})

test.each([
  ['a delta whose start never came', [GOOD[0], GOOD[1], { type: 'text-delta', id: 't9', delta: 'x' }], /text-delta for id "t9", which no text-start opened/],
  ['an end id that does not match', [GOOD[0], GOOD[1], { type: 'text-start', id: 'a' }, { type: 'text-end', id: 'b' }], /text-end for id "b"/],
  ['a tool output before its input', [GOOD[0], GOOD[1], GOOD[5], GOOD[8]], /tool-output-available for call "c1", whose input is not available/],
  ['finish with a run still open', [GOOD[0], GOOD[1], GOOD[11], { type: 'finish' }], /finish with a step still open/],
  ['an unknown chunk type', [GOOD[0], { type: 'text' }], /unknown chunk type "text"/],
  ['no [DONE] at the end', GOOD, /no data: \[DONE\]/],
  ['[DONE] without finish', [GOOD[0], '[DONE]'], /ended without finish or error/],
  ['an event after [DONE]', [...GOOD, '[DONE]', GOOD[0]], /an event after \[DONE\]/],
] as const)('%s fails the part order check', (_name, chunks, message) => {
  const r = results(exchange(chunks as readonly (object | string)[]))
  expect(r['ui-message-stream']).toMatch(/^fail/)
  expect(r['ui-message-stream']).toMatch(message)
})

test('a UI-message stream without its header fails the header check; another format is skipped', () => {
  expect(results(exchange([...GOOD, '[DONE]'], {}))['ui-message-header']).toMatch(/^fail: no x-vercel-ai-ui-message-stream header/)
  expect(results(exchange([{ content: 'hi' }, { content: '', status: 'completed' }], {}))).toEqual({})
})

let bundled: BundledCli | undefined
let mock: MockServer
let flask: FlaskBackend
beforeAll(async () => {
  ;[bundled, mock] = await Promise.all([bundleCli(new URL('../../src/check/cli.ts', import.meta.url), 'llm-sse-check-ui-', 'check-cli.mjs'), startMockServer()])
  flask = await startFlask({ upstream: mock.url, format: 'ai-sdk' })
}, 120_000)
afterAll(async () => {
  await flask?.close()
  await mock?.close()
  bundled?.remove()
})

test('the Flask reference backend in --format ai-sdk passes every check of its useChat route', async () => {
  const body = JSON.stringify({ id: 'check-1', trigger: 'submit-message', messages: [{ id: 'u1', role: 'user', parts: [{ type: 'text', text: 'Hi' }] }] })
  const args = ['check', `${flask.url}/api/chat`, '--json', body, '--fail-header', 'x-mock-dropAfter: 3', '--json-report']
  const { stdout } = await new Promise<{ stdout: string }>((resolve, reject) => {
    const child = spawn(process.execPath, [bundled!.file, ...args], { stdio: ['ignore', 'pipe', 'inherit'] })
    let out = ''
    child.stdout.setEncoding('utf8').on('data', (s: string) => (out += s))
    child.on('error', reject)
    child.on('close', () => resolve({ stdout: out }))
  })
  const report = JSON.parse(stdout) as { ok: boolean; checks: { id: string; status: string; detail: string }[] }
  const status = Object.fromEntries(report.checks.map((c) => [c.id, c.status]))
  expect(status).toMatchObject({
    'ui-message-header': 'pass',
    'ui-message-stream': 'pass',
    payload: 'pass',
    'end-marker': 'pass',
    ids: 'pass',
    resume: 'pass',
    'upstream-failure': 'pass',
  })
  expect(report.checks.find((c) => c.id === 'ui-message-stream')?.detail).toMatch(/1 tool calls/)
  expect(report.ok).toBe(true)
})
