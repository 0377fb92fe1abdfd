"""Many readers per worker: one store reader per process, a few Redis connections, slow readers dropped."""

from __future__ import annotations

import asyncio
import json
import threading

import redis
import redis.asyncio
from redis_server import RedisServer, redis_server, until  # noqa: F401 (fixture)
from test_resume_aio import DONE as ADONE
from test_resume_aio import Source as AsyncSource
from test_resume_aio import collect
from test_resume_runner import DONE, Source, parse, runner_on, take

from llm_sse.resume import Runner
from llm_sse.resume.aio import AsyncRunner
from llm_sse.resume.redis_async import AsyncRedisStore
from llm_sse.resume.redis_plan import MAX_CONNECTIONS
from llm_sse.resume.redis_store import RedisStore

READERS = 120


def connections(server: RedisServer, name: str) -> int:
    """Connections Redis has from clients named ``name`` (``CLIENT LIST``)."""
    admin = redis.Redis(host='127.0.0.1', port=server.port)
    try:
        return sum(1 for c in admin.client_list() if c.get('name') == name)
    finally:
        admin.close()


def named(server: RedisServer, name: str, prefix: str) -> RedisStore:
    return RedisStore.from_url(f'{server.url}?client_name={name}', prefix=prefix)


def test_a_worker_follows_many_streams_generated_elsewhere_on_a_few_connections(redis_server: RedisServer) -> None:  # noqa: F811
    producer = runner_on(named(redis_server, 'producer', 'many'))
    reader = runner_on(named(redis_server, 'reader', 'many'))
    sources = [Source() for _ in range(READERS)]
    ids = []
    for src in sources:
        src.q.put('a')
        sid = producer.start(src.make)
        assert isinstance(sid, str)
        ids.append(sid)
    results: dict[str, list[dict[str, str]]] = {}
    # Every reader sits on the other runner, so none can follow a local copy.
    threads = [threading.Thread(target=lambda s=sid: results.__setitem__(s, parse(reader.follow(s)))) for sid in ids]
    for t in threads:
        t.start()
    until(lambda: reader._hub.streams.keys() >= set(ids), 20, 'every reader to join')
    peak = connections(redis_server, 'reader')
    for src in sources:
        src.q.put('b')
        src.q.put(DONE)
    for t in threads:
        t.join(30)
    assert all(not t.is_alive() for t in threads)
    peak = max(peak, connections(redis_server, 'reader'), connections(redis_server, 'producer'))
    assert 1 <= peak <= MAX_CONNECTIONS
    for sid in ids:
        assert [e['data'] for e in results[sid]] == ['a', 'b', '{"status": "completed"}'], sid
    assert all(src.started == 1 for src in sources)
    producer.close()
    reader.close()


def test_a_reader_that_stops_reading_is_dropped_and_the_others_get_everything(redis_server: RedisServer) -> None:  # noqa: F811
    producer = runner_on(RedisStore.from_url(redis_server.url, prefix='slow'))
    other = Runner(
        RedisStore.from_url(redis_server.url, prefix='slow'),
        tick=0.05,
        block=0.1,
        unavailable=1.0,
        drain=0,
        backlog=16384,
    )
    src = Source()
    src.q.put('a')
    sid = producer.start(src.make)
    assert isinstance(sid, str)
    stalled = other.follow(sid)
    assert take(stalled, 1)[0]['data'] == 'a'  # from the store
    src.q.put('b')
    assert take(stalled, 1)[0]['data'] == 'b'  # through the worker's reader
    # The stalled reader stays registered but reads nothing more from here on.
    chunks: list[bytes] = []
    reading = threading.Thread(target=lambda: chunks.extend(other.follow(sid)))
    reading.start()
    token = 'x' * 500
    # Each step also waits for the reading client, so a thread starved on a loaded
    # machine is not taken for a slow client.
    read = lambda: sum(c.count(token.encode()) for c in list(chunks))  # noqa: E731
    # 100 KB in five steps, each read by the worker's reader before the next:
    # six times the stalled reader's backlog.
    slow_follower = other._hub.streams[sid][0]
    for step in range(1, 6):
        for _ in range(40):
            src.q.put(token)
        until(lambda n=40 * step: slow_follower.received >= n or slow_follower.failure, 10, 'the reader to get them')
        until(lambda n=40 * step: read() >= n, 10, 'the reading client to read them')
    src.q.put(DONE)
    reading.join(30)
    fine = parse(iter(chunks))
    assert [e['data'] for e in fine] == ['a', 'b', *[token] * 200, '{"status": "completed"}']
    rest = parse(stalled)
    error = json.loads(rest[-1]['data'])['error']
    assert rest[-1]['event'] == 'error'
    assert error['type'] == 'reader_too_slow'
    # What it got before the drop is a prefix of the answer, and it holds nothing more.
    assert all(e['data'] == token for e in rest[:-1])
    assert not other._hub.streams
    # The answer is whole in the store: a resume from the stalled reader's last id gets the rest.
    last = int((rest[-2]['id'] if len(rest) > 1 else f'{sid}:1').split(':')[1])
    resumed = parse(other.follow(sid, last))
    assert len(rest) - 1 + len(resumed) == 201
    assert resumed[-1]['data'] == '{"status": "completed"}'
    assert src.started == 1
    producer.close()
    other.close()


