"""The Flask and Starlette adapters on real servers: heartbeats, errors before and after the first token, disconnects."""

from __future__ import annotations

import asyncio
import json
import threading
import time
from collections.abc import AsyncIterator, Iterator
from typing import Any, Callable

import httpx
import pytest
from fastapi import FastAPI, Request
from flask import Flask
from servers import serve_asgi, serve_wsgi
from sse_reference import parse

from llm_sse import BodyError
from llm_sse import flask as flask_sse
from llm_sse import starlette as starlette_sse


class Upstream:
    """Tokens with a pause before each, as a sync or an async iterator; records how far it got and its close."""

    def __init__(self, tokens: list[str], gap: float = 0.0, fail_at: int | None = None) -> None:
        self.tokens = tokens
        self.gap = gap
        self.fail_at = fail_at
        self.sent = 0
        self.closed = threading.Event()

    def sync(self) -> Iterator[str]:
        try:
            for i, token in enumerate(self.tokens):
                time.sleep(self.gap)
                if i == self.fail_at:
                    raise ConnectionResetError('upstream said: sk-secret-key')
                self.sent += 1
                yield token
        finally:
            self.closed.set()

    async def aio(self) -> AsyncIterator[str]:
        try:
            for i, token in enumerate(self.tokens):
                await asyncio.sleep(self.gap)
                if i == self.fail_at:
                    raise ConnectionResetError('upstream said: sk-secret-key')
                self.sent += 1
                yield token
        finally:
            self.closed.set()


Make = Callable[[Upstream, float], Any]


def flask_app(make_upstream: Callable[[], Upstream], heartbeat: float, outcomes: list[str]) -> Any:
    app = Flask(__name__)
    flask_sse.install_error_handlers(app)

    @app.get('/s')
    def s() -> Any:
        return flask_sse.stream(make_upstream().sync(), heartbeat=heartbeat, on_end=outcomes.append)

    @app.post('/body')
    def body() -> Any:
        return {'got': flask_sse.read_json(max_bytes=1000)}

    return app


def fastapi_app(
    make_upstream: Callable[[], Upstream], heartbeat: float, outcomes: list[str], sync: bool = False
) -> Any:
    app = FastAPI()
    starlette_sse.install_error_handlers(app)

    @app.get('/s')
    async def s() -> Any:
        up = make_upstream()
        return await starlette_sse.stream(up.sync() if sync else up.aio(), heartbeat=heartbeat, on_end=outcomes.append)

    @app.post('/body')
    async def body(request: Request) -> Any:
        return {'got': await starlette_sse.read_json(request, max_bytes=1000)}

    return app


KINDS = ['flask', 'fastapi', 'fastapi-sync-upstream']


def serve(kind: str, make_upstream: Callable[[], Upstream], heartbeat: float, outcomes: list[str]) -> Any:
    if kind == 'flask':
        return serve_wsgi(flask_app(make_upstream, heartbeat, outcomes))
    return serve_asgi(fastapi_app(make_upstream, heartbeat, outcomes, sync=kind == 'fastapi-sync-upstream'))


def wait_for(check: Callable[[], bool], seconds: float = 10) -> bool:
    deadline = time.monotonic() + seconds
    while not check():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.01)
    return True


@pytest.mark.parametrize('kind', KINDS)
def test_a_stream_has_the_headers_ids_and_end_marker(kind: str) -> None:
    outcomes: list[str] = []
    with serve(kind, lambda: Upstream(['a', 'b']), 15, outcomes) as url:
        r = httpx.get(f'{url}/s', timeout=10)
    assert r.status_code == 200
    assert r.headers['content-type'] == 'text/event-stream; charset=utf-8'
    assert r.headers['cache-control'] == 'no-cache'
    assert r.headers['x-accel-buffering'] == 'no'
    events, _ = parse(r.content)
    assert [json.loads(e.data) for e in events] == [
        {'content': 'a'},
        {'content': 'b'},
        {'content': '', 'status': 'completed'},
    ]
    assert all(e.id for e in events)
    assert wait_for(lambda: outcomes == ['completed'])


