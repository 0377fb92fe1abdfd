"""What the Flask and Starlette routes for ``useChat`` share."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Iterator

from ..event import Event
from ..failure import Failure
from ..payload import format_headers
from ..resume.store import StoreUnavailable
from .active import ActiveStreams, AsyncActiveStreams

log = logging.getLogger('llm_sse')

#: Headers of every UI-message stream response.
UI_HEADERS = format_headers('ai-sdk')

BAD_CHAT_ID = Failure(400, 'bad_request', 'the chat id must be 1-128 letters, digits, "_", ".", ":" or "-"')
UNAVAILABLE = Failure(503, 'store_unavailable', 'the stream store is unavailable; try again')
GONE = Failure(503, 'generator_gone', 'the server generating this answer stopped')


def track(active: ActiveStreams, chat_id: str, stream_id: str, ttl: float, source: Iterator[Event]) -> Iterator[Event]:
    """``source``, with ``stream_id`` recorded as ``chat_id``'s active stream while it runs."""
    active.set(chat_id, stream_id, ttl)
    try:
        yield from source
    finally:
        close = getattr(source, 'close', None)
        if callable(close):
            close()
        try:
            active.clear(chat_id, stream_id)
        except StoreUnavailable as error:
            # The record expires on its own; a resume meanwhile replays the ended stream.
            log.warning('chat %s: could not clear its active stream: %s', chat_id, error)


async def atrack(
    active: AsyncActiveStreams, chat_id: str, stream_id: str, ttl: float, source: AsyncIterator[Event]
) -> AsyncIterator[Event]:
    """:func:`track` for an async source."""
    await active.set(chat_id, stream_id, ttl)
    try:
        async for event in source:
            yield event
    finally:
        close = getattr(source, 'aclose', None)
        if callable(close):
            await close()
        try:
            await active.clear(chat_id, stream_id)
        except StoreUnavailable as error:
            log.warning('chat %s: could not clear its active stream: %s', chat_id, error)
