"""Resumable streams for asyncio servers: the generation is a task, readers are async generators.

Same protocol, ids and store layout as :mod:`.runner` (see there); a
generation is an ``asyncio`` task instead of a thread, and a stop cancels
that task, which closes its upstream at once.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass, field
from typing import Callable, Optional, Protocol, Union

from ..event import HEARTBEAT, Event, sse_encode
from ..failure import Failure
from ..generation import aclose, event_id, new_stream_id
from .memory import MemoryStore
from .runner import stopped_event
from .store import Entry, Signals, State, StoreUnavailable, StreamLost

log = logging.getLogger('llm_sse.resume')


class AsyncStore(Protocol):
    """:class:`~llm_sse.resume.store.Store` with awaitable methods."""

    async def create(self, stream_id: str) -> None: ...
    async def append(self, stream_id: str, n: int, event: Optional[str], data: str) -> None: ...
    async def end(self, stream_id: str, ttl: float) -> None: ...
    async def read(self, stream_id: str, after: int, block: float) -> Sequence[Entry]: ...
    async def state(self, stream_id: str) -> State: ...
    async def touch(self, stream_id: str) -> None: ...
    async def cancel(self, stream_id: str) -> bool: ...
    async def beat(self, stream_ids: Sequence[str]) -> dict[str, Signals]: ...


class AsyncMemoryStore:
    """A :class:`~llm_sse.resume.memory.MemoryStore` whose readers wait on the event loop.

    Every call must come from one event loop (one worker process).
    """

    def __init__(self, *, liveness: float = 5.0, presence: float = 3.0) -> None:
        self._sync = MemoryStore(liveness=liveness, presence=presence)
        self._changed = asyncio.Condition()

    async def _notify(self) -> None:
        async with self._changed:
            self._changed.notify_all()

    async def create(self, stream_id: str) -> None:
        self._sync.create(stream_id)

    async def append(self, stream_id: str, n: int, event: Optional[str], data: str) -> None:
        self._sync.append(stream_id, n, event, data)
        await self._notify()

    async def end(self, stream_id: str, ttl: float) -> None:
        self._sync.end(stream_id, ttl)
        await self._notify()

    async def read(self, stream_id: str, after: int, block: float) -> Sequence[Entry]:
        deadline = time.monotonic() + block
        async with self._changed:
            while True:
                entries = self._sync.read(stream_id, after, 0)
                remaining = deadline - time.monotonic()
                if entries or remaining <= 0:
                    return entries
                with contextlib.suppress(asyncio.TimeoutError):
                    await asyncio.wait_for(self._changed.wait(), remaining)

    async def state(self, stream_id: str) -> State:
        return self._sync.state(stream_id)

    async def touch(self, stream_id: str) -> None:
        self._sync.touch(stream_id)

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

    def record(self, event: Optional[str], data: str) -> None:
        self.local.append((event, data))
        self._wake()

    def finish(self) -> None:
        self.ended = True
        self._wake()

    def _wake(self) -> None:
        # Waiters hold the old event; the next wait gets a fresh one.
        self.changed.set()
        self.changed = asyncio.Event()

    def stop(self, reason: str) -> None:
        if self.stop_reason is not None:
            return
        self.stop_reason = reason
        log.info('stream %s: stopping (%s)', self.stream_id, reason)
        if self.task is not None and self.task is not asyncio.current_task():
            self.task.cancel()


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

    async def start(self, make: Callable[[str], AsyncIterator[Event]]) -> Union[str, Failure]:
        """Start a generation as a task; its stream id, or the :class:`Failure` of one that failed at once.

        ``make(stream_id)``: the events, e.g. ``llm_sse.aevents(upstream,
        stream_id=stream_id)``; the first one is awaited here (see
        :meth:`Runner.start`). Raises :class:`StoreUnavailable`.
        """
        stream_id = new_stream_id()
        await self.store.create(stream_id)
        source = make(stream_id)
        try:
            first: Optional[Event] = await source.__anext__()
        except StopAsyncIteration:
            first = None
        except BaseException:
            await aclose(source)
            await self._end(stream_id)
            raise
        if first is not None and first.failure is not None:
            await aclose(source)
            await self._end(stream_id)
            return first.failure
        gen = _Generation(stream_id, source)
        self._active[stream_id] = gen
        gen.task = asyncio.create_task(self._run(gen, first), name=f'generation-{stream_id[:8]}')
        if self._ticker is None or self._ticker.done():
            self._ticker = asyncio.create_task(self._beat_forever(), name='llm-sse-heartbeat')
        return stream_id

    async def _run(self, gen: _Generation, first: Optional[Event]) -> None:
        n = 0
        try:
            if first is not None:
                await self._append(gen, n, first)
                n += 1
            async for ev in gen.source:
                await self._append(gen, n, ev)
                n += 1
        except asyncio.CancelledError:
            if gen.stop_reason is None:
                raise  # the loop is shutting down, not a stop of ours
        except StreamLost:
            gen.stop('lost')
        except StoreUnavailable as error:
            log.warning('stream %s: %s', gen.stream_id, error)
            gen.stop('unavailable')
        except Exception:
            log.exception('stream %s: generation failed', gen.stream_id)
            gen.stop('internal')
        finally:
            self._active.pop(gen.stream_id, None)
            await aclose(gen.source)
        if gen.stop_reason is not None:
            stop = stopped_event(gen.stop_reason, gen.stream_id)
            with contextlib.suppress(StreamLost, StoreUnavailable):
                await self.store.append(gen.stream_id, n, stop.event, stop.data)
            gen.record(stop.event, stop.data)
        await self._end(gen.stream_id)
        gen.finish()

    async def _append(self, gen: _Generation, n: int, ev: Event) -> None:
        deadline = time.monotonic() + self.unavailable
        while True:
            try:
                await self.store.append(gen.stream_id, n, ev.event, ev.data)
                gen.record(ev.event, ev.data)
                return
            except StoreUnavailable:
                if time.monotonic() >= deadline:
                    raise
                await asyncio.sleep(0.1)

    async def _end(self, stream_id: str) -> None:
        try:
            await self.store.end(stream_id, self.ttl)
        except StoreUnavailable as error:
            log.warning('stream %s: could not mark its end: %s', stream_id, error)

    async def _beat_forever(self) -> None:
        while self._active:
            await asyncio.sleep(self.tick)
            try:
                await self.beat()
            except Exception:
                log.exception('heartbeat failed')

    async def beat(self) -> None:
        """One heartbeat: refresh liveness, apply cancels and the grace period."""
        gens = list(self._active.values())
        if not gens:
            return
        try:
            signals = await self.store.beat([g.stream_id for g in gens])
        except StoreUnavailable as error:
            log.warning('heartbeat: %s', error)
            return
        now = time.monotonic()
        for gen in gens:
            sig = signals.get(gen.stream_id)
            if sig is None:
                gen.stop('lost')
            elif sig.cancel:
                gen.stop('cancelled')
            elif sig.readers or gen.readers > 0:
                gen.seen = now
            elif now - gen.seen > self.grace:
                gen.stop('abandoned')

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
        """Stop the heartbeat task (running generations then lose their liveness)."""
        if self._ticker is not None:
            self._ticker.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._ticker

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
        last_write = time.monotonic()
        last_touch = -float('inf')
        down_since: Optional[float] = None
        while True:
            now = time.monotonic()
            try:
                if now - last_touch >= self.block / 2:
                    await self.store.touch(stream_id)
                    last_touch = now
                entries = await self.store.read(stream_id, after, self.block)
                if not entries:
                    state = await self.store.state(stream_id)
                    if state == 'missing':
                        yield sse_encode(stopped_event('lost', stream_id))
                        return
                    if state == 'dead':
                        entries = await self.store.read(stream_id, after, 0)
                        if not entries:
                            yield sse_encode(stopped_event('gone', stream_id))
                            return
                down_since = None
            except StoreUnavailable as error:
                if down_since is None:
                    log.warning('reader of %s: %s', stream_id, error)
                    down_since = now
                elif now - down_since >= self.unavailable:
                    yield sse_encode(stopped_event('unavailable', stream_id))
                    return
                await asyncio.sleep(0.2)
                continue
            for entry in entries:
                if entry.end:
                    return
                after = entry.n
                yield sse_encode(Event(entry.data, event=entry.event, id=event_id(stream_id, entry.n)))
            now = time.monotonic()
            if entries:
                last_write = now
            elif now - last_write >= self.ping:
                yield HEARTBEAT
                last_write = now

    async def _follow_local(self, gen: _Generation, after: int) -> AsyncIterator[bytes]:
        gen.readers += 1
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
            gen.readers -= 1
            gen.seen = time.monotonic()
