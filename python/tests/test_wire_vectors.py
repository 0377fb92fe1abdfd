"""The shared vectors of the wire (test/fixtures/wire/tools.json): the kit sends exactly each case's ``sse``.

The SDK's suite (test/payload/wire-vectors.test.ts) reads the same file and
decodes that ``sse`` into the case's events, so the two halves cannot drift.
"""

import json
from pathlib import Path

import pytest
from fakes import ScriptedClient

from llm_sse import events, sse_encode
from llm_sse.tools import run

VECTORS = json.loads((Path(__file__).parents[2] / 'test' / 'fixtures' / 'wire' / 'tools.json').read_text('utf-8'))


def boom(args):
    raise RuntimeError('a detail only the log may see')


# The tools the file's cases name (its `tools` key says what each does).
TOOLS = {'get_time': lambda args: {'time': '12:00'}, 'echo': lambda args: args, 'boom': boom}


def test_the_file_names_the_tools_this_test_defines():
    assert set(VECTORS['tools']) == set(TOOLS)


@pytest.mark.parametrize('case', VECTORS['cases'], ids=[c['name'] for c in VECTORS['cases']])
def test_the_kit_sends_exactly_the_vector(case):
    options = {'stream_id': 's', 'format': case['format'], 'meta': case['meta']}
    if case.get('loop'):
        client = ScriptedClient(case['steps'])
        evs = run(client, [{'role': 'user', 'content': 'time?'}], model='m', tools=TOOLS, **options)
    else:
        (steps,) = case['steps']
        evs = events(steps, **options)
    assert b''.join(sse_encode(e) for e in evs).decode('utf-8') == case['sse']
    if case.get('loop'):
        assert len(client.requests) == len(case['steps'])
