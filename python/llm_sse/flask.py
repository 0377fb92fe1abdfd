"""Flask (and any Werkzeug app): a generation as a streamed response.

.. code-block:: python

    from llm_sse.flask import read_json, stream

    @app.post('/chat')
    def chat():
        prompt = read_json()['prompt']
        return stream(client.chat.completions.create(model=MODEL, messages=[...], stream=True))

The route waits for the first token (at most ``heartbeat`` seconds) before
it answers, so an upstream that fails at once gets a JSON error with a real
status instead of a 200 stream that dies; after that, failures are an
``event: error`` and a clean end. A browser that goes away stops the
upstream at once, also while the model is silent (Werkzeug's server only
notices at the next failed write).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from typing import Any, Callable, Optional, Union

from flask import Response, request
from werkzeug.exceptions import RequestEntityTooLarge

from .body import MAX_BODY_BYTES, BodyError, parse_json_body
from .event import HEARTBEAT, MEDIA_TYPE, STREAM_HEADERS, Event, sse_encode
from .failure import Failure
from .generation import Answer, events
from .no_resume import NOT_RESUMABLE, asks_resume
from .payload import Format, format_headers
from .pump import END, IDLE, Outcome, start_pump
from .upstream import interrupt
from .watch import watch_client

#: Default seconds of upstream silence before a heartbeat comment (and the
#: longest the route waits for the first token before it sends its headers).
HEARTBEAT_SECONDS = 15.0


def error_response(failure: Union[Failure, BodyError], headers: Optional[Mapping[str, str]] = None) -> Response:
    """A JSON error: ``{"error": {"message", "type", ...}}`` with the failure's status."""
    if isinstance(failure, BodyError):
        failure = failure.failure()
    return Response(failure.json(), status=failure.status, mimetype='application/json', headers=dict(headers or {}))


def respond(
    source: Iterable[Event],
    *,
    heartbeat: Optional[float] = HEARTBEAT_SECONDS,
    cancel: Optional[Callable[[], None]] = None,
    on_end: Optional[Callable[[Outcome], None]] = None,
    headers: Optional[Mapping[str, str]] = None,
) -> Response:
    """Send ``source``'s events as an event stream; call inside a request.

    ``heartbeat``: seconds of silence before a ``: keep-alive`` comment
    (``None``: never); also how long to wait for the first event before the
    headers go out. If that first event is an error (:attr:`Event.failure`),
    the answer is a JSON error with its status instead of a stream.
    ``cancel``: wakes a source blocked on its upstream when the client goes
    away. ``on_end``: called once with how the source ended. ``headers``:
    added to the response (stream or error).
    """
    pump = start_pump(iter(source), cancel=cancel, on_end=on_end)
    client = request.environ.get('werkzeug.socket')
    stop_watch = watch_client(client, pump.close) if client is not None else None

    def cleanup() -> None:
        pump.close()
        if stop_watch is not None:
            stop_watch()

    first = pump.get(heartbeat)
    if isinstance(first, Event) and first.failure is not None:
        # The error is the source's last event: it ends on its own, as an error.
        if stop_watch is not None:
            stop_watch()
        return error_response(first.failure, headers)

    def body() -> Iterator[bytes]:
        try:
            item = first
            while item is not END:
                yield HEARTBEAT if item is IDLE else sse_encode(item) if isinstance(item, Event) else b''
                item = pump.get(heartbeat)
        finally:
            # Werkzeug skips call_on_close when the client resets the
            # connection during its final socket drain; a generator's
            # finally runs on its last next() or when it is dropped.
            cleanup()

    response = Response(body(), mimetype=MEDIA_TYPE, headers={**STREAM_HEADERS, **(headers or {})})
    # For a body never started (the client left before the first byte).
    response.call_on_close(cleanup)
    return response


def stream(
    upstream: Iterable[Any],
    *,
    heartbeat: Optional[float] = HEARTBEAT_SECONDS,
    on_end: Optional[Callable[[Outcome], None]] = None,
    headers: Optional[Mapping[str, str]] = None,
    stream_id: Optional[str] = None,
    format: Format = 'json',
    meta: Optional[Mapping[str, Any]] = None,
    repeat_last: bool = False,
    on_complete: Optional[Callable[[Answer], None]] = None,
) -> Response:
    """:func:`respond` with the :func:`~llm_sse.events` of ``upstream`` (an ``openai`` stream or strings).

    Payload options (``stream_id``, ``format``, ``meta``, ``repeat_last``,
    ``on_complete``) are those of :func:`~llm_sse.events`.
    """
    source = events(
        upstream, stream_id=stream_id, format=format, meta=meta, repeat_last=repeat_last, on_complete=on_complete
    )
    headers = {**format_headers(format), **(headers or {})}
    return respond(source, heartbeat=heartbeat, cancel=lambda: interrupt(upstream), on_end=on_end, headers=headers)


def refuse_resume(headers: Optional[Mapping[str, str]] = None) -> Optional[Response]:
    """A 409 JSON error when the request asks to resume (``Last-Event-ID`` or ``?lastEventId=``), else ``None``.

    Call it first in a stream route that is not resumable (no
    ``llm_sse.resume`` runner), before the upstream is opened: such a route
    cannot continue an answer, and starting a new one would bill it twice
    and show it twice.
    """
    if not asks_resume(request.headers.get('Last-Event-ID'), request.args.get('lastEventId')):
        return None
    return error_response(NOT_RESUMABLE, headers)


def read_json(max_bytes: int = MAX_BODY_BYTES) -> Any:
    """The request's JSON body (``None`` when empty); raises :class:`~llm_sse.BodyError` (400, 413).

    Reads at most ``max_bytes`` + 1 bytes, whatever ``Content-Length`` says
    (a chunked body has none).
    """
    too_large = BodyError(413, f'the request body is larger than {max_bytes} bytes')
    length = request.content_length
    if length is not None and length > max_bytes:
        raise too_large
    try:
        raw = request.stream.read(max_bytes + 1)
        # Under Flask's MAX_CONTENT_LENGTH the stream stops at that limit
        # without an error; only the next read raises.
        if len(raw) >= max_bytes and request.stream.read(1):
            raise too_large
    except RequestEntityTooLarge:
        raise too_large from None
    return parse_json_body(raw, max_bytes=max_bytes)


def install_error_handlers(app: Any) -> None:
    """Answer :class:`~llm_sse.BodyError` raised in a route with its JSON error."""
    app.register_error_handler(BodyError, error_response)
