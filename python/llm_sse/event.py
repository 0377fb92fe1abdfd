"""Server-Sent Events on the wire: one :class:`Event` in, its bytes out.

The encoder is the only place that writes SSE syntax, so every route, store
and adapter produces the same framing (WHATWG HTML §9.2.5 and §9.2.6).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Optional

from .failure import Failure

# CR, LF and CRLF all end a line for an SSE parser: a raw one inside a field
# would cut it there and turn the rest into a field of its own.
_LINE_BREAK = re.compile(r'\r\n|\r|\n')
# A lone surrogate has no UTF-8 encoding; in a JSON payload it is escaped
# (see payload.py), in raw text it can only become U+FFFD.
_SURROGATE = re.compile('[\ud800-\udfff]')

#: Response headers for every event stream. ``no-cache`` keeps caches from
#: storing or replaying a generation; ``X-Accel-Buffering: no`` stops nginx
#: (which buffers proxied responses by default) from holding the answer back.
STREAM_HEADERS = {
    'Cache-Control': 'no-cache',
    'X-Accel-Buffering': 'no',
}

#: The ``Content-Type`` of an event stream.
MEDIA_TYPE = 'text/event-stream'


@dataclass(frozen=True)
class Event:
    """One SSE event.

    ``failure`` is not sent: it marks the error event of a failed generation
    (and, in the AI SDK's format, the ``[DONE]`` after it), so an adapter
    that has not sent its headers yet can answer with ``failure.status`` and
    a JSON body instead of a stream.
    """

    data: str
    event: Optional[str] = None
    id: Optional[str] = None
    retry: Optional[int] = None
    failure: Optional[Failure] = None


def _field(name: str, value: str) -> str:
    if _LINE_BREAK.search(value):
        raise ValueError(f'an SSE {name} cannot contain a line break: {value!r}')
    return value


def sse_encode(event: Event) -> bytes:
    """The bytes of ``event``: ``event:``, ``id:``, ``retry:``, one ``data:`` line per line of data, a blank line.

    ``data`` may hold any text: CR, LF and CRLF become line breaks between
    ``data:`` lines (a parser joins them with LF), lone surrogates become
    U+FFFD. ``event`` and ``id`` must be single lines; an ``id`` must not
    contain NUL (a parser would ignore it). Raises :class:`ValueError` for
    those.
    """
    out = []
    if event.event is not None:
        out.append(f'event: {_field("event", event.event)}\n')
    if event.id is not None:
        if '\0' in event.id:
            raise ValueError(f'an SSE id cannot contain NUL: {event.id!r}')
        out.append(f'id: {_field("id", event.id)}\n')
    if event.retry is not None:
        if event.retry < 0:
            raise ValueError(f'retry must be >= 0 milliseconds, not {event.retry}')
        out.append(f'retry: {event.retry}\n')
    data = _SURROGATE.sub('\ufffd', event.data)
    # `data:value` would lose a leading space of the value: the parser strips
    # one space after the colon, so always write `data: ` with that space.
    out.extend(f'data: {line}\n' for line in _LINE_BREAK.split(data))
    out.append('\n')
    return ''.join(out).encode('utf-8')


def sse_comment(text: str = '') -> bytes:
    """A comment line (``: text``), ignored by every SSE parser; keeps idle connections open."""
    text = _SURROGATE.sub('\ufffd', text)
    return ''.join(f': {line}\n' if line else ':\n' for line in _LINE_BREAK.split(text)).encode('utf-8') + b'\n'


#: What :func:`~llm_sse.heartbeats` sends while the upstream is silent.
HEARTBEAT = sse_comment('keep-alive')
