"""What the resumable routes decide, written once for the Flask and the Starlette adapters.

Each is a coroutine over the runner's core (:class:`~llm_sse.resume.core.Core`):
:mod:`.starlette` awaits it, :mod:`.flask` runs it on the request's thread
(:func:`~llm_sse.resume.bridge.drive`). The adapters only read the request
and build the framework's responses.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable
from typing import Any, Callable, Optional, Union

from ..event import Event
from ..failure import Failure
from ..upstream import interrupt
from . import metrics
from .core import Core
from .runner import resume_point, valid_stream_id
from .store import StoreUnavailable

NOT_FOUND = Failure(404, 'stream_not_found', 'this stream does not exist or has expired')
NO_SUCH_STREAM = Failure(404, 'stream_not_found', 'no such stream')
UNAVAILABLE = Failure(503, 'store_unavailable', 'the stream store is unavailable; try again')
BAD_ID = Failure(400, 'bad_request', 'Last-Event-ID is not an event id of this server')


async def resume_target(runner: Core, last_event_id: Optional[str]) -> Union[Failure, tuple[str, int], None]:
    """Where a request with ``last_event_id`` continues: ``(stream_id, after)``, a failure (400, 404, 503),
    or ``None`` when it names no stream."""
    if not last_event_id:
        return None
    point = resume_point(last_event_id)
    if point is None:
        return BAD_ID
    try:
        if not await runner._exists(point[0]):
            return NOT_FOUND
        metrics.RESUMED.inc()
    except StoreUnavailable:
        return UNAVAILABLE
    return point


async def begin(
    runner: Core,
    make: Callable[[str], AsyncIterator[Event]],
    interrupt: Optional[Callable[[], None]],
    refused: Callable[[], Awaitable[None]],
) -> Union[str, Failure]:
    """Start a generation: its stream id, or the failure to answer (its first event's, or 503 after
    ``refused()`` when the store is unavailable)."""
    try:
        return await runner._start(make, interrupt)
    except StoreUnavailable:
        await refused()
        return UNAVAILABLE


async def cancel(runner: Core, stream_id: str) -> Optional[Failure]:
    """Stop a stream's generation wherever it runs: ``None``, or the failure to answer (404, 503)."""
    if not valid_stream_id(stream_id):
        return NO_SUCH_STREAM
    try:
        found = await runner._cancel(stream_id)
    except StoreUnavailable:
        return UNAVAILABLE
    return None if found else NO_SUCH_STREAM


def stop_upstream(upstream: Any) -> None:
    """Shut a blocking upstream's socket down and close it: its generation stops, or never started."""
    interrupt(upstream)
    close = getattr(upstream, 'close', None)
    if callable(close):
        close()
