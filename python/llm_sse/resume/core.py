"""Both runners' logic, written once as coroutines.

:class:`~llm_sse.resume.aio.AsyncRunner` awaits these on its event loop.
:class:`~llm_sse.resume.runner.Runner` gives them a sync store, a sync
writer and ``threading`` waits behind awaitables that are already done,
and runs each coroutine to its end on the calling thread (:mod:`.bridge`):
the same code blocks a thread there and suspends a task here. A runner
only says how a generation is launched (a thread or a task), how readers
wait, and how its writer and multiplexed reader run.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import threading
import time
from collections.abc import AsyncGenerator, AsyncIterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Callable, Optional, Protocol, Union

from ..event import HEARTBEAT, Event, sse_encode
from ..failure import Failure
from ..generation import aclose, event_id, new_stream_id
from . import metrics
from .multiplex import Hub, Signal
from .store import Entry, Signals, State, StoreUnavailable, StreamLost

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


def judge(gens: list[Generation], signals: dict[str, Signals], now: float, grace: float) -> None:
    """Apply one heartbeat's signals to the running generations."""
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


class AsyncStore(Protocol):
    """:class:`~llm_sse.resume.store.Store` with awaitable methods."""

    async def create(self, stream_id: str) -> None: ...
    async def append(self, stream_id: str, n: int, event: Optional[str], data: str) -> None: ...
    async def append_many(self, items: Sequence[tuple[str, int, Optional[str], str]]) -> list[Optional[Exception]]: ...
    async def end(self, stream_id: str, ttl: float) -> None: ...
    async def read(self, stream_id: str, after: int, block: float) -> Sequence[Entry]: ...
    async def read_many(self, cursors: Mapping[str, int], block: float) -> dict[str, list[Entry]]: ...
    async def wake(self) -> None: ...
    async def state(self, stream_id: str) -> State: ...
    async def state_many(self, stream_ids: Sequence[str]) -> dict[str, State]: ...
    async def touch(self, stream_id: str) -> None: ...
    async def touch_many(self, stream_ids: Sequence[str]) -> None: ...
    async def cancel(self, stream_id: str) -> bool: ...
    async def beat(self, stream_ids: Sequence[str]) -> dict[str, Signals]: ...


class Pause(Signal, Protocol):
    """A wake-up a reader waits for at most ``timeout`` seconds (a thread's or a task's)."""

    async def pause(self, timeout: float) -> None: ...


class Changed(Protocol):
    """What a generation's local readers wait on: a lock around its state, a wake-up, a bounded wait."""

    def __enter__(self) -> Any: ...
    def __exit__(self, kind: Any, value: Any, traceback: Any, /) -> Any: ...
    def notify_all(self) -> None: ...
    async def pause(self, timeout: float) -> None: ...


class Writes(Protocol):
    """The runner's batched writer (:mod:`.writer`), awaitable."""

    async def put(self, gen: Generation, n: int, event: Optional[str], data: str) -> None: ...
    async def flush(self, gen: Generation) -> None: ...


@dataclass
class Generation:
    stream_id: str
    source: AsyncIterator[Event]
    changed: Changed
    #: Stops a generation blocked on its upstream (called from another thread or task).
    interrupt: Optional[Callable[[], None]] = None
    track: Optional[metrics.Generation] = None
    seen: float = field(default_factory=time.monotonic)
    stop_reason: Optional[str] = None
    lock: threading.Lock = field(default_factory=threading.Lock)
    # Readers on this process follow these copies of the stored events
    # instead of reading the store: half the store round trips per event,
    # and no wait for a blocked read to return.
    local: list[tuple[Optional[str], str]] = field(default_factory=list)
    ended: bool = False
    readers: int = 0
    pending: int = 0
    write_error: Optional[str] = None
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


