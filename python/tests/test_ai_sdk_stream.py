"""format='ai-sdk': the AI SDK's UI-message stream, checked by a reference reading of its documentation."""

from __future__ import annotations

import asyncio
import json

from fakes import AsyncScriptedClient, Recorded, ScriptedClient, chunk, finish, openai_chunks, tool_call_chunks
from hypothesis import given
from hypothesis import strategies as st
from strategies import any_text, any_token, utf16
from ui_message_reference import decode

from llm_sse import Event, events, sse_encode
from llm_sse.ai_sdk import Chunks
from llm_sse.ai_sdk.chunks import dump
from llm_sse.tools import ToolError, arun, run

SID = 'a' * 32


def body(upstream, **options) -> bytes:
    return b''.join(sse_encode(ev) for ev in events(upstream, stream_id=SID, format='ai-sdk', **options))


def test_an_answer_is_start_step_text_run_finish_then_done():
    raw = body(openai_chunks(['Hel', 'lo']), meta={'request_id': 'r1'})
    chunks = [json.loads(line[6:]) for line in raw.decode().splitlines() if line.startswith('data: {')]
    assert [c['type'] for c in chunks] == [
        'start', 'start-step', 'text-start', 'text-delta', 'text-delta', 'text-end', 'finish-step', 'finish',
    ]  # fmt: skip
    assert chunks[0] == {'type': 'start', 'messageId': f'msg-{SID}', 'messageMetadata': {'request_id': 'r1'}}
    assert chunks[-1]['finishReason'] == 'stop'
    assert chunks[-1]['messageMetadata']['usage'] == {'prompt_tokens': 3, 'completion_tokens': 2, 'total_tokens': 5}
    assert raw.endswith(b'data: [DONE]\n\n')
    msg = decode(raw)
    assert msg.parts == [('text', 'Hello')]


def test_reasoning_then_text_are_two_runs_in_stream_order():
    upstream = [
        chunk(None, reasoning='Let me'),
        chunk(None, reasoning=' think'),
        chunk('Hi'),
        chunk(None, finish='length'),
    ]
    msg = decode(body(upstream))
    assert msg.parts == [('reasoning', 'Let me think'), ('text', 'Hi')]
    assert msg.finish_reason == 'length'


def test_a_failure_mid_stream_is_a_generic_error_chunk_then_done_and_the_stream_counts_as_failed(caplog):
    upstream = Recorded([chunk('partial')], error=RuntimeError('sk-secret upstream text'))
    evs = list(events(upstream, stream_id=SID, format='ai-sdk'))
    raw = b''.join(sse_encode(ev) for ev in evs)
    msg = decode(raw)
    assert msg.parts == [('text', 'partial')]
    assert msg.error == 'the upstream LLM server sent a stream that could not be read'
    assert b'sk-secret' not in raw
    assert 'sk-secret' in caplog.text
    assert evs[-1].data == '[DONE]' and evs[-1].failure is not None


def test_a_failure_before_the_first_token_is_the_first_event_so_adapters_answer_with_its_status():
    first = next(events(Recorded([], error=TimeoutError()), stream_id=SID, format='ai-sdk'))
    assert first.failure is not None and first.failure.status == 504
    assert json.loads(first.data) == {'type': 'error', 'errorText': first.failure.message}


def test_a_cut_upstream_is_an_error_not_a_finish():
    msg = decode(body([chunk('Hel')]))
    assert msg.error is not None and msg.finish_reason is None


def test_an_empty_answer_still_starts_and_finishes():
    msg = decode(body([chunk(None, finish='stop')]))
    assert msg.parts == [] and msg.finish_reason == 'stop' and msg.message_id == f'msg-{SID}'


def test_finish_reasons_are_spelled_as_the_ai_sdk_spells_them():
    for openai, ai_sdk in [
        ('stop', 'stop'),
        ('tool_calls', 'tool-calls'),
        ('content_filter', 'content-filter'),
        ('x', 'other'),
    ]:
        assert decode(body([chunk('a', finish=openai)])).finish_reason == ai_sdk


_piece = st.tuples(st.sampled_from(['text', 'reasoning']), any_token)


@given(st.lists(_piece, max_size=20))
def test_any_text_and_reasoning_stream_decodes_to_its_runs(pieces):
    upstream = [chunk(t, finish=None) if kind == 'text' else chunk(None, reasoning=t) for kind, t in pieces]
    msg = decode(body([*upstream, chunk(None, finish='stop')]))
    runs: list[tuple[str, str]] = []
    for kind, text in pieces:
        if runs and runs[-1][0] == kind:
            runs[-1] = (kind, runs[-1][1] + text)
        else:
            runs.append((kind, text))
    # Joined as JavaScript joins them: two deltas may each hold half of a surrogate pair.
    assert [(kind, utf16(text)) for kind, text in msg.parts] == [(kind, utf16(text)) for kind, text in runs]


def _split(text: str, cuts: list[int]) -> list[str]:
    points = sorted({min(c, len(text)) for c in cuts})
    return [text[a:b] for a, b in zip([0, *points], [*points, len(text)]) if b > a] or ['']


