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

import functools
import re
from collections.abc import Sequence
from typing import Any, Callable, Optional, TypeVar, cast

import redis
import redis.exceptions
from redis.backoff import ExponentialBackoff
from redis.retry import Retry

from .store import Entry, Signals, State, StoreUnavailable, StreamLost

#: Connections one process may open (``from_url``). Every reader waiting for
#: its next event holds one for up to ``block`` seconds, so this bounds the
#: streams one worker can serve; redis-py's default of 100 made the 101st
#: concurrent reader fail with ``MaxConnectionsError``.
MAX_CONNECTIONS = 2000
# A timeout is not a ConnectionError in redis-py; both mean Redis cannot answer now.
_DOWN = (redis.exceptions.ConnectionError, redis.exceptions.TimeoutError)
_START = '0-1'
_END = '2-0'
_EVENT_ID = re.compile(rb'^1-(\d{1,18})$')
# A stream still running keeps this long past the producer's last heartbeat,
# so a crashed producer's events can still be replayed while its readers end.
_RUNNING_EXPIRY_FACTOR = 4


def _retry() -> Retry:
    # redis-py's own retries took 3 s (5 s async) to report Redis down; the
    # runner and readers retry for `unavailable` seconds themselves, and a
    # request should get its 503 at once.
    return Retry(ExponentialBackoff(cap=0.2, base=0.05), 1)


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


def _unavailable(error: BaseException) -> StoreUnavailable:
    return StoreUnavailable(f'Redis is unavailable: {type(error).__name__}: {error}')


def _text(value: bytes) -> str:
    # surrogatepass both ways: a lone surrogate in a token survives the store
    # exactly; the SSE encoder decides what the wire gets.
    return value.decode('utf-8', 'surrogatepass')


def _entries(reply: Any, after: int) -> list[Entry]:
    out: list[Entry] = []
    for _, items in reply or []:
        for entry_id, fields in items:
            if entry_id == _END.encode():
                out.append(Entry(after + len(out) + 1, None, '', True))
                return out
            m = _EVENT_ID.match(entry_id)
            if m is None:
                continue
            event = fields.get(b'e')
            out.append(Entry(int(m.group(1)), None if event is None else _text(event), _text(fields.get(b'd', b''))))
    return out


def _fields(event: Optional[str], data: str) -> dict[str, bytes]:
    fields = {'d': data.encode('utf-8', 'surrogatepass')}
    if event is not None:
        fields['e'] = event.encode('utf-8', 'surrogatepass')
    return fields


def _signals(stream_ids: Sequence[str], replies: list[Any]) -> dict[str, Signals]:
    out: dict[str, Signals] = {}
    for i, stream_id in enumerate(stream_ids):
        _, exists, cancel, readers = replies[4 * i : 4 * i + 4]
        if exists:
            out[stream_id] = Signals(bool(cancel), bool(readers))
    return out


