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
from typing import Any, Callable, Optional

from flask import Response

from ..body import MAX_BODY_BYTES
from ..event import Event
from ..failure import Failure
from ..flask import HEARTBEAT_SECONDS, error_response, read_json
from ..flask import stream as stream_events
from ..generation import Answer, events
from ..pump import Outcome
from ..resume.flask import _follow
from ..resume.flask import respond as respond_detached
from ..resume.runner import Runner
from ..resume.store import StoreUnavailable
from ..upstream import interrupt
from .active import ActiveStreams, active_streams_for
from .request import ChatRequest, chat_request, valid_chat_id
from .routes import BAD_CHAT_ID, GONE, UI_HEADERS, UNAVAILABLE, track


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

        def cancel() -> None:
            interrupt(upstream)
            close = getattr(upstream, 'close', None)
            if callable(close):
                close()

        return self.respond(
            chat_id,
            lambda stream_id: events(
                upstream, stream_id=stream_id, format='ai-sdk', meta=meta, on_complete=on_complete
            ),
            cancel=cancel,
            headers=headers,
        )

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
        if not valid_chat_id(chat_id):
            return error_response(BAD_CHAT_ID, headers)
        try:
            stream_id = self.active.get(chat_id)
            state = self.runner.store.state(stream_id) if stream_id is not None else 'missing'
        except StoreUnavailable:
            return error_response(UNAVAILABLE, headers)
        if stream_id is None or state == 'missing':
            return no_stream()
        if state == 'dead':
            return error_response(Failure(GONE.status, GONE.type, GONE.message, stream_id), headers)
        return _follow(self.runner, stream_id, -1, {**UI_HEADERS, **(headers or {})})
