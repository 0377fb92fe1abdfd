"""What each store operation sends to Redis and how its replies read, for the sync and the asyncio client.

:class:`~llm_sse.resume.redis_store.RedisStore` and
:class:`~llm_sse.resume.redis_async.AsyncRedisStore` queue these commands
on a pipeline of their client and hand the replies back here: the key
layout and the meaning of every reply live in one place, the two stores
only differ in how they wait.
"""

from __future__ import annotations

import re
import time
from collections.abc import Mapping, Sequence
from typing import Any, Optional

import redis.exceptions
from redis.backoff import ExponentialBackoff
from redis.retry import Retry

from .core import stopped_event
from .store import Entry, Signals, State, StoreUnavailable, StreamLost

#: Connections one process opens at most (``from_url``): one blocked in the
#: multiplexed read of every remote reader, the writer, the heartbeat and
#: the requests' own calls (create, exists, cancel) share the rest. Callers
#: wait for a free one instead of failing.
MAX_CONNECTIONS = 4
#: Of those, how many the requests' own calls may hold at once: the other two stay for the writer,
#: the heartbeat and the multiplexed read, which every running stream depends on.
FRONT = MAX_CONNECTIONS - 2
#: Longest wait for a free pooled connection before the store counts as unavailable: under a burst
#: on a busy event loop (a uvicorn worker starting hundreds of streams) waits of several seconds
#: happen, and a late answer beats a 503.
POOL_WAIT = 30.0
# A timeout is not a ConnectionError in redis-py; both mean Redis cannot answer
# now, and so does a cluster that is failing over (CLUSTERDOWN, TRYAGAIN, a slot
# that no node serves yet).
DOWN = (
    redis.exceptions.ConnectionError,
    redis.exceptions.TimeoutError,
    redis.exceptions.ClusterError,
    redis.exceptions.TryAgainError,
    redis.exceptions.RedisClusterException,
)
START = '0-1'
END = '2-0'
_EVENT_ID = re.compile(rb'^1-(\d{1,18})$')
# A stream still running keeps this long past the producer's last heartbeat,
# so a crashed producer's events can still be replayed while its readers end.
RUNNING_EXPIRY_FACTOR = 4
#: A late heartbeat grants at most this many liveness periods (see ``Plan.beat``).
MAX_LIVENESS_FACTOR = 6
#: Entries one read returns per stream at most; the rest come with the next read.
READ_COUNT = 1000
#: Streams one multiplexed ``XREAD`` names at most; more are read in a pipeline of such batches.
READ_BATCH = 500
#: Pause between two non-blocking rounds of the multiplexed read when nothing came (cluster mode, or
#: more than ``READ_BATCH`` streams); a new reader ends it early.
POLL = 0.05
_RENEWED_MAX = 10_000
# The wake stream keeps its last entry only, and vanishes with its process.
_WAKE_TTL_MS = 60_000


def retry() -> Retry:
    # redis-py's own retries took 3 s (5 s async) to report Redis down; the
    # runner and readers retry for `unavailable` seconds themselves, and a
    # request should get its 503 at once.
    return Retry(ExponentialBackoff(cap=0.2, base=0.05), 1)


def unavailable(error: BaseException) -> StoreUnavailable:
    return StoreUnavailable(f'Redis is unavailable: {type(error).__name__}: {error}')


def is_cluster(client: Any) -> bool:
    """Whether ``client`` is a Redis Cluster client (sync or asyncio)."""
    return hasattr(client, 'get_nodes') and hasattr(client, 'keyslot')


def _text(value: bytes) -> str:
    # surrogatepass both ways: a lone surrogate in a token survives the store
    # exactly; the SSE encoder decides what the wire gets.
    return value.decode('utf-8', 'surrogatepass')


def _fields(event: Optional[str], data: str) -> dict[str, bytes]:
    fields = {'d': data.encode('utf-8', 'surrogatepass')}
    if event is not None:
        fields['e'] = event.encode('utf-8', 'surrogatepass')
    return fields


def _entries(items: Any, after: int, stream_id: str) -> list[Entry]:
    out: list[Entry] = []
    for entry_id, fields in items or []:
        if entry_id == END.encode():
            out.append(Entry(after + len(out) + 1, None, '', True))
            return out
        m = _EVENT_ID.match(entry_id)
        if m is None:
            continue
        n = int(m.group(1))
        if n > after + len(out) + 1:
            # Events the store acknowledged are gone (a Redis Cluster master failed before its replica
            # got them; the replica now serves the stream): say so instead of skipping over them.
            return [*out, *_lost(stream_id, after + len(out) + 1)]
        event = fields.get(b'e')
        out.append(Entry(n, None if event is None else _text(event), _text(fields.get(b'd', b''))))
    return out


