// The `llm-sse-client/testing` entry: msw handlers and the deterministic
// scripts, for tests that run without a real server (jsdom, browsers).
// Nothing here imports Node built-ins; `msw` is an optional peer dependency.

export { createMockHandlers, planToResponse } from './msw.js'
export type { MockHandlersOptions } from './msw.js'
export { planResponse, MOCK_ROUTES, MOCK_SCENARIOS } from './scenarios.js'
export type { Plan, Step, MockRequest, MockRoute, MockScenario, MockOutcome } from './scenarios.js'
export { MOCK_PARAMS } from './params.js'
export type { MockParams, MockParamSpec } from './params.js'
export { createMockStats } from './stats.js'
export type { MockStats, MockStatsSnapshot } from './stats.js'
export { scriptFor, expectedText, expectedReasoning, DEFAULT_PROMPT } from './script.js'
export type { Script, ScriptOptions } from './script.js'
export { pyRepr, pyFloat, pyTuple } from './repr.js'
export type { PyValue, PyKey, PyFloat, PyTuple } from './repr.js'
export { pyJsonDumps } from './pyjson.js'
