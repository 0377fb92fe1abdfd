"""Resumable streams on a Redis Cluster: a stream's keys share a slot, readers of many slots share a connection."""

from __future__ import annotations

import asyncio
import threading

from redis_cluster import RedisCluster, redis_cluster  # noqa: F401 (fixture)
from test_resume_aio import DONE as ADONE
from test_resume_aio import Source as AsyncSource
from test_resume_aio import collect
from test_resume_runner import DONE, Source, parse, runner_on, take

from llm_sse.resume.aio import AsyncRunner
from llm_sse.resume.redis_async import AsyncRedisStore
from llm_sse.resume.redis_plan import Plan
from llm_sse.resume.redis_store import RedisStore

STREAMS = 30


def test_a_stream_keys_share_one_slot() -> None:
    from redis.crc import key_slot

    plan = Plan('llm-sse', 5, 3)
    sid = 'ab' * 16
    keys = [plan.key(sid), *(plan.key(sid, s) for s in (':alive', ':readers', ':cancel'))]
    assert len({key_slot(k.encode()) for k in keys}) == 1


def test_streams_on_every_node_are_generated_on_one_worker_and_read_on_another(redis_cluster: RedisCluster) -> None:  # noqa: F811
    producer = runner_on(RedisStore.from_url(redis_cluster.url, cluster=True, prefix='c', liveness=1))
    reader = runner_on(RedisStore.from_url(redis_cluster.url, cluster=True, prefix='c', liveness=1))
    sources = [Source() for _ in range(STREAMS)]
    ids = []
    for src in sources:
        src.q.put('a')
        sid = producer.start(src.make, interrupt=src.interrupt)
        assert isinstance(sid, str)
        ids.append(sid)
    slots = {reader.store.client.keyslot(f'c:{{{sid}}}') for sid in ids}  # type: ignore[attr-defined]
    nodes = {reader.store.client.nodes_manager.get_node_from_slot(s).port for s in slots}  # type: ignore[attr-defined]
    assert len(nodes) == 3  # the streams landed on every node
    results: dict[str, list[dict[str, str]]] = {}
    threads = [threading.Thread(target=lambda s=sid: results.__setitem__(s, parse(reader.follow(s)))) for sid in ids]
    for t in threads:
        t.start()
    for src in sources:
        src.q.put('b')
        src.q.put(DONE)
    for t in threads:
        t.join(30)
    for sid in ids:
        assert [e['data'] for e in results[sid]] == ['a', 'b', '{"status": "completed"}']
    # A resume after the end replays and closes; a cancel reaches the producer through the cluster.
    assert [e['data'] for e in parse(reader.follow(ids[0], 0))] == ['b', '{"status": "completed"}']
    src = Source()
    src.q.put('a')
    sid = producer.start(src.make, interrupt=src.interrupt)
    assert isinstance(sid, str)
    stream = reader.follow(sid)
    assert take(stream, 1)[0]['data'] == 'a'
    assert reader.cancel(sid)
    assert src.interrupted.wait(10)
    assert '"cancelled"' in parse(stream)[-1]['data']
    producer.close()
    reader.close()


def test_the_async_runner_on_a_cluster(redis_cluster: RedisCluster) -> None:  # noqa: F811
    async def main() -> None:
        producer = AsyncRunner(AsyncRedisStore.from_url(redis_cluster.url, cluster=True, prefix='ac'), block=0.2)
        reader = AsyncRunner(AsyncRedisStore.from_url(redis_cluster.url, cluster=True, prefix='ac'), block=0.2)
        sources = [AsyncSource() for _ in range(STREAMS)]
        ids = []
        for src in sources:
            src.q.put_nowait('a')
            sid = await producer.start(src.make)
            assert isinstance(sid, str)
            ids.append(sid)
        tasks = [asyncio.create_task(collect(reader.follow(sid))) for sid in ids]
        for src in sources:
            src.q.put_nowait('b')
            src.q.put_nowait(ADONE)
        for events in await asyncio.gather(*tasks):
            assert [e['data'] for e in events] == ['a', 'b', '{"status": "completed"}']
        await producer.close()
        await reader.close()

    asyncio.run(asyncio.wait_for(main(), 60))


def test_store_from_env_picks_the_cluster_client_with_redis_cluster(redis_cluster: RedisCluster) -> None:  # noqa: F811
    from llm_sse.resume import async_store_from_env, store_from_env

    env = {'REDIS_URL': redis_cluster.url, 'REDIS_CLUSTER': '1'}
    store = store_from_env(env)
    assert isinstance(store, RedisStore)
    assert type(store.client).__name__ == 'RedisCluster'
    store.create('e' * 32)
    assert store.state('e' * 32) == 'live'
    assert type(async_store_from_env(env).client).__name__ == 'RedisCluster'  # type: ignore[attr-defined]
