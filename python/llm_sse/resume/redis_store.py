"""A :class:`~llm_sse.resume.store.Store` on Redis Streams, shared by any number of workers and hosts.

Keys, for stream ``s`` and prefix ``p`` (the braces keep a stream's keys in
one Redis Cluster slot):

- ``p:{s}``: the stream. Event ``n`` is the entry ``1-n`` (fields ``d``: data,
  ``e``: event name when there is one); the stream is made by the entry
  ``0-1``; the end mark is ``2-0``. Explicit ids make an append idempotent
  (a retry after a lost reply is refused as "equal or smaller" and ignored)
  and let a reader start after any event without an index.
- ``p:{s}:alive``: the producer's liveness, a key with a short time to live.
- ``p:{s}:readers``: some reader is connected (time to live ``presence``).
- ``p:{s}:cancel``: stop asked for.

Appends use ``NOMKSTREAM``: after a Redis restart without persistence the
stream is gone, and the producer learns it at its next event instead of
writing the rest of an answer whose start nobody can read.

One replay-then-live read (``XREAD BLOCK`` from the reader's cursor) means
no event can fall between a replay and a subscription.
"""

from __future__ import annotations

import contextlib
import functools
import threading
import uuid
from collections.abc import Iterator, Mapping, Sequence
from typing import Any, Callable, Optional, TypeVar, cast

import redis

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

_F = TypeVar('_F', bound=Callable[..., Any])


def reconnecting(method: _F) -> _F:
    """Run a store operation once more when it found Redis unreachable.

    After a Redis restart every pooled connection is dead; redis-py notices
    only by failing a command on each, and its own retry does not cover
    every pipeline. The second run gets a fresh connection, so a request
    that arrives after Redis is back does not get a stray 503.
    """

    @functools.wraps(method)
    def run(*args: Any, **kwargs: Any) -> Any:
        try:
            return method(*args, **kwargs)
        except StoreUnavailable:
            return method(*args, **kwargs)

    return cast(_F, run)


def client_from_url(url: str, *, cluster: bool = False) -> Any:
    """A ``redis.Redis`` (or ``RedisCluster``) on ``url`` with at most ``MAX_CONNECTIONS`` connections
    (per node), callers waiting up to ``POOL_WAIT`` s for a free one, and a socket timeout above any
    blocked read."""
    options: dict[str, Any] = {'socket_timeout': 10, 'socket_connect_timeout': 2, 'retry': retry()}
    if cluster:
        from redis.cluster import RedisCluster

        return RedisCluster.from_url(url, max_connections=MAX_CONNECTIONS, **options)
    pool = redis.BlockingConnectionPool.from_url(url, max_connections=MAX_CONNECTIONS, timeout=POOL_WAIT, **options)
    return redis.Redis(connection_pool=pool)


