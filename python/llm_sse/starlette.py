"""Starlette and FastAPI: a generation as a streamed response (asyncio).

.. code-block:: python

    from llm_sse.starlette import read_json, stream

    @app.post('/chat')
    async def chat(request: Request):
        prompt = (await read_json(request))['prompt']
        return await stream(await client.chat.completions.create(model=MODEL, messages=[...], stream=True))

As with Flask, the route waits for the first token (at most ``heartbeat``
seconds) before it answers, so an upstream that fails at once gets a JSON
error with its status. The response listens for the client's disconnect
whatever the server's ASGI version (Starlette itself stops listening from
ASGI 2.4 on and then notices a gone client only at a failed write), and a
disconnect cancels the generation and closes the upstream.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import threading
from collections.abc import AsyncIterable, AsyncIterator, Iterable, Iterator, Mapping
from typing import Any, Callable, Optional, Union

import anyio
from starlette.requests import Request
from starlette.responses import Response, StreamingResponse
from starlette.types import Receive, Scope, Send

from .body import MAX_BODY_BYTES, BodyError, parse_json_body
from .event import HEARTBEAT, MEDIA_TYPE, STREAM_HEADERS, Event, sse_encode
from .failure import Failure
from .generation import Answer, aclose, aevents, events
from .no_resume import NOT_RESUMABLE, asks_resume
from .payload import Format, format_headers
from .pump import END, IDLE, Outcome, _Signal, outcome_of
from .upstream import interrupt

log = logging.getLogger('llm_sse')

#: Default seconds of upstream silence before a heartbeat comment (and the
#: longest the route waits for the first token before it sends its headers).
HEARTBEAT_SECONDS = 15.0


def error_response(failure: Union[Failure, BodyError], headers: Optional[Mapping[str, str]] = None) -> Response:
    """A JSON error: ``{"error": {"message", "type", ...}}`` with the failure's status."""
    if isinstance(failure, BodyError):
        failure = failure.failure()
    return Response(failure.json(), status_code=failure.status, media_type='application/json', headers=headers)


class EventStreamResponse(StreamingResponse):
    """A streaming response that always watches for the client's disconnect and always closes its body."""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        body = self.body_iterator
        try:
            async with anyio.create_task_group() as group:

                async def run() -> None:
                    # OSError: the client is gone, a write failed.
                    with contextlib.suppress(OSError):
                        await self.stream_response(send)
                    group.cancel_scope.cancel()

                group.start_soon(run)
                await self.listen_for_disconnect(receive)
                group.cancel_scope.cancel()
        finally:
            # A body cancelled between two events is left suspended at its
            # yield; close it now, shielded, so the upstream is closed at once.
            close = getattr(body, 'aclose', None)
            if callable(close):
                with anyio.CancelScope(shield=True):
                    await close()


class _Pump:
    """Waits for the next event of an async source with a timeout, without cancelling the source."""

    def __init__(self, source: AsyncIterator[Event]) -> None:
        self._source = source
        self._next: Optional[asyncio.Future[Event]] = None
        self.done = False
        self.last: Optional[Event] = None

    async def get(self, timeout: Optional[float]) -> Union[Event, _Signal]:
        if self.done:
            return END
        if self._next is None:
            self._next = asyncio.ensure_future(self._source.__anext__())
        finished, _ = await asyncio.wait({self._next}, timeout=timeout)
        if not finished:
            return IDLE
        task, self._next = self._next, None
        try:
            event = task.result()
        except StopAsyncIteration:
            self.done = True
            return END
        self.last = event
        return event

    async def aclose(self) -> None:
        if self._next is not None:
            self._next.cancel()
            # Its CancelledError (or the source's own failure) was the source's to handle.
            with contextlib.suppress(BaseException):
                await self._next
            self._next = None
        await aclose(self._source)


async def _from_thread(source: Iterator[Event], cancel: Optional[Callable[[], None]]) -> AsyncIterator[Event]:
    """A blocking source read on its own thread, as an async iterator (the event loop never blocks)."""
    loop = asyncio.get_running_loop()
    queue: asyncio.Queue[Union[Event, _Signal]] = asyncio.Queue()
    stop = threading.Event()

    def put(item: Union[Event, _Signal]) -> None:
        try:
            loop.call_soon_threadsafe(queue.put_nowait, item)
        except RuntimeError:
            stop.set()  # the loop is closed: nobody reads any more

    def run() -> None:
        try:
            for event in source:
                if stop.is_set():
                    break
                put(event)
        except Exception:
            log.exception('event source failed')
        finally:
            close = getattr(source, 'close', None)
            if callable(close):
                close()
            put(END)

    threading.Thread(target=run, name='llm-sse-source', daemon=True).start()
    try:
        while True:
            item = await queue.get()
            if isinstance(item, Event):
                yield item
            else:
                return
    finally:
        stop.set()
        if cancel is not None:
            cancel()


