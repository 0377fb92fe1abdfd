// The `llm-sse-client/testing` entry: msw handlers that answer like the mock
// server, for tests without a real server (jsdom, browsers), and the same
// deterministic answers to compare with. No Node built-ins; `msw` is an
// optional peer dependency.

export { createMockHandlers } from '../mock/msw.js'
export type { MockHandlersOptions } from '../mock/msw.js'
export { createMockStats } from '../mock/stats.js'
export type { MockStats, MockStatsSnapshot } from '../mock/stats.js'
export { MOCK_ROUTES } from '../mock/scenarios.js'
export type { MockRoute } from '../mock/scenarios.js'
export { MOCK_SCENARIOS } from '../mock/presets.js'
export type { MockScenario, MockOutcome } from '../mock/presets.js'
export { scriptFor, expectedText, expectedReasoning, DEFAULT_PROMPT } from '../mock/script.js'
export type { Script, ScriptOptions } from '../mock/script.js'
