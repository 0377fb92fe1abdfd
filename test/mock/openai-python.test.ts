import { ensurePythonEnv } from '../../scripts/python-env.mjs'
import { afterAll, beforeAll, expect, test } from 'vitest'
import { startMockServer } from '../../src/mock/server.js'
import type { MockServer } from '../../src/mock/server.js'
import { expectedReasoning, expectedText } from '../../src/mock/script.js'
import { pythonAsync } from './wire.js'

// The reference Flask backend consumes /v1 through the real Python `openai`
// client, so its parser is the judge of our chunk shapes. Runs where that
// package is the project's virtualenv (scripts/python-env.mjs): a missing
// python3 or a failed install fails this test; it is never skipped.
let PYTHON = ''

const CLIENT_PY = `
import json, sys
import openai
from openai import OpenAI
args = json.loads(sys.stdin.read())
client = OpenAI(api_key='sk-mock', base_url=args['url'] + '/v1', max_retries=0)
messages = [{'role': 'user', 'content': args['prompt']}]
out = {'text': '', 'reasoning': '', 'finish': None, 'usage': None}
for chunk in client.chat.completions.create(model='deepseek-r1:14b', messages=messages, stream=True, stream_options={'include_usage': True}):
    if chunk.choices:
        delta = chunk.choices[0].delta
        out['text'] += delta.content or ''
        out['reasoning'] += getattr(delta, 'reasoning_content', None) or ''
        out['finish'] = chunk.choices[0].finish_reason or out['finish']
    if chunk.usage:
        out['usage'] = chunk.usage.total_tokens
whole = client.chat.completions.create(model='gpt-4o-mini', messages=messages)
out['whole'] = whole.choices[0].message.content
errors = {}
for name, headers in [('status', {'x-mock-status': '429', 'x-mock-retryAfter': '0'}), ('errorEvent', {'x-mock-errorEvent': '2'})]:
    try:
        for _ in client.with_options(default_headers=headers).chat.completions.create(model='m', messages=messages, stream=True):
            pass
        errors[name] = None
    except openai.APIError as e:
        errors[name] = type(e).__name__
out['errors'] = errors
print(json.dumps(out))
`

let mock: MockServer
beforeAll(async () => {
  PYTHON = await ensurePythonEnv()
  mock = await startMockServer()
}, 180_000)
afterAll(() => mock.close())

// Python imports `openai` (pydantic, httpx) before the first request: seconds on a loaded machine, past vitest's 5 s default.
test('the Python openai client parses the /v1 stream, reasoning, usage, the JSON answer and the errors', { timeout: 60_000 }, async () => {
  const out = JSON.parse(await pythonAsync(CLIENT_PY, JSON.stringify({ url: mock.url, prompt: '详解一下flask框架' }), PYTHON)) as Record<string, unknown>
  expect(out).toEqual({
    text: expectedText('详解一下flask框架'),
    reasoning: expectedReasoning('详解一下flask框架', { think: true }),
    finish: 'stop',
    usage: expect.any(Number),
    whole: expectedText('详解一下flask框架'),
    errors: { status: 'RateLimitError', errorEvent: 'APIError' },
  })
})