async def respond(
    source: Union[AsyncIterable[Event], Iterable[Event]],
    *,
    heartbeat: Optional[float] = HEARTBEAT_SECONDS,
    cancel: Optional[Callable[[], None]] = None,
    on_end: Optional[Callable[[Outcome], None]] = None,
    headers: Optional[Mapping[str, str]] = None,
) -> Response:
    """Send ``source``'s events as an event stream (see ``llm_sse.flask.respond``).

    ``source``: async events, or blocking ones (read on a thread; ``cancel``
    wakes that thread when the client goes away).
    """
    events_in = source.__aiter__() if isinstance(source, AsyncIterable) else _from_thread(iter(source), cancel)
    pump = _Pump(events_in)
    reported = False

    def report(stopped: bool) -> None:
        nonlocal reported
        if not reported and on_end is not None:
            reported = True
            on_end(outcome_of(pump.last, stopped=stopped))

    try:
        first = await pump.get(heartbeat)
    except BaseException:
        with anyio.CancelScope(shield=True):
            await pump.aclose()
        report(stopped=True)
        raise
    if isinstance(first, Event) and first.failure is not None:
        # The error is the source's last event: it ended on its own, as an error.
        with anyio.CancelScope(shield=True):
            await pump.aclose()
        report(stopped=False)
        return error_response(first.failure, headers)

    async def body() -> AsyncIterator[bytes]:
        try:
            item = first
            while item is not END:
                yield HEARTBEAT if item is IDLE else sse_encode(item) if isinstance(item, Event) else b''
                item = await pump.get(heartbeat)
        finally:
            with anyio.CancelScope(shield=True):
                await pump.aclose()
            report(stopped=not pump.done)

    return EventStreamResponse(body(), media_type=MEDIA_TYPE, headers={**STREAM_HEADERS, **(headers or {})})


async def stream(
    upstream: Union[AsyncIterable[Any], Iterable[Any]],
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
    """:func:`respond` with the events of ``upstream``: an ``AsyncOpenAI`` stream, an ``OpenAI`` one, or strings."""
    options: dict[str, Any] = {
        'stream_id': stream_id,
        'format': format,
        'meta': meta,
        'repeat_last': repeat_last,
        'on_complete': on_complete,
    }
    headers = {**format_headers(format), **(headers or {})}
    if isinstance(upstream, AsyncIterable):
        return await respond(aevents(upstream, **options), heartbeat=heartbeat, on_end=on_end, headers=headers)
    return await respond(
        events(upstream, **options),
        heartbeat=heartbeat,
        cancel=lambda: interrupt(upstream),
        on_end=on_end,
        headers=headers,
    )


def refuse_resume(request: Request, headers: Optional[Mapping[str, str]] = None) -> Optional[Response]:
    """A 409 JSON error when ``request`` asks to resume (``Last-Event-ID`` or ``?lastEventId=``), else ``None``.

    Call it first in a stream route that is not resumable (no
    ``llm_sse.resume`` runner), before the upstream is opened: such a route
    cannot continue an answer, and starting a new one would bill it twice
    and show it twice.
    """
    if not asks_resume(request.headers.get('last-event-id'), request.query_params.get('lastEventId')):
        return None
    return error_response(NOT_RESUMABLE, headers)


async def read_json(request: Request, max_bytes: int = MAX_BODY_BYTES) -> Any:
    """The request's JSON body (``None`` when empty); raises :class:`~llm_sse.BodyError` (400, 413).

    Stops reading past ``max_bytes``, whatever ``Content-Length`` says.
    """
    length = request.headers.get('content-length')
    if length is not None and length.isdigit() and int(length) > max_bytes:
        raise BodyError(413, f'the request body is larger than {max_bytes} bytes')
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > max_bytes:
            raise BodyError(413, f'the request body is larger than {max_bytes} bytes')
        chunks.append(chunk)
    return parse_json_body(b''.join(chunks), max_bytes=max_bytes)


def install_error_handlers(app: Any) -> None:
    """Answer :class:`~llm_sse.BodyError` raised in a route with its JSON error."""

    async def handle(request: Request, error: Exception) -> Response:
        assert isinstance(error, BodyError)
        return error_response(error)

    app.add_exception_handler(BodyError, handle)
