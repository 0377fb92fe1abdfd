"""Flask routes for resumable streams.

.. code-block:: python

    from llm_sse.flask import read_json
    from llm_sse.resume import Runner, store_from_env
    from llm_sse.resume.flask import cancel_response, resume, stream

    runner = Runner(store_from_env())  # REDIS_URL: shared by every worker

    @app.post('/chat')
    def chat():
        resumed = resume(runner)  # Last-Event-ID (or ?lastEventId=): continue that stream
        if resumed is not None:
            return resumed
        upstream = client.chat.completions.create(model=MODEL, messages=[...], stream=True)
        return stream(runner, upstream)

    @app.post('/stream/<stream_id>/cancel')
    def cancel(stream_id):
        return cancel_response(runner, stream_id)

The generation runs on its own thread and outlives the request; the
response only reads the store. A client that goes away stops nothing at
once: the generation waits ``runner.grace`` seconds for a resume.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Iterator, Mapping
from typing import Any, Callable, Optional

from flask import Response, request

from ..event import MEDIA_TYPE, STREAM_HEADERS, Event
from ..failure import Failure
from ..flask import error_response
from ..generation import Answer, check_format, events
from ..payload import Format, format_headers
from ..watch import watch_client
from . import routes
from .bridge import drive
from .runner import Runner, blocking

#: Carries the stream id on every stream response, for a client that wants
#: to cancel before its first event arrived.
STREAM_ID_HEADER = 'X-Stream-Id'


def last_event_id() -> Optional[str]:
    """``Last-Event-ID``, else the ``lastEventId`` query parameter (``EventSource`` cannot set headers)."""
    value = request.headers.get('Last-Event-ID')
    if value is None:
        value = request.args.get('lastEventId')
    return value if value else None


def _follow(runner: Runner, stream_id: str, after: int, headers: Optional[Mapping[str, str]]) -> Response:
    gone = threading.Event()
    client = request.environ.get('werkzeug.socket')
    stop_watch = watch_client(client, gone.set) if client is not None else None

    def body() -> Iterator[bytes]:
        try:
            yield from runner.follow(stream_id, after, gone.is_set)
        finally:
            if stop_watch is not None:
                stop_watch()

    response = Response(
        body(), mimetype=MEDIA_TYPE, headers={**STREAM_HEADERS, STREAM_ID_HEADER: stream_id, **(headers or {})}
    )
    if stop_watch is not None:
        response.call_on_close(stop_watch)
    return response


def resume(runner: Runner, *, headers: Optional[Mapping[str, str]] = None) -> Optional[Response]:
    """The continuation of the stream the request names, or ``None`` when it names none.

    A request with ``Last-Event-ID`` (or ``?lastEventId=``) gets the events
    after that one, replayed then live, up to the end. Errors are JSON:
    400 for an id this server did not make, 404 for a stream that is not
    (or no longer) stored, 503 when the store cannot be reached.
    """
    target = drive(routes.resume_target(runner, last_event_id()))
    if target is None or isinstance(target, Failure):
        return None if target is None else error_response(target, headers)
    return _follow(runner, *target, headers)


def respond(
    runner: Runner,
    make: Callable[[str], Iterator[Event]],
    *,
    cancel: Optional[Callable[[], None]] = None,
    headers: Optional[Mapping[str, str]] = None,
) -> Response:
    """Start ``make(stream_id)``'s events as a detached generation and stream them.

    A first event that is an error becomes a JSON error with its status.
    ``cancel`` wakes the generation when it must stop while its upstream is
    silent (see :meth:`Runner.start`); it is also called when the store is
    unavailable and the generation never starts, so an upstream already
    opened is not left generating for nobody.
    """

    async def refused() -> None:
        if cancel is not None:
            cancel()

    started = drive(routes.begin(runner, blocking(make), cancel, refused))
    if isinstance(started, Failure):
        return error_response(started, headers)
    return _follow(runner, started, -1, headers)


def stream(
    runner: Runner,
    upstream: Iterable[Any],
    *,
    headers: Optional[Mapping[str, str]] = None,
    format: Format = 'json',
    meta: Optional[Mapping[str, Any]] = None,
    repeat_last: bool = False,
    on_complete: Optional[Callable[[Answer], None]] = None,
) -> Response:
    """:func:`respond` with the :func:`~llm_sse.events` of ``upstream`` (an ``openai`` stream or strings)."""
    # A bad option raises here, in the route, not in the detached generation.
    check_format(format, repeat_last)
    make, cancel = detached(
        upstream, {'format': format, 'meta': meta, 'repeat_last': repeat_last, 'on_complete': on_complete}
    )
    return respond(runner, make, cancel=cancel, headers={**format_headers(format), **(headers or {})})


def detached(
    upstream: Iterable[Any], options: Mapping[str, Any]
) -> tuple[Callable[[str], Iterator[Event]], Callable[[], None]]:
    """For :func:`respond`: ``make`` (the :func:`~llm_sse.events` of ``upstream`` with ``options``) and ``cancel``."""

    def make(stream_id: str) -> Iterator[Event]:
        return events(upstream, stream_id=stream_id, **options)

    return make, lambda: routes.stop_upstream(upstream)


def cancel_response(runner: Runner, stream_id: str) -> Response:
    """Stop a stream's generation, on whichever worker runs it: 202, or 404 when there is no such stream."""
    failure = drive(routes.cancel(runner, stream_id))
    if failure is not None:
        return error_response(failure)
    return Response('{"cancelled": true}', status=202, mimetype='application/json')
