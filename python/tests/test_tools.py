"""llm_sse.tools: the server-side tool loop, sync and async, as one stream."""

import asyncio
import json
import logging
import threading

import pytest
from fakes import AsyncScriptedClient, ScriptedClient, chunk, finish, tool_call_chunks
from hypothesis import given
from hypothesis import strategies as st

from llm_sse import Event
from llm_sse.resume import MemoryStore, Runner
from llm_sse.tools import Tool, ToolError, arun, run

USAGE = {'prompt_tokens': 10, 'completion_tokens': 2, 'total_tokens': 12}


def three_steps() -> list:
    """Step 1 calls get_time, step 2 calls echo, step 3 answers."""
    return [
        [
            chunk('Let me look.'),
            *tool_call_chunks(0, 'call_a', 'get_time', '{"tz": "UTC"}'),
            finish('tool_calls', USAGE),
        ],
        [*tool_call_chunks(0, 'call_b', 'echo', '{"x": 1}'), finish('tool_calls', USAGE)],
        [chunk('It is '), chunk('noon.'), finish('stop', USAGE)],
    ]


def get_time(args):
    """The current time."""
    return {'time': '12:00', 'tz': args['tz']}


def echo(args):
    return args


def payloads(evs: list[Event]) -> list[dict]:
    return [json.loads(e.data) for e in evs]


def collect(agen) -> list[Event]:
    async def go():
        return [ev async for ev in agen]

    return asyncio.run(asyncio.wait_for(go(), 30))


def kinds(evs: list[Event]) -> list[str]:
    out = []
    for p in payloads(evs):
        key = next((k for k in ('tool_calls', 'tool_result', 'status', 'error') if k in p), 'content')
        out.append(key)
    return out


def check_three_steps(client: ScriptedClient, evs: list[Event], answers: list) -> None:
    p = payloads(evs)
    # One stream: ids count on over the steps, one end marker, at the end.
    assert [e.id for e in evs] == [f's:{n}' for n in range(len(evs))]
    assert [x.get('status') for x in p].count('completed') == 1 and p[-1]['status'] == 'completed'
    results = [x['tool_result'] for x in p if 'tool_result' in x]
    assert results == [
        {'id': 'call_a', 'name': 'get_time', 'output': {'time': '12:00', 'tz': 'UTC'}},
        {'id': 'call_b', 'name': 'echo', 'output': {'x': 1}},
    ]
    # The second step's call is index 1 of the stream, not the model's 0.
    firsts = [x['tool_calls'][0] for x in p if 'tool_calls' in x and 'id' in x['tool_calls'][0]]
    assert [(f['index'], f['id'], f['function']['name']) for f in firsts] == [
        (0, 'call_a', 'get_time'),
        (1, 'call_b', 'echo'),
    ]
    # Exactly three generations, each with the whole history so far.
    assert len(client.requests) == 3
    second = client.requests[1]['messages']
    assert second[1] == {
        'role': 'assistant',
        'content': 'Let me look.',
        'tool_calls': [
            {'id': 'call_a', 'type': 'function', 'function': {'name': 'get_time', 'arguments': '{"tz": "UTC"}'}}
        ],
    }
    assert second[2] == {'role': 'tool', 'tool_call_id': 'call_a', 'content': '{"time": "12:00", "tz": "UTC"}'}
    third = client.requests[2]['messages']
    assert [m['role'] for m in third] == ['user', 'assistant', 'tool', 'assistant', 'tool']
    assert third[3]['content'] is None
    assert client.requests[0]['tools'][0] == {
        'type': 'function',
        'function': {
            'name': 'get_time',
            'description': 'The current time.',
            'parameters': {'type': 'object', 'properties': {}},
        },
    }
    assert client.requests[0]['stream'] is True and client.requests[0]['model'] == 'm'
    (answer,) = answers
    assert answer.text == 'Let me look.It is noon.'
    assert [c.id for c in answer.tool_calls] == ['call_a', 'call_b']
    assert answer.usage == {'prompt_tokens': 30, 'completion_tokens': 6, 'total_tokens': 36}
    assert answer.finish_reason == 'stop'


