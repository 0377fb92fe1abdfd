"""Starlette and FastAPI routes for resumable streams.

.. code-block:: python

    from llm_sse.resume import async_store_from_env
    from llm_sse.resume.aio import AsyncRunner
    from llm_sse.resume.starlette import cancel_response, resume, stream

    runner = AsyncRunner(async_store_from_env())  # REDIS_URL: shared by every worker

    @app.post('/chat')
    async def chat(request: Request):
        resumed = await resume(runner, request)
        if resumed is not None:
            return resumed
        upstream = await client.chat.completions.create(model=MODEL, messages=[...], stream=True)
        return await stream(runner, upstream)

    @app.post('/stream/{stream_id}/cancel')
    async def cancel(stream_id: str):
        return await cancel_response(runner, stream_id)
"""

from __future__ import annotations

from collections.abc import AsyncIterable, AsyncIterator, Awaitable, Iterable, Mapping
from typing import Any, Callable, Optional, Union

from starlette.requests import Request
from starlette.responses import Response

from ..event import MEDIA_TYPE, STREAM_HEADERS, Event
from ..failure import Failure
from ..generation import Answer, aclose, aevents, check_format, events
from ..payload import Format, format_headers
from ..starlette import EventStreamResponse, _from_thread, error_response
from ..upstream import interrupt
from . import routes
from .aio import AsyncRunner
from .flask import STREAM_ID_HEADER


def _follow(runner: AsyncRunner, stream_id: str, after: int, headers: Optional[Mapping[str, str]]) -> Response:
    return EventStreamResponse(
        runner.follow(stream_id, after),
        media_type=MEDIA_TYPE,
        headers={**STREAM_HEADERS, STREAM_ID_HEADER: stream_id, **(headers or {})},
    )


async def resume(
    runner: AsyncRunner, request: Request, *, headers: Optional[Mapping[str, str]] = None
) -> Optional[Response]:
    """The continuation of the stream named by ``Last-Event-ID`` (or ``?lastEventId=``); ``None`` without one.

    Errors as in :func:`llm_sse.resume.flask.resume`: 400, 404, 503.
    """
    value = request.headers.get('last-event-id') or request.query_params.get('lastEventId')
    target = await routes.resume_target(runner, value)
    if target is None or isinstance(target, Failure):
        return None if target is None else error_response(target, headers)
    return _follow(runner, *target, headers)


async def respond(
    runner: AsyncRunner,
    make: Callable[[str], AsyncIterator[Event]],
    *,
    headers: Optional[Mapping[str, str]] = None,
    on_refused: Optional[Callable[[], Awaitable[None]]] = None,
) -> Response:
    """Start ``make(stream_id)``'s events as a detached task and stream them (JSON error if the first is one).

    ``on_refused`` runs when the store is unavailable and the generation
    never starts (to close an upstream already opened).
    """

    async def refused() -> None:
        if on_refused is not None:
            await on_refused()

    started = await routes.begin(runner, make, None, refused)
    if isinstance(started, Failure):
        return error_response(started, headers)
    return _follow(runner, started, -1, headers)


async def stream(
    runner: AsyncRunner,
    upstream: Union[AsyncIterable[Any], Iterable[Any]],
    *,
    headers: Optional[Mapping[str, str]] = None,
    format: Format = 'json',
    meta: Optional[Mapping[str, Any]] = None,
    repeat_last: bool = False,
    on_complete: Optional[Callable[[Answer], None]] = None,
) -> Response:
    """:func:`respond` with the events of ``upstream``: an ``AsyncOpenAI`` stream, an ``OpenAI`` one, or strings."""
    # A bad option raises here, in the route, not in the detached generation.
    check_format(format, repeat_last)
    make, refused = detached(
        upstream, {'format': format, 'meta': meta, 'repeat_last': repeat_last, 'on_complete': on_complete}
    )
    headers = {**format_headers(format), **(headers or {})}
    return await respond(runner, make, headers=headers, on_refused=refused)


def detached(
    upstream: Union[AsyncIterable[Any], Iterable[Any]], options: Mapping[str, Any]
) -> tuple[Callable[[str], AsyncIterator[Event]], Callable[[], Awaitable[None]]]:
    """For :func:`respond`: ``make`` (the events of ``upstream`` with ``options``) and ``on_refused``."""

    def make(stream_id: str) -> AsyncIterator[Event]:
        if isinstance(upstream, AsyncIterable):
            return aevents(upstream, stream_id=stream_id, **options).__aiter__()
        # A blocking upstream is read on a thread; a stop shuts its socket down.
        return _from_thread(iter(events(upstream, stream_id=stream_id, **options)), lambda: interrupt(upstream))

    async def refused() -> None:
        if isinstance(upstream, AsyncIterable):
            await aclose(upstream)
        else:
            routes.stop_upstream(upstream)

    return make, refused


async def cancel_response(runner: AsyncRunner, stream_id: str) -> Response:
    """Stop a stream's generation, on whichever worker runs it: 202, or 404 when there is no such stream."""
    failure = await routes.cancel(runner, stream_id)
    if failure is not None:
        return error_response(failure)
    return Response('{"cancelled": true}', status_code=202, media_type='application/json')
