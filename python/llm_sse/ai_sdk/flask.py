"""Flask routes for the AI SDK's ``useChat``: its request in, its UI-message stream out.

.. code-block:: python

    from llm_sse.ai_sdk.flask import read_chat, stream

    @app.post('/api/chat')
    def chat():
        req = read_chat()  # a bad body: JSON 400 naming the field, before the model is asked
        return stream(client.chat.completions.create(model=MODEL, messages=req.messages, stream=True))

Resumable (``useChat({ resume: true })``): the answer outlives its request,
and a reload continues it without asking the model again.

.. code-block:: python

    from llm_sse.ai_sdk.flask import ChatStreams, read_chat
    from llm_sse.resume import Runner, store_from_env

    chats = ChatStreams(Runner(store_from_env()))  # REDIS_URL: every worker

    @app.post('/api/chat')
    def chat():
        req = read_chat()
        return chats.stream(req.id, client.chat.completions.create(model=MODEL, messages=req.messages, stream=True))

    @app.get('/api/chat/<chat_id>/stream')
    def chat_stream(chat_id):
        return chats.resume(chat_id)  # 204 when the chat has no answer being generated
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from typing import Any, Callable, Optional, cast

from flask import Response

from ..body import MAX_BODY_BYTES
from ..event import Event
from ..failure import Failure
from ..flask import HEARTBEAT_SECONDS, error_response, read_json
from ..flask import stream as stream_events
from ..generation import Answer
from ..pump import Outcome
from ..resume.bridge import Blocking, drive
from ..resume.flask import _follow, detached
from ..resume.flask import respond as respond_detached
from ..resume.runner import Runner
from .active import ActiveStreams, AsyncActiveStreams, active_streams_for
from .request import ChatRequest, chat_request
from .routes import UI_HEADERS, active_stream, track


def read_chat(
    max_bytes: int = MAX_BODY_BYTES, *, system: Optional[str] = None, allow_system: bool = False
) -> ChatRequest:
    """The request's ``useChat`` body, checked and mapped (see :func:`~llm_sse.ai_sdk.chat_request`).

    Raises :class:`~llm_sse.BodyError` (400, 413): answer it with
    ``llm_sse.flask.install_error_handlers(app)``.
    """
    return chat_request(read_json(max_bytes), system=system, allow_system=allow_system)


def stream(
    upstream: Iterable[Any],
    *,
    heartbeat: Optional[float] = HEARTBEAT_SECONDS,
    on_end: Optional[Callable[[Outcome], None]] = None,
    headers: Optional[Mapping[str, str]] = None,
    stream_id: Optional[str] = None,
    meta: Optional[Mapping[str, Any]] = None,
    on_complete: Optional[Callable[[Answer], None]] = None,
) -> Response:
    """``llm_sse.flask.stream(upstream, format='ai-sdk', ...)``: the UI-message stream of ``upstream``."""
    return stream_events(
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
    """204: what ``useChat`` expects from ``GET <api>/<chatId>/stream`` when nothing can be resumed."""
    return Response(status=204)


class ChatStreams:
    """Resumable ``useChat`` answers on ``runner``: each chat's active stream is recorded next to the streams.

    ``active``: where the records live (default: Redis when the runner's
    store is Redis, else this process's memory).
    """

    def __init__(self, runner: Runner, active: Optional[ActiveStreams] = None) -> None:
        self.runner = runner
        self.active = active if active is not None else active_streams_for(runner.store)

    def stream(
        self,
        chat_id: str,
        upstream: Iterable[Any],
        *,
        headers: Optional[Mapping[str, str]] = None,
        meta: Optional[Mapping[str, Any]] = None,
        on_complete: Optional[Callable[[Answer], None]] = None,
    ) -> Response:
        """Generate ``upstream``'s answer as chat ``chat_id``'s active stream, detached from this request."""
        make, cancel = detached(upstream, {'format': 'ai-sdk', 'meta': meta, 'on_complete': on_complete})
        return self.respond(chat_id, make, cancel=cancel, headers=headers)

    def respond(
        self,
        chat_id: str,
        make: Callable[[str], Iterator[Event]],
        *,
        cancel: Optional[Callable[[], None]] = None,
        headers: Optional[Mapping[str, str]] = None,
    ) -> Response:
        """Run ``make(stream_id)``'s events (e.g. ``llm_sse.tools.run(..., format='ai-sdk', stream_id=...)``)
        as chat ``chat_id``'s active stream; ``cancel`` wakes them when they must stop (see
        ``llm_sse.resume.flask.respond``)."""

        def tracked(stream_id: str) -> Iterator[Event]:
            return track(self.active, chat_id, stream_id, self.runner.ttl, make(stream_id))

        return respond_detached(self.runner, tracked, cancel=cancel, headers={**UI_HEADERS, **(headers or {})})

    def resume(self, chat_id: str, *, headers: Optional[Mapping[str, str]] = None) -> Response:
        """The chat's active answer from its first chunk (``useChat`` rebuilds the message), or 204."""
        target = drive(active_stream(cast(AsyncActiveStreams, Blocking(self.active)), self.runner, chat_id))
        if target is None:
            return no_stream()
        if isinstance(target, Failure):
            return error_response(target, headers)
        return _follow(self.runner, target, -1, {**UI_HEADERS, **(headers or {})})