class Core:
    """The settings, the running generations and every store conversation of a runner.

    Subclasses give the waits and the launching: :meth:`_changed` and
    :meth:`_signal` make what readers wait on, :meth:`_launch` runs
    :meth:`_run` (a thread or a task), :meth:`_ensure_reader` runs the
    multiplexed reader, :meth:`_writes` gives the batched writer; ``_calls``
    is the store, awaitable.
    """

    _calls: AsyncStore

    def __init__(
        self, *, grace: float, ttl: float, tick: float, block: float, ping: float, unavailable: float, backlog: int
    ) -> None:
        self.grace = grace
        self.ttl = ttl
        self.tick = tick
        self.block = block
        self.ping = ping
        self.unavailable = unavailable
        self._active: dict[str, Generation] = {}
        # Threads of a Runner share these; on one event loop the lock is never contended.
        self._lock = threading.Lock()
        self._idle = threading.Condition(self._lock)
        self._hub = Hub(backlog)

    def _changed(self) -> Changed:
        raise NotImplementedError

    def _signal(self) -> Pause:
        raise NotImplementedError

    def _writes(self) -> Writes:
        raise NotImplementedError

    def _launch(self, gen: Generation, first: Optional[Event]) -> None:
        raise NotImplementedError

    def _ensure_reader(self) -> None:
        raise NotImplementedError

    # -- producing -----------------------------------------------------------

    async def _start(
        self, make: Callable[[str], AsyncIterator[Event]], interrupt: Optional[Callable[[], None]] = None
    ) -> Union[str, Failure]:
        stream_id = new_stream_id()
        try:
            await self._calls.create(stream_id)
        except StoreUnavailable:
            metrics.STORE_ERRORS.labels('create').inc()
            raise
        track = metrics.Generation(stream_id)
        source: Optional[AsyncIterator[Event]] = None
        try:
            source = make(stream_id)
            try:
                first: Optional[Event] = await source.__anext__()
            except StopAsyncIteration:
                first = None
        except BaseException:
            track.end('internal')
            if source is not None:
                await aclose(source)
            await self._end(stream_id)
            raise
        if first is not None and first.failure is not None:
            track.end('failed')
            await aclose(source)
            await self._end(stream_id)
            return first.failure
        gen = Generation(stream_id, source, self._changed(), interrupt, track)
        with self._lock:
            self._active[stream_id] = gen
        self._launch(gen, first)
        return stream_id

    async def _run(self, gen: Generation, first: Optional[Event]) -> None:
        writes = self._writes()
        n = 0
        shutdown = False
        try:
            try:
                # The writer records each event for local readers once it is
                # stored: an event a reader saw must be resumable anywhere.
                if first is not None:
                    await writes.put(gen, n, first.event, first.data)
                    n += 1
                async for ev in gen.source:
                    if gen.stop_reason is not None:
                        break  # the interrupted upstream's error is not the answer's
                    await writes.put(gen, n, ev.event, ev.data)
                    n += 1
            except asyncio.CancelledError:
                if gen.stop_reason is None:
                    shutdown = True
                    raise  # the event loop is shutting down, not a stop of ours
            except Exception:
                log.exception('stream %s: generation failed', gen.stream_id)
                gen.stop('internal')
            finally:
                await aclose(gen.source)
                if not shutdown:
                    # A stop that cancels a task must not cut the events already queued.
                    with contextlib.suppress(asyncio.CancelledError):
                        await writes.flush(gen)
            if gen.stop_reason is not None:
                stop = stopped_event(gen.stop_reason, gen.stream_id)
                if gen.write_error is None:
                    with contextlib.suppress(StreamLost, StoreUnavailable):
                        await self._calls.append(gen.stream_id, n, stop.event, stop.data)
                # Also when the store refused it: this process's readers still learn why.
                gen.record(stop.event, stop.data, stored=False)
            if gen.track is not None:
                gen.track.end(outcome(gen.stop_reason, gen.last))
            await self._end(gen.stream_id)
            gen.finish()
        finally:
            with self._lock:
                self._active.pop(gen.stream_id, None)
                self._idle.notify_all()

    async def _end(self, stream_id: str) -> None:
        try:
            await self._calls.end(stream_id, self.ttl)
        except StoreUnavailable as error:
            metrics.STORE_ERRORS.labels('end').inc()
            log.warning('stream %s: could not mark its end: %s', stream_id, error)
        except Exception:
            # Readers then end on the lapsed liveness instead of the end mark.
            log.exception('stream %s: could not mark its end', stream_id)

    async def _beat(self) -> None:
        with self._lock:
            gens = list(self._active.values())
        if not gens:
            return
        try:
            signals = await self._calls.beat([g.stream_id for g in gens])
        except StoreUnavailable as error:
            metrics.STORE_ERRORS.labels('beat').inc()
            log.warning('heartbeat: %s', error)
            return
        judge(gens, signals, time.monotonic(), self.grace)

    async def _cancel(self, stream_id: str) -> bool:
        gen = self._get(stream_id)
        found = await self._calls.cancel(stream_id)
        if gen is not None:
            gen.stop('cancelled')
        return found or gen is not None

    def _get(self, stream_id: str) -> Optional[Generation]:
        with self._lock:
            return self._active.get(stream_id)

    def running(self) -> int:
        """How many generations run in this process (on this event loop for :class:`AsyncRunner`)."""
        with self._lock:
            return len(self._active)

    # -- reading -------------------------------------------------------------

    async def _exists(self, stream_id: str) -> bool:
        return await self._calls.state(stream_id) != 'missing'

    async def _follow(self, stream_id: str, after: int, gone: Optional[Callable[[], bool]]) -> AsyncIterator[bytes]:
        gen = self._get(stream_id)
        if gen is not None:
            local = self._follow_local(gen, after, gone)
            try:
                async for chunk in local:
                    yield chunk
            finally:
                # Closed here, not when it is collected: a reader that left stops counting at once
                # (a thread has no event loop to finalize it).
                await local.aclose()
            return
        # What is stored already comes from one read; the process's one
        # multiplexed reader brings the rest.
        try:
            chunks, last, ended = replay(stream_id, await self._calls.read(stream_id, after, 0))
        except StoreUnavailable:
            chunks, last, ended = [], -1, False
        for chunk in chunks:
            yield chunk
        if ended:
            return
        signal = self._signal()
        f, wake = self._hub.join(stream_id, max(after, last), signal)
        try:
            self._ensure_reader()
            if wake:
                with contextlib.suppress(StoreUnavailable):
                    await self._calls.wake()
            while gone is None or not gone():
                chunks, done = f.step(self._hub.lock, self.ping)
                for chunk in chunks:
                    yield chunk
                if done:
                    return
                await signal.pause(self.block)
        finally:
            self._hub.leave(f)

    async def _follow_local(
        self, gen: Generation, after: int, gone: Optional[Callable[[], bool]]
    ) -> AsyncGenerator[bytes, None]:
        with gen.changed:
            gen.readers += 1
        metrics.READERS.labels('local').inc()
        try:
            last_write = time.monotonic()
            while gone is None or not gone():
                with gen.changed:
                    if len(gen.local) <= after + 1 and not gen.ended:
                        await gen.changed.pause(self.block)
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
