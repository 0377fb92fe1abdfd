"""events() forwards OpenAI tool-call pieces and refusals as content dicts (docs/wire.md)."""

import ast
import json
import logging

from hypothesis import given
from hypothesis import strategies as st

from llm_sse import Piece, Reader, events
from llm_sse.tool_calls import ToolCalls
from llm_sse.upstream import ToolCallDelta


def delta_chunk(delta: dict, finish=None) -> dict:
    return {'choices': [{'index': 0, 'delta': delta, 'finish_reason': finish}]}


def call_chunks(index: int, call_id: str, name: str, pieces: list[str]) -> list[dict]:
    first = {'index': index, 'id': call_id, 'type': 'function', 'function': {'name': name, 'arguments': ''}}
    rest = [{'index': index, 'function': {'arguments': p}} for p in pieces]
    return [delta_chunk({'tool_calls': [first]}), *(delta_chunk({'tool_calls': [r]}) for r in rest)]


def test_the_reader_gives_tool_call_pieces_and_refusal_in_its_pieces():
    r = Reader()
    piece = r.read(
        delta_chunk(
            {'tool_calls': [{'index': 0, 'id': 'c', 'function': {'name': 'f', 'arguments': '{'}}], 'refusal': 'no'}
        )
    )
    assert piece == Piece('', '', (ToolCallDelta(0, 'c', 'f', '{'),), 'no')
    # A piece without a usable index cannot be joined to its call: dropped.
    assert r.read(delta_chunk({'tool_calls': [{'index': -1}, {'index': True}, {'id': 'x'}, 'junk']})) is None


def test_one_event_per_tool_call_piece_then_the_end_marker_with_the_calls_in_the_answer():
    answers = []
    ups = [
        delta_chunk({'role': 'assistant', 'content': ''}),
        *call_chunks(0, 'call_a', 'get_time', ['{"tz"', ': "UTC"}']),
        delta_chunk({}, 'tool_calls'),
    ]
    evs = list(events(ups, stream_id='s', on_complete=answers.append))
    assert [json.loads(e.data) for e in evs] == [
        {
            'content': '',
            'tool_calls': [
                {'index': 0, 'id': 'call_a', 'type': 'function', 'function': {'name': 'get_time', 'arguments': ''}}
            ],
        },
        {'content': '', 'tool_calls': [{'index': 0, 'function': {'arguments': '{"tz"'}}]},
        {'content': '', 'tool_calls': [{'index': 0, 'function': {'arguments': ': "UTC"}'}}]},
        {'content': '', 'status': 'completed'},
    ]
    assert [e.id for e in evs] == ['s:0', 's:1', 's:2', 's:3']
    (answer,) = answers
    assert answer.finish_reason == 'tool_calls'
    assert [(c.index, c.id, c.name, c.arguments) for c in answer.tool_calls] == [
        (0, 'call_a', 'get_time', '{"tz": "UTC"}')
    ]


def test_refusal_pieces_are_events_of_their_own_in_json_and_repr():
    ups = [delta_chunk({'refusal': "I can't"}), delta_chunk({'refusal': ' help.'}, 'stop')]
    assert [json.loads(e.data) for e in events(ups)][:2] == [
        {'content': '', 'refusal': "I can't"},
        {'content': '', 'refusal': ' help.'},
    ]
    reprs = [ast.literal_eval(e.data) for e in events(ups, format='repr', meta={'userid': 'u'})]
    assert reprs[0] == {'content': '', 'userid': 'u', 'refusal': "I can't"}


def test_calls_are_numbered_in_order_of_appearance_whatever_index_the_model_sends():
    ups = [*call_chunks(7, 'a', 'f', ['1']), *call_chunks(3, 'b', 'g', ['2']), delta_chunk({}, 'tool_calls')]
    entries = [json.loads(e.data).get('tool_calls', [{}])[0] for e in events(ups)]
    assert [e.get('index') for e in entries] == [0, 0, 1, 1, None]


def test_a_missing_or_repeated_id_becomes_a_unique_one():
    calls = ToolCalls('0123456789abcdef')
    first = calls.add(ToolCallDelta(0, 'dup', 'f', ''))
    second = calls.add(ToolCallDelta(1, 'dup', 'f', ''))
    third = calls.add(ToolCallDelta(2, '', 'f', ''))
    assert [first and first['id'], second and second['id'], third and third['id']] == ['dup', 'call_1', 'call_2']


def test_calls_past_the_cap_and_arguments_past_their_size_are_dropped_and_logged(caplog):
    calls = ToolCalls('s', max_calls=2, max_argument_bytes=5)
    with caplog.at_level(logging.WARNING, logger='llm_sse'):
        assert calls.add(ToolCallDelta(0, 'a', 'f', '1234')) is not None
        assert calls.add(ToolCallDelta(0, '', '', '56')) is None  # over 5 bytes: dropped, call marked
        assert calls.add(ToolCallDelta(1, 'b', 'f', '')) is not None
        assert calls.add(ToolCallDelta(2, 'c', 'f', '')) is None  # a third call in one step
    assert [(c.arguments, c.too_large) for c in calls.all] == [('1234', True), ('', False)]
    assert 'more than 2 tool calls' in caplog.text
    assert 'over 5 bytes' in caplog.text
    calls.step()  # the next generation may make calls again
    assert calls.add(ToolCallDelta(0, 'd', 'f', '')) == {
        'index': 2,
        'id': 'd',
        'type': 'function',
        'function': {'name': 'f', 'arguments': ''},
    }


@given(st.text(max_size=200), st.lists(st.integers(min_value=0, max_value=200), max_size=10))
def test_arguments_split_anywhere_join_back_to_the_same_text(arguments, cuts):
    points = sorted({0, len(arguments), *(c for c in cuts if c <= len(arguments))})
    pieces = [arguments[a:b] for a, b in zip(points, points[1:])]
    answers = []
    evs = list(events([*call_chunks(0, 'c', 'f', pieces), delta_chunk({}, 'tool_calls')], on_complete=answers.append))
    joined = ''.join(
        json.loads(e.data).get('tool_calls', [{'function': {}}])[0]['function'].get('arguments', '') for e in evs
    )
    assert joined == arguments
    assert answers[0].tool_calls[0].arguments == arguments