def tool_chunk(index: int, arguments: str, call_id: str = '', name: str = '') -> dict:
    call: dict = {'index': index, 'function': {'arguments': arguments}}
    if call_id:
        call.update(id=call_id, type='function')
        call['function']['name'] = name
    return {'choices': [{'index': 0, 'delta': {'tool_calls': [call]}, 'finish_reason': None}]}


@given(
    st.lists(
        st.tuples(
            any_token, st.dictionaries(any_text, any_text, max_size=3), st.lists(st.integers(0, 200), max_size=8)
        ),
        min_size=1,
        max_size=4,
    ),
    any_text,
)
def test_tool_arguments_split_anywhere_decode_to_the_same_calls(calls, text):
    upstream = [chunk(text)] if text else []
    expected = []
    for i, (name, args, cuts) in enumerate(calls):
        pieces = _split(json.dumps(args, ensure_ascii=False), cuts)
        upstream.append(tool_chunk(i, pieces[0], f'call_{i}', name))
        upstream += [tool_chunk(i, p) for p in pieces[1:]]
        expected.append((f'call_{i}', utf16(name), json.loads(json.dumps(args))))
    upstream.append(chunk(None, finish='tool_calls'))
    msg = decode(body(upstream))
    tools = [p[1] for p in msg.parts if p[0] == 'tool']
    assert [(t['id'], t['name'], t['input']) for t in tools] == expected
    assert all(t['state'] == 'available' for t in tools)
    assert [(k, utf16(t)) for k, t in msg.parts[: 1 if text else 0]] == ([('text', utf16(text))] if text else [])
    assert msg.finish_reason == 'tool-calls'


def test_tool_outputs_follow_their_inputs_within_the_step():
    c = Chunks('m1')
    out = c.tool_input('call_1', 'get_time', '{}') + c.tool_output('call_1', {'utc': 'noon'})
    out += c.end_step() + c.delta('text', 'It is noon.') + c.finish('stop')
    raw = b''.join(sse_encode(Event(dump(x))) for x in out) + b'data: [DONE]\n\n'
    msg = decode(raw)
    assert [p[0] for p in msg.parts] == ['tool', 'text'] and msg.steps == 2
    assert msg.parts[0][1]['output'] == {'utc': 'noon'} and msg.parts[0][1]['state'] == 'output-available'


def test_tool_arguments_that_are_not_json_are_a_tool_input_error():
    c = Chunks('m1')
    out = c.tool_input('call_1', 'f', '{"a": ') + c.tool_inputs_done()
    assert out[-1] == {
        'type': 'tool-input-error', 'toolCallId': 'call_1', 'toolName': 'f', 'input': '{"a": ',
        'errorText': 'the tool arguments are not valid JSON',
    }  # fmt: skip


def _three_steps() -> list:
    usage = {'prompt_tokens': 10, 'completion_tokens': 2, 'total_tokens': 12}
    return [
        [
            chunk('Let me look.'),
            *tool_call_chunks(0, 'call_a', 'get_time', '{"tz": "UTC"}'),
            finish('tool_calls', usage),
        ],
        [*tool_call_chunks(0, 'call_b', 'boom', '{}'), finish('tool_calls', usage)],
        [chunk('It is '), chunk('noon.'), finish('stop', usage)],
    ]


def _get_time(args):
    return {'time': '12:00', 'tz': args['tz']}


def _boom(args):
    raise ToolError('no such clock')


def _check_loop(raw: bytes) -> None:
    msg = decode(raw)
    assert msg.steps == 3 and msg.finish_reason == 'stop'
    assert msg.metadata['usage']['total_tokens'] == 36
    kinds = [p[0] for p in msg.parts]
    assert kinds == ['text', 'tool', 'tool', 'text']
    first, second = msg.parts[1][1], msg.parts[2][1]
    assert (first['name'], first['input'], first['state'], first['output']) == (
        'get_time', {'tz': 'UTC'}, 'output-available', {'time': '12:00', 'tz': 'UTC'},
    )  # fmt: skip
    assert (second['name'], second['state'], second['output']) == ('boom', 'output-error', 'no such clock')
    assert msg.parts[3] == ('text', 'It is noon.')


def test_the_server_side_tool_loop_in_ai_sdk_format_is_one_message_of_three_steps():
    client = ScriptedClient(_three_steps())
    loop = run(client, [{'role': 'user', 'content': 'time?'}], model='m', format='ai-sdk', stream_id=SID,
               tools={'get_time': _get_time, 'boom': _boom})  # fmt: skip
    _check_loop(b''.join(sse_encode(ev) for ev in loop))
    assert len(client.requests) == 3


def test_the_async_tool_loop_in_ai_sdk_format_streams_the_same_message():
    client = AsyncScriptedClient(_three_steps())
    loop = arun(client, [{'role': 'user', 'content': 'time?'}], model='m', format='ai-sdk', stream_id=SID,
                tools={'get_time': _get_time, 'boom': _boom})  # fmt: skip

    async def collect() -> bytes:
        return b''.join([sse_encode(ev) async for ev in loop])

    _check_loop(asyncio.run(asyncio.wait_for(collect(), 30)))
