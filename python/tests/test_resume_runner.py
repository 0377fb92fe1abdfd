"""Detached generations: one generation, any number of readers from any cursor, stops that always end readers."""

from __future__ import annotations

import json
import queue
import threading
import time
from collections.abc import Iterator

import pytest
import redis
from redis_server import RedisServer, redis_server, until  # noqa: F401 (fixture)

from llm_sse.event import Event
from llm_sse.failure import Failure
from llm_sse.generation import event_id
from llm_sse.resume import MemoryStore, Runner, Store, resume_point
from llm_sse.resume.redis_store import RedisStore

DONE = object()


class Source:
    """A generation the test feeds token by token; counts how often it was started."""

    def __init__(self) -> None:
        self.q: queue.Queue[object] = queue.Queue()
        self.started = 0
        self.closed = threading.Event()
        self.interrupted = threading.Event()

    def make(self, stream_id: str) -> Iterator[Event]:
        self.started += 1
        return self._events(stream_id)

    def _events(self, stream_id: str) -> Iterator[Event]:
        n = 0
        try:
            while True:
                item = self.q.get()
                if item is DONE:
                    yield Event('{"status": "completed"}', id=event_id(stream_id, n))
                    return
                if isinstance(item, BaseException):
                    yield Event('{"error": "upstream"}', event='error', id=event_id(stream_id, n))
                    return
                yield Event(str(item), id=event_id(stream_id, n))
                n += 1
        finally:
            self.closed.set()

    def interrupt(self) -> None:
        self.interrupted.set()
        self.q.put(ConnectionError('socket shut down'))


def parse(chunks: Iterator[bytes]) -> list[dict[str, str]]:
    """SSE bytes to [{'id', 'event', 'data'}] (comments dropped)."""
    out = []
    for frame in b''.join(chunks).decode().split('\n\n'):
        ev: dict[str, str] = {}
        for line in frame.split('\n'):
            if not line or line.startswith(':'):
                continue
            name, _, value = line.partition(': ')
            ev[name] = ev[name] + '\n' + value if name == 'data' and name in ev else value
        if ev:
            out.append(ev)
    return out


def take(it: Iterator[bytes], count: int) -> list[dict[str, str]]:
    """The first ``count`` events of a reader (then stops reading, as a dropped connection does)."""
    events: list[dict[str, str]] = []
    for chunk in it:
        events.extend(parse(iter([chunk])))
        if len(events) >= count:
            return events
    raise AssertionError(f'the stream ended after {len(events)} events')


@pytest.fixture(params=['memory', 'redis'])
def store(request: pytest.FixtureRequest, redis_server: RedisServer) -> Iterator[Store]:  # noqa: F811
    if request.param == 'memory':
        yield MemoryStore(liveness=0.5, presence=0.3)
    else:
        client = redis.Redis.from_url(redis_server.url, socket_timeout=5)
        # Not closed here: a generation a test left running may still write.
        yield RedisStore(client, prefix=f't{time.monotonic_ns()}', liveness=0.5, presence=0.3)


def runner_on(store: Store, **options: float) -> Runner:
    # drain=0: a generation a test leaves blocked must not hold up the interpreter's exit.
    settings = {'tick': 0.05, 'block': 0.1, 'grace': 30.0, 'unavailable': 1.0, 'drain': 0.0, **options}
    return Runner(store, **settings)


def test_a_reader_gets_every_event_with_its_id_and_a_resume_gets_exactly_the_rest(store: Store) -> None:
    runner = runner_on(store)
    src = Source()
    src.q.put('a')
    sid = runner.start(src.make)
    assert isinstance(sid, str)
    for token in ['b', 'c', 'd']:
        src.q.put(token)
    first = take(runner.follow(sid), 2)
    assert [(e['id'], e['data']) for e in first] == [(f'{sid}:0', 'a'), (f'{sid}:1', 'b')]
    # The first connection is gone; a resume from its last id continues live.
    point = resume_point(first[-1]['id'])
    assert point == (sid, 1)
    rest_reader = runner.follow(*point)
    src.q.put(DONE)
    rest = parse(rest_reader)
    assert [e['data'] for e in first + rest] == ['a', 'b', 'c', 'd', '{"status": "completed"}']
    assert [e['id'] for e in rest] == [f'{sid}:{n}' for n in range(2, 5)]
    assert src.started == 1
    # After the end a resume still replays and closes.
    assert [e['data'] for e in parse(runner.follow(sid, 3))] == ['{"status": "completed"}']
    runner.close()