@pytest.mark.parametrize('kind', KINDS)
def test_heartbeats_flow_while_the_upstream_is_silent_even_before_the_first_token(kind: str) -> None:
    with serve(kind, lambda: Upstream(['a', 'b'], gap=0.6), 0.1, []) as url:
        r = httpx.get(f'{url}/s', timeout=10)
    assert r.status_code == 200
    events, comments = parse(r.content)
    assert [json.loads(e.data)['content'] for e in events] == ['a', 'b', '']
    # 0.6 s of silence before each token at a 0.1 s interval: several each time.
    text = r.text
    assert text.startswith(': keep-alive\n\n')
    assert text.split('data:')[1].count(': keep-alive') >= 2
    assert len(comments) >= 4


@pytest.mark.parametrize('kind', KINDS)
def test_a_failure_before_the_first_token_is_a_json_error_with_a_status(kind: str) -> None:
    outcomes: list[str] = []
    with serve(kind, lambda: Upstream(['a'], fail_at=0), 15, outcomes) as url:
        r = httpx.get(f'{url}/s', timeout=10)
    assert r.status_code == 502
    assert r.headers['content-type'] == 'application/json'
    assert r.json()['error']['type'] == 'upstream_error'
    assert 'sk-' not in r.text
    assert wait_for(lambda: outcomes == ['error'])


@pytest.mark.parametrize('kind', KINDS)
def test_a_failure_after_the_first_token_is_an_error_event_then_a_clean_end(kind: str) -> None:
    outcomes: list[str] = []
    with serve(kind, lambda: Upstream(['a', 'b', 'c'], fail_at=2), 15, outcomes) as url:
        r = httpx.get(f'{url}/s', timeout=10)
    assert r.status_code == 200
    events, _ = parse(r.content)
    assert [e.event for e in events] == ['message', 'message', 'error']
    assert (
        json.loads(events[-1].data)['error']['message']
        == 'the upstream LLM server sent a stream that could not be read'
    )
    assert 'sk-' not in r.text
    assert wait_for(lambda: outcomes == ['error'])


@pytest.mark.parametrize('kind', KINDS)
def test_a_client_that_goes_away_stops_the_upstream(kind: str) -> None:
    outcomes: list[str] = []
    up = Upstream([str(i) for i in range(200)], gap=0.05)
    with serve(kind, lambda: up, 15, outcomes) as url:
        with httpx.stream('GET', f'{url}/s', timeout=10) as r:
            seen = 0
            for line in r.iter_lines():
                seen += line.startswith('data:')
                if seen == 3:
                    break
        # 200 tokens at 50 ms would take 10 s: closed long before.
        assert up.closed.wait(5)
        assert up.sent < 50
        assert wait_for(lambda: outcomes == ['disconnected'])


@pytest.mark.parametrize('kind', ['flask', 'fastapi'])
def test_read_json_refuses_large_and_deeply_nested_bodies_with_json_errors(kind: str) -> None:
    with serve(kind, lambda: Upstream([]), 15, []) as url:
        ok = httpx.post(f'{url}/body', content=b'{"prompt": "hi"}')
        large = httpx.post(f'{url}/body', content=b'"' + b'x' * 2000 + b'"')
        chunked = httpx.post(f'{url}/body', content=iter([b'"', b'x' * 600, b'x' * 600, b'"']))
        deep = httpx.post(f'{url}/body', content=b'[' * 999)
        bad = httpx.post(f'{url}/body', content=b'{nope')
    assert ok.json() == {'got': {'prompt': 'hi'}}
    assert (large.status_code, large.json()['error']['type']) == (413, 'body_too_large')
    assert chunked.status_code == 413
    assert (deep.status_code, deep.json()['error']['message']) == (400, 'the request body is JSON nested too deeply')
    assert bad.status_code == 400


def test_body_error_is_a_400_or_413_failure() -> None:
    assert BodyError(413, 'x').failure().type == 'body_too_large'
    assert BodyError(400, 'x').failure().status == 400
