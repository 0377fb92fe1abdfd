"""Generations that outlive their requests, and readers that can join them from any worker.

A generation runs on its own thread and appends every event to a store;
every response, the first one included, only reads the store from a cursor.
So a dropped connection cancels nothing, a request with ``Last-Event-ID``
on any worker continues after that event, and no request ever starts a
second generation of the same answer.

One heartbeat thread per :class:`Runner` serves all its generations: it
refreshes their liveness in the store and stops those that were cancelled
(the cancel route, from any worker) or that no reader followed for
``grace`` seconds.
"""

from __future__ import annotations

import atexit
import logging
import threading
import time
from collections.abc import AsyncIterator, Iterator
from typing import Any, Callable, Optional, Union, cast

from ..event import Event
from ..failure import Failure
from ..generation import parse_event_id
from .bridge import Blocking, Events, drive, iterate, ready
from .calls import run
from .core import STOPPED as STOPPED
from .core import AsyncStore, Changed, Core, Generation, Pause, Writes
from .core import judge as judge
from .core import outcome as outcome
from .core import replay as replay
from .core import stopped_event as stopped_event
from .memory import MemoryStore
from .multiplex import BACKLOG, rounds
from .store import Store
from .writer import Batches

log = logging.getLogger('llm_sse.resume')


class _Changed(threading.Condition):
    """A generation's lock and wake-up for readers on threads."""

    async def pause(self, timeout: float) -> None:
        self.wait(timeout)


class _Writer(Batches):
    """The batched writer on its own thread."""

    def __init__(self, store: Store, unavailable: float) -> None:
        super().__init__(Blocking(store), unavailable, _Changed(), {'sleep': ready(time.sleep)})
        self._thread: Optional[threading.Thread] = None
        self._started = threading.Lock()

    def _ensure_loop(self) -> None:
        with self._started:
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=drive, args=(self.loop(),), name='llm-sse-writer', daemon=True)
                self._thread.start()


class _Signal(threading.Event):
    """What wakes a thread following a stream generated elsewhere."""

    async def pause(self, timeout: float) -> None:
        self.wait(timeout)


