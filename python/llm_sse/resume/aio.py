"""Resumable streams for asyncio servers: the generation is a task, readers are async generators.

Same protocol, ids and store layout as :mod:`.runner` (see there); a
generation is an ``asyncio`` task instead of a thread, and a stop cancels
that task, which closes its upstream at once. The loops that talk to the
store (the batched writer, the multiplexed reader) are the thread
runner's, carried out as tasks (:mod:`.calls`).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import AsyncIterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Callable, Optional, Protocol, Union

from ..event import HEARTBEAT, Event, sse_encode
from ..failure import Failure
from ..generation import aclose, event_id, new_stream_id
from . import metrics
from .calls import arun, raise_if_cancelled
from .memory import MemoryStore
from .multiplex import BACKLOG, Hub, rounds
from .runner import judge, outcome, replay, stopped_event
from .store import Entry, Signals, State, StoreUnavailable, StreamLost
from .writer import MAX_PENDING, write

log = logging.getLogger('llm_sse.resume')


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


class AsyncMemoryStore:
    """A :class:`~llm_sse.resume.memory.MemoryStore` whose readers wait on the event loop.

    Every call must come from one event loop (one worker process).
    """

    def __init__(self, *, liveness: float = 5.0, presence: float = 3.0) -> None:
        self._sync = MemoryStore(liveness=liveness, presence=presence)
        self._changed = asyncio.Condition()
        self._woken = False

    async def _notify(self) -> None:
        async with self._changed:
            self._changed.notify_all()

    async def create(self, stream_id: str) -> None:
        self._sync.create(stream_id)

    async def append(self, stream_id: str, n: int, event: Optional[str], data: str) -> None:
        self._sync.append(stream_id, n, event, data)
        await self._notify()

    async def append_many(self, items: Sequence[tuple[str, int, Optional[str], str]]) -> list[Optional[Exception]]:
        out = self._sync.append_many(items)
        await self._notify()
        return out

    async def end(self, stream_id: str, ttl: float) -> None:
        self._sync.end(stream_id, ttl)
        await self._notify()

    async def read(self, stream_id: str, after: int, block: float) -> Sequence[Entry]:
        return (await self.read_many({stream_id: after}, block)).get(stream_id, [])

    async def read_many(self, cursors: Mapping[str, int], block: float) -> dict[str, list[Entry]]:
        deadline = time.monotonic() + block
        async with self._changed:
            while True:
                entries = self._sync.read_many(cursors, 0)
                remaining = deadline - time.monotonic()
                if entries or self._woken or remaining <= 0:
                    self._woken = False
                    return entries
                with contextlib.suppress(asyncio.TimeoutError):
                    await asyncio.wait_for(self._changed.wait(), remaining)

    async def wake(self) -> None:
        self._woken = True
        await self._notify()

    async def state(self, stream_id: str) -> State:
        return self._sync.state(stream_id)

    async def state_many(self, stream_ids: Sequence[str]) -> dict[str, State]:
        return self._sync.state_many(stream_ids)

    async def touch(self, stream_id: str) -> None:
        self._sync.touch(stream_id)

    async def touch_many(self, stream_ids: Sequence[str]) -> None:
        self._sync.touch_many(stream_ids)

    async def cancel(self, stream_id: str) -> bool:
        return self._sync.cancel(stream_id)

    async def beat(self, stream_ids: Sequence[str]) -> dict[str, Signals]:
        return self._sync.beat(stream_ids)


@dataclass
class _Generation:
    stream_id: str
    source: AsyncIterator[Event]
    task: Optional[asyncio.Task[None]] = None
    seen: float = field(default_factory=time.monotonic)
    stop_reason: Optional[str] = None
    # This loop's readers follow these copies of the stored events (see runner.py).
    local: list[tuple[Optional[str], str]] = field(default_factory=list)
    ended: bool = False
    readers: int = 0
    changed: asyncio.Event = field(default_factory=asyncio.Event)
    pending: int = 0
    write_error: Optional[str] = None
    track: Optional[metrics.Generation] = None
    last: Optional[str] = None

    def record(self, event: Optional[str], data: str, stored: bool = True) -> None:
        if stored:
            self.last = event
            if self.track is not None:
                self.track.stored()
        self.local.append((event, data))
        self._wake()

    def finish(self) -> None:
        self.ended = True
        self._wake()

    def _wake(self) -> None:
        # Waiters hold the old event; the next wait gets a fresh one.
        self.changed.set()
        self.changed = asyncio.Event()

    def fail(self, reason: str) -> None:
        if self.write_error is None:
            self.write_error = reason
        self.stop(reason)

    def stop(self, reason: str) -> None:
        if self.stop_reason is not None:
            return
        self.stop_reason = reason
        log.info('stream %s: stopping (%s)', self.stream_id, reason)
        if self.task is not None and self.task is not asyncio.current_task():
            self.task.cancel()


class _Writer:
    """The thread runner's :class:`~llm_sse.resume.writer.Writer` as a task: the events the loop's
    generations put between two turns of the writer go to the store in one pipeline."""

    def __init__(self, store: AsyncStore, unavailable: float) -> None:
        self.store = store
        self.unavailable = unavailable
        self._queue: list[tuple[_Generation, int, Optional[str], str]] = []
        self._ready = asyncio.Event()
        self._written = asyncio.Event()
        self._task: Optional[asyncio.Task[None]] = None

    async def put(self, gen: _Generation, n: int, event: Optional[str], data: str) -> None:
        while gen.pending >= MAX_PENDING and gen.write_error is None:
            await self._written.wait()
        gen.pending += 1
        self._queue.append((gen, n, event, data))
        self._ready.set()
        if self._task is None or self._task.done():
            self._task = asyncio.create_task(self._loop(), name='llm-sse-writer')

    async def flush(self, gen: _Generation) -> None:
        while gen.pending > 0:
            await self._written.wait()

    async def _loop(self) -> None:
        while True:
            await self._ready.wait()
            self._ready.clear()
            batch, self._queue = self._queue, []
            try:
                await arun(write(batch, self.unavailable), self.store)
            except Exception:
                log.exception('writing %d events failed', len(batch))
                for gen, *_ in batch:
                    gen.fail('internal')
            finally:
                for gen, *_ in batch:
                    gen.pending -= 1
                written, self._written = self._written, asyncio.Event()
                written.set()


class AsyncRunner:
    """:class:`~llm_sse.resume.runner.Runner` for one event loop; the same settings and defaults."""

    def __init__(
        self,
        store: Optional[AsyncStore] = None,
        *,
        grace: float = 30.0,
        ttl: float = 600.0,
        tick: float = 1.0,
        block: float = 1.0,
        ping: float = 15.0,
        unavailable: float = 5.0,
        backlog: int = BACKLOG,
    ) -> None:
        self.store: AsyncStore = store if store is not None else AsyncMemoryStore()
        self.grace = grace
        self.ttl = ttl
        self.tick = tick
        self.block = block
        self.ping = ping
        self.unavailable = unavailable
        self._active: dict[str, _Generation] = {}
        self._ticker: Optional[asyncio.Task[None]] = None
        self._writer: Optional[_Writer] = None
        self._hub = Hub(backlog)
        self._reader: Optional[asyncio.Task[None]] = None
        self._joined: Optional[asyncio.Event] = None

    async def start(self, make: Callable[[str], AsyncIterator[Event]]) -> Union[str, Failure]:
        """Start a generation as a task; its stream id, or the :class:`Failure` of one that failed at once.

        ``make(stream_id)``: the events, e.g. ``llm_sse.aevents(upstream,
        stream_id=stream_id)``; the first one is awaited here (see
        :meth:`Runner.start`). Raises :class:`StoreUnavailable`.
        """
        stream_id = new_stream_id()
        try:
            await self.store.create(stream_id)
        except StoreUnavailable:
            metrics.STORE_ERRORS.labels('create').inc()
            raise
        track = metrics.Generation(stream_id)
        source = make(stream_id)
        try:
            first: Optional[Event] = await source.__anext__()
        except StopAsyncIteration:
            first = None
        except BaseException:
            track.end('internal')
            await aclose(source)
            await self._end(stream_id)
            raise
        if first is not None and first.failure is not None:
            track.end('failed')
            await aclose(source)
            await self._end(stream_id)
            return first.failure
        gen = _Generation(stream_id, source, track=track)
        self._active[stream_id] = gen
        gen.task = asyncio.create_task(self._run(gen, first), name=f'generation-{stream_id[:8]}')
        if self._ticker is None or self._ticker.done():
            self._ticker = asyncio.create_task(self._beat_forever(), name='llm-sse-heartbeat')
        return stream_id

    async def _run(self, gen: _Generation, first: Optional[Event]) -> None:
        if self._writer is None:
            self._writer = _Writer(self.store, self.unavailable)
        writer = self._writer
        n = 0
        shutdown = False
        try:
            if first is not None:
                await writer.put(gen, n, first.event, first.data)
                n += 1
            async for ev in gen.source:
                await writer.put(gen, n, ev.event, ev.data)
                n += 1
        except asyncio.CancelledError:
            if gen.stop_reason is None:
                shutdown = True
                raise  # the loop is shutting down, not a stop of ours
        except Exception:
            log.exception('stream %s: generation failed', gen.stream_id)
            gen.stop('internal')
        finally:
            await aclose(gen.source)
            if not shutdown:
                # Shielded: a stop that cancels this task must not cut the events already queued.
                with contextlib.suppress(asyncio.CancelledError):
                    await asyncio.shield(writer.flush(gen))
            self._active.pop(gen.stream_id, None)
        if gen.stop_reason is not None:
            stop = stopped_event(gen.stop_reason, gen.stream_id)
            if gen.write_error is None:
                with contextlib.suppress(StreamLost, StoreUnavailable):
                    await self.store.append(gen.stream_id, n, stop.event, stop.data)
            gen.record(stop.event, stop.data, stored=False)
        if gen.track is not None:
            gen.track.end(outcome(gen.stop_reason, gen.last))
        await self._end(gen.stream_id)
        gen.finish()

    async def _end(self, stream_id: str) -> None:
        try:
            await self.store.end(stream_id, self.ttl)
        except StoreUnavailable as error:
            metrics.STORE_ERRORS.labels('end').inc()
            log.warning('stream %s: could not mark its end: %s', stream_id, error)

    async def _beat_forever(self) -> None:
        while self._active:
            await asyncio.sleep(self.tick)
            try:
                await self.beat()
            except Exception:
                log.exception('heartbeat failed')
            raise_if_cancelled()

    async def beat(self) -> None:
        """One heartbeat: refresh liveness, apply cancels and the grace period."""
        gens = list(self._active.values())
        if not gens:
            return
        try:
            signals = await self.store.beat([g.stream_id for g in gens])
        except StoreUnavailable as error:
            metrics.STORE_ERRORS.labels('beat').inc()
            log.warning('heartbeat: %s', error)
            return
        judge(gens, signals, time.monotonic(), self.grace)

    async def cancel(self, stream_id: str) -> bool:
        """Stop a generation (here at once, elsewhere through the store); False when there is no such stream."""
        found = await self.store.cancel(stream_id)
        gen = self._active.get(stream_id)
        if gen is not None:
            gen.stop('cancelled')
        return found or gen is not None

    async def drain(self, timeout: float) -> bool:
        """Wait up to ``timeout`` seconds for running generations to end (call it from the app's
        lifespan shutdown, so readers on other workers get whole answers); True when none is left."""
        tasks = [g.task for g in self._active.values() if g.task is not None]
        if not tasks:
            return True
        log.info('waiting up to %.0f s for %d running generations', timeout, len(tasks))
        _, pending = await asyncio.wait(tasks, timeout=timeout)
        return not pending

    def running(self) -> int:
        """How many generations run on this loop."""
        return len(self._active)

    async def close(self) -> None:
        """Stop the heartbeat and reader tasks (running generations then lose their liveness)."""
        for task in (self._ticker, self._reader):
            if task is not None:
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task

    async def exists(self, stream_id: str) -> bool:
        """Whether ``stream_id`` can be read."""
        return await self.store.state(stream_id) != 'missing'

    async def follow(self, stream_id: str, after: int = -1) -> AsyncIterator[bytes]:
        """The SSE bytes of ``stream_id`` after event ``after`` (see :meth:`Runner.follow`)."""
        gen = self._active.get(stream_id)
        if gen is not None:
            async for chunk in self._follow_local(gen, after):
                yield chunk
            return
        try:
            chunks, last, ended = replay(stream_id, await self.store.read(stream_id, after, 0))
        except StoreUnavailable:
            chunks, last, ended = [], -1, False
        for chunk in chunks:
            yield chunk
        if ended:
            return
        signal = asyncio.Event()
        f, wake = self._hub.join(stream_id, max(after, last), signal)
        try:
            self._ensure_reader()
            if wake:
                with contextlib.suppress(StoreUnavailable):
                    await self.store.wake()
            while True:
                chunks, done = f.step(self._hub.lock, self.ping)
                for chunk in chunks:
                    yield chunk
                if done:
                    return
                with contextlib.suppress(asyncio.TimeoutError):
                    await asyncio.wait_for(signal.wait(), self.block)
        finally:
            self._hub.leave(f)

    def _ensure_reader(self) -> None:
        if self._joined is None:
            self._joined = asyncio.Event()
        self._joined.set()
        if self._reader is None or self._reader.done():
            joined = self._joined

            async def wait(timeout: float) -> None:
                joined.clear()
                if not self._hub.streams:
                    with contextlib.suppress(asyncio.TimeoutError):
                        await asyncio.wait_for(joined.wait(), timeout)

            loop = rounds(self._hub, self.block, self.unavailable)
            self._reader = asyncio.create_task(arun(loop, self.store, {'wait': wait}), name='llm-sse-reader')

    async def _follow_local(self, gen: _Generation, after: int) -> AsyncIterator[bytes]:
        gen.readers += 1
        metrics.READERS.labels('local').inc()
        try:
            last_write = time.monotonic()
            while True:
                if len(gen.local) <= after + 1 and not gen.ended:
                    with contextlib.suppress(asyncio.TimeoutError):
                        await asyncio.wait_for(gen.changed.wait(), self.block)
                batch = gen.local[after + 1 :]
                for event, data in batch:
                    after += 1
                    yield sse_encode(Event(data, event=event, id=event_id(gen.stream_id, after)))
                now = time.monotonic()
                if batch:
                    last_write = now
                elif gen.ended:
                    return
                elif now - last_write >= self.ping:
                    yield HEARTBEAT
                    last_write = now
        finally:
            metrics.READERS.labels('local').dec()
            gen.readers -= 1
            gen.seen = time.monotonic()
