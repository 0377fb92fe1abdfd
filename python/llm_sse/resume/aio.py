"""Resumable streams for asyncio servers: the generation is a task, readers are async generators.

Same protocol, ids and store layout as :mod:`.runner` (see there); a
generation is an ``asyncio`` task instead of a thread, and a stop cancels
that task, which closes its upstream at once. The logic is the thread
runner's (:mod:`.core`, :mod:`.calls`), awaited on the loop.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import AsyncIterator, Mapping, Sequence
from typing import Callable, Optional, Union

from ..event import Event
from ..failure import Failure
from .calls import arun, raise_if_cancelled
from .core import AsyncStore as AsyncStore
from .core import Changed, Core, Generation, Pause, Writes
from .memory import MemoryStore
from .multiplex import BACKLOG, rounds
from .store import Entry, Signals, State
from .writer import Batches, Target

log = logging.getLogger('llm_sse.resume')


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


class _Changed:
    """A generation's wake-up for readers on one event loop (no lock needed there)."""

    def __init__(self) -> None:
        self._event = asyncio.Event()

    def __enter__(self) -> _Changed:
        return self

    def __exit__(self, kind: object, value: object, traceback: object, /) -> None:
        return None

    def notify_all(self) -> None:
        # Waiters hold the old event; the next wait gets a fresh one.
        self._event.set()
        self._event = asyncio.Event()

    async def pause(self, timeout: float) -> None:
        with contextlib.suppress(asyncio.TimeoutError):
            await asyncio.wait_for(self._event.wait(), timeout)


class _Signal(asyncio.Event):
    """What wakes a task following a stream generated elsewhere."""

    async def pause(self, timeout: float) -> None:
        with contextlib.suppress(asyncio.TimeoutError):
            await asyncio.wait_for(self.wait(), timeout)


class _Writer(Batches):
    """The batched writer as a task: the events the loop's generations put between two of its turns go to
    the store in one pipeline."""

    def __init__(self, store: AsyncStore, unavailable: float) -> None:
        super().__init__(store, unavailable, _Changed())
        self._task: Optional[asyncio.Task[None]] = None

    def _ensure_loop(self) -> None:
        if self._task is None or self._task.done():
            self._task = asyncio.create_task(self.loop(), name='llm-sse-writer')

    async def put(self, target: Target, n: int, event: Optional[str], data: str) -> None:
        await super().put(target, n, event, data)
        # One event per turn of the loop: a generation reading a backlog of buffered upstream chunks
        # must not hold the loop, and with it every store round trip, for the whole backlog.
        await asyncio.sleep(0)

    async def flush(self, target: Target) -> None:
        # Shielded: a stop that cancels the generation's task must not cut the events already queued.
        await asyncio.shield(super().flush(target))


class AsyncRunner(Core):
    """:class:`~llm_sse.resume.runner.Runner` for one event loop; the same settings and defaults.

    The logic is :class:`~llm_sse.resume.core.Core`'s, awaited on the loop.
    """

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
        super().__init__(
            grace=grace, ttl=ttl, tick=tick, block=block, ping=ping, unavailable=unavailable, backlog=backlog
        )
        self.store: AsyncStore = store if store is not None else AsyncMemoryStore()
        self._calls = self.store
        self._ticker: Optional[asyncio.Task[None]] = None
        self._writer: Optional[_Writer] = None
        self._reader: Optional[asyncio.Task[None]] = None
        self._joined: Optional[asyncio.Event] = None
        self._tasks: dict[str, asyncio.Task[None]] = {}

    def _changed(self) -> Changed:
        return _Changed()

    def _signal(self) -> Pause:
        return _Signal()

    def _writes(self) -> Writes:
        # Made on the loop: asyncio objects of Python 3.9 bind the loop they are made on.
        if self._writer is None:
            self._writer = _Writer(self.store, self.unavailable)
        return self._writer

    async def start(self, make: Callable[[str], AsyncIterator[Event]]) -> Union[str, Failure]:
        """Start a generation as a task; its stream id, or the :class:`Failure` of one that failed at once.

        ``make(stream_id)``: the events, e.g. ``llm_sse.aevents(upstream,
        stream_id=stream_id)``; the first one is awaited here (see
        :meth:`Runner.start`). Raises :class:`StoreUnavailable`.
        """
        return await self._start(make)

    def _launch(self, gen: Generation, first: Optional[Event]) -> None:
        task = asyncio.create_task(self._run(gen, first), name=f'generation-{gen.stream_id[:8]}')
        self._tasks[gen.stream_id] = task
        task.add_done_callback(lambda _: self._tasks.pop(gen.stream_id, None))

        def interrupt() -> None:
            # A stop from the generation's own task (its own failure) must not cancel what remains of it.
            if task is not asyncio.current_task():
                task.cancel()

        gen.interrupt = interrupt
        if self._ticker is None or self._ticker.done():
            self._ticker = asyncio.create_task(self._beat_forever(), name='llm-sse-heartbeat')

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
        await self._beat()

    async def cancel(self, stream_id: str) -> bool:
        """Stop a generation (here at once, elsewhere through the store); False when there is no such stream."""
        return await self._cancel(stream_id)

    async def drain(self, timeout: float) -> bool:
        """Wait up to ``timeout`` seconds for running generations to end (call it from the app's
        lifespan shutdown, so readers on other workers get whole answers); True when none is left."""
        tasks = list(self._tasks.values())
        if not tasks:
            return True
        log.info('waiting up to %.0f s for %d running generations', timeout, len(tasks))
        _, pending = await asyncio.wait(tasks, timeout=timeout)
        return not pending

    async def close(self) -> None:
        """Stop the heartbeat and reader tasks (running generations then lose their liveness)."""
        for task in (self._ticker, self._reader):
            if task is not None:
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task

    async def exists(self, stream_id: str) -> bool:
        """Whether ``stream_id`` can be read."""
        return await self._exists(stream_id)

    def follow(self, stream_id: str, after: int = -1) -> AsyncIterator[bytes]:
        """The SSE bytes of ``stream_id`` after event ``after`` (see :meth:`Runner.follow`)."""
        return self._follow(stream_id, after, None)

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