def test_two_runners_on_one_redis_serve_each_others_streams(redis_server: RedisServer) -> None:  # noqa: F811
    a = runner_on(RedisStore(redis.Redis.from_url(redis_server.url), prefix='two'))
    b = runner_on(RedisStore(redis.Redis.from_url(redis_server.url), prefix='two'))
    src = Source()
    src.q.put('x')
    sid = a.start(src.make)
    assert isinstance(sid, str)
    assert take(a.follow(sid), 1)[0]['data'] == 'x'
    reader = b.follow(sid, 0)
    src.q.put('y')
    src.q.put(DONE)
    assert [e['data'] for e in parse(reader)] == ['y', '{"status": "completed"}']
    assert src.started == 1
    a.close()
    b.close()


def test_a_generation_that_fails_before_its_first_event_returns_the_failure(store: Store) -> None:
    runner = runner_on(store)
    failure = Failure(502, 'upstream_error', 'the upstream LLM server answered HTTP 500')

    def make(stream_id: str) -> Iterator[Event]:
        yield Event(failure.json(), event='error', failure=failure)

    assert runner.start(make) == failure
    assert runner.running() == 0
    runner.close()


def test_cancel_interrupts_the_generation_and_readers_get_an_error_event(store: Store) -> None:
    runner = runner_on(store)
    src = Source()
    src.q.put('a')
    sid = runner.start(src.make, interrupt=src.interrupt)
    assert isinstance(sid, str)
    reader = runner.follow(sid)
    assert take(reader, 1)[0]['data'] == 'a'
    assert runner.cancel(sid) is True
    assert src.interrupted.is_set()
    rest = parse(reader)
    assert [e.get('event') for e in rest] == ['error']
    assert json.loads(rest[0]['data'])['error']['type'] == 'cancelled'
    assert src.closed.wait(5)
    assert runner.cancel('0' * 32) is False
    runner.close()


def test_a_cancel_sent_to_another_worker_stops_the_generation(redis_server: RedisServer) -> None:  # noqa: F811
    a = runner_on(RedisStore(redis.Redis.from_url(redis_server.url), prefix='cx'))
    b = runner_on(RedisStore(redis.Redis.from_url(redis_server.url), prefix='cx'))
    src = Source()
    src.q.put('a')
    sid = a.start(src.make, interrupt=src.interrupt)
    assert isinstance(sid, str)
    assert b.cancel(sid) is True
    assert src.interrupted.wait(5)
    events = parse(b.follow(sid))
    assert [e['data'] for e in events[:1]] == ['a']
    assert json.loads(events[-1]['data'])['error']['type'] == 'cancelled'
    a.close()
    b.close()


def test_a_generation_nobody_reads_is_cancelled_after_the_grace_period(store: Store) -> None:
    runner = runner_on(store, grace=0.3)
    src = Source()
    src.q.put('a')
    t0 = time.monotonic()
    sid = runner.start(src.make, interrupt=src.interrupt)
    assert isinstance(sid, str)
    assert src.interrupted.wait(5)
    assert time.monotonic() - t0 >= 0.3
    events = parse(runner.follow(sid))
    assert json.loads(events[-1]['data'])['error']['type'] == 'abandoned'
    runner.close()


def followed(store: Store, grace: float) -> tuple[Runner, Source, str, Iterator[bytes]]:
    """A runner with ``grace``, a generation that sent one event, and a local reader that read it."""
    runner = runner_on(store, grace=grace)
    src = Source()
    src.q.put('a')
    sid = runner.start(src.make, interrupt=src.interrupt)
    assert isinstance(sid, str)
    reader = runner.follow(sid)  # on the generating process: it follows the local copy
    take(reader, 1)
    return runner, src, sid, reader


def test_a_followed_generation_outlives_the_grace_period(store: Store) -> None:
    runner, src, _, reader = followed(store, grace=0.2)
    stop_at = time.monotonic() + 1.0  # five grace periods with a reader attached
    got: list[dict[str, str]] = []

    def feed() -> None:
        while time.monotonic() < stop_at:
            src.q.put('t')
            time.sleep(0.05)
        src.q.put(DONE)

    threading.Thread(target=feed, daemon=True).start()
    got = parse(reader)
    assert not src.interrupted.is_set()
    assert got[-1]['data'] == '{"status": "completed"}'
    runner.close()


def test_a_reader_that_closes_its_stream_stops_counting_and_the_grace_period_runs(store: Store) -> None:
    runner, src, sid, reader = followed(store, grace=0.3)
    left = time.monotonic()
    reader.close()  # what the server does with the response of a client that left
    assert src.interrupted.wait(5)
    assert time.monotonic() - left >= 0.3
    assert json.loads(parse(runner.follow(sid))[-1]['data'])['error']['type'] == 'abandoned'
    runner.close()


