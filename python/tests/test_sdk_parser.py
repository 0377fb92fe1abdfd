"""Cross-check: the kit's streams, read by the SDK's own parser and reducer in Node."""

import base64
import json
import subprocess
from pathlib import Path

import pytest
from hypothesis import Phase, given, settings
from hypothesis import strategies as st
from strategies import any_token, utf16

from llm_sse import events, sse_encode

REPO = Path(__file__).resolve().parents[2]
READER = r"""
import { createSseParser, createReducer } from './sdk.mjs'
let input = ''
for await (const chunk of process.stdin) input += chunk
const out = JSON.parse(input).map((pieces) => {
  const reducer = createReducer({ emit() {}, thinkTags: false })
  reducer.connecting(1)
  reducer.open()
  const parser = createSseParser({ onEvent: (e) => reducer.event(e) })
  for (const b64 of pieces) parser.feed(new Uint8Array(Buffer.from(b64, 'base64')))
  reducer.end(parser.end().discarded)
  return { text: reducer.text, reasoning: reducer.reasoning, status: reducer.status }
})
process.stdout.write(JSON.stringify(out))
"""


@pytest.fixture(scope='module')
def sdk(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The SDK's public entry bundled from src/ (no build needed), next to the reader script."""
    out = tmp_path_factory.mktemp('sdk')
    subprocess.run(
        [
            str(REPO / 'node_modules' / '.bin' / 'esbuild'),
            str(REPO / 'src' / 'index.ts'),
            '--bundle',
            '--format=esm',
            '--platform=node',
            f'--outfile={out / "sdk.mjs"}',
            '--log-level=warning',
        ],
        check=True,
    )
    (out / 'read.mjs').write_text(READER)
    return out


def read_with_sdk(sdk: Path, streams: list[list[bytes]]) -> list[dict]:
    payload = json.dumps([[base64.b64encode(p).decode() for p in pieces] for pieces in streams])
    done = subprocess.run(
        ['node', str(sdk / 'read.mjs')], input=payload, capture_output=True, text=True, check=True, timeout=60
    )
    return json.loads(done.stdout)


stream_case = st.tuples(
    st.lists(any_token, max_size=10), st.sampled_from(['json', 'repr']), st.lists(st.integers(0, 10_000), max_size=6)
)


# No shrinking: each example is a Node process; the Python property tests shrink the same inputs.
@settings(max_examples=6, phases=[Phase.explicit, Phase.reuse, Phase.generate])
@given(st.lists(stream_case, min_size=40, max_size=40))
def test_any_tokens_reach_the_sdk_unchanged_in_json_and_repr_split_anywhere(sdk, cases):
    streams = []
    for tokens, fmt, cuts in cases:
        wire = b''.join(sse_encode(e) for e in events(iter(tokens), format=fmt))
        points = sorted({c % (len(wire) + 1) for c in cuts})
        streams.append([wire[a:b] for a, b in zip([0, *points], [*points, len(wire)])])
    results = read_with_sdk(sdk, streams)
    for (tokens, fmt, _), result in zip(cases, results):
        assert result['status'] == 'completed', (fmt, tokens)
        assert utf16(result['text']) == utf16(''.join(tokens)), (fmt, tokens)


def test_a_failure_mid_stream_reaches_the_sdk_as_an_error_with_the_partial_text(sdk):
    def failing():
        yield 'partial '
        raise ConnectionResetError('upstream cut')

    wire = b''.join(sse_encode(e) for e in events(failing()))
    [result] = read_with_sdk(sdk, [[wire]])
    assert result == {'text': 'partial ', 'reasoning': '', 'status': 'error'}
