"""The Redis Streams store for asyncio servers (FastAPI, Starlette): same keys as :mod:`.redis_store`.

A sync and an async worker may share one Redis: they read and write the
same streams.
"""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable, Sequence
from typing import Any, Optional, TypeVar, cast

import redis.asyncio

from .redis_store import (
    _DOWN,
    _END,
    _RUNNING_EXPIRY_FACTOR,
    _START,
    MAX_CONNECTIONS,
    _entries,
    _fields,
    _retry,
    _signals,
    _unavailable,
)
from .store import Entry, Signals, State, StoreUnavailable, StreamLost

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


class AsyncRedisStore:
    """:class:`~llm_sse.resume.redis_store.RedisStore` on ``redis.asyncio`` (see there for the settings)."""

    def __init__(
        self,
        client: redis.asyncio.Redis,
        *,
        prefix: str = 'llm-sse',
        liveness: float = 5.0,
        presence: float = 3.0,
    ) -> None:
        self.client = client
        self.prefix = prefix
        self.liveness = liveness
        self.presence = presence

    @classmethod
    def from_url(cls, url: str, **options: Any) -> AsyncRedisStore:
        """A store on ``url``, with timeouts that suit blocking reads."""
        client = redis.asyncio.Redis.from_url(
            url, socket_timeout=10, socket_connect_timeout=2, max_connections=MAX_CONNECTIONS, retry=_retry()
        )
        return cls(client, **options)

    def _key(self, stream_id: str, suffix: str = '') -> str:
        return f'{self.prefix}:{{{stream_id}}}{suffix}'

    @staticmethod
    def _ms(seconds: float) -> int:
        return max(1, int(seconds * 1000))

    @reconnecting
    async def create(self, stream_id: str) -> None:
        key = self._key(stream_id)
        try:
            async with self.client.pipeline() as p:
                p.xadd(key, {'c': 'start'}, id=_START)
                p.pexpire(key, self._ms(self.liveness * _RUNNING_EXPIRY_FACTOR))
                p.set(self._key(stream_id, ':alive'), 1, px=self._ms(self.liveness))
                await p.execute()
        except _DOWN as error:
            raise _unavailable(error) from error

    @reconnecting
    async def append(self, stream_id: str, n: int, event: Optional[str], data: str) -> None:
        try:
            added = await self.client.xadd(self._key(stream_id), _fields(event, data), id=f'1-{n}', nomkstream=True)  # type: ignore[arg-type]
        except redis.exceptions.ResponseError as error:
            if 'equal or smaller' in str(error):
                return
            raise
        except _DOWN as error:
            raise _unavailable(error) from error
        if added is None:
            raise StreamLost(stream_id)

    @reconnecting
    async def end(self, stream_id: str, ttl: float) -> None:
        key = self._key(stream_id)
        try:
            async with self.client.pipeline() as p:
                p.xadd(key, {'c': 'end'}, id=_END, nomkstream=True)
                p.pexpire(key, self._ms(ttl))
                p.set(self._key(stream_id, ':alive'), 1, px=self._ms(ttl))
                p.delete(self._key(stream_id, ':cancel'))
                await p.execute(raise_on_error=False)
        except _DOWN as error:
            raise _unavailable(error) from error

    async def read(self, stream_id: str, after: int, block: float) -> Sequence[Entry]:
        cursor = _START if after < 0 else f'1-{after}'
        key = self._key(stream_id)
        try:
            if block > 0:
                reply = await self.client.xread({key: cursor}, count=1000, block=self._ms(block))
            else:
                reply = await self.client.xread({key: cursor}, count=1000)
        except _DOWN as error:
            raise _unavailable(error) from error
        return _entries(reply, after)

    @reconnecting
    async def state(self, stream_id: str) -> State:
        try:
            async with self.client.pipeline(transaction=False) as p:
                p.exists(self._key(stream_id))
                p.exists(self._key(stream_id, ':alive'))
                exists, alive = await p.execute()
        except _DOWN as error:
            raise _unavailable(error) from error
        if not exists:
            return 'missing'
        return 'live' if alive else 'dead'

    @reconnecting
    async def touch(self, stream_id: str) -> None:
        try:
            await self.client.set(self._key(stream_id, ':readers'), 1, px=self._ms(self.presence))
        except _DOWN as error:
            raise _unavailable(error) from error

    @reconnecting
    async def cancel(self, stream_id: str) -> bool:
        try:
            async with self.client.pipeline() as p:
                p.exists(self._key(stream_id))
                p.set(self._key(stream_id, ':cancel'), 1, px=self._ms(self.liveness * _RUNNING_EXPIRY_FACTOR))
                exists, _ = await p.execute()
        except _DOWN as error:
            raise _unavailable(error) from error
        return bool(exists)

    @reconnecting
    async def beat(self, stream_ids: Sequence[str]) -> dict[str, Signals]:
        if not stream_ids:
            return {}
        try:
            async with self.client.pipeline(transaction=False) as p:
                for stream_id in stream_ids:
                    p.set(self._key(stream_id, ':alive'), 1, px=self._ms(self.liveness))
                    p.pexpire(self._key(stream_id), self._ms(self.liveness * _RUNNING_EXPIRY_FACTOR))
                    p.exists(self._key(stream_id, ':cancel'))
                    p.exists(self._key(stream_id, ':readers'))
                replies = await p.execute()
        except _DOWN as error:
            raise _unavailable(error) from error
        return _signals(stream_ids, replies)
