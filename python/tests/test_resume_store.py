"""The stream stores: memory and Redis Streams behave the same (one suite, both stores)."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest
import redis
from redis_server import RedisServer, redis_server, until  # noqa: F401 (fixture)

from llm_sse.resume import MemoryStore, Store, StoreUnavailable, StreamLost
from llm_sse.resume.redis_store import RedisStore


@pytest.fixture(params=['memory', 'redis'])
def store(request: pytest.FixtureRequest, redis_server: RedisServer) -> Iterator[Store]:  # noqa: F811
    if request.param == 'memory':
        yield MemoryStore(liveness=0.3, presence=0.3)
    else:
        client = redis.Redis.from_url(redis_server.url, socket_timeout=5)
        client.flushall()
        yield RedisStore(client, prefix='t', liveness=0.3, presence=0.3)
        client.close()


def texts(entries) -> list[tuple[int, str | None, str, bool]]:  # type: ignore[no-untyped-def]
    return [(e.n, e.event, e.data, e.end) for e in entries]


def test_events_come_back_in_order_from_any_cursor_then_the_end_mark(store: Store) -> None:
    store.create('s1')
    store.append('s1', 0, None, 'a')
    store.append('s1', 1, 'meta', 'b')
    store.append('s1', 2, None, 'c')
    assert texts(store.read('s1', -1, 0)) == [(0, None, 'a', False), (1, 'meta', 'b', False), (2, None, 'c', False)]
    assert texts(store.read('s1', 1, 0)) == [(2, None, 'c', False)]
    assert store.read('s1', 2, 0) == []
    store.end('s1', ttl=60)
    tail = store.read('s1', 2, 0)
    assert len(tail) == 1
    assert tail[0].end
    # A resume after the end replays the rest and closes.
    assert texts(store.read('s1', 0, 0))[:2] == [(1, 'meta', 'b', False), (2, None, 'c', False)]
    assert store.read('s1', 0, 0)[-1].end


def test_any_text_survives_the_store_exactly(store: Store) -> None:
    data = 'a\r\nb\rc\nd\u2028e\0f\U0001f600g\ud83dh\x7f' + 'x' * 100_000
    store.create('s2')
    store.append('s2', 0, 'ev\u00e9', data)
    [entry] = store.read('s2', -1, 0)
    assert entry.data == data
    assert entry.event == 'ev\u00e9'


def test_appending_an_event_again_is_a_no_op(store: Store) -> None:
    store.create('s3')
    store.append('s3', 0, None, 'first')
    store.append('s3', 0, None, 'retried')
    assert texts(store.read('s3', -1, 0)) == [(0, None, 'first', False)]


def test_appending_to_a_stream_that_does_not_exist_raises_stream_lost(store: Store) -> None:
    with pytest.raises(StreamLost):
        store.append('nope', 0, None, 'x')


def test_a_blocked_read_wakes_up_on_append(store: Store) -> None:
    store.create('s4')
    got: list[object] = []
    reader = threading.Thread(target=lambda: got.extend(store.read('s4', -1, 10)))
    reader.start()
    store.append('s4', 0, None, 'late')
    reader.join(5)
    assert not reader.is_alive()
    assert texts(got) == [(0, None, 'late', False)]


def test_a_read_with_nothing_new_returns_empty_after_its_block(store: Store) -> None:
    store.create('s5')
    assert store.read('s5', -1, 0.05) == []


def test_state_is_live_then_dead_when_the_producer_stops_beating_and_missing_when_unknown(store: Store) -> None:
    assert store.state('unknown') == 'missing'
    store.create('s6')
    assert store.state('s6') == 'live'
    store.beat(['s6'])
    until(lambda: store.state('s6') == 'dead', 5, 'the liveness to lapse')


def test_an_ended_stream_stays_live_without_heartbeats_until_its_ttl(store: Store) -> None:
    store.create('s7')
    store.end('s7', ttl=0.3)
    assert store.state('s7') == 'live'
    until(lambda: store.state('s7') == 'missing', 5, 'the ttl to expire the stream')


def test_the_heartbeat_reports_cancel_and_readers(store: Store) -> None:
    store.create('s8')
    assert store.beat(['s8']) == {'s8': (False, False)}
    store.touch('s8')
    assert store.beat(['s8'])['s8'].readers
    until(lambda: not store.beat(['s8'])['s8'].readers, 5, 'the reader presence to lapse')
    assert store.cancel('s8') is True
    assert store.beat(['s8'])['s8'].cancel
    assert store.cancel('unknown') is False
    assert store.beat(['unknown']) == {}


def test_redis_restart_loses_the_stream_and_appends_say_so(redis_server: RedisServer) -> None:  # noqa: F811
    client = redis.Redis.from_url(redis_server.url, socket_timeout=5)
    s = RedisStore(client, prefix='r')
    s.create('s9')
    s.append('s9', 0, None, 'a')
    redis_server.stop()
    with pytest.raises(StoreUnavailable):
        s.append('s9', 1, None, 'b')
    with pytest.raises(StoreUnavailable):
        s.read('s9', -1, 0.1)
    redis_server.start()
    with pytest.raises(StreamLost):
        s.append('s9', 1, None, 'b')
    assert s.state('s9') == 'missing'
