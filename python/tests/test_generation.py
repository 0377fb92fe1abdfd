import ast
import json
import logging

from fakes import Recorded, chunk, openai_chunks
from hypothesis import given
from hypothesis import strategies as st
from sse_reference import parse
from strategies import any_token, utf16

from llm_sse import Answer, Event, events, parse_event_id, sse_encode


def payloads(evs: list[Event]) -> list[dict]:
    return [json.loads(e.data) for e in evs]


def test_tokens_become_json_dicts_then_a_completed_marker_each_with_an_id():
    evs = list(events(openai_chunks(['Hel', 'lo']), stream_id='s1'))
    assert payloads(evs) == [
        {'content': 'Hel'},
        {'content': 'lo'},
        {
            'content': '',
            'usage': {'prompt_tokens': 3, 'completion_tokens': 2, 'total_tokens': 5},
            'status': 'completed',
        },
    ]
    assert [e.id for e in evs] == ['s1:0', 's1:1', 's1:2']
    assert [parse_event_id(e.id or '') for e in evs] == [('s1', 0), ('s1', 1), ('s1', 2)]


def test_reasoning_content_and_reasoning_are_forwarded_as_reasoning_content():
    ups = [
        chunk(None, reasoning='think'),
        {'choices': [{'index': 0, 'delta': {'reasoning': ' more'}}]},
        chunk('ok', finish='stop'),
    ]
    assert payloads(list(events(ups)))[:3] == [
        {'content': '', 'reasoning_content': 'think'},
        {'content': '', 'reasoning_content': ' more'},
        {'content': 'ok'},
    ]


def test_other_choices_are_never_mixed_into_the_answer():
    ups = [chunk('a'), chunk('X', index=1), chunk('b', finish='stop'), chunk('Y', index=1, finish='stop')]
    assert [p['content'] for p in payloads(list(events(ups)))] == ['a', 'b', '']


def test_a_chunk_stream_without_finish_reason_ends_with_an_error_not_completed():
    evs = list(events([chunk('a'), chunk('b')], stream_id='t'))
    assert evs[-1].event == 'error'
    assert json.loads(evs[-1].data)['error']['type'] == 'upstream_truncated'
    assert evs[-1].failure is not None and evs[-1].failure.status == 502
    assert all('status' not in json.loads(e.data) for e in evs[:-1])


def test_plain_strings_end_with_their_iterator_and_none_is_skipped():
    evs = list(events(['a', None, '', 'b']))
    assert payloads(evs) == [{'content': 'a'}, {'content': 'b'}, {'content': '', 'status': 'completed'}]


def test_a_failure_mid_stream_is_an_error_event_with_a_generic_message_and_the_details_logged(caplog):
    secret = 'Incorrect API key provided: sk-abc123'
    up = Recorded(['a'], error=ValueError(secret))
    with caplog.at_level(logging.WARNING, logger='llm_sse'):
        evs = list(events(up, stream_id='req-9'))
    assert [e.event for e in evs] == [None, 'error']
    body = json.loads(evs[1].data)
    assert body == {
        'error': {
            'message': 'the upstream LLM server sent a stream that could not be read',
            'type': 'upstream_error',
            'request_id': 'req-9',
        }
    }
    assert 'sk-' not in evs[1].data
    assert secret in caplog.text and 'req-9' in caplog.text
    assert up.closed


def test_a_failure_before_the_first_token_carries_its_http_status():
    evs = list(events(Recorded([], error=TimeoutError('read timed out'))))
    assert len(evs) == 1 and evs[0].failure is not None
    assert (evs[0].failure.status, evs[0].failure.type) == (504, 'upstream_timeout')


def test_closing_the_events_closes_the_upstream():
    up = Recorded(['a', 'b', 'c'])
    it = events(up)
    next(it)
    it.close()
    assert up.closed and up.read == 1


def test_on_complete_sees_the_whole_answer_once_and_never_for_a_failure():
    seen: list[Answer] = []
    list(events([chunk('a', reasoning='r'), chunk('b', finish='stop')], stream_id='x', on_complete=seen.append))
    list(events([chunk('a')], on_complete=seen.append))
    assert seen == [Answer('x', 'ab', 'r', 'stop', None)]


def test_on_complete_failing_is_logged_and_the_answer_still_completes(caplog):
    def boom(answer: Answer) -> None:
        raise RuntimeError('db down')

    evs = list(events(['a'], on_complete=boom))
    assert json.loads(evs[-1].data)['status'] == 'completed'
    assert 'db down' in caplog.text


def test_repr_format_with_repeat_last_is_the_flask_tutorial_wire_format():
    evs = list(events(['你好', "'s"], format='repr', meta={'request_id': 'r', 'userid': '789465'}, repeat_last=True))
    assert [e.data for e in evs] == [
        "{'content': '你好', 'request_id': 'r', 'userid': '789465'}",
        "{'content': \"'s\", 'request_id': 'r', 'userid': '789465'}",
        "{'content': \"'s\", 'request_id': 'r', 'userid': '789465', 'status': 'completed'}",
    ]


def decode(fmt: str, data: str) -> dict:
    return json.loads(data) if fmt == 'json' else ast.literal_eval(data)


@given(st.lists(any_token, max_size=12), st.sampled_from(['json', 'repr']))
def test_any_token_sequence_survives_events_encoder_and_a_spec_parser(tokens, fmt):
    wire = b''.join(sse_encode(e) for e in events(iter(tokens), format=fmt))
    wire.decode('utf-8')
    parsed, _ = parse(wire)
    dicts = [decode(fmt, e.data) for e in parsed]
    assert [utf16(d['content']) for d in dicts[:-1]] == [utf16(t) for t in tokens]
    assert dicts[-1]['status'] == 'completed'
    # One event per token: the payload never holds a raw line break.
    assert len(parsed) == len(tokens) + 1
