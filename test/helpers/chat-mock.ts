// One mock server per test file for the chat hooks (React, Vue): between
// tests every response the last test opened must have closed, so a test that
// leaks a stream fails the next one's wait instead of skewing its counters.

import { afterAll, afterEach, beforeAll } from 'vitest'
import type { ChatOptions } from '../../src/chat/index.js'
import { startMockServer } from '../../src/mock/index.js'
import type { MockServer } from '../../src/mock/index.js'
import { until } from './eventually.js'

/** The file's mock, its POST count, and the seed request builder. */
export interface ChatMock {
  /** The running mock (only inside tests: it starts in `beforeAll`). */
  mock(): MockServer
  /** Requests the mock has seen on the seed POST route since the last reset. */
  posts(): number
  /** The seed POST route with the mock's fault knobs in the query. */
  seedRequest(knobs?: Record<string, string>): ChatOptions['request']
  /** Generations the mock's OpenAI route made since the last reset (each tool step is one). */
  completions(): number
  /** Chat options for the mock's OpenAI route through the default request (OpenAI messages, `tools`), streamed. */
  openai(tools?: ChatOptions['tools'], knobs?: string): ChatOptions
}

const PNG_BASE64 = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg=='

/** A 1×1 PNG, the bytes a page's file input would give. */
export const PNG = Uint8Array.from(atob(PNG_BASE64), (c) => c.charCodeAt(0))

/** The same PNG as `send({ files })` takes it without a `File`: `{ mediaType, data, name }`. */
export const PNG_FILE = { mediaType: 'image/png', data: PNG_BASE64, name: 'dot.png' }

/**
 * Start the mock before the file's tests and close it after; after each test
 * run `unmount` (if given), wait for the mock's open responses to reach 0 and
 * reset its counters.
 */
export function useChatMock(unmount?: () => void): ChatMock {
  let server: MockServer | undefined
  const mock = (): MockServer => {
    if (!server) throw new Error('the mock starts in beforeAll: call mock() inside a test')
    return server
  }
  beforeAll(async () => {
    server = await startMockServer()
  })
  afterAll(() => server?.close())
  afterEach(async () => {
    unmount?.()
    await until(
      () => mock().stats().open,
      (n) => n === 0,
    )
    mock().resetStats()
  })
  return {
    mock,
    posts: () => mock().stats().requests['/stream/post'] ?? 0,
    seedRequest:
      (knobs = {}) =>
      (m) => ({ path: '/stream/post', json: { prompt: m[m.length - 1]!.text }, query: knobs }),
    completions: () => mock().stats().requests['/v1/chat/completions'] ?? 0,
    // Knobs go in the path (`/_/delay=5/v1`): the default request has no query of its own.
    openai: (tools, knobs) => ({
      client: { baseUrl: knobs ? `${mock().url}/_/${knobs}` : mock().url },
      api: '/v1/chat/completions',
      body: { stream: true },
      tools,
      maxSteps: 3,
    }),
  }
}
