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
from ..generation import Answer
from ..pump import Outcome
from ..resume.aio import AsyncRunner
from ..resume.starlette import _follow, detached
from ..resume.starlette import respond as respond_detached
from ..starlette import HEARTBEAT_SECONDS, error_response, read_json
from ..starlette import stream as stream_events
from .active import AsyncActiveStreams, async_active_streams_for
from .request import ChatRequest, chat_request
from .routes import UI_HEADERS, active_stream, atrack


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
        make, refused = detached(upstream, {'format': 'ai-sdk', 'meta': meta, 'on_complete': on_complete})
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
        target = await active_stream(self.active, self.runner, chat_id)
        if target is None:
            return no_stream()
        if isinstance(target, Failure):
            return error_response(target, headers)
        return _follow(self.runner, target, -1, {**UI_HEADERS, **(headers or {})})
