"""Which stream is a chat's active answer: chat id → stream id, next to the streams.

``useChat({ resume: true })`` knows only its chat id when the page loads:
it asks ``GET <api>/<chatId>/stream`` and expects the answer being
generated, or 204 when there is none. So the route that starts an answer
records its stream under the chat id, the generation removes the record
when it ends, and the record expires on its own if the process generating
it dies. The records live where the streams do: in the process's memory,
or in Redis (every worker and host) when the runner's store is Redis.
"""

from __future__ import annotations

import threading
import time
from typing import Any, Optional, Protocol

# Compare-and-delete: a finished generation must not remove the record of
# a newer one of the same chat.
_CLEAR = "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) end return 0"


class ActiveStreams(Protocol):
    """chat id → stream id of its answer being generated. Methods raise ``StoreUnavailable`` like the store."""

    def set(self, chat_id: str, stream_id: str, ttl: float) -> None: ...
    def get(self, chat_id: str) -> Optional[str]: ...
    def clear(self, chat_id: str, stream_id: str) -> None: ...


class AsyncActiveStreams(Protocol):
    """:class:`ActiveStreams` with awaitable methods."""

    async def set(self, chat_id: str, stream_id: str, ttl: float) -> None: ...
    async def get(self, chat_id: str) -> Optional[str]: ...
    async def clear(self, chat_id: str, stream_id: str) -> None: ...


class MemoryActiveStreams:
    """Records in this process's memory (with a :class:`~llm_sse.resume.MemoryStore`)."""

    def __init__(self) -> None:
        self._records: dict[str, tuple[str, float]] = {}
        self._lock = threading.Lock()

    def set(self, chat_id: str, stream_id: str, ttl: float) -> None:
        now = time.monotonic()
        with self._lock:
            # Expired records go at each write: the dict holds only live chats.
            for key, (_, until) in list(self._records.items()):
                if until <= now:
                    del self._records[key]
            self._records[chat_id] = (stream_id, now + ttl)

    def get(self, chat_id: str) -> Optional[str]:
        with self._lock:
            record = self._records.get(chat_id)
        if record is None or record[1] <= time.monotonic():
            return None
        return record[0]

    def clear(self, chat_id: str, stream_id: str) -> None:
        with self._lock:
            if self._records.get(chat_id, ('', 0.0))[0] == stream_id:
                del self._records[chat_id]


class AsyncMemoryActiveStreams:
    """:class:`MemoryActiveStreams` for asyncio servers."""

    def __init__(self) -> None:
        self._sync = MemoryActiveStreams()

    async def set(self, chat_id: str, stream_id: str, ttl: float) -> None:
        self._sync.set(chat_id, stream_id, ttl)

    async def get(self, chat_id: str) -> Optional[str]:
        return self._sync.get(chat_id)

    async def clear(self, chat_id: str, stream_id: str) -> None:
        self._sync.clear(chat_id, stream_id)


def _key(prefix: str, chat_id: str) -> str:
    return f'{prefix}:chat:{{{chat_id}}}:active'


def _unavailable(error: BaseException) -> Exception:
    from ..resume.store import StoreUnavailable

    return StoreUnavailable(f'Redis is unavailable: {type(error).__name__}: {error}')


class RedisActiveStreams:
    """Records in Redis, as ``<prefix>:chat:{<chat id>}:active`` keys with a time to live."""

    def __init__(self, client: Any, prefix: str = 'llm-sse') -> None:
        import redis.exceptions

        self.client = client
        self.prefix = prefix
        self._down = (redis.exceptions.ConnectionError, redis.exceptions.TimeoutError)

    def set(self, chat_id: str, stream_id: str, ttl: float) -> None:
        try:
            self.client.set(_key(self.prefix, chat_id), stream_id, px=max(1, int(ttl * 1000)))
        except self._down as error:
            raise _unavailable(error) from error

    def get(self, chat_id: str) -> Optional[str]:
        try:
            value = self.client.get(_key(self.prefix, chat_id))
        except self._down as error:
            raise _unavailable(error) from error
        return value.decode('ascii', 'replace') if isinstance(value, bytes) else value

    def clear(self, chat_id: str, stream_id: str) -> None:
        try:
            self.client.eval(_CLEAR, 1, _key(self.prefix, chat_id), stream_id)
        except self._down as error:
            raise _unavailable(error) from error


class AsyncRedisActiveStreams:
    """:class:`RedisActiveStreams` on ``redis.asyncio``."""

    def __init__(self, client: Any, prefix: str = 'llm-sse') -> None:
        import redis.exceptions

        self.client = client
        self.prefix = prefix
        self._down = (redis.exceptions.ConnectionError, redis.exceptions.TimeoutError)

    async def set(self, chat_id: str, stream_id: str, ttl: float) -> None:
        try:
            await self.client.set(_key(self.prefix, chat_id), stream_id, px=max(1, int(ttl * 1000)))
        except self._down as error:
            raise _unavailable(error) from error

    async def get(self, chat_id: str) -> Optional[str]:
        try:
            value = await self.client.get(_key(self.prefix, chat_id))
        except self._down as error:
            raise _unavailable(error) from error
        return value.decode('ascii', 'replace') if isinstance(value, bytes) else value

    async def clear(self, chat_id: str, stream_id: str) -> None:
        try:
            await self.client.eval(_CLEAR, 1, _key(self.prefix, chat_id), stream_id)
        except self._down as error:
            raise _unavailable(error) from error


def _redis_of(store: Any) -> Optional[tuple[Any, str]]:
    # The Redis stores expose their client and key prefix; the records go next to the streams.
    client = getattr(store, 'client', None)
    prefix = getattr(store, 'prefix', None)
    if client is None or not isinstance(prefix, str) or 'redis' not in type(client).__module__:
        return None
    return client, prefix


def active_streams_for(store: Any) -> ActiveStreams:
    """Records next to ``store``'s streams: in Redis for a Redis store, else in this process."""
    found = _redis_of(store)
    return RedisActiveStreams(*found) if found else MemoryActiveStreams()


def async_active_streams_for(store: Any) -> AsyncActiveStreams:
    """:func:`active_streams_for` for an async store."""
    found = _redis_of(store)
    return AsyncRedisActiveStreams(*found) if found else AsyncMemoryActiveStreams()
