"""What a route that cannot resume does with a resume request, and which end event each format gets."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Iterator
from typing import Any

import httpx
import pytest
from fastapi import FastAPI, Request
from flask import Flask
from servers import serve_asgi, serve_wsgi
from sse_reference import parse

from llm_sse import aevents, events
from llm_sse import flask as flask_sse
from llm_sse import starlette as starlette_sse
from llm_sse.resume import MemoryStore, Runner
from llm_sse.resume import flask as resume_flask


def flask_app(opened: list[str]) -> Any:
    """A non-resumable route as the kit's docs write it: refuse a resume before opening the upstream."""
    app = Flask(__name__)

    @app.route('/s', methods=['GET', 'POST'])
    def s() -> Any:
        refused = flask_sse.refuse_resume({'X-Request-Id': 'r1'})
        if refused is not None:
            return refused
        opened.append('upstream')
        return flask_sse.stream(iter(['a', 'b']))

    return app


def fastapi_app(opened: list[str]) -> Any:
    app = FastAPI()

    @app.api_route('/s', methods=['GET', 'POST'])
    async def s(request: Request) -> Any:
        refused = starlette_sse.refuse_resume(request, {'X-Request-Id': 'r1'})
        if refused is not None:
            return refused

        async def tokens() -> AsyncIterator[str]:
            for t in ['a', 'b']:
                await asyncio.sleep(0)
                yield t

        opened.append('upstream')
        return await starlette_sse.stream(tokens())

    return app


def serve(kind: str, opened: list[str]) -> Any:
    return serve_wsgi(flask_app(opened)) if kind == 'flask' else serve_asgi(fastapi_app(opened))


@pytest.mark.parametrize('kind', ['flask', 'fastapi'])
@pytest.mark.parametrize(
    ('method', 'headers', 'query'),
    [
        ('GET', {'Last-Event-ID': 'abc:3'}, ''),
        ('POST', {'Last-Event-ID': 'abc:3'}, ''),
        # EventSource cannot set headers: the SDK and pages put the id in the query.
        ('GET', {}, '?lastEventId=abc%3A3'),
    ],
)
def test_a_resume_request_is_refused_with_409_and_starts_no_generation(
    kind: str, method: str, headers: dict[str, str], query: str
) -> None:
    opened: list[str] = []
    with serve(kind, opened) as url:
        r = httpx.request(method, f'{url}/s{query}', headers=headers, json={'prompt': 'hi'}, timeout=10)
        # The same route still streams a fresh request.
        fresh = httpx.request(method, f'{url}/s', json={'prompt': 'hi'}, timeout=10)
    assert r.status_code == 409
    assert r.headers['content-type'].startswith('application/json')
    assert r.headers['x-request-id'] == 'r1'
    error = r.json()['error']
    assert (error['type'], error['message']) == ('not_resumable', 'this stream cannot be resumed; start a new request')
    assert fresh.status_code == 200
    assert [json.loads(e.data)['content'] for e in parse(fresh.content)[0]] == ['a', 'b', '']
    # Only the fresh request opened an upstream: no second, billed generation.
    assert opened == ['upstream']


@pytest.mark.parametrize('kind', ['flask', 'fastapi'])
def test_an_empty_last_event_id_asks_nothing_and_streams(kind: str) -> None:
    opened: list[str] = []
    with serve(kind, opened) as url:
        r = httpx.get(f'{url}/s?lastEventId=', headers={'Last-Event-ID': ''}, timeout=10)
    assert r.status_code == 200
    assert opened == ['upstream']


def test_json_end_event_has_empty_content_and_repr_can_still_repeat_the_last_token() -> None:
    meta = {'request_id': 'r'}
    assert json.loads(list(events(['a', 'b'], meta=meta))[-1].data) == {
        'content': '',
        'request_id': 'r',
        'status': 'completed',
    }
    assert list(events(['a', 'b'], format='repr', meta=meta, repeat_last=True))[-1].data == (
        "{'content': 'b', 'request_id': 'r', 'status': 'completed'}"
    )


def test_repeat_last_with_json_raises_at_once_not_inside_the_generation() -> None:
    closed: list[bool] = []

    def upstream() -> Iterator[str]:
        try:
            yield 'a'
        finally:
            closed.append(True)

    # Raised by the call itself, before any event: a route fails loudly, no stream starts.
    with pytest.raises(ValueError, match="repeat_last is for format='repr'"):
        events(upstream(), format='json', repeat_last=True)
    with pytest.raises(ValueError, match="repeat_last is for format='repr'"):
        aevents(_aiter(['a']), repeat_last=True)
    with pytest.raises(ValueError, match='format must be one of'):
        events(['a'], format='yaml')  # type: ignore[arg-type]


def test_resumable_flask_stream_refuses_repeat_last_with_json_in_the_route() -> None:
    runner = Runner(MemoryStore())
    app = Flask(__name__)

    @app.get('/s')
    def s() -> Any:
        return resume_flask.stream(runner, iter(['a']), repeat_last=True)

    with app.test_request_context('/s'), pytest.raises(ValueError, match="repeat_last is for format='repr'"):
        s()


async def _aiter(items: list[str]) -> AsyncIterator[str]:
    for item in items:
        yield item
