"""Run the kit's async core on a plain thread, with blocking calls, and no event loop.

The runner's logic is written once as coroutines (:mod:`.core`). The
asyncio runner awaits them on its loop; the thread runner hands them
blocking callables instead (a sync store, ``threading`` waits), whose
awaitables are already done, so a coroutine never suspends and one
``send(None)`` runs it to its end on the calling thread. A coroutine that
does suspend (it awaited something of asyncio's) is a bug: it raises
instead of hanging.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Generator, Iterator
from typing import Any, Callable, Generic, Optional, TypeVar

T = TypeVar('T')


class Ready(Generic[T]):
    """An awaitable that is already done: ``await Ready(x)`` is ``x`` without suspending."""

    __slots__ = ('value',)

    def __init__(self, value: T) -> None:
        self.value = value

    def __await__(self) -> Generator[Any, None, T]:
        return self.value
        yield  # a generator, so the await protocol holds  # pragma: no cover


def drive(awaitable: Awaitable[T]) -> T:
    """The result of ``awaitable`` (a coroutine whose every await is done at once), run on this thread."""
    steps = awaitable.__await__()
    try:
        steps.send(None)
    except StopIteration as done:
        return done.value  # type: ignore[no-any-return]
    close = getattr(steps, 'close', None)
    if callable(close):
        close()
    raise RuntimeError('a coroutine run without an event loop waited for one')


def iterate(items: AsyncIterator[T]) -> Iterator[T]:
    """A blocking iterator over ``items`` (an async generator run with :func:`drive`); closing it closes them."""
    try:
        while True:
            try:
                item = drive(items.__anext__())
            except StopAsyncIteration:
                return
            yield item
    finally:
        aclose = getattr(items, 'aclose', None)
        if callable(aclose):
            drive(aclose())


def ready(fn: Callable[..., T]) -> Callable[..., Ready[T]]:
    """``fn`` returning its result as an awaitable (exceptions are raised at the call)."""

    def call(*args: Any, **kwargs: Any) -> Ready[T]:
        return Ready(fn(*args, **kwargs))

    return call


class Blocking:
    """A sync object's methods as awaitables, for the async core: ``await Blocking(store).read(...)``."""

    def __init__(self, target: Any) -> None:
        self._target = target

    def __getattr__(self, name: str) -> Callable[..., Ready[Any]]:
        fn = ready(getattr(self._target, name))
        setattr(self, name, fn)  # looked up once: the next access finds it without __getattr__
        return fn


class Events(Generic[T]):
    """A sync iterator as an async one for the core (its ``aclose`` closes the iterator)."""

    def __init__(self, items: Iterator[T], close: Optional[Callable[[Iterator[T]], None]] = None) -> None:
        self._items = items
        self._close = close

    def __aiter__(self) -> Events[T]:
        return self

    def __anext__(self) -> Ready[T]:
        try:
            return Ready(next(self._items))
        except StopIteration:
            raise StopAsyncIteration from None

    def aclose(self) -> Ready[None]:
        if self._close is not None:
            self._close(self._items)
        return Ready(None)
