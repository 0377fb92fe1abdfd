"""Resumable streams: a generation outlives its request, any worker can continue it.

```python
from llm_sse.resume import Runner, store_from_env
runner = Runner(store_from_env())   # REDIS_URL set: Redis Streams; otherwise this process's memory
```

See ``docs/resumable.md`` in the repository for the protocol and the settings.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from .memory import MemoryStore
from .runner import STOPPED, Runner, resume_point, stopped_event, valid_stream_id
from .store import Entry, Signals, State, Store, StoreUnavailable, StreamLost

if TYPE_CHECKING:
    from .aio import AsyncStore

__all__ = [
    'STOPPED',
    'Entry',
    'MemoryStore',
    'Runner',
    'Signals',
    'State',
    'Store',
    'StoreUnavailable',
    'StreamLost',
    'async_store_from_env',
    'resume_point',
    'stopped_event',
    'store_from_env',
    'valid_stream_id',
]


def _cluster(env: Mapping[str, str]) -> bool:
    return env.get('REDIS_CLUSTER', '').lower() in ('1', 'true', 'yes', 'on')


def store_from_env(env: Mapping[str, str] = os.environ, **options: Any) -> Store:
    """A :class:`RedisStore` on ``REDIS_URL`` when it is set (``REDIS_CLUSTER=1``: a Redis Cluster, the URL
    naming any node), else a :class:`MemoryStore`.

    ``options`` go to the store (``liveness``, ``presence``; ``prefix`` for Redis).
    """
    url = env.get('REDIS_URL')
    if url:
        from .redis_store import RedisStore  # the redis package is only needed here

        return RedisStore.from_url(url, cluster=_cluster(env), **options)
    return MemoryStore(**options)


def async_store_from_env(env: Mapping[str, str] = os.environ, **options: Any) -> AsyncStore:
    """:func:`store_from_env` for :class:`~llm_sse.resume.aio.AsyncRunner` (asyncio servers)."""
    url = env.get('REDIS_URL')
    if url:
        from .redis_async import AsyncRedisStore

        return AsyncRedisStore.from_url(url, cluster=_cluster(env), **options)
    from .aio import AsyncMemoryStore

    return AsyncMemoryStore(**options)
