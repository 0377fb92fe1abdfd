// The `llm-sse-client/mock-server` entry (Node): the mock server, the
// tables that describe it, and the deterministic answers it sends, so a
// test can compare what its client shows with what was sent.

export { startMockServer } from './server.js'
export type { MockServer, MockServerOptions } from './server.js'
export type { MockStatsSnapshot } from './stats.js'
export { MOCK_ROUTES } from './scenarios.js'
export type { MockRoute } from './scenarios.js'
export { MOCK_SCENARIOS } from './presets.js'
export type { MockScenario, MockOutcome } from './presets.js'
export { scriptFor, expectedText, expectedReasoning, DEFAULT_PROMPT } from './script.js'
export type { Script, ScriptOptions } from './script.js'
