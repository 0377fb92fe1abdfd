"""Where a resumable stream's events live between the generation and its readers.

A store keeps, per stream id, the events in order (event ``n`` has the SSE id
``<stream_id>:<n>``), an end mark, and three signals with a time to live:
the producer is alive, some reader is connected, a stop was asked for.
Signals expire instead of being cleared so a process that dies mid-stream
cannot leave one set forever: its readers see the liveness lapse and end
with an error, and a stream nobody reads is cancelled after a grace period.

Two implementations: :class:`~llm_sse.resume.memory.MemoryStore` (one
process) and :class:`~llm_sse.resume.redis_store.RedisStore` (Redis Streams,
any number of processes and hosts).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Literal, NamedTuple, Optional, Protocol

#: ``live``: the stream exists and its producer is running (or it has ended:
#: its end mark is then in the stream). ``dead``: it exists, has not ended,
#: and its producer stopped refreshing its liveness. ``missing``: unknown,
#: expired, or lost by the store (a Redis restart without persistence).
State = Literal['live', 'dead', 'missing']


class Entry(NamedTuple):
    """One stored event (``end`` is False), or the end mark (``end`` is True, no data)."""

    n: int
    event: Optional[str]
    data: str
    end: bool = False


class Signals(NamedTuple):
    """What a producer learns at each heartbeat."""

    #: Someone asked to stop this generation (the cancel route, on any process).
    cancel: bool
    #: A reader touched the stream within the presence time to live.
    readers: bool


class StoreUnavailable(Exception):
    """The store cannot be reached (Redis down or restarting)."""


class StreamLost(Exception):
    """The stream vanished while it was written (expired, or the store lost its data)."""


class Store(Protocol):
    """The operations the runner and the readers need; every method is thread-safe.

    Methods raise :class:`StoreUnavailable` when the store cannot be reached.
    """

    def create(self, stream_id: str) -> None:
        """Make an empty, live stream that expires if its producer stops refreshing it."""

    def append(self, stream_id: str, n: int, event: Optional[str], data: str) -> None:
        """Store event ``n`` (0, 1, 2... in order). Appending an ``n`` already stored is a no-op
        (a retry after a lost reply); raises :class:`StreamLost` when the stream is gone."""

    def append_many(self, items: Sequence[tuple[str, int, Optional[str], str]]) -> list[Optional[Exception]]:
        """:meth:`append` for ``(stream_id, n, event, data)`` items in one round trip; per item
        ``None`` (stored) or the exception (:class:`StreamLost`). Raises :class:`StoreUnavailable`
        for the whole batch (then none or some were stored: appends are idempotent, retry it)."""

    def end(self, stream_id: str, ttl: float) -> None:
        """Add the end mark; the stream is deleted ``ttl`` seconds later."""

    def read(self, stream_id: str, after: int, block: float) -> Sequence[Entry]:
        """Entries with ``n > after`` (``after=-1``: from the start), in order; waits up to
        ``block`` seconds for the first one (0: no wait). An empty list when none came."""

    def read_many(self, cursors: Mapping[str, int], block: float) -> dict[str, list[Entry]]:
        """:meth:`read` of every ``{stream_id: after}`` in one wait (up to ``block`` seconds, or until
        :meth:`wake`); only the streams that have entries are in the result."""

    def wake(self) -> None:
        """End the :meth:`read_many` this store object is waiting in (from another thread)."""

    def state(self, stream_id: str) -> State:
        """See :data:`State`."""

    def state_many(self, stream_ids: Sequence[str]) -> dict[str, State]:
        """:meth:`state` of many streams in one round trip."""

    def touch_many(self, stream_ids: Sequence[str]) -> None:
        """:meth:`touch` of many streams in one round trip."""

    def touch(self, stream_id: str) -> None:
        """Mark that a reader is connected to ``stream_id`` (refresh its presence)."""

    def cancel(self, stream_id: str) -> bool:
        """Ask the producer to stop; False when the stream does not exist."""

    def beat(self, stream_ids: Sequence[str]) -> dict[str, Signals]:
        """Producer heartbeat for running streams: refresh their liveness, read their signals."""
