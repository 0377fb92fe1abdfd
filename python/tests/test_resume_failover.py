"""A Redis Cluster master fails over mid-stream: readers on another worker get every event, or are told.

A cluster of 3 masters with a replica each (``redis_cluster.py``). The
replica of the master holding the stream's slot is promoted, by a manual
``CLUSTER FAILOVER`` or by killing the master; the producer writes while
the slot has no master. Events a failed master acknowledged but never
replicated are gone from the stream: a reader that needs them gets
``stream_lost`` (simulated here by deleting them, since loopback
replication is too fast to lose anything on purpose).
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator

import pytest
import redis
from redis_cluster import RedisCluster
from redis_server import RedisServer, redis_server  # noqa: F401 (fixture)
from test_resume_aio import DONE as ADONE
from test_resume_aio import Source as AsyncSource
from test_resume_aio import collect
from test_resume_runner import DONE, Source, parse, runner_on, take

from llm_sse.resume.aio import AsyncRunner
from llm_sse.resume.multiplex import Follower
from llm_sse.resume.redis_async import AsyncRedisStore
from llm_sse.resume.redis_store import RedisStore
from llm_sse.resume.store import Entry

# Longer than a promotion takes (node timeout 1 s, then an election): producers and readers wait it out.
UNAVAILABLE = 15.0


@pytest.fixture
def replicated() -> Iterator[RedisCluster]:
    cluster = RedisCluster(replicas=1)
    try:
        yield cluster
    finally:
        cluster.stop()


def tokens(events: list[dict[str, str]]) -> list[str]:
    return [e['data'] for e in events]


@pytest.mark.parametrize('kill', [False, True], ids=['manual failover', 'master killed'])
def test_a_master_failing_over_mid_stream_loses_nothing_for_the_readers(replicated: RedisCluster, kill: bool) -> None:
    def store() -> RedisStore:
        return RedisStore.from_url(replicated.url, cluster=True, prefix='fo')

    producer = runner_on(store(), unavailable=UNAVAILABLE)
    reader = runner_on(store(), unavailable=UNAVAILABLE)
    src = Source()
    for t in ('a', 'b'):
        src.q.put(t)
    sid = producer.start(src.make, interrupt=src.interrupt)
    assert isinstance(sid, str)
    live = reader.follow(sid)  # a remote reader: it follows the store through the multiplexer
    assert tokens(take(live, 2)) == ['a', 'b']
    result: list[dict[str, str]] = []
    rest = threading.Thread(target=lambda: result.extend(parse(live)))
    rest.start()
    master = replicated.master_of(f'fo:{{{sid}}}')
    # What was written so far has reached the replica (else a killed master loses it: stream_lost).
    replicated.await_replicated(master)
    replica = replicated.fail_over(master, kill=kill)
    src.q.put('during')  # written while the slot may have no master: retried until it has one
    replicated.await_promotion(master, replica)
    src.q.put('after')
    src.q.put(DONE)
    rest.join(60)
    assert not rest.is_alive()
    assert tokens(result) == ['during', 'after', '{"status": "completed"}']
    # A late resume on the promoted replica replays the whole answer.
    assert tokens(parse(reader.follow(sid))) == ['a', 'b', 'during', 'after', '{"status": "completed"}']
    assert src.started == 1
    producer.close()
    reader.close()


def test_the_async_runner_rides_out_a_killed_master(replicated: RedisCluster) -> None:
    async def main() -> None:
        def store() -> AsyncRedisStore:
            return AsyncRedisStore.from_url(replicated.url, cluster=True, prefix='afo')

        producer = AsyncRunner(store(), tick=0.05, block=0.2, unavailable=UNAVAILABLE)
        reader = AsyncRunner(store(), tick=0.05, block=0.2, unavailable=UNAVAILABLE)
        src = AsyncSource()
        src.q.put_nowait('a')
        sid = await producer.start(src.make)
        assert isinstance(sid, str)
        live = reader.follow(sid)
        assert tokens(await collect(live, 1)) == ['a']
        rest = asyncio.create_task(collect(live))
        master = replicated.master_of(f'afo:{{{sid}}}')
        await asyncio.to_thread(replicated.await_replicated, master)
        replica = await asyncio.to_thread(replicated.fail_over, master, kill=True)
        src.q.put_nowait('during')
        await asyncio.to_thread(replicated.await_promotion, master, replica)
        src.q.put_nowait('after')
        src.q.put_nowait(ADONE)
        assert tokens(await rest) == ['during', 'after', '{"status": "completed"}']
        assert tokens(await collect(reader.follow(sid))) == ['a', 'during', 'after', '{"status": "completed"}']
        await producer.close()
        await reader.close()

    asyncio.run(asyncio.wait_for(main(), 90))


def test_events_the_store_lost_are_reported_as_stream_lost_and_a_reader_past_them_goes_on(
    redis_server: RedisServer,  # noqa: F811
) -> None:
    producer = runner_on(RedisStore.from_url(redis_server.url, prefix='gap'))
    reader = runner_on(RedisStore.from_url(redis_server.url, prefix='gap'))
    src = Source()
    for t in 'abcde':
        src.q.put(t)
    src.q.put(DONE)
    sid = producer.start(src.make, interrupt=src.interrupt)
    assert isinstance(sid, str)
    assert len(parse(producer.follow(sid))) == 6
    # What a promoted replica holds when its failed master had acknowledged events 1 and 2 alone.
    redis.Redis.from_url(redis_server.url).xdel(f'gap:{{{sid}}}', '1-1', '1-2')
    events = parse(reader.follow(sid))
    assert tokens(events)[0] == 'a'
    assert events[-1]['event'] == 'error' and '"stream_lost"' in events[-1]['data']
    assert len(events) == 2  # nothing after the gap is shown as if it followed 'a'
    # A reader that already had events 1 and 2 is not affected.
    assert tokens(parse(reader.follow(sid, 2))) == ['d', 'e', '{"status": "completed"}']
    producer.close()
    reader.close()


def test_a_multiplexed_reader_past_a_gap_skips_its_stream_lost_end() -> None:
    # The multiplexed read starts at the smallest cursor of a stream's readers; the stream_lost and
    # end that stand for a gap before this reader's cursor are not this reader's.
    f = Follower('s' * 32, 10, threading.Event(), 1 << 20)
    f.push([Entry(6, 'error', '{}'), Entry(7, None, '', True), Entry(11, None, 'k')])
    assert not f.ended and f.failure is None
    assert [e.n for e in f.queue] == [11]


def test_a_create_retried_after_a_lost_reply_is_not_an_error(redis_server: RedisServer) -> None:  # noqa: F811
    # A failover (or any cut connection) can lose the reply of a create that Redis carried out; the
    # retry finds its own entry 0-1 there. It used to surface as a 500 from the route.
    sid = 'e' * 32
    store = RedisStore.from_url(redis_server.url, prefix='twice')
    store.create(sid)
    store.create(sid)
    assert store.state(sid) == 'live'

    async def main() -> None:
        astore = AsyncRedisStore.from_url(redis_server.url, prefix='atwice')
        await astore.create(sid)
        await astore.create(sid)
        assert await astore.state(sid) == 'live'

    asyncio.run(main())


def test_a_cluster_down_reply_to_an_append_is_an_unavailable_store() -> None:
    # CLUSTERDOWN is also a ResponseError: it must read as "retry", not as this append failing for good.
    from llm_sse.resume.redis_plan import Plan
    from llm_sse.resume.store import StoreUnavailable

    with pytest.raises(StoreUnavailable):
        Plan('p', 5, 3).appended([('s' * 32, 0, None, 'x')], [redis.exceptions.ClusterDownError('The cluster is down')])
