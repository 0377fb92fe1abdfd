"""Every task's Redis calls sent as one pipeline per turn of the event loop (the asyncio store).

With each call taking a pooled connection for its own round trip, a
uvicorn worker busy with hundreds of streams finished only a few calls per
connection per second: every reply waits for the next turn of an event
loop that takes a long time to go round, and the heartbeat, the writer and
hundreds of new requests queued for the same four connections (300 streams
on one worker: 131 requests refused after waiting for a connection, 119
streams expired because their heartbeat could not get one). Coalesced, a
turn of the loop costs one round trip however many calls it made, and
what waits is only what was asked during the previous round trip.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from typing import Any, Callable, Optional

from .redis_plan import DOWN, unavailable

#: Pipelines in flight at once: while one waits for its replies, the next turn's calls can go.
IN_FLIGHT = 2

_Call = tuple[Callable[[Any], Any], bool, 'asyncio.Future[list[Any]]']


class Batcher:
    """Queues ``build(pipeline)`` calls and sends what one turn queued as one pipeline of ``client``.

    ``turn``: an async context manager entered around each pipeline (the
    cluster store's gate on its node pools).
    """

    def __init__(self, client: Any, turn: Callable[[], contextlib.AbstractAsyncContextManager[None]]) -> None:
        self._client = client
        self._turn = turn
        self._queue: list[_Call] = []
        self._slots: Optional[asyncio.Semaphore] = None
        self._flusher: Optional[asyncio.Task[None]] = None
        self._sending: set[asyncio.Task[None]] = set()

    async def run(self, build: Callable[[Any], Any], raise_on_error: bool = True) -> list[Any]:
        """The replies of the commands ``build`` queued; with ``raise_on_error`` an error reply raises.

        Raises :class:`~llm_sse.resume.store.StoreUnavailable` when Redis
        cannot be reached. A caller cancelled meanwhile leaves its commands
        in the pipeline (each is safe to send twice or unanswered).
        """
        future: asyncio.Future[list[Any]] = asyncio.get_running_loop().create_future()
        self._queue.append((build, raise_on_error, future))
        if self._flusher is None or self._flusher.done():
            if self._slots is None or not self._sending:
                self._slots = asyncio.Semaphore(IN_FLIGHT)  # bound to this event loop
            # Starts at the next turn of the loop, when this turn's calls are all queued.
            self._flusher = asyncio.create_task(self._flush(self._slots), name='llm-sse-redis-batch')
        return await future

    async def _flush(self, slots: asyncio.Semaphore) -> None:
        while self._queue:
            # Calls made while every slot is taken join the next pipeline.
            await slots.acquire()
            batch, self._queue = self._queue, []
            task = asyncio.create_task(self._send(batch, slots))
            self._sending.add(task)
            task.add_done_callback(self._sending.discard)

    async def _send(self, batch: list[_Call], slots: asyncio.Semaphore) -> None:
        try:
            ends: list[int] = []
            try:
                async with self._pipeline() as p:
                    for build, _, _ in batch:
                        build(p)
                        ends.append(len(p))
                    replies: list[Any] = await p.execute(raise_on_error=False)
            except Exception as error:  # Redis down, no free connection (StoreUnavailable), or a bug
                for _, _, future in batch:
                    if not future.done():
                        future.set_exception(unavailable(error) if isinstance(error, DOWN) else error)
                return
            start = 0
            for (_, raise_on_error, future), end in zip(batch, ends):
                mine, start = replies[start:end], end
                if future.done():
                    continue  # its caller was cancelled
                failed = next((r for r in mine if isinstance(r, Exception)), None) if raise_on_error else None
                if failed is None:
                    future.set_result(mine)
                else:
                    future.set_exception(unavailable(failed) if isinstance(failed, DOWN) else failed)
        finally:
            slots.release()

    @contextlib.asynccontextmanager
    async def _pipeline(self) -> AsyncIterator[Any]:
        async with self._turn(), self._client.pipeline(transaction=False) as p:
            yield p