def test_a_three_step_loop_is_one_stream_with_three_generations():
    client = ScriptedClient(three_steps())
    answers = []
    messages = [{'role': 'user', 'content': 'time?'}]
    evs = list(
        run(
            client,
            messages,
            model='m',
            tools={'get_time': get_time, 'echo': echo},
            stream_id='s',
            on_complete=answers.append,
        )
    )
    check_three_steps(client, evs, answers)
    assert messages == [{'role': 'user', 'content': 'time?'}]  # the caller's list is not changed
    assert all(u.closed for u in client.upstreams)


def test_the_async_loop_streams_the_same_events():
    async def aget_time(args):
        await asyncio.sleep(0)
        return get_time(args)

    client = AsyncScriptedClient(three_steps())
    answers = []
    evs = collect(
        arun(
            client,
            [{'role': 'user', 'content': 'time?'}],
            model='m',
            tools={'get_time': Tool(aget_time, 'The current time.'), 'echo': echo},
            stream_id='s',
            on_complete=answers.append,
        )
    )
    check_three_steps(client, evs, answers)


@pytest.mark.parametrize('mode', ['sync', 'async'])
def test_a_failing_call_is_a_tool_result_error_and_the_loop_goes_on(mode, caplog):
    def boom(args):
        raise RuntimeError('secret detail sk-123')

    def refuse(args):
        raise ToolError('no such timezone')

    steps = [
        [
            *tool_call_chunks(0, 'c1', 'boom', '{}'),
            *tool_call_chunks(1, 'c2', 'refuse', '{}'),
            *tool_call_chunks(2, 'c3', 'nope', '{}'),
            *tool_call_chunks(3, 'c4', 'echo', '{"x": '),
            finish('tool_calls'),
        ],
        [chunk('Sorry.'), finish('stop')],
    ]
    tools = {'boom': boom, 'refuse': refuse, 'echo': echo}
    client = (ScriptedClient if mode == 'sync' else AsyncScriptedClient)(steps)
    with caplog.at_level(logging.INFO, logger='llm_sse'):
        if mode == 'sync':
            evs = list(run(client, [{'role': 'user', 'content': 'x'}], model='m', tools=tools))
        else:
            evs = collect(arun(client, [{'role': 'user', 'content': 'x'}], model='m', tools=tools))
    p = payloads(evs)
    assert [x['tool_result'] for x in p if 'tool_result' in x] == [
        {'id': 'c1', 'name': 'boom', 'error': 'the tool failed'},
        {'id': 'c2', 'name': 'refuse', 'error': 'no such timezone'},
        {'id': 'c3', 'name': 'nope', 'error': 'unknown tool'},
        {'id': 'c4', 'name': 'echo', 'error': 'the arguments are not valid JSON'},
    ]
    assert p[-2:] == [{'content': 'Sorry.'}, {'content': '', 'status': 'completed'}]
    # The model sees the same errors; the details only reach the log.
    tool_messages = [m for m in client.requests[1]['messages'] if m['role'] == 'tool']
    assert json.loads(tool_messages[0]['content']) == {'error': 'the tool failed'}
    assert 'sk-123' not in ''.join(e.data for e in evs) and 'sk-123' not in json.dumps(client.requests[1])
    assert 'sk-123' in caplog.text and 'RuntimeError' in caplog.text
    assert "unknown tool 'nope'" in caplog.text


def test_max_steps_runs_the_last_calls_then_ends_without_a_follow_up(caplog):
    client = ScriptedClient(three_steps())
    answers = []
    with caplog.at_level(logging.INFO, logger='llm_sse'):
        evs = list(
            run(
                client,
                [{'role': 'user', 'content': 'x'}],
                model='m',
                tools={'get_time': get_time, 'echo': echo},
                max_steps=2,
                on_complete=answers.append,
            )
        )
    assert len(client.requests) == 2
    assert kinds(evs)[-2:] == ['tool_result', 'status']
    assert answers[0].finish_reason == 'tool_calls'
    assert 'max_steps (2) reached' in caplog.text


