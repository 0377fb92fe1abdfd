"""The bridge that runs the resumable core's coroutines on a plain thread (llm_sse.resume.bridge)."""

import asyncio
import threading
from collections.abc import AsyncIterator, Iterator

import pytest

from llm_sse.resume.bridge import Blocking, Events, drive, iterate


class Counter:
    def __init__(self) -> None:
        self.calls = 0

    def add(self, n: int) -> int:
        self.calls += n
        return self.calls

    def fail(self) -> None:
        raise KeyError('boom')


def test_a_coroutine_of_blocking_calls_runs_to_its_end_on_the_calling_thread_without_an_event_loop():
    counter = Blocking(Counter())
    seen: list[object] = []

    async def work() -> int:
        seen.append(threading.current_thread())
        await counter.add(2)
        return await counter.add(3)

    assert drive(work()) == 5
    assert seen == [threading.current_thread()]
    with pytest.raises(RuntimeError):
        asyncio.get_running_loop()


def test_an_error_of_a_blocking_call_is_raised_inside_the_coroutine():
    counter = Blocking(Counter())

    async def work() -> str:
        try:
            await counter.fail()
        except KeyError:
            return 'caught'
        return 'not raised'

    assert drive(work()) == 'caught'


def test_a_coroutine_that_waits_for_an_event_loop_raises_instead_of_hanging():
    async def work() -> None:
        await asyncio.sleep(0)

    with pytest.raises(RuntimeError, match='without an event loop'):
        drive(work())


def test_an_async_generator_becomes_an_iterator_and_closing_it_runs_its_finally():
    closed: list[str] = []
    source_closed = threading.Event()

    def source() -> Iterator[int]:
        try:
            yield from range(100)
        finally:
            source_closed.set()

    async def doubled() -> AsyncIterator[int]:
        items = Events(source(), lambda it: it.close())
        try:
            async for n in items:
                yield n * 2
        finally:
            await items.aclose()
            closed.append('doubled')

    it = iterate(doubled())
    assert [next(it), next(it), next(it)] == [0, 2, 4]
    it.close()
    assert closed == ['doubled']
    assert source_closed.is_set()
    assert list(iterate(doubled()))[-1] == 198