class RedisStore:
    """Streams in Redis.

    ``client``: a ``redis.Redis`` (bytes replies, i.e. ``decode_responses``
    off). Its ``socket_timeout`` must exceed the readers' ``block``:
    redis-py 8's default of 5 s is fine with the default 1 s block, but a
    shorter one turns every idle read into a ``TimeoutError``.
    ``prefix``: key prefix. ``liveness``: seconds a producer heartbeat keeps
    its stream live; readers of a stream whose producer died end within
    about that. ``presence``: seconds a reader's touch counts.
    """

    def __init__(
        self,
        client: redis.Redis,
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
    def from_url(cls, url: str, **options: Any) -> RedisStore:
        """A store on ``url`` (``redis://host:port/db``): timeouts that suit blocking reads, a pool of
        ``MAX_CONNECTIONS``."""
        client = redis.Redis.from_url(
            url, socket_timeout=10, socket_connect_timeout=2, max_connections=MAX_CONNECTIONS, retry=_retry()
        )
        return cls(client, **options)

    def _key(self, stream_id: str, suffix: str = '') -> str:
        return f'{self.prefix}:{{{stream_id}}}{suffix}'

    def _ms(self, seconds: float) -> int:
        return max(1, int(seconds * 1000))

    @reconnecting
    def create(self, stream_id: str) -> None:
        key = self._key(stream_id)
        try:
            with self.client.pipeline() as p:
                p.xadd(key, {'c': 'start'}, id=_START)
                p.pexpire(key, self._ms(self.liveness * _RUNNING_EXPIRY_FACTOR))
                p.set(self._key(stream_id, ':alive'), 1, px=self._ms(self.liveness))
                p.execute()
        except _DOWN as error:
            raise _unavailable(error) from error

    @reconnecting
    def append(self, stream_id: str, n: int, event: Optional[str], data: str) -> None:
        try:
            added = self.client.xadd(self._key(stream_id), _fields(event, data), id=f'1-{n}', nomkstream=True)  # type: ignore[arg-type]
        except redis.exceptions.ResponseError as error:
            if 'equal or smaller' in str(error):
                return  # already stored: this is a retry whose first reply was lost
            raise
        except _DOWN as error:
            raise _unavailable(error) from error
        if added is None:
            raise StreamLost(stream_id)

    @reconnecting
    def append_many(self, items: Sequence[tuple[str, int, Optional[str], str]]) -> list[Optional[Exception]]:
        try:
            with self.client.pipeline(transaction=False) as p:
                for stream_id, n, event, data in items:
                    p.xadd(self._key(stream_id), _fields(event, data), id=f'1-{n}', nomkstream=True)  # type: ignore[arg-type]
                replies = p.execute(raise_on_error=False)
        except _DOWN as error:
            raise _unavailable(error) from error
        out: list[Optional[Exception]] = []
        for (stream_id, _, _, _), reply in zip(items, replies):
            if isinstance(reply, redis.exceptions.ResponseError):
                out.append(None if 'equal or smaller' in str(reply) else reply)
            elif isinstance(reply, _DOWN):
                raise _unavailable(reply)
            else:
                out.append(StreamLost(stream_id) if reply is None else None)
        return out

    @reconnecting
    def end(self, stream_id: str, ttl: float) -> None:
        key = self._key(stream_id)
        try:
            with self.client.pipeline() as p:
                p.xadd(key, {'c': 'end'}, id=_END, nomkstream=True)
                p.pexpire(key, self._ms(ttl))
                # An ended stream is live for as long as it is kept: no reader may call it dead.
                p.set(self._key(stream_id, ':alive'), 1, px=self._ms(ttl))
                p.delete(self._key(stream_id, ':cancel'))
                p.execute(raise_on_error=False)
        except _DOWN as error:
            raise _unavailable(error) from error

    def read(self, stream_id: str, after: int, block: float) -> Sequence[Entry]:
        cursor = _START if after < 0 else f'1-{after}'
        key = self._key(stream_id)
        try:
            if block > 0:
                reply = self.client.xread({key: cursor}, count=1000, block=self._ms(block))
            else:
                reply = self.client.xread({key: cursor}, count=1000)
        except _DOWN as error:
            raise _unavailable(error) from error
        return _entries(reply, after)

    @reconnecting
    def state(self, stream_id: str) -> State:
        try:
            with self.client.pipeline(transaction=False) as p:
                p.exists(self._key(stream_id))
                p.exists(self._key(stream_id, ':alive'))
                exists, alive = p.execute()
        except _DOWN as error:
            raise _unavailable(error) from error
        if not exists:
            return 'missing'
        return 'live' if alive else 'dead'

    @reconnecting
    def touch(self, stream_id: str) -> None:
        try:
            self.client.set(self._key(stream_id, ':readers'), 1, px=self._ms(self.presence))
        except _DOWN as error:
            raise _unavailable(error) from error

    @reconnecting
    def cancel(self, stream_id: str) -> bool:
        key = self._key(stream_id)
        try:
            with self.client.pipeline() as p:
                p.exists(key)
                p.set(self._key(stream_id, ':cancel'), 1, px=self._ms(self.liveness * _RUNNING_EXPIRY_FACTOR))
                exists, _ = p.execute()
        except _DOWN as error:
            raise _unavailable(error) from error
        return bool(exists)

    @reconnecting
    def beat(self, stream_ids: Sequence[str]) -> dict[str, Signals]:
        if not stream_ids:
            return {}
        alive_ms = self._ms(self.liveness)
        expiry_ms = self._ms(self.liveness * _RUNNING_EXPIRY_FACTOR)
        try:
            with self.client.pipeline(transaction=False) as p:
                for stream_id in stream_ids:
                    p.set(self._key(stream_id, ':alive'), 1, px=alive_ms)
                    p.pexpire(self._key(stream_id), expiry_ms)
                    p.exists(self._key(stream_id, ':cancel'))
                    p.exists(self._key(stream_id, ':readers'))
                replies = p.execute()
        except _DOWN as error:
            raise _unavailable(error) from error
        return _signals(stream_ids, replies)
