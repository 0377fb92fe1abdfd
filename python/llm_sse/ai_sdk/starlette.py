"""Starlette and FastAPI routes for the AI SDK's ``useChat`` (see :mod:`llm_sse.ai_sdk.flask`).

.. code-block:: python

    from llm_sse.ai_sdk.starlette import read_chat, stream

    @app.post('/api/chat')
    async def chat(request: Request):
        req = await read_chat(request)
        return await stream(await client.chat.completions.create(model=MODEL, messages=req.messages, stream=True))

Resumable: ``chats = AsyncChatStreams(AsyncRunner(async_store_from_env()))``,
then ``await chats.stream(req.id, upstream)`` and, on
``GET /api/chat/{chat_id}/stream``, ``await chats.resume(chat_id)``.
"""

from __future__ import annotations

from collections.abc import AsyncIterable, AsyncIterator, Awaitable, Iterable, Mapping
from typing import Any, Callable, Optional, Union

from starlette.requests import Request
from starlette.responses import Response

from ..body import MAX_BODY_BYTES
from ..event import Event
from ..failure import Failure
from ..generation import Answer, aclose, aevents, events
from ..pump import Outcome
from ..resume.aio import AsyncRunner
from ..resume.starlette import _follow
from ..resume.starlette import respond as respond_detached
from ..resume.store import StoreUnavailable
from ..starlette import HEARTBEAT_SECONDS, _from_thread, error_response, read_json
from ..starlette import stream as stream_events
from ..upstream import interrupt
from .active import AsyncActiveStreams, async_active_streams_for
from .request import ChatRequest, chat_request, valid_chat_id
from .routes import BAD_CHAT_ID, GONE, UI_HEADERS, UNAVAILABLE, atrack


async def read_chat(
    request: Request, max_bytes: int = MAX_BODY_BYTES, *, system: Optional[str] = None, allow_system: bool = False
) -> ChatRequest:
    """The request's ``useChat`` body, checked and mapped; raises :class:`~llm_sse.BodyError` (400, 413)."""
    return chat_request(await read_json(request, max_bytes), system=system, allow_system=allow_system)


async def stream(
    upstream: Union[AsyncIterable[Any], Iterable[Any]],
    *,
    heartbeat: Optional[float] = HEARTBEAT_SECONDS,
    on_end: Optional[Callable[[Outcome], None]] = None,
    headers: Optional[Mapping[str, str]] = None,
    stream_id: Optional[str] = None,
    meta: Optional[Mapping[str, Any]] = None,
    on_complete: Optional[Callable[[Answer], None]] = None,
) -> Response:
    """``llm_sse.starlette.stream(upstream, format='ai-sdk', ...)``."""
    return await stream_events(
        upstream,
        heartbeat=heartbeat,
        on_end=on_end,
        headers=headers,
        stream_id=stream_id,
        format='ai-sdk',
        meta=meta,
        on_complete=on_complete,
    )


def no_stream() -> Response:
    """204: nothing to resume."""
    return Response(status_code=204)


class AsyncChatStreams:
    """:class:`llm_sse.ai_sdk.flask.ChatStreams` on an :class:`~llm_sse.resume.aio.AsyncRunner`."""

    def __init__(self, runner: AsyncRunner, active: Optional[AsyncActiveStreams] = None) -> None:
        self.runner = runner
        self.active = active if active is not None else async_active_streams_for(runner.store)

    async def stream(
        self,
        chat_id: str,
        upstream: Union[AsyncIterable[Any], Iterable[Any]],
        *,
        headers: Optional[Mapping[str, str]] = None,
        meta: Optional[Mapping[str, Any]] = None,
        on_complete: Optional[Callable[[Answer], None]] = None,
    ) -> Response:
        """Generate ``upstream``'s answer as chat ``chat_id``'s active stream, detached from this request."""
        options: dict[str, Any] = {'format': 'ai-sdk', 'meta': meta, 'on_complete': on_complete}

        def make(stream_id: str) -> AsyncIterator[Event]:
            if isinstance(upstream, AsyncIterable):
                return aevents(upstream, stream_id=stream_id, **options).__aiter__()
            blocking = iter(events(upstream, stream_id=stream_id, **options))
            return _from_thread(blocking, lambda: interrupt(upstream))

        async def refused() -> None:
            if isinstance(upstream, AsyncIterable):
                await aclose(upstream)
            else:
                interrupt(upstream)

        return await self.respond(chat_id, make, headers=headers, on_refused=refused)

    async def respond(
        self,
        chat_id: str,
        make: Callable[[str], AsyncIterator[Event]],
        *,
        headers: Optional[Mapping[str, str]] = None,
        on_refused: Optional[Callable[[], Awaitable[None]]] = None,
    ) -> Response:
        """Run ``make(stream_id)``'s events (e.g. ``llm_sse.tools.arun(..., format='ai-sdk', stream_id=...)``)
        as chat ``chat_id``'s active stream."""

        def tracked(stream_id: str) -> AsyncIterator[Event]:
            return atrack(self.active, chat_id, stream_id, self.runner.ttl, make(stream_id))

        headers = {**UI_HEADERS, **(headers or {})}
        return await respond_detached(self.runner, tracked, headers=headers, on_refused=on_refused)

    async def resume(self, chat_id: str, *, headers: Optional[Mapping[str, str]] = None) -> Response:
        """The chat's active answer from its first chunk, or 204."""
        if not valid_chat_id(chat_id):
            return error_response(BAD_CHAT_ID, headers)
        try:
            stream_id = await self.active.get(chat_id)
            state = await self.runner.store.state(stream_id) if stream_id is not None else 'missing'
        except StoreUnavailable:
            return error_response(UNAVAILABLE, headers)
        if stream_id is None or state == 'missing':
            return no_stream()
        if state == 'dead':
            return error_response(Failure(GONE.status, GONE.type, GONE.message, stream_id), headers)
        return _follow(self.runner, stream_id, -1, {**UI_HEADERS, **(headers or {})})