def test_an_upstream_that_fails_before_the_first_event_is_the_first_event():
    client = ScriptedClient([ConnectionError('refused')])
    evs = list(run(client, [{'role': 'user', 'content': 'x'}], model='m', tools={'echo': echo}))
    assert len(evs) == 1 and evs[0].failure is not None and evs[0].failure.status == 502


def test_a_later_step_cut_short_ends_the_stream_with_an_error_and_no_end_marker():
    steps = [[*tool_call_chunks(0, 'c', 'echo', '{}'), finish('tool_calls')], [chunk('partial')]]
    evs = list(run(ScriptedClient(steps), [{'role': 'user', 'content': 'x'}], model='m', tools={'echo': echo}))
    assert evs[-1].event == 'error' and json.loads(evs[-1].data)['error']['type'] == 'upstream_truncated'
    assert 'completed' not in ''.join(e.data for e in evs)


def test_an_oversized_call_is_answered_with_an_error_and_the_other_calls_run():
    steps = [
        [*tool_call_chunks(0, 'c1', 'echo', '{"x": "' + 'a' * 100 + '"}'), *tool_call_chunks(1, 'c2', 'echo', '{}')],
        [chunk('ok'), finish('stop')],
    ]
    steps[0].append(finish('tool_calls'))
    evs = list(
        run(
            ScriptedClient(steps),
            [{'role': 'user', 'content': 'x'}],
            model='m',
            tools={'echo': echo},
            max_argument_bytes=50,
        )
    )
    results = [x['tool_result'] for x in payloads(evs) if 'tool_result' in x]
    assert results == [
        {'id': 'c1', 'name': 'echo', 'error': 'the arguments are too large'},
        {'id': 'c2', 'name': 'echo', 'output': {}},
    ]


def test_bad_options_raise_at_once():
    client = ScriptedClient([])
    with pytest.raises(ValueError, match='max_steps'):
        run(client, [], model='m', tools={'echo': echo}, max_steps=0)
    with pytest.raises(ValueError, match='at least one tool'):
        run(client, [], model='m', tools={})
    with pytest.raises(TypeError):
        run(client, [], model='m', tools={'x': 'not callable'})
    with pytest.raises(ValueError, match='format'):
        run(client, [], model='m', tools={'echo': echo}, format='xml')


def test_a_tool_loop_runs_detached_and_resumes_from_any_event():
    runner = Runner(MemoryStore(), drain=0)
    client = ScriptedClient(three_steps())
    release = threading.Event()

    def slow_echo(args):
        release.wait(10)
        return args

    stream_id = runner.start(
        lambda sid: run(
            client,
            [{'role': 'user', 'content': 'x'}],
            model='m',
            tools={'get_time': get_time, 'echo': slow_echo},
            stream_id=sid,
        )
    )
    assert isinstance(stream_id, str)
    first = runner.follow(stream_id)
    head = [next(first) for _ in range(3)]
    first.close()  # the client went away mid-stream; the generation goes on
    release.set()
    whole = b''.join(runner.follow(stream_id))
    rest = b''.join(runner.follow(stream_id, after=2))
    assert whole.startswith(b''.join(head)) and whole.endswith(rest)
    assert whole.count(b'"status": "completed"') == 1 and b'tool_result' in rest
    assert len(client.requests) == 3  # resuming read the store, it never asked the model again
    runner.close()


@given(st.text(max_size=60), st.integers(min_value=1, max_value=9))
def test_arguments_split_anywhere_reach_the_tool_whole(text, size):
    arguments = json.dumps({'q': text})
    seen = []
    steps = [[*tool_call_chunks(0, 'c', 'echo', arguments, size), finish('tool_calls')], [chunk('ok'), finish('stop')]]
    list(
        run(
            ScriptedClient(steps),
            [{'role': 'user', 'content': 'x'}],
            model='m',
            tools={'echo': lambda a: seen.append(a)},
        )
    )
    assert seen == [{'q': text}]
