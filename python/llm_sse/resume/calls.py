"""Loops written once as generators of store calls, carried out by a thread (sync store) or a task.

The runners' shared loops (the multiplexed reader, the batched writer)
``yield (name, args)`` for each store call and get its result back (or its
:class:`~llm_sse.resume.store.StoreUnavailable` thrown in); ``sleep`` and
the names in ``extra`` are the driver's own. So the logic exists once, and
the thread and the asyncio versions only differ in how they wait; the
driver too is written once (:func:`arun`; :func:`run` runs it on a thread
through :mod:`.bridge`).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Generator
from typing import Any, Callable, Optional

from .bridge import Blocking, drive, ready
from .store import StoreUnavailable

#: A call: a store method's name (or ``sleep``, or a driver's own) and its arguments.
Call = tuple[str, tuple[Any, ...]]
Loop = Generator[Call, Any, Any]


def raise_if_cancelled() -> None:
    """Re-raise a cancel of the current task that an awaited call swallowed.

    redis-py's asyncio client sometimes eats the ``CancelledError`` of a
    command cut mid-flight (seen with redis 8.1 when a task is cancelled
    before its first command is sent), so a loop around store calls would
    outlive its cancel and hang the event loop's shutdown. The task still
    counts the cancel (``Task.cancelling()``, Python 3.11+).
    """
    try:
        task = asyncio.current_task()
    except RuntimeError:
        return  # no event loop: run by a thread (:func:`run`), nothing to cancel
    cancelling = getattr(task, 'cancelling', None)
    if cancelling is not None and cancelling():
        raise asyncio.CancelledError


async def arun(
    loop: Loop, store: Any, extra: Optional[dict[str, Callable[..., Any]]] = None, stop: Callable[[], bool] = bool
) -> Any:
    """Carry out ``loop``'s calls with an async store until it returns (its value) or ``stop()``; ``extra``
    handlers and ``sleep`` are coroutine functions."""
    handlers: dict[str, Callable[..., Any]] = {'sleep': asyncio.sleep, **(extra or {})}
    result: Any = None
    error: Optional[StoreUnavailable] = None
    while not stop():
        try:
            name, args = loop.throw(error) if error is not None else loop.send(result)
        except StopIteration as done:
            return done.value
        result, error = None, None
        try:
            result = await (handlers[name](*args) if name in handlers else getattr(store, name)(*args))
        except StoreUnavailable as e:
            error = e
        raise_if_cancelled()
    return None


def run(
    loop: Loop, store: Any, extra: Optional[dict[str, Callable[..., Any]]] = None, stop: Callable[[], bool] = bool
) -> Any:
    """:func:`arun` on this thread, with a sync store and blocking handlers (``sleep`` is ``time.sleep``)."""
    handlers = {name: ready(fn) for name, fn in {'sleep': time.sleep, **(extra or {})}.items()}
    return drive(arun(loop, Blocking(store), handlers, stop))
