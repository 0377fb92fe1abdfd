"""The Redis Streams store for asyncio servers (FastAPI, Starlette): same keys as :mod:`.redis_store`.

A sync and an async worker may share one Redis: they read and write the
same streams.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping, Sequence
from typing import Any, Optional, TypeVar, cast

import redis.asyncio

from .redis_batch import Batcher
from .redis_plan import (
    DOWN,
    FRONT,
    MAX_CONNECTIONS,
    POLL,
    POOL_WAIT,
    READ_BATCH,
    READ_COUNT,
    Plan,
    is_cluster,
    read_one,
    retry,
    unavailable,
)
from .store import Entry, Signals, State, StoreUnavailable

_F = TypeVar('_F', bound=Callable[..., Awaitable[Any]])


def reconnecting(method: _F) -> _F:
    """:func:`~llm_sse.resume.redis_store.reconnecting` for coroutines."""

    @functools.wraps(method)
    async def run(*args: Any, **kwargs: Any) -> Any:
        try:
            return await method(*args, **kwargs)
        except StoreUnavailable:
            return await method(*args, **kwargs)

    return cast(_F, run)


def async_client_from_url(url: str, *, cluster: bool = False) -> Any:
    """:func:`~llm_sse.resume.redis_store.client_from_url` for ``redis.asyncio``."""
    options: dict[str, Any] = {'socket_timeout': 10, 'socket_connect_timeout': 2, 'retry': retry()}
    if cluster:
        from redis.asyncio.cluster import RedisCluster

        return RedisCluster.from_url(url, max_connections=MAX_CONNECTIONS, **options)
    pool = redis.asyncio.BlockingConnectionPool.from_url(
        url, max_connections=MAX_CONNECTIONS, timeout=POOL_WAIT, **options
    )
    return redis.asyncio.Redis(connection_pool=pool)


class AsyncRedisStore:
    """:class:`~llm_sse.resume.redis_store.RedisStore` on ``redis.asyncio`` (see there for the settings)."""

    def __init__(
        self,
        client: Any,
        *,
        prefix: str = 'llm-sse',
        liveness: float = 5.0,
        presence: float = 3.0,
    ) -> None:
        self.client = client
        self.prefix = prefix
        self.liveness = liveness
        self.presence = presence
        self.plan = Plan(prefix, liveness, presence)
        self._cluster = is_cluster(client)
        self._token = uuid.uuid4().hex
        self._woke = '0-0'
        self._poke: Optional[asyncio.Event] = None
        # See RedisStore: a cluster client's node pools fail past their size.
        self._turns = asyncio.BoundedSemaphore(MAX_CONNECTIONS) if self._cluster else None
        # See RedisStore: requests' own calls get at most FRONT connections.
        self._front = asyncio.BoundedSemaphore(FRONT)
        # Every call but the multiplexed blocking read: one pipeline per turn of the event loop.
        self._batch = Batcher(client, self._turn)

    @classmethod
    def from_url(cls, url: str, *, cluster: bool = False, **options: Any) -> AsyncRedisStore:
        """A store on ``url``, with timeouts that suit blocking reads and a small pool."""
        return cls(async_client_from_url(url, cluster=cluster), **options)

    @contextlib.asynccontextmanager
    async def _turn(self, front: bool = False) -> AsyncIterator[None]:
        gates = [g for g in (self._front if front else None, self._turns) if g is not None]
        taken: list[asyncio.BoundedSemaphore] = []
        try:
            for gate in gates:
                try:
                    await asyncio.wait_for(gate.acquire(), POOL_WAIT)
                except asyncio.TimeoutError:
                    raise StoreUnavailable('Redis is unavailable: no free connection') from None
                taken.append(gate)
            yield
        finally:
            for gate in taken:
                gate.release()

    async def _run(self, build: Callable[[Any], Any], raise_on_error: bool = True) -> list[Any]:
        return await self._batch.run(build, raise_on_error)

    @reconnecting
    async def create(self, stream_id: str) -> None:
        self.plan.created(await self._run(lambda p: self.plan.create(p, stream_id), raise_on_error=False))

    async def append(self, stream_id: str, n: int, event: Optional[str], data: str) -> None:
        result = (await self.append_many([(stream_id, n, event, data)]))[0]
        if result is not None:
            raise result

    @reconnecting
    async def append_many(self, items: Sequence[tuple[str, int, Optional[str], str]]) -> list[Optional[Exception]]:
        return self.plan.appended(items, await self._run(lambda p: self.plan.append(p, items), raise_on_error=False))

    @reconnecting
    async def end(self, stream_id: str, ttl: float) -> None:
        await self._run(lambda p: self.plan.end(p, stream_id, ttl), raise_on_error=False)

    async def read(self, stream_id: str, after: int, block: float) -> Sequence[Entry]:
        streams = self.plan.read_args({stream_id: after}, None)
        if block <= 0:
            replies = await self._run(lambda p: p.xread(streams, count=READ_COUNT))
            return read_one(self.plan, stream_id, after, replies[0])
        try:
            async with self._turn(front=True):
                reply = await self.client.xread(streams, count=READ_COUNT, block=self.plan.ms(block))
        except DOWN as error:
            raise unavailable(error) from error
        return read_one(self.plan, stream_id, after, reply)

    async def read_many(self, cursors: Mapping[str, int], block: float) -> dict[str, list[Entry]]:
        """See :meth:`RedisStore.read_many <llm_sse.resume.redis_store.RedisStore.read_many>`."""
        if not self._cluster and len(cursors) <= READ_BATCH:
            streams = self.plan.read_args(cursors, (self._token, self._woke))
            try:
                reply = await self.client.xread(streams, count=READ_COUNT, block=self.plan.ms(block))
            except DOWN as error:
                raise unavailable(error) from error
            out, woke = self.plan.read_reply(cursors, reply)
            if woke is not None:
                self._woke = woke
            return out
        groups = self.plan.read_groups(self.client if self._cluster else None, cursors)
        replies = await self._run(lambda p: [p.xread(self.plan.read_args(g, None), count=READ_COUNT) for g in groups])
        out = {}
        for group, reply in zip(groups, replies):
            out.update(self.plan.read_reply(group, reply)[0])
        if not out:
            poke = self._poke = asyncio.Event()
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(poke.wait(), min(block, POLL))
        return out

    async def wake(self) -> None:
        """End a :meth:`read_many` waiting in another task (a reader joined)."""
        if self._poke is not None:
            self._poke.set()
        if not self._cluster:
            await self._run(lambda p: self.plan.wake(p, self._token))

    @reconnecting
    async def state(self, stream_id: str) -> State:
        replies = await self._run(lambda p: self.plan.state(p, [stream_id]))
        return self.plan.states([stream_id], replies)[stream_id]

    async def state_many(self, stream_ids: Sequence[str]) -> dict[str, State]:
        return self.plan.states(stream_ids, await self._run(lambda p: self.plan.state(p, stream_ids)))

    @reconnecting
    async def touch(self, stream_id: str) -> None:
        await self.touch_many([stream_id])

    async def touch_many(self, stream_ids: Sequence[str]) -> None:
        await self._run(lambda p: self.plan.touch(p, stream_ids))

    @reconnecting
    async def cancel(self, stream_id: str) -> bool:
        return bool((await self._run(lambda p: self.plan.cancel(p, stream_id)))[0])

    @reconnecting
    async def beat(self, stream_ids: Sequence[str]) -> dict[str, Signals]:
        if not stream_ids:
            return {}
        return self.plan.signals(stream_ids, await self._run(lambda p: self.plan.beat(p, stream_ids)))
