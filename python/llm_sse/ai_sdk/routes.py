"""What the Flask and Starlette routes for ``useChat`` share."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Iterator
from typing import Union, cast

from ..event import Event
from ..failure import Failure
from ..generation import aclose
from ..payload import format_headers
from ..resume.bridge import Blocking, Events, iterate
from ..resume.core import Core
from ..resume.store import StoreUnavailable
from .active import ActiveStreams, AsyncActiveStreams
from .request import valid_chat_id

log = logging.getLogger('llm_sse')

#: Headers of every UI-message stream response.
UI_HEADERS = format_headers('ai-sdk')

BAD_CHAT_ID = Failure(400, 'bad_request', 'the chat id must be 1-128 letters, digits, "_", ".", ":" or "-"')
UNAVAILABLE = Failure(503, 'store_unavailable', 'the stream store is unavailable; try again')
GONE = Failure(503, 'generator_gone', 'the server generating this answer stopped')


async def atrack(
    active: AsyncActiveStreams, chat_id: str, stream_id: str, ttl: float, source: AsyncIterator[Event]
) -> AsyncIterator[Event]:
    """``source``, with ``stream_id`` recorded as ``chat_id``'s active stream while it runs."""
    await active.set(chat_id, stream_id, ttl)
    try:
        async for event in source:
            yield event
    finally:
        await aclose(source)
        try:
            await active.clear(chat_id, stream_id)
        except StoreUnavailable as error:
            # The record expires on its own; a resume meanwhile replays the ended stream.
            log.warning('chat %s: could not clear its active stream: %s', chat_id, error)


def track(active: ActiveStreams, chat_id: str, stream_id: str, ttl: float, source: Iterator[Event]) -> Iterator[Event]:
    """:func:`atrack` for a blocking source and records, run on the generation's thread."""
    calls = cast(AsyncActiveStreams, Blocking(active))
    return iterate(atrack(calls, chat_id, stream_id, ttl, Events(source, _close)))


async def active_stream(active: AsyncActiveStreams, runner: Core, chat_id: str) -> Union[Failure, str, None]:
    """The stream id of chat ``chat_id``'s answer to resume, ``None`` when there is none (204), or the
    failure to answer (400, 503, or ``generator_gone`` when its producer died)."""
    if not valid_chat_id(chat_id):
        return BAD_CHAT_ID
    try:
        stream_id = await active.get(chat_id)
        state = await runner._calls.state(stream_id) if stream_id is not None else 'missing'
    except StoreUnavailable:
        return UNAVAILABLE
    if stream_id is None or state == 'missing':
        return None
    if state == 'dead':
        return Failure(GONE.status, GONE.type, GONE.message, stream_id)
    return stream_id


def _close(source: Iterator[Event]) -> None:
    close = getattr(source, 'close', None)
    if callable(close):
        close()