class RedisStore:
    """Streams in Redis (or a Redis Cluster).

    ``client``: a ``redis.Redis`` or ``redis.cluster.RedisCluster`` (bytes
    replies, i.e. ``decode_responses`` off). Its ``socket_timeout`` must
    exceed the readers' ``block``: redis-py 8's default of 5 s is fine with
    the default 1 s block, but a shorter one turns every idle read into a
    ``TimeoutError``. ``prefix``: key prefix. ``liveness``: seconds a
    producer heartbeat keeps its stream live; readers of a stream whose
    producer died end within about that. ``presence``: seconds a reader's
    touch counts.
    """

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
        # The multiplexed read blocks in Redis; a new reader wakes it by
        # writing to this process's own wake stream, which that read follows.
        self._token = uuid.uuid4().hex
        self._woke = '0-0'
        self._poke = threading.Event()
        # A cluster client's per-node pools fail past their size instead of
        # waiting (MaxConnectionsError): calls wait here for a turn instead.
        self._turns = threading.BoundedSemaphore(MAX_CONNECTIONS) if self._cluster else None
        # Requests' own calls (create, exists, cancel, a resume's replay) get at most FRONT connections,
        # so a burst of new streams never starves the writer and the multiplexed read of theirs.
        self._front = threading.BoundedSemaphore(FRONT)

    @classmethod
    def from_url(cls, url: str, *, cluster: bool = False, **options: Any) -> RedisStore:
        """A store on ``url`` (``redis://host:port/db``; ``cluster=True``: any node of a Redis Cluster)."""
        return cls(client_from_url(url, cluster=cluster), **options)

    @contextlib.contextmanager
    def _turn(self, front: bool = False) -> Iterator[None]:
        gates = [g for g in (self._front if front else None, self._turns) if g is not None]
        taken: list[threading.BoundedSemaphore] = []
        try:
            for gate in gates:
                if not gate.acquire(timeout=POOL_WAIT):
                    raise StoreUnavailable('Redis is unavailable: no free connection')
                taken.append(gate)
            yield
        finally:
            for gate in taken:
                gate.release()

    def _run(self, build: Callable[[Any], Any], raise_on_error: bool = True, front: bool = False) -> list[Any]:
        try:
            with self._turn(front), self.client.pipeline(transaction=False) as p:
                build(p)
                return cast(list[Any], p.execute(raise_on_error=raise_on_error))
        except DOWN as error:
            raise unavailable(error) from error

    @reconnecting
    def create(self, stream_id: str) -> None:
        self.plan.created(self._run(lambda p: self.plan.create(p, stream_id), raise_on_error=False, front=True))

    def append(self, stream_id: str, n: int, event: Optional[str], data: str) -> None:
        result = self.append_many([(stream_id, n, event, data)])[0]
        if result is not None:
            raise result

    @reconnecting
    def append_many(self, items: Sequence[tuple[str, int, Optional[str], str]]) -> list[Optional[Exception]]:
        return self.plan.appended(items, self._run(lambda p: self.plan.append(p, items), raise_on_error=False))

    @reconnecting
    def end(self, stream_id: str, ttl: float) -> None:
        self._run(lambda p: self.plan.end(p, stream_id, ttl), raise_on_error=False)

    def read(self, stream_id: str, after: int, block: float) -> Sequence[Entry]:
        streams = self.plan.read_args({stream_id: after}, None)
        try:
            with self._turn(front=True):
                reply = self.client.xread(streams, count=READ_COUNT, block=self.plan.ms(block) if block > 0 else None)
        except DOWN as error:
            raise unavailable(error) from error
        return read_one(self.plan, stream_id, after, reply)

    def read_many(self, cursors: Mapping[str, int], block: float) -> dict[str, list[Entry]]:
        """:meth:`read` of many streams in one wait; :meth:`wake` ends the wait early."""
        if not self._cluster and len(cursors) <= READ_BATCH:
            streams = self.plan.read_args(cursors, (self._token, self._woke))
            try:
                reply = self.client.xread(streams, count=READ_COUNT, block=self.plan.ms(block))
            except DOWN as error:
                raise unavailable(error) from error
            out, woke = self.plan.read_reply(cursors, reply)
            if woke is not None:
                self._woke = woke
            return out
        # A cluster refuses one read across slots, and a very long key list
        # is cut in batches: one pipeline of non-blocking reads, then a short
        # pause when nothing came.
        groups = self.plan.read_groups(self.client if self._cluster else None, cursors)
        replies = self._run(lambda p: [p.xread(self.plan.read_args(g, None), count=READ_COUNT) for g in groups])
        out = {}
        for group, reply in zip(groups, replies):
            out.update(self.plan.read_reply(group, reply)[0])
        if not out:
            self._poke.wait(min(block, POLL))
            self._poke.clear()
        return out

    def wake(self) -> None:
        """End a :meth:`read_many` waiting in another thread (a reader joined)."""
        self._poke.set()
        if not self._cluster:
            self._run(lambda p: self.plan.wake(p, self._token))

    @reconnecting
    def state(self, stream_id: str) -> State:
        return self.plan.states([stream_id], self._run(lambda p: self.plan.state(p, [stream_id]), front=True))[
            stream_id
        ]

    def state_many(self, stream_ids: Sequence[str]) -> dict[str, State]:
        return self.plan.states(stream_ids, self._run(lambda p: self.plan.state(p, stream_ids)))

    @reconnecting
    def touch(self, stream_id: str) -> None:
        self.touch_many([stream_id])

    def touch_many(self, stream_ids: Sequence[str]) -> None:
        self._run(lambda p: self.plan.touch(p, stream_ids))

    @reconnecting
    def cancel(self, stream_id: str) -> bool:
        return bool(self._run(lambda p: self.plan.cancel(p, stream_id), front=True)[0])

    @reconnecting
    def beat(self, stream_ids: Sequence[str]) -> dict[str, Signals]:
        if not stream_ids:
            return {}
        return self.plan.signals(stream_ids, self._run(lambda p: self.plan.beat(p, stream_ids)))