def _lost(stream_id: str, n: int) -> list[Entry]:
    """What a reader gets in place of event ``n`` and what follows it: ``stream_lost``, then the end."""
    stop = stopped_event('lost', stream_id)
    return [Entry(n, stop.event, stop.data), Entry(n + 1, None, '', True)]


def _cursor(after: int) -> str:
    return START if after < 0 else f'1-{after}'


class Plan:
    """Keys and commands of one store (``prefix``, ``liveness``, ``presence``: see the stores)."""

    def __init__(self, prefix: str, liveness: float, presence: float) -> None:
        self.prefix = prefix
        self.liveness = liveness
        self.presence = presence
        # When each running stream's liveness was last renewed by a write (see append).
        self._renewed: dict[str, float] = {}
        # When this process last sent a heartbeat, and the liveness it grants (see beat).
        self._last_beat: Optional[float] = None
        self._granted = liveness

    def key(self, stream_id: str, suffix: str = '') -> str:
        # The braces keep a stream's keys in one Redis Cluster slot.
        return f'{self.prefix}:{{{stream_id}}}{suffix}'

    @staticmethod
    def ms(seconds: float) -> int:
        return max(1, int(seconds * 1000))

    def create(self, p: Any, stream_id: str) -> None:
        if self._last_beat is None:
            # The first heartbeat's interval counts from here: on a loop slowed by a burst of new
            # streams it comes late too, and must not find their streams expired.
            self._last_beat = time.monotonic()
        key = self.key(stream_id)
        p.xadd(key, {'c': 'start'}, id=START)
        p.pexpire(key, self.ms(self._granted * RUNNING_EXPIRY_FACTOR))
        p.set(self.key(stream_id, ':alive'), 1, px=self.ms(self._granted))

    def append(self, p: Any, items: Sequence[tuple[str, int, Optional[str], str]]) -> None:
        for stream_id, n, event, data in items:
            p.xadd(self.key(stream_id), _fields(event, data), id=f'1-{n}', nomkstream=True)
        # A producer whose events are being stored is alive: its writes renew its liveness too (at most
        # a few times per liveness period), so a worker too busy to send its heartbeat on time is not
        # taken for dead (generator_gone) by readers elsewhere, nor its stream left to expire.
        now = time.monotonic()
        for stream_id in dict.fromkeys(item[0] for item in items):
            if now - self._renewed.get(stream_id, -float('inf')) >= self.liveness / 4:
                if len(self._renewed) >= _RENEWED_MAX:  # ends that never reached Redis
                    self._renewed = {k: t for k, t in self._renewed.items() if now - t < self.liveness}
                self._renewed[stream_id] = now
                p.set(self.key(stream_id, ':alive'), 1, px=self.ms(self._granted), xx=True)
                p.pexpire(self.key(stream_id), self.ms(self._granted * RUNNING_EXPIRY_FACTOR))

    @staticmethod
    def created(replies: list[Any]) -> None:
        """Raise what went wrong in :meth:`create`'s replies. Its ``XADD`` of entry ``0-1`` refused as
        "equal or smaller" is a retry of a create whose reply was lost (a connection cut, a cluster
        failing over): stream ids are random, so that stream is this one."""
        for reply in replies:
            if isinstance(reply, DOWN):
                raise unavailable(reply)
            if isinstance(reply, Exception) and 'equal or smaller' not in str(reply):
                raise reply

    @staticmethod
    def appended(items: Sequence[tuple[str, int, Optional[str], str]], replies: list[Any]) -> list[Optional[Exception]]:
        out: list[Optional[Exception]] = []
        for (stream_id, _, _, _), reply in zip(items, replies):
            if isinstance(reply, DOWN):
                # Checked first: a cluster failing over answers CLUSTERDOWN, also a ResponseError.
                raise unavailable(reply)
            if isinstance(reply, redis.exceptions.ResponseError):
                # "equal or smaller": already stored, a retry whose first reply was lost.
                out.append(None if 'equal or smaller' in str(reply) else reply)
            else:
                out.append(StreamLost(stream_id) if reply is None else None)
        return out

    def end(self, p: Any, stream_id: str, ttl: float) -> None:
        self._renewed.pop(stream_id, None)
        key = self.key(stream_id)
        p.xadd(key, {'c': 'end'}, id=END, nomkstream=True)
        p.pexpire(key, self.ms(ttl))
        # An ended stream is live for as long as it is kept: no reader may call it dead.
        p.set(self.key(stream_id, ':alive'), 1, px=self.ms(ttl))
        p.delete(self.key(stream_id, ':cancel'))

    def state(self, p: Any, stream_ids: Sequence[str]) -> None:
        for stream_id in stream_ids:
            p.exists(self.key(stream_id))
            p.exists(self.key(stream_id, ':alive'))

    @staticmethod
    def states(stream_ids: Sequence[str], replies: list[Any]) -> dict[str, State]:
        out: dict[str, State] = {}
        for i, stream_id in enumerate(stream_ids):
            exists, alive = replies[2 * i : 2 * i + 2]
            out[stream_id] = 'missing' if not exists else 'live' if alive else 'dead'
        return out

    def touch(self, p: Any, stream_ids: Sequence[str]) -> None:
        for stream_id in stream_ids:
            p.set(self.key(stream_id, ':readers'), 1, px=self.ms(self.presence))

    def cancel(self, p: Any, stream_id: str) -> None:
        p.exists(self.key(stream_id))
        p.set(self.key(stream_id, ':cancel'), 1, px=self.ms(self.liveness * RUNNING_EXPIRY_FACTOR))

    def beat(self, p: Any, stream_ids: Sequence[str]) -> None:
        # A worker whose heartbeats go out late (an event loop saturated by hundreds of streams took
        # 5-9 s between two) is slow, not dead: each beat grants twice the last interval, within
        # MAX_LIVENESS_FACTOR liveness periods, so its readers elsewhere do not end with generator_gone.
        # A process that died stops beating: readers learn it within the last grant.
        now = time.monotonic()
        interval = 0.0 if self._last_beat is None else now - self._last_beat
        if interval > self.liveness * MAX_LIVENESS_FACTOR:
            interval = 0.0  # the heartbeat had stopped (no stream ran): a fresh start, not a late beat
        self._last_beat = now
        self._granted = min(max(self.liveness, 2 * interval), self.liveness * MAX_LIVENESS_FACTOR)
        alive_ms = self.ms(self._granted)
        expiry_ms = self.ms(self._granted * RUNNING_EXPIRY_FACTOR)
        for stream_id in stream_ids:
            p.set(self.key(stream_id, ':alive'), 1, px=alive_ms)
            p.pexpire(self.key(stream_id), expiry_ms)
            p.exists(self.key(stream_id, ':cancel'))
            p.exists(self.key(stream_id, ':readers'))

    @staticmethod
    def signals(stream_ids: Sequence[str], replies: list[Any]) -> dict[str, Signals]:
        out: dict[str, Signals] = {}
        for i, stream_id in enumerate(stream_ids):
            _, exists, cancel, readers = replies[4 * i : 4 * i + 4]
            if exists:
                out[stream_id] = Signals(bool(cancel), bool(readers))
        return out

    # -- the multiplexed read ---------------------------------------------------

    def wake_key(self, token: str) -> str:
        return f'{self.prefix}:wake:{token}'

    def wake(self, p: Any, token: str) -> None:
        key = self.wake_key(token)
        p.xadd(key, {'w': 1}, maxlen=1, approximate=False)
        p.pexpire(key, _WAKE_TTL_MS)

    def read_args(self, cursors: Mapping[str, int], wake: Optional[tuple[str, str]]) -> dict[str, str]:
        """``XREAD``'s ``streams`` argument; ``wake``: the wake stream's token and cursor."""
        streams = {self.key(stream_id): _cursor(after) for stream_id, after in cursors.items()}
        if wake is not None:
            streams[self.wake_key(wake[0])] = wake[1]
        return streams

    def read_reply(self, cursors: Mapping[str, int], reply: Any) -> tuple[dict[str, list[Entry]], Optional[str]]:
        """Entries per stream id of an ``XREAD`` reply, and the last wake entry id seen (if any)."""
        by_key = {self.key(stream_id): stream_id for stream_id in cursors}
        out: dict[str, list[Entry]] = {}
        woke: Optional[str] = None
        for raw_key, items in reply or []:
            key = raw_key.decode() if isinstance(raw_key, bytes) else raw_key
            stream_id = by_key.get(key)
            if stream_id is None:
                if items:
                    last = items[-1][0]
                    woke = last.decode() if isinstance(last, bytes) else last
                continue
            entries = _entries(items, cursors[stream_id], stream_id)
            if entries:
                out[stream_id] = entries
        return out, woke

    def read_groups(self, cluster: Any, cursors: Mapping[str, int]) -> list[dict[str, int]]:
        """Cursors cut for a pipeline of reads: by slot on a cluster (``cluster``: its client), which
        refuses one command across slots (CROSSSLOT), else in batches of ``READ_BATCH`` streams."""
        groups: dict[int, dict[str, int]] = {}
        for i, (stream_id, after) in enumerate(cursors.items()):
            group = cluster.keyslot(self.key(stream_id)) if cluster is not None else i // READ_BATCH
            groups.setdefault(group, {})[stream_id] = after
        return list(groups.values())


def read_one(plan: Plan, stream_id: str, after: int, reply: Any) -> list[Entry]:
    """Entries of a single-stream ``XREAD`` reply."""
    return plan.read_reply({stream_id: after}, reply)[0].get(stream_id, [])
