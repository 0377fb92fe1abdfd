"""The asyncio runner: the same promises as the thread runner, on the event loop."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import pytest
import redis.asyncio
from redis_server import RedisServer, redis_server  # noqa: F401 (fixture)
from test_resume_runner import parse

from llm_sse.event import Event
from llm_sse.failure import Failure
from llm_sse.generation import event_id
from llm_sse.resume import resume_point
from llm_sse.resume.aio import AsyncMemoryStore, AsyncRunner, AsyncStore
from llm_sse.resume.redis_async import AsyncRedisStore

DONE = object()


class Source:
    """An async generation the test feeds; counts starts, sees its own cancellation."""

    def __init__(self) -> None:
        self.q: asyncio.Queue[object] = asyncio.Queue()
        self.started = 0
        self.cancelled = asyncio.Event()
        self.closed = asyncio.Event()

    def make(self, stream_id: str) -> AsyncIterator[Event]:
        self.started += 1
        return self._events(stream_id)

    async def _events(self, stream_id: str) -> AsyncIterator[Event]:
        n = 0
        try:
            while True:
                item = await self.q.get()
                if item is DONE:
                    yield Event('{"status": "completed"}', id=event_id(stream_id, n))
                    return
                yield Event(str(item), id=event_id(stream_id, n))
                n += 1
        except asyncio.CancelledError:
            self.cancelled.set()
            raise
        finally:
            self.closed.set()


async def collect(it: AsyncIterator[bytes], count: int = 0) -> list[dict[str, str]]:
    """Every event of a reader, or only the first ``count`` (then the reader is dropped)."""
    out: list[dict[str, str]] = []
    async for chunk in it:
        out.extend(parse(iter([chunk])))
        if count and len(out) >= count:
            return out
    return out


StoreFactory = Callable[[], Awaitable[AsyncStore]]


@pytest.fixture(params=['memory', 'redis'])
def make_store(request: pytest.FixtureRequest, redis_server: RedisServer) -> StoreFactory:  # noqa: F811
    async def factory() -> AsyncStore:
        if request.param == 'memory':
            return AsyncMemoryStore(liveness=0.5, presence=0.3)
        client = redis.asyncio.Redis.from_url(redis_server.url, socket_timeout=5)
        return AsyncRedisStore(client, prefix=f'a{time.monotonic_ns()}', liveness=0.5, presence=0.3)

    return factory


def run(coro: Any) -> Any:
    return asyncio.run(asyncio.wait_for(coro, 30))


def runner_on(store: AsyncStore, **options: float) -> AsyncRunner:
    settings = {'tick': 0.05, 'block': 0.1, 'grace': 30.0, 'unavailable': 1.0, **options}
    return AsyncRunner(store, **settings)


def test_a_resume_gets_exactly_the_rest_of_one_generation(make_store: StoreFactory) -> None:
    async def main() -> None:
        runner = runner_on(await make_store())
        src = Source()
        for token in ['a', 'b', 'c']:
            src.q.put_nowait(token)
        sid = await runner.start(src.make)
        assert isinstance(sid, str)
        first = await collect(runner.follow(sid), 2)
        point = resume_point(first[-1]['id'])
        assert point == (sid, 1)
        src.q.put_nowait(DONE)
        rest = await collect(runner.follow(*point))
        assert [e['data'] for e in first + rest] == ['a', 'b', 'c', '{"status": "completed"}']
        assert [e['id'] for e in first + rest] == [f'{sid}:{n}' for n in range(4)]
        assert src.started == 1
        await runner.close()

    run(main())


def test_a_first_event_that_is_an_error_is_returned_as_the_failure(make_store: StoreFactory) -> None:
    failure = Failure(504, 'upstream_timeout', 'the upstream LLM server did not answer in time')

    async def make_events(stream_id: str) -> AsyncIterator[Event]:
        yield Event(failure.json(), event='error', failure=failure)

    async def main() -> None:
        runner = runner_on(await make_store())
        assert await runner.start(make_events) == failure
        assert runner.running() == 0

    run(main())


def test_cancel_cancels_the_task_and_readers_get_an_error_event(make_store: StoreFactory) -> None:
    async def main() -> None:
        runner = runner_on(await make_store())
        src = Source()
        src.q.put_nowait('a')
        sid = await runner.start(src.make)
        assert isinstance(sid, str)
        reader = runner.follow(sid)
        assert (await collect(reader, 1))[0]['data'] == 'a'
        assert await runner.cancel(sid) is True
        rest = await collect(reader)
        assert json.loads(rest[-1]['data'])['error']['type'] == 'cancelled'
        assert src.cancelled.is_set()
        assert src.closed.is_set()
        await runner.close()

    run(main())


def test_a_generation_nobody_reads_is_cancelled_after_the_grace_period(make_store: StoreFactory) -> None:
    async def main() -> None:
        runner = runner_on(await make_store(), grace=0.3)
        src = Source()
        src.q.put_nowait('a')
        t0 = time.monotonic()
        sid = await runner.start(src.make)
        assert isinstance(sid, str)
        await asyncio.wait_for(src.cancelled.wait(), 5)
        assert time.monotonic() - t0 >= 0.3
        events = await collect(runner.follow(sid))
        assert json.loads(events[-1]['data'])['error']['type'] == 'abandoned'
        await runner.close()

    run(main())


def test_readers_of_a_dead_producer_get_an_error(redis_server: RedisServer) -> None:  # noqa: F811
    async def main() -> None:
        def store() -> AsyncRedisStore:
            return AsyncRedisStore(redis.asyncio.Redis.from_url(redis_server.url), prefix='adead', liveness=0.5)

        producer, other = runner_on(store()), runner_on(store())
        src = Source()
        src.q.put_nowait('a')
        sid = await producer.start(src.make)
        assert isinstance(sid, str)
        await producer.close()  # no more heartbeats, as when the process is killed
        t0 = time.monotonic()
        events = await collect(other.follow(sid))
        assert json.loads(events[-1]['data'])['error']['type'] == 'generator_gone'
        assert time.monotonic() - t0 < 3
        src.q.put_nowait(DONE)

    run(main())


def test_drain_waits_for_running_generations(make_store: StoreFactory) -> None:
    async def main() -> None:
        runner = runner_on(await make_store())
        src = Source()
        src.q.put_nowait('a')
        sid = await runner.start(src.make)
        assert isinstance(sid, str)
        assert await runner.drain(0.05) is False
        asyncio.get_running_loop().call_later(0.1, src.q.put_nowait, DONE)
        assert await runner.drain(10) is True
        assert runner.running() == 0
        await runner.close()

    run(main())


def test_the_first_call_after_a_redis_restart_reconnects_instead_of_failing(redis_server: RedisServer) -> None:  # noqa: F811
    async def main() -> None:
        store = AsyncRedisStore.from_url(redis_server.url, prefix='restart')
        # Several pooled connections, all dead once Redis restarts.
        await asyncio.gather(*[store.create(f's{i}') for i in range(5)])
        await asyncio.gather(*[store.read(f's{i}', -1, 0.1) for i in range(5)])
        redis_server.restart()
        await store.create('after')
        assert await store.state('after') == 'live'

    run(main())