def test_the_async_runner_follows_many_streams_on_a_few_connections(redis_server: RedisServer) -> None:  # noqa: F811
    async def main() -> None:
        def store(name: str) -> AsyncRedisStore:
            return AsyncRedisStore.from_url(f'{redis_server.url}?client_name={name}', prefix='amany')

        producer = AsyncRunner(store('aproducer'), tick=0.05, block=0.1)
        reader = AsyncRunner(store('areader'), tick=0.05, block=0.1)
        sources = [AsyncSource() for _ in range(READERS)]
        ids = []
        for src in sources:
            src.q.put_nowait('a')
            sid = await producer.start(src.make)
            assert isinstance(sid, str)
            ids.append(sid)
        tasks = [asyncio.create_task(collect(reader.follow(sid))) for sid in ids]
        while reader._hub.streams.keys() < set(ids):
            await asyncio.sleep(0.01)
        peak = await asyncio.to_thread(connections, redis_server, 'areader')
        for src in sources:
            src.q.put_nowait('b')
            src.q.put_nowait(ADONE)
        results = await asyncio.gather(*tasks)
        for name in ('areader', 'aproducer'):
            peak = max(peak, await asyncio.to_thread(connections, redis_server, name))
        assert 1 <= peak <= MAX_CONNECTIONS
        for events in results:
            assert [e['data'] for e in events] == ['a', 'b', '{"status": "completed"}']
        await producer.close()
        await reader.close()

    asyncio.run(asyncio.wait_for(main(), 60))


def test_the_writer_sends_many_events_per_round_trip(redis_server: RedisServer) -> None:  # noqa: F811
    calls: list[int] = []

    class Counting(RedisStore):
        def append_many(self, items):  # type: ignore[no-untyped-def]
            calls.append(len(items))
            return super().append_many(items)

    runner = runner_on(Counting(redis.Redis.from_url(redis_server.url), prefix='batch'))
    sources = [Source() for _ in range(50)]
    for src in sources:
        for token in 'abcdefghij':
            src.q.put(token)
        src.q.put(DONE)
    ids = [runner.start(src.make) for src in sources]
    for sid in ids:
        assert isinstance(sid, str)
        assert len(parse(runner.follow(sid))) == 11
    # 550 events; one XADD per round trip would be 550 calls.
    assert sum(calls) == 550
    assert len(calls) < 550 / 2
    runner.close()


def test_the_async_store_sends_one_pipeline_per_turn_for_a_burst_of_requests(redis_server: RedisServer) -> None:  # noqa: F811
    # A uvicorn worker starting hundreds of streams at once: each request's own store calls (create,
    # exists, a resume's replay, cancel) must share round trips, not queue for a pooled connection each.
    pipelines: list[int] = []

    class Counting:
        """A redis.asyncio client that counts the pipelines the store sends."""

        def __init__(self, client: redis.asyncio.Redis) -> None:
            self.client = client

        def pipeline(self, transaction: bool = True) -> object:
            pipelines.append(1)
            return self.client.pipeline(transaction=transaction)

        def __getattr__(self, name: str) -> object:
            return getattr(self.client, name)

    async def main() -> None:
        store = AsyncRedisStore(Counting(AsyncRedisStore.from_url(redis_server.url).client), prefix='burst')
        ids = [f'{i:032x}' for i in range(500)]
        await asyncio.gather(*(store.create(sid) for sid in ids))
        created = len(pipelines)
        states = await asyncio.gather(*(store.state(sid) for sid in ids), store.state('f' * 32))
        assert states == ['live'] * 500 + ['missing']
        replays = await asyncio.gather(*(store.read(sid, -1, 0) for sid in ids))
        assert all(list(r) == [] for r in replays)
        assert await store.cancel(ids[0]) is True
        await store.client.client.aclose()
        # 1,501 calls; one pipeline each would be 1,501.
        assert created <= 3
        assert len(pipelines) <= 10

    asyncio.run(asyncio.wait_for(main(), 60))


def test_stored_events_renew_the_producer_liveness_when_its_heartbeat_is_late(redis_server: RedisServer) -> None:  # noqa: F811
    # A worker too busy to send its heartbeat on time (a saturated event loop) still writes events:
    # those writes keep it alive for readers elsewhere, and keep its stream from expiring.
    store = RedisStore.from_url(redis_server.url, prefix='renew', liveness=5)
    admin = redis.Redis.from_url(redis_server.url)
    sid = 'c' * 32
    store.create(sid)
    admin.pexpire(f'renew:{{{sid}}}:alive', 1000)
    admin.pexpire(f'renew:{{{sid}}}', 1000)
    store.append(sid, 0, None, 'x')
    assert admin.pttl(f'renew:{{{sid}}}:alive') > 4000
    assert admin.pttl(f'renew:{{{sid}}}') > 4000
    # A write never brings back a producer already taken for dead.
    other = 'd' * 32
    store.create(other)
    admin.delete(f'renew:{{{other}}}:alive')
    store.append(other, 0, None, 'x')
    assert admin.exists(f'renew:{{{other}}}:alive') == 0
    store.end(sid, 60)
    admin.close()


def test_a_late_heartbeat_grants_a_longer_liveness_within_a_bound() -> None:
    from llm_sse.resume.redis_plan import MAX_LIVENESS_FACTOR, Plan

    class Recorder:
        def __init__(self) -> None:
            self.alive: list[int] = []

        def set(self, key: str, value: object, px: int, **_: object) -> None:
            self.alive.append(px)

        def __getattr__(self, name: str) -> object:
            return lambda *a, **k: None

    plan = Plan('late', 5.0, 3.0)
    p = Recorder()
    plan.beat(p, ['s'])
    plan._last_beat -= 4.0  # type: ignore[operator]  # the next beat went out 4 s after this one
    plan.beat(p, ['s'])
    plan._last_beat -= 20.0  # type: ignore[operator]
    plan.beat(p, ['s'])
    plan._last_beat -= 1000.0  # type: ignore[operator]  # no stream ran meanwhile: a fresh start
    plan.beat(p, ['s'])
    assert p.alive == [5000, 8000, 5000 * MAX_LIVENESS_FACTOR, 5000]
