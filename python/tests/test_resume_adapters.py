"""The Flask and Starlette glue: resume, errors before the stream, the cancel route."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Iterator

from flask import Flask
from redis_server import free_port
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route
from starlette.testclient import TestClient

from llm_sse.resume import MemoryStore, Runner
from llm_sse.resume import flask as rflask
from llm_sse.resume import starlette as rstarlette
from llm_sse.resume.aio import AsyncMemoryStore, AsyncRunner
from llm_sse.resume.redis_async import AsyncRedisStore
from llm_sse.resume.redis_store import RedisStore


class Upstream:
    """An iterable of tokens that records whether it was closed."""

    def __init__(self, tokens: list[str]) -> None:
        self.tokens = tokens
        self.closed = False

    def __iter__(self) -> Iterator[str]:
        return iter(self.tokens)

    def close(self) -> None:
        self.closed = True


def events_of(body: bytes) -> list[dict[str, str]]:
    out = []
    for frame in body.decode().split('\n\n'):
        ev = dict(line.split(': ', 1) for line in frame.split('\n') if line and not line.startswith(':'))
        if ev:
            out.append(ev)
    return out


def flask_app(runner: Runner, upstream: Upstream) -> Flask:
    app = Flask(__name__)

    @app.post('/chat')
    def chat():  # type: ignore[no-untyped-def]
        return rflask.resume(runner) or rflask.stream(runner, upstream)

    @app.post('/stream/<stream_id>/cancel')
    def cancel(stream_id: str):  # type: ignore[no-untyped-def]
        return rflask.cancel_response(runner, stream_id)

    return app


def test_flask_stream_then_resume_from_any_event_by_header_or_query() -> None:
    runner = Runner(MemoryStore())
    client = flask_app(runner, Upstream(['a', 'b', 'c'])).test_client()
    first = client.post('/chat')
    assert first.status_code == 200
    events = events_of(first.data)
    assert [json.loads(e['data']).get('content') for e in events] == ['a', 'b', 'c', '']
    sid = first.headers['X-Stream-Id']
    assert events[0]['id'] == f'{sid}:0'
    rest = events_of(client.post('/chat', headers={'Last-Event-ID': f'{sid}:1'}).data)
    assert [e['id'] for e in rest] == [f'{sid}:2', f'{sid}:3']
    by_query = events_of(client.post(f'/chat?lastEventId={sid}:2').data)
    assert [e['id'] for e in by_query] == [f'{sid}:3']


def test_flask_resume_errors_are_json_with_a_status() -> None:
    client = flask_app(Runner(MemoryStore()), Upstream([])).test_client()
    assert client.post('/chat', headers={'Last-Event-ID': 'not-ours'}).status_code == 400
    missing = client.post('/chat', headers={'Last-Event-ID': 'a' * 32 + ':0'})
    assert missing.status_code == 404
    assert missing.json == {
        'error': {'message': 'this stream does not exist or has expired', 'type': 'stream_not_found'}
    }
    assert client.post(f'/stream/{"b" * 32}/cancel').status_code == 404
    assert client.post('/stream/NOT-AN-ID/cancel').status_code == 404


def test_flask_store_down_answers_503_and_closes_the_upstream() -> None:
    down = RedisStore.from_url(f'redis://127.0.0.1:{free_port()}/0')
    upstream = Upstream(['a'])
    client = flask_app(Runner(down), upstream).test_client()
    res = client.post('/chat')
    assert res.status_code == 503
    assert (res.json or {})['error']['type'] == 'store_unavailable'
    assert upstream.closed


class AsyncUpstream:
    def __init__(self, tokens: list[str]) -> None:
        self.tokens = tokens
        self.closed = False

    def __aiter__(self) -> AsyncIterator[str]:
        return self._gen()

    async def _gen(self) -> AsyncIterator[str]:
        for t in self.tokens:
            yield t

    async def aclose(self) -> None:
        self.closed = True


def starlette_app(runner: AsyncRunner, upstream: AsyncUpstream) -> Starlette:
    async def chat(request: Request) -> Response:
        return await rstarlette.resume(runner, request) or await rstarlette.stream(runner, upstream)

    async def cancel(request: Request) -> Response:
        return await rstarlette.cancel_response(runner, request.path_params['stream_id'])

    return Starlette(
        routes=[Route('/chat', chat, methods=['POST']), Route('/stream/{stream_id}/cancel', cancel, methods=['POST'])]
    )


def test_starlette_stream_then_resume() -> None:
    with TestClient(starlette_app(AsyncRunner(AsyncMemoryStore()), AsyncUpstream(['x', 'y']))) as client:
        first = client.post('/chat')
        assert first.status_code == 200
        sid = first.headers['x-stream-id']
        assert [json.loads(e['data']).get('content') for e in events_of(first.content)] == ['x', 'y', '']
        rest = events_of(client.post('/chat', headers={'Last-Event-ID': f'{sid}:0'}).content)
        assert [e['id'] for e in rest] == [f'{sid}:1', f'{sid}:2']
        assert client.post('/chat', headers={'Last-Event-ID': 'x'}).status_code == 400
        assert client.post(f'/stream/{"c" * 32}/cancel').status_code == 404


def test_starlette_store_down_answers_503_and_closes_the_upstream() -> None:
    upstream = AsyncUpstream(['a'])
    down = AsyncRedisStore.from_url(f'redis://127.0.0.1:{free_port()}/0')
    with TestClient(starlette_app(AsyncRunner(down), upstream)) as client:
        res = client.post('/chat')
    assert res.status_code == 503
    assert upstream.closed
