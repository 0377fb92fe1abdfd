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
import contextlib
import logging
import threading
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, Callable, Optional, Union

from ..event import HEARTBEAT, Event, sse_encode
from ..failure import Failure
from ..generation import event_id, new_stream_id, parse_event_id
from . import metrics
from .calls import run
from .memory import MemoryStore
from .multiplex import BACKLOG, Hub, rounds
from .store import Entry, Signals, Store, StoreUnavailable, StreamLost
from .writer import Writer

log = logging.getLogger('llm_sse.resume')

# What readers see when a generation ends without its own last event. The
# status is what a request would get before any byte was sent.
STOPPED = {
    'cancelled': Failure(499, 'cancelled', 'the generation was stopped'),
    'abandoned': Failure(499, 'abandoned', 'the generation was stopped: no client followed it'),
    'lost': Failure(503, 'stream_lost', 'the stream store lost this answer'),
    'gone': Failure(503, 'generator_gone', 'the server generating this answer stopped'),
    'unavailable': Failure(503, 'store_unavailable', 'the stream store is unavailable'),
    'internal': Failure(500, 'internal_error', 'the server failed while generating the answer'),
    # Only this reader ends: the answer goes on, and a resume from its last id gets the rest.
    'overflow': Failure(503, 'reader_too_slow', 'this connection fell too far behind the answer; resume it'),
}


def judge(gens: list[Any], signals: dict[str, Signals], now: float, grace: float) -> None:
    """Apply one heartbeat's signals to the running generations (both runners)."""
    for gen in gens:
        sig = signals.get(gen.stream_id)
        if sig is None:
            gen.stop('lost')
        elif sig.cancel:
            gen.stop('cancelled')
        elif sig.readers or gen.readers > 0:
            gen.seen = now
        elif now - gen.seen > grace:
            gen.stop('abandoned')


def outcome(stop_reason: Optional[str], last: Optional[str]) -> str:
    """How a generation ended, for the metrics: why it was stopped, ``failed`` when its last event was an
    upstream error, else ``completed``."""
    if stop_reason is not None:
        return stop_reason
    return 'failed' if last == 'error' else 'completed'


def replay(stream_id: str, entries: Sequence[Entry]) -> tuple[list[bytes], int, bool]:
    """The SSE bytes of stored ``entries``, the last event number among them, and whether the end came."""
    out: list[bytes] = []
    last = -1
    for entry in entries:
        if entry.end:
            return out, last, True
        last = entry.n
        out.append(sse_encode(Event(entry.data, event=entry.event, id=event_id(stream_id, entry.n))))
    return out, last, False


def stopped_event(reason: str, stream_id: str) -> Event:
    """The ``event: error`` readers get when a generation ended for ``reason`` (a key of ``STOPPED``)."""
    f = STOPPED[reason]
    failure = Failure(f.status, f.type, f.message, stream_id)
    return Event(failure.json(), event='error', failure=failure)


@dataclass
class _Generation:
    stream_id: str
    source: Iterator[Event]
    interrupt: Optional[Callable[[], None]]
    seen: float = field(default_factory=time.monotonic)
    stop_reason: Optional[str] = None
    lock: threading.Lock = field(default_factory=threading.Lock)
    # Readers on this process follow these copies of the stored events
    # instead of reading the store: half the store round trips per event,
    # and no wait for a blocked read to return.
    local: list[tuple[Optional[str], str]] = field(default_factory=list)
    ended: bool = False
    readers: int = 0
    changed: threading.Condition = field(default_factory=threading.Condition)
    pending: int = 0
    write_error: Optional[str] = None
    track: Optional[metrics.Generation] = None
    last: Optional[str] = None

    def record(self, event: Optional[str], data: str, stored: bool = True) -> None:
        if stored:
            self.last = event
            if self.track is not None:
                self.track.stored()
        with self.changed:
            self.local.append((event, data))
            self.changed.notify_all()

    def fail(self, reason: str) -> None:
        if self.write_error is None:
            self.write_error = reason
        self.stop(reason)

    def finish(self) -> None:
        with self.changed:
            self.ended = True
            self.changed.notify_all()

    def stop(self, reason: str) -> None:
        with self.lock:
            if self.stop_reason is not None:
                return
            self.stop_reason = reason
        log.info('stream %s: stopping (%s)', self.stream_id, reason)
        if self.interrupt is not None:
            try:
                self.interrupt()
            except Exception:
                log.exception('stream %s: interrupt failed', self.stream_id)