def test_readers_of_a_dead_producer_get_an_error_within_the_liveness(redis_server: RedisServer) -> None:  # noqa: F811
    producer = runner_on(RedisStore(redis.Redis.from_url(redis_server.url), prefix='dead', liveness=0.5))
    other = runner_on(RedisStore(redis.Redis.from_url(redis_server.url), prefix='dead', liveness=0.5))
    src = Source()
    src.q.put('a')
    sid = producer.start(src.make)
    assert isinstance(sid, str)
    producer.close()  # its heartbeat stops, as when the process is killed
    t0 = time.monotonic()
    events = parse(other.follow(sid))
    assert [e['data'] for e in events[:1]] == ['a']
    assert json.loads(events[-1]['data'])['error']['type'] == 'generator_gone'
    assert time.monotonic() - t0 < 3
    src.q.put(DONE)


def test_a_reader_reports_an_unreachable_store_instead_of_hanging(redis_server: RedisServer) -> None:  # noqa: F811
    producer = runner_on(RedisStore(redis.Redis.from_url(redis_server.url), prefix='down'), unavailable=0.5)
    client = redis.Redis.from_url(redis_server.url, socket_timeout=1)
    other = runner_on(RedisStore(client, prefix='down'), unavailable=0.5)
    src = Source()
    src.q.put('a')
    sid = producer.start(src.make, interrupt=src.interrupt)
    assert isinstance(sid, str)
    reader = other.follow(sid)
    take(reader, 1)
    redis_server.stop()
    try:
        t0 = time.monotonic()
        events = parse(reader)
        assert json.loads(events[-1]['data'])['error']['type'] == 'store_unavailable'
        assert time.monotonic() - t0 < 5
    finally:
        redis_server.start()
    # The producer learns its stream is gone (Redis lost it) and stops the generation.
    src.q.put('b')
    assert src.interrupted.wait(10)
    producer.close()
    other.close()


def test_a_store_down_longer_than_unavailable_stops_the_generation_and_tells_its_readers(
    redis_server: RedisServer,  # noqa: F811
) -> None:
    client = redis.Redis.from_url(redis_server.url, socket_timeout=1)
    runner = runner_on(RedisStore(client, prefix='w'), unavailable=0.5)
    src = Source()
    src.q.put('a')
    sid = runner.start(src.make, interrupt=src.interrupt)
    assert isinstance(sid, str)
    reader = runner.follow(sid)
    assert take(reader, 1)[0]['data'] == 'a'
    redis_server.stop()
    try:
        src.q.put('b')  # cannot be stored: the writer retries, then gives up
        assert src.interrupted.wait(10)
        events = parse(reader)
        assert json.loads(events[-1]['data'])['error']['type'] == 'store_unavailable'
        # 'b' was never stored, so no reader ever saw it: a resume elsewhere cannot miss it.
        assert [e['data'] for e in events[:-1]] == []
    finally:
        redis_server.start()
    runner.close()


class CountingStore:
    """A store that counts reads, around a real one."""

    def __init__(self, inner: Store) -> None:
        self.inner = inner
        self.reads = 0

    def __getattr__(self, name: str) -> object:
        return getattr(self.inner, name)

    def read(self, stream_id: str, after: int, block: float) -> object:
        self.reads += 1
        return self.inner.read(stream_id, after, block)


def test_readers_on_the_generating_process_never_read_the_store(store: Store) -> None:
    counting = CountingStore(store)
    runner = runner_on(counting)  # type: ignore[arg-type]
    src = Source()
    src.q.put('a')
    sid = runner.start(src.make)
    assert isinstance(sid, str)
    reader = runner.follow(sid)
    assert take(reader, 1)[0]['data'] == 'a'
    src.q.put('b')
    src.q.put(DONE)
    assert [e['data'] for e in parse(reader)] == ['b', '{"status": "completed"}']
    assert counting.reads == 0
    # Once the generation is over, readers read the store.
    assert [e['data'] for e in parse(runner.follow(sid, 0))] == ['b', '{"status": "completed"}']
    assert counting.reads > 0
    runner.close()


def test_resume_point_accepts_only_ids_made_here() -> None:
    sid = 'a' * 32
    assert resume_point(f'{sid}:12') == (sid, 12)
    for bad in ['', '12', f'{sid}:', f'{sid}:-1', f'{sid}:1e3', 'x' * 32 + ':1', f'{sid}:' + '9' * 40, 'A' * 32 + ':1']:
        assert resume_point(bad) is None, bad


def test_drain_waits_for_running_generations_to_finish(store: Store) -> None:
    runner = runner_on(store)
    src = Source()
    src.q.put('a')
    sid = runner.start(src.make)
    assert isinstance(sid, str)
    assert runner.drain(0.05) is False
    threading.Timer(0.1, lambda: src.q.put(DONE)).start()
    assert runner.drain(10) is True
    assert runner.running() == 0
    assert [e['data'] for e in parse(runner.follow(sid))] == ['a', '{"status": "completed"}']
    runner.close()