class Runner(Core):
    """Runs resumable generations on ``store`` (default: a :class:`MemoryStore`).

    ``grace``: seconds a generation goes on with no reader, waiting for a
    resume, before it is cancelled. ``ttl``: seconds a stream stays
    readable after its end. ``tick``: heartbeat period (keep it well below
    the store's ``liveness``). ``block``: longest wait of one store read.
    ``ping``: seconds of silence before a reader sends a heartbeat comment.
    ``unavailable``: seconds a producer or reader keeps retrying an
    unreachable store before it gives up with an error. ``drain``: at
    interpreter exit (a ``SIGTERM`` turned into ``SystemExit``, a gunicorn
    worker's graceful exit), wait up to this long for running generations
    to finish, so their readers on other workers get the whole answer
    instead of ``generator_gone``; 0 turns it off. ``backlog``: bytes a
    reader of a stream generated elsewhere may leave unread before it is
    dropped with a ``reader_too_slow`` error event.

    The logic is :class:`~llm_sse.resume.core.Core`'s, run on the calling
    thread with blocking store calls (:mod:`~llm_sse.resume.bridge`).
    """

    def __init__(
        self,
        store: Optional[Store] = None,
        *,
        grace: float = 30.0,
        ttl: float = 600.0,
        tick: float = 1.0,
        block: float = 1.0,
        ping: float = 15.0,
        unavailable: float = 5.0,
        drain: float = 10.0,
        backlog: int = BACKLOG,
    ) -> None:
        super().__init__(
            grace=grace, ttl=ttl, tick=tick, block=block, ping=ping, unavailable=unavailable, backlog=backlog
        )
        self.store: Store = store if store is not None else MemoryStore()
        self._calls = cast(AsyncStore, Blocking(self.store))
        self._closed = threading.Event()
        self._ticker: Optional[threading.Thread] = None
        self._writer = _Writer(self.store, unavailable)
        self._reader: Optional[threading.Thread] = None
        if drain > 0:
            atexit.register(self.drain, drain)

    def _changed(self) -> Changed:
        return _Changed()

    def _signal(self) -> Pause:
        return _Signal()

    def _writes(self) -> Writes:
        return self._writer

    # -- producing -----------------------------------------------------------

    def start(
        self, make: Callable[[str], Iterator[Event]], *, interrupt: Optional[Callable[[], None]] = None
    ) -> Union[str, Failure]:
        """Start a generation; returns its stream id, or the :class:`Failure` of one that failed at once.

        ``make(stream_id)`` returns the generation's events (e.g.
        ``llm_sse.events(upstream, stream_id=stream_id)``). Its first event
        is read here, on the caller's thread, so an upstream that fails
        before its first token gets a real HTTP status; the rest runs on a
        daemon thread. ``interrupt()`` is called (from another thread) to
        stop a generation blocked waiting for its upstream, e.g. by shutting
        the upstream socket down; without it a stop takes effect at the
        next event. Raises :class:`StoreUnavailable` when the store cannot
        be reached.
        """
        return drive(self._start(blocking(make), interrupt))

    def _launch(self, gen: Generation, first: Optional[Event]) -> None:
        with self._lock:
            if self._ticker is None or not self._ticker.is_alive():
                self._ticker = threading.Thread(target=self._beat_forever, name='llm-sse-heartbeat', daemon=True)
                self._ticker.start()
        name = f'generation-{gen.stream_id[:8]}'
        threading.Thread(target=drive, args=(self._run(gen, first),), name=name, daemon=True).start()

    def _beat_forever(self) -> None:
        while not self._closed.wait(self.tick):
            try:
                self.beat()
            except Exception:
                log.exception('heartbeat failed')

    def beat(self) -> None:
        """One heartbeat (the heartbeat thread calls this every ``tick`` seconds)."""
        drive(self._beat())

    def cancel(self, stream_id: str) -> bool:
        """Stop a generation now if it runs here, through the store if it runs elsewhere.

        Returns False when no such stream exists. Raises :class:`StoreUnavailable`.
        """
        return drive(self._cancel(stream_id))

    def drain(self, timeout: float) -> bool:
        """Wait up to ``timeout`` seconds for every running generation to end; True when none is left."""
        deadline = time.monotonic() + timeout
        with self._lock:
            if self._active:
                log.info('waiting up to %.0f s for %d running generations', timeout, len(self._active))
            while self._active:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    log.warning('%d generations still running after %.0f s', len(self._active), timeout)
                    return False
                self._idle.wait(remaining)
        return True

    def close(self) -> None:
        """Stop the heartbeat thread (generations still running lose their liveness)."""
        self._closed.set()

    # -- reading -------------------------------------------------------------

    def exists(self, stream_id: str) -> bool:
        """Whether ``stream_id`` can be read (running, or ended less than ``ttl`` ago)."""
        return drive(self._exists(stream_id))

    def follow(self, stream_id: str, after: int = -1, gone: Optional[Callable[[], bool]] = None) -> Iterator[bytes]:
        """The SSE bytes of ``stream_id`` after event ``after``, replayed then live, up to its end.

        Ends with an ``event: error`` instead of hanging when the producer
        died, the store lost the stream, the store stays unreachable for
        ``unavailable`` seconds, or this reader left more than ``backlog``
        bytes unread. ``gone()`` tells that the client left (so its
        presence stops counting at once); without it a departed client is
        noticed when a write fails.
        """
        return iterate(self._follow(stream_id, after, gone))

    def _ensure_reader(self) -> None:
        with self._lock:
            if self._reader is None or not self._reader.is_alive():
                loop = rounds(self._hub, self.block, self.unavailable)
                extra = {'wait': self._hub.wait_for_readers}
                self._reader = threading.Thread(
                    target=run, args=(loop, self.store, extra, self._closed.is_set), name='llm-sse-reader', daemon=True
                )
                self._reader.start()


def resume_point(last_event_id: str) -> Optional[tuple[str, int]]:
    """``(stream_id, n)`` from a ``Last-Event-ID`` this kit sent, ``None`` for anything else."""
    parsed = parse_event_id(last_event_id.strip())
    if parsed is None or not valid_stream_id(parsed[0]):
        return None
    return parsed


def valid_stream_id(stream_id: str) -> bool:
    """Whether ``stream_id`` has the shape :func:`~llm_sse.new_stream_id` makes (32 lowercase hex digits)."""
    return len(stream_id) == 32 and all(c in '0123456789abcdef' for c in stream_id)


def blocking(make: Callable[[str], Iterator[Event]]) -> Callable[[str], AsyncIterator[Event]]:
    """``make`` for the core: its blocking events behind awaitables; closing them logs a failure."""
    return lambda stream_id: Events(make(stream_id), _close)


def _close(source: Iterator[Any]) -> None:
    close = getattr(source, 'close', None)
    if callable(close):
        try:
            close()
        except Exception:
            log.exception('closing a generation failed')
