"""Read a blocking event source on its own thread, so its reader can wait with a timeout.

A WSGI body generator cannot both wait for the next token and notice that
a minute went by: it blocks in ``next()``. With the source on a thread and
the events in a queue, the body waits ``get(timeout)`` and sends a heartbeat
comment when the upstream is silent, and a client that goes away can stop
the source from the outside (``close()``) instead of at the next token.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Iterator
from typing import Callable, Literal, Optional, Union

from .event import Event

#: How a generation ended: the source ran out after its end marker, after an
#: error event, or it was stopped because its reader went away.
Outcome = Literal['completed', 'error', 'disconnected']


class _Signal:
    def __init__(self, name: str) -> None:
        self.name = name

    def __repr__(self) -> str:
        return self.name


#: :meth:`Pump.get` timed out: the source is silent.
IDLE = _Signal('IDLE')
#: :meth:`Pump.get`: the source has no more events.
END = _Signal('END')

# A slow reader holds the producer back instead of letting the queue grow.
_QUEUE_SIZE = 64
# How often a producer blocked on a full queue checks whether it was stopped.
_STOP_POLL = 0.5


def outcome_of(last: Optional[Event], stopped: bool) -> Outcome:
    """The :data:`Outcome` of a source whose last event was ``last``."""
    if stopped:
        return 'disconnected'
    # A UI-message stream ends with `[DONE]` also after its error; that one carries the failure too.
    return 'error' if last is not None and (last.event == 'error' or last.failure is not None) else 'completed'


class Pump:
    """A source of events running on a daemon thread; see :func:`start_pump`."""

    def __init__(
        self,
        source: Iterator[Event],
        cancel: Optional[Callable[[], None]],
        on_end: Optional[Callable[[Outcome], None]],
    ) -> None:
        self._queue: queue.Queue[Union[Event, _Signal]] = queue.Queue(_QUEUE_SIZE)
        self._stop = threading.Event()
        self._cancel = cancel
        self._on_end = on_end
        self._done = False
        self._thread = threading.Thread(target=self._run, args=(source,), name='llm-sse-pump', daemon=True)
        self._thread.start()

    def _put(self, item: Union[Event, _Signal]) -> bool:
        while not self._stop.is_set():
            try:
                self._queue.put(item, timeout=_STOP_POLL)
                return True
            except queue.Full:
                continue
        return False

    def _run(self, source: Iterator[Event]) -> None:
        last: Optional[Event] = None
        try:
            for event in source:
                last = event
                if not self._put(event):
                    break
        finally:
            # Closed here, on the thread that iterates it: a generator cannot
            # be closed from another thread while it runs.
            close = getattr(source, 'close', None)
            try:
                if callable(close):
                    close()
            finally:
                # Reported before the reader sees END, so whoever counts
                # outcomes has counted this one when the response ends.
                outcome = outcome_of(last, self._stop.is_set())
                try:
                    if self._on_end is not None:
                        self._on_end(outcome)
                finally:
                    self._put(END)

    def get(self, timeout: Optional[float]) -> Union[Event, _Signal]:
        """The next event, :data:`IDLE` after ``timeout`` seconds without one (``None``: wait), or :data:`END`."""
        if self._done:
            return END
        try:
            item = self._queue.get(timeout=timeout)
        except queue.Empty:
            return IDLE
        if item is END:
            self._done = True
        return item

    def close(self) -> None:
        """Stop the source: ``cancel()`` wakes it if it is blocked, and it is closed on its thread.

        Idempotent, and does nothing once :data:`END` was read.
        """
        if self._done or self._stop.is_set():
            return
        self._stop.set()
        if self._cancel is not None:
            self._cancel()


def start_pump(
    source: Iterator[Event],
    *,
    cancel: Optional[Callable[[], None]] = None,
    on_end: Optional[Callable[[Outcome], None]] = None,
) -> Pump:
    """Iterate ``source`` on a new thread.

    ``cancel``: wakes a source blocked on its upstream (for an ``openai``
    stream: :func:`llm_sse.upstream.interrupt`). ``on_end``: called once on
    the pump's thread with the :data:`Outcome`, after the source is closed.
    """
    return Pump(source, cancel, on_end)
