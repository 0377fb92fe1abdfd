"""One writer per process (a thread, or a task) stores every generation's events, many per round trip.

With each generation thread doing its own ``XADD`` and waiting for the
reply, a hundred concurrent streams spent most of their CPU handing the
GIL back and forth around blocking socket calls (345 µs per event against
53 µs with the memory store, in one process with 100 streams). Queued here
and sent as one pipeline per batch, an event costs one command in a shared
round trip; under no load a batch is a single event, so nothing waits.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, Callable, Optional, Protocol

from . import metrics
from .calls import Loop, arun
from .store import StoreUnavailable, StreamLost

if TYPE_CHECKING:
    from .core import Changed

log = logging.getLogger('llm_sse.resume')

# A generation that gets this far ahead of the store waits: memory stays
# bounded while Redis is slow, instead of queueing a whole answer.
MAX_PENDING = 1000


class Target(Protocol):
    """What the writer needs of a generation."""

    stream_id: str
    #: Events put and not yet written (or given up).
    pending: int
    #: Why writing failed (``'lost'``, ``'unavailable'``); nothing more is written after it.
    write_error: Optional[str]

    def record(self, event: Optional[str], data: str) -> None:
        """Called once the event is stored, in order."""

    def fail(self, reason: str) -> None:
        """Writing failed for good; stop the generation."""


class Batches:
    """Batches appends to the store; gives up on a batch after ``unavailable`` seconds of store outage.

    Written once, as coroutines over ``calls`` (the store, awaitable) and
    ``changed`` (a lock with a bounded wait: :class:`threading.Condition`
    for the thread runner, which drives these with
    :func:`~llm_sse.resume.bridge.drive`; a flag on the event loop for
    the asyncio runner). A subclass runs :meth:`loop` (:meth:`_ensure_loop`).
    """

    def __init__(
        self, calls: Any, unavailable: float, changed: Changed, extra: Optional[dict[str, Callable[..., Any]]] = None
    ) -> None:
        self.calls = calls
        self.unavailable = unavailable
        # The driver's own calls (``sleep``) when it is not asyncio's.
        self._extra = extra
        self._queue: list[tuple[Target, int, Optional[str], str]] = []
        self._changed = changed

    def _ensure_loop(self) -> None:
        raise NotImplementedError

    async def put(self, target: Target, n: int, event: Optional[str], data: str) -> None:
        """Queue event ``n`` of ``target`` (waits while it has too many events queued)."""
        with self._changed:
            while target.pending >= MAX_PENDING and target.write_error is None:
                await self._changed.pause(0.1)
            target.pending += 1
            self._queue.append((target, n, event, data))
            self._changed.notify_all()
        self._ensure_loop()

    async def flush(self, target: Target) -> None:
        """Wait until every event of ``target`` queued so far is written or given up."""
        with self._changed:
            while target.pending > 0:
                await self._changed.pause(0.1)

    async def loop(self) -> None:
        while True:
            with self._changed:
                while not self._queue:
                    await self._changed.pause(1.0)
                batch, self._queue = self._queue, []
            try:
                await arun(write(batch, self.unavailable), self.calls, self._extra)
            except Exception:
                log.exception('writing %d events failed', len(batch))
                for target, *_ in batch:
                    target.fail('internal')
            finally:
                with self._changed:
                    for target, *_ in batch:
                        target.pending -= 1
                    self._changed.notify_all()


def write(batch: Sequence[tuple[Target, int, Optional[str], str]], unavailable: float) -> Loop:
    """Store ``batch`` in one round trip, retrying an unreachable store for ``unavailable`` seconds; each
    event is then recorded for its generation's local readers, or its generation fails (both writers)."""
    deadline = time.monotonic() + unavailable
    while True:
        todo = [item for item in batch if item[0].write_error is None]
        if not todo:
            return
        try:
            results = yield ('append_many', ([(t.stream_id, n, event, data) for t, n, event, data in todo],))
        except StoreUnavailable as error:
            metrics.STORE_ERRORS.labels('write').inc()
            if time.monotonic() < deadline:
                yield ('sleep', (0.1,))
                continue
            log.warning('giving up on %d events: %s', len(todo), error)
            for target, *_ in todo:
                target.fail('unavailable')
            return
        for (target, _, event, data), result in zip(todo, results):
            if target.write_error is not None:
                continue  # an earlier event of it was lost: no gap may follow
            if result is None:
                target.record(event, data)
            elif isinstance(result, StreamLost):
                target.fail('lost')
            else:
                log.error('stream %s: append failed: %r', target.stream_id, result)
                target.fail('internal')
        return