class Runner:
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
        self.store: Store = store if store is not None else MemoryStore()
        self.grace = grace
        self.ttl = ttl
        self.tick = tick
        self.block = block
        self.ping = ping
        self.unavailable = unavailable
        self._active: dict[str, _Generation] = {}
        self._lock = threading.Lock()
        self._closed = threading.Event()
        self._ticker: Optional[threading.Thread] = None
        self._writer = Writer(self.store, unavailable)
        self._idle = threading.Condition(self._lock)
        self._hub = Hub(backlog)
        self._reader: Optional[threading.Thread] = None
        if drain > 0:
            atexit.register(self.drain, drain)

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
        stream_id = new_stream_id()
        try:
            self.store.create(stream_id)
        except StoreUnavailable:
            metrics.STORE_ERRORS.labels('create').inc()
            raise
        track = metrics.Generation(stream_id)
        try:
            source = make(stream_id)
            first = next(source, None)
        except BaseException:
            track.end('internal')
            self._end(stream_id)
            raise
        if first is not None and first.failure is not None:
            track.end('failed')
            _close(source)
            self._end(stream_id)
            return first.failure
        gen = _Generation(stream_id, source, interrupt, track=track)
        with self._lock:
            self._active[stream_id] = gen
            self._ensure_ticker()
        threading.Thread(target=self._run, args=(gen, first), name=f'generation-{stream_id[:8]}', daemon=True).start()
        return stream_id

    def _run(self, gen: _Generation, first: Optional[Event]) -> None:
        n = 0
        try:
            # The writer records each event for local readers once it is
            # stored: an event a reader saw must be resumable anywhere.
            if first is not None:
                self._writer.put(gen, n, first.event, first.data)
                n += 1
            for ev in gen.source:
                if gen.stop_reason is not None:
                    break  # the interrupted upstream's error is not the answer's
                self._writer.put(gen, n, ev.event, ev.data)
                n += 1
        except Exception:
            log.exception('stream %s: generation failed', gen.stream_id)
            gen.stop('internal')
        finally:
            _close(gen.source)
            self._writer.flush(gen)
        if gen.stop_reason is not None:
            stop = stopped_event(gen.stop_reason, gen.stream_id)
            if gen.write_error is None:
                with contextlib.suppress(StreamLost, StoreUnavailable):
                    self.store.append(gen.stream_id, n, stop.event, stop.data)
            # Also when the store refused it: this process's readers still learn why.
            gen.record(stop.event, stop.data, stored=False)
        if gen.track is not None:
            gen.track.end(outcome(gen.stop_reason, gen.last))
        self._end(gen.stream_id)
        gen.finish()
        with self._lock:
            self._active.pop(gen.stream_id, None)
            self._idle.notify_all()

    def _end(self, stream_id: str) -> None:
        try:
            self.store.end(stream_id, self.ttl)
        except StoreUnavailable as error:
            metrics.STORE_ERRORS.labels('end').inc()
            log.warning('stream %s: could not mark its end: %s', stream_id, error)
        except Exception:
            # Readers then end on the lapsed liveness instead of the end mark.
            log.exception('stream %s: could not mark its end', stream_id)

    def _ensure_ticker(self) -> None:
        if self._ticker is None or not self._ticker.is_alive():
            self._ticker = threading.Thread(target=self._beat_forever, name='llm-sse-heartbeat', daemon=True)
            self._ticker.start()

    def _beat_forever(self) -> None:
        while not self._closed.wait(self.tick):
            try:
                self.beat()
            except Exception:
                log.exception('heartbeat failed')

    def beat(self) -> None:
        """One heartbeat (the heartbeat thread calls this every ``tick`` seconds)."""
        with self._lock:
            gens = list(self._active.values())
        if not gens:
            return
        try:
            signals = self.store.beat([g.stream_id for g in gens])
        except StoreUnavailable as error:
            metrics.STORE_ERRORS.labels('beat').inc()
            log.warning('heartbeat: %s', error)
            return
        judge(gens, signals, time.monotonic(), self.grace)

    def cancel(self, stream_id: str) -> bool:
        """Stop a generation now if it runs here, through the store if it runs elsewhere.

        Returns False when no such stream exists. Raises :class:`StoreUnavailable`.
        """
        with self._lock:
            gen = self._active.get(stream_id)
        found = self.store.cancel(stream_id)
        if gen is not None:
            gen.stop('cancelled')
        return found or gen is not None

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

    def running(self) -> int:
        """How many generations run in this process."""
        with self._lock:
            return len(self._active)

    def close(self) -> None:
        """Stop the heartbeat thread (generations still running lose their liveness)."""
        self._closed.set()

    # -- reading -------------------------------------------------------------

    def exists(self, stream_id: str) -> bool:
        """Whether ``stream_id`` can be read (running, or ended less than ``ttl`` ago)."""
        return self.store.state(stream_id) != 'missing'

    def follow(self, stream_id: str, after: int = -1, gone: Optional[Callable[[], bool]] = None) -> Iterator[bytes]:
        """The SSE bytes of ``stream_id`` after event ``after``, replayed then live, up to its end.

        Ends with an ``event: error`` instead of hanging when the producer
        died, the store lost the stream, the store stays unreachable for
        ``unavailable`` seconds, or this reader left more than ``backlog``
        bytes unread. ``gone()`` tells that the client left (so its
        presence stops counting at once); without it a departed client is
        noticed when a write fails.
        """
        with self._lock:
            gen = self._active.get(stream_id)
        if gen is not None:
            yield from self._follow_local(gen, after, gone)
            return
        # What is stored already comes from one read; the process's one
        # multiplexed reader brings the rest.
        try:
            chunks, last, ended = replay(stream_id, self.store.read(stream_id, after, 0))
        except StoreUnavailable:
            chunks, last, ended = [], -1, False
        yield from chunks
        if ended:
            return
        after = max(after, last)
        f, wake = self._hub.join(stream_id, after, threading.Event())
        try:
            self._ensure_reader()
            if wake:
                with contextlib.suppress(StoreUnavailable):
                    self.store.wake()
            while gone is None or not gone():
                chunks, done = f.step(self._hub.lock, self.ping)
                yield from chunks
                if done:
                    return
                f.signal.wait(self.block)  # type: ignore[attr-defined]
        finally:
            self._hub.leave(f)

    def _ensure_reader(self) -> None:
        with self._lock:
            if self._reader is None or not self._reader.is_alive():
                loop = rounds(self._hub, self.block, self.unavailable)
                extra = {'wait': self._hub.wait_for_readers}
                self._reader = threading.Thread(
                    target=run, args=(loop, self.store, extra, self._closed.is_set), name='llm-sse-reader', daemon=True
                )
                self._reader.start()

    def _follow_local(self, gen: _Generation, after: int, gone: Optional[Callable[[], bool]]) -> Iterator[bytes]:
        with gen.changed:
            gen.readers += 1
        metrics.READERS.labels('local').inc()
        try:
            last_write = time.monotonic()
            while gone is None or not gone():
                with gen.changed:
                    if len(gen.local) <= after + 1 and not gen.ended:
                        gen.changed.wait(self.block)
                    batch = gen.local[after + 1 :]
                    ended = gen.ended
                for event, data in batch:
                    after += 1
                    yield sse_encode(Event(data, event=event, id=event_id(gen.stream_id, after)))
                now = time.monotonic()
                if batch:
                    last_write = now
                elif ended:
                    return
                elif now - last_write >= self.ping:
                    yield HEARTBEAT
                    last_write = now
        finally:
            metrics.READERS.labels('local').dec()
            with gen.changed:
                gen.readers -= 1
            # The grace period counts from the last reader's departure.
            gen.seen = time.monotonic()


def resume_point(last_event_id: str) -> Optional[tuple[str, int]]:
    """``(stream_id, n)`` from a ``Last-Event-ID`` this kit sent, ``None`` for anything else."""
    parsed = parse_event_id(last_event_id.strip())
    if parsed is None or not valid_stream_id(parsed[0]):
        return None
    return parsed


def valid_stream_id(stream_id: str) -> bool:
    """Whether ``stream_id`` has the shape :func:`~llm_sse.new_stream_id` makes (32 lowercase hex digits)."""
    return len(stream_id) == 32 and all(c in '0123456789abcdef' for c in stream_id)


def _close(source: Iterator[Event]) -> None:
    close = getattr(source, 'close', None)
    if callable(close):
        try:
            close()
        except Exception:
            log.exception('closing a generation failed')
