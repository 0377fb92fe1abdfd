"""useChat's routes on real Flask and FastAPI servers: the stream, bad bodies, and resume by chat id."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from typing import Any, Callable

import httpx
import pytest
from fastapi import FastAPI, Request
from flask import Flask
from redis_server import RedisServer, redis_server  # noqa: F401 (fixture)
from servers import serve_asgi, serve_wsgi
from ui_message_reference import decode

from llm_sse.ai_sdk import flask as aflask
from llm_sse.ai_sdk import starlette as astarlette
from llm_sse.flask import install_error_handlers as flask_errors
from llm_sse.resume import MemoryStore, Runner
from llm_sse.resume.aio import AsyncMemoryStore, AsyncRunner
from llm_sse.resume.redis_async import AsyncRedisStore
from llm_sse.resume.redis_store import RedisStore
from llm_sse.starlette import install_error_handlers as starlette_errors


class Model:
    """A fake upstream: each generation yields ``first``, waits for ``gate``, yields ``rest``; counts generations."""

    def __init__(self, first: list[str], rest: list[str]) -> None:
        self.first, self.rest = first, rest
        self.gate = threading.Event()
        self.generations = 0

    def __call__(self, messages: list[dict[str, Any]]) -> Iterator[str]:
        self.generations += 1
        self.messages = messages
        return self._run()

    def _run(self) -> Iterator[str]:
        yield from self.first
        if not self.gate.wait(20):
            raise TimeoutError('the test never opened the gate')
        yield from self.rest


def flask_app(model: Model, resumable: Callable[[], Any] | None) -> Flask:
    app = Flask(__name__)
    flask_errors(app)
    chats = aflask.ChatStreams(Runner(resumable())) if resumable else None

    @app.post('/api/chat')
    def chat():  # type: ignore[no-untyped-def]
        req = aflask.read_chat()
        if chats is None:
            return aflask.stream(model(req.messages))
        return chats.stream(req.id, model(req.messages))

    @app.get('/api/chat/<chat_id>/stream')
    def chat_stream(chat_id: str):  # type: ignore[no-untyped-def]
        return chats.resume(chat_id) if chats is not None else aflask.no_stream()

    return app


def fastapi_app(model: Model, resumable: Callable[[], Any] | None) -> FastAPI:
    app = FastAPI()
    starlette_errors(app)
    chats = astarlette.AsyncChatStreams(AsyncRunner(resumable())) if resumable else None

    @app.post('/api/chat')
    async def chat(request: Request):  # type: ignore[no-untyped-def]
        req = await astarlette.read_chat(request)
        if chats is None:
            return await astarlette.stream(model(req.messages))
        return await chats.stream(req.id, model(req.messages))

    @app.get('/api/chat/{chat_id}/stream')
    async def chat_stream(chat_id: str):  # type: ignore[no-untyped-def]
        return await chats.resume(chat_id) if chats is not None else astarlette.no_stream()

    return app


BODY = {
    'id': 'chat-1',
    'trigger': 'submit-message',
    'messages': [{'id': 'u1', 'role': 'user', 'parts': [{'type': 'text', 'text': 'Hi'}]}],
}


@pytest.mark.parametrize(('app', 'serve'), [(flask_app, serve_wsgi), (fastapi_app, serve_asgi)])
def test_a_usechat_request_gets_the_ui_message_stream_with_its_header(app, serve) -> None:
    model = Model(['Hel', 'lo'], [])
    model.gate.set()
    with serve(app(model, None)) as url:
        res = httpx.post(f'{url}/api/chat', json=BODY, timeout=20)
    assert res.status_code == 200
    assert res.headers['x-vercel-ai-ui-message-stream'] == 'v1'
    assert res.headers['content-type'].startswith('text/event-stream')
    assert decode(res.content).parts == [('text', 'Hello')]
    assert model.messages == [{'role': 'user', 'content': 'Hi'}]


@pytest.mark.parametrize(('app', 'serve'), [(flask_app, serve_wsgi), (fastapi_app, serve_asgi)])
def test_a_bad_body_is_a_json_400_naming_the_field_and_the_model_is_never_asked(app, serve) -> None:
    model = Model([], [])
    with serve(app(model, None)) as url:
        res = httpx.post(f'{url}/api/chat', json={**BODY, 'messages': [{'role': 'user', 'parts': 'x'}]}, timeout=20)
    assert res.status_code == 400
    assert '"messages[0].parts"' in res.json()['error']['message']
    assert model.generations == 0


def _resume_once(url: str, model: Model) -> None:
    with httpx.Client(timeout=20) as http:
        with http.stream('POST', f'{url}/api/chat', json=BODY) as first:
            assert first.headers['x-vercel-ai-ui-message-stream'] == 'v1'
            seen = b''
            for part in first.iter_bytes():
                seen += part
                if b'"delta": "b"' in seen:
                    break  # the page reloads mid-answer
        for _ in range(2):  # two reloads, one generation
            with http.stream('GET', f'{url}/api/chat/chat-1/stream') as again:
                assert again.status_code == 200
                assert again.headers['x-vercel-ai-ui-message-stream'] == 'v1'
                if _ == 1:
                    model.gate.set()
                    body = again.read()
                    assert decode(body).parts == [('text', 'abcd')]
        deadline = time.monotonic() + 10
        while (gone := http.get(f'{url}/api/chat/chat-1/stream')).status_code != 204:
            assert time.monotonic() < deadline, 'the ended stream stayed active'
            gone.read()
            time.sleep(0.05)
        assert http.get(f'{url}/api/chat/other-chat/stream').status_code == 204
        assert http.get(f'{url}/api/chat/a%2Fb/stream').status_code in (400, 404)
    assert model.generations == 1


def test_flask_resume_by_chat_id_continues_the_answer_in_memory() -> None:
    model = Model(['a', 'b'], ['c', 'd'])
    with serve_wsgi(flask_app(model, MemoryStore)) as url:
        _resume_once(url, model)


def test_fastapi_resume_by_chat_id_continues_the_answer_in_memory() -> None:
    model = Model(['a', 'b'], ['c', 'd'])
    with serve_asgi(fastapi_app(model, AsyncMemoryStore)) as url:
        _resume_once(url, model)


def test_flask_and_fastapi_resume_by_chat_id_on_redis(redis_server: RedisServer) -> None:  # noqa: F811
    model = Model(['a', 'b'], ['c', 'd'])
    with serve_wsgi(flask_app(model, lambda: RedisStore.from_url(redis_server.url, prefix='aisdk-f'))) as url:
        _resume_once(url, model)
    model = Model(['a', 'b'], ['c', 'd'])
    with serve_asgi(fastapi_app(model, lambda: AsyncRedisStore.from_url(redis_server.url, prefix='aisdk-a'))) as url:
        _resume_once(url, model)
