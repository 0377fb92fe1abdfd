"""One store reader per process for every reader of a stream generated elsewhere.

A reader blocked in its own ``XREAD`` holds a Redis connection for as long
as it waits, so a worker serving 2,000 resumed streams needed 2,000
connections. Here each reader only registers a cursor; one loop per
process (a thread for :class:`~llm_sse.resume.runner.Runner`, a task for
:class:`~llm_sse.resume.aio.AsyncRunner`) reads every followed stream in
one blocking multi-key read (from the smallest cursor of that stream's
readers, so a reader that joins late gets its replay from the same read),
refreshes their presence in one pipeline, checks the ones that went
quiet, and hands the entries to per-reader queues.

A queue holds at most ``backlog`` bytes: a reader that stops reading (a
client that stalls with a full socket) is dropped with an error event
instead of growing the worker's memory; it can resume from its last event
id like any cut connection. The generation and the other readers go on.

The loop is written once, as a generator of store calls (:func:`rounds`,
see :mod:`.calls`); the thread and the task only carry those calls out.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import deque
from collections.abc import Sequence
from typing import Optional, Protocol

from ..event import HEARTBEAT, Event, sse_encode
from ..generation import event_id
from . import metrics
from .calls import Loop
from .store import Entry, State, StoreUnavailable

log = logging.getLogger('llm_sse.resume')

#: Bytes one reader's queue holds at most before that reader is dropped.
BACKLOG = 256 * 1024
# Per-entry bookkeeping on top of its text, so empty events still count.
_ENTRY_COST = 64


class Signal(Protocol):
    """``threading.Event`` or ``asyncio.Event``: what a waiting reader is woken by."""

    def set(self) -> None: ...
    def clear(self) -> None: ...


class Follower:
    """One reader of a stream generated in another process: its cursor and its queue."""

    def __init__(self, stream_id: str, after: int, signal: Signal, backlog: int) -> None:
        self.stream_id = stream_id
        #: The last event number queued for this reader.
        self.received = after
        self.signal = signal
        self.backlog = backlog
        self.queue: deque[Entry] = deque()
        self.size = 0
        self.ended = False
        #: Why this reader ends with an error (a key of ``runner.STOPPED``).
        self.failure: Optional[str] = None
        self.last_write = time.monotonic()

    def push(self, entries: Sequence[Entry]) -> None:
        # A reader that did not take what the last reads brought is behind by
        # more than its backlog: drop it. Checked before this read's entries
        # are added, so one read larger than the backlog never drops a reader
        # that keeps up; a queue holds at most the backlog plus one read.
        if self.size > self.backlog:
            self.fail('overflow')
            return
        for entry in entries:
            if entry.n <= self.received:
                # Read for another reader further behind (also the end that follows events lost
                # before this reader's cursor: this reader has them).
                continue
            if entry.end:
                self.ended = True
                break
            self.queue.append(entry)
            self.received = entry.n
            self.size += len(entry.data) + _ENTRY_COST
        self.signal.set()

    def fail(self, reason: str) -> None:
        if self.failure is None and not self.ended:
            self.failure = reason
            # What it did not read is stored; a resume gets it back.
            self.queue.clear()
            self.size = 0
        self.signal.set()

    def step(self, lock: threading.Lock, ping: float) -> tuple[list[bytes], bool]:
        """The bytes to send now, and whether the response is over."""
        self.signal.clear()
        with lock:
            batch = list(self.queue)
            self.queue.clear()
            self.size = 0
            failure, ended = self.failure, self.ended
        out = [sse_encode(Event(e.data, event=e.event, id=event_id(self.stream_id, e.n))) for e in batch]
        now = time.monotonic()
        if failure is not None:
            from .runner import stopped_event

            out.append(sse_encode(stopped_event(failure, self.stream_id)))
            return out, True
        if out:
            self.last_write = now
        elif ended:
            return out, True
        elif now - self.last_write >= ping:
            out.append(HEARTBEAT)
            self.last_write = now
        return out, ended


class Hub:
    """The followed streams of one process and their readers (thread-safe)."""

    def __init__(self, backlog: int = BACKLOG) -> None:
        self.backlog = backlog
        self.lock = threading.Lock()
        self.streams: dict[str, list[Follower]] = {}
        # When each stream last got an entry or passed a liveness check.
        self._quiet_since: dict[str, float] = {}
        self._reading = False
        self._woken = False
        self.joined = threading.Condition(self.lock)

    def join(self, stream_id: str, after: int, signal: Signal) -> tuple[Follower, bool]:
        """Register a reader; also whether the loop's pending read must be woken to include it."""
        f = Follower(stream_id, after, signal, self.backlog)
        with self.lock:
            self.streams.setdefault(stream_id, []).append(f)
            self._quiet_since.setdefault(stream_id, time.monotonic())
            wake = self._reading and not self._woken
            self._woken = self._woken or wake
            self.joined.notify_all()
        metrics.READERS.labels('remote').inc()
        return f, wake

    def leave(self, f: Follower) -> None:
        with self.lock:
            self._drop(f)
        metrics.READERS.labels('remote').dec()

    def _drop(self, f: Follower) -> None:
        followers = self.streams.get(f.stream_id)
        if followers is not None and f in followers:
            followers.remove(f)
            if not followers:
                del self.streams[f.stream_id]
                self._quiet_since.pop(f.stream_id, None)

    def cursors(self) -> dict[str, int]:
        """What the next read asks for: per stream, the smallest cursor of its readers."""
        with self.lock:
            self._reading, self._woken = True, False
            return {sid: min(f.received for f in fs) for sid, fs in self.streams.items()}

    def deliver(self, got: dict[str, list[Entry]], now: float) -> None:
        with self.lock:
            self._reading = False
            for stream_id, entries in got.items():
                self._quiet_since[stream_id] = now
                for f in list(self.streams.get(stream_id, ())):
                    f.push(entries)
                    if f.failure == 'overflow':
                        log.warning('reader of %s dropped: more than %d bytes unread', stream_id, self.backlog)
                        metrics.READERS_DROPPED.labels('overflow').inc()
                    if f.ended or f.failure is not None:
                        self._drop(f)

    def quiet(self, now: float, period: float) -> list[str]:
        """Streams that got nothing for ``period`` seconds (checked again ``period`` later)."""
        with self.lock:
            out = [sid for sid, t in self._quiet_since.items() if now - t >= period]
            for sid in out:
                self._quiet_since[sid] = now
            return out

    def fail(self, stream_ids: Sequence[str], reason: str) -> None:
        with self.lock:
            for stream_id in stream_ids:
                for f in list(self.streams.get(stream_id, ())):
                    f.fail(reason)
                    self._drop(f)

    def wait_for_readers(self, timeout: float) -> bool:
        with self.lock:
            if not self.streams:
                self.joined.wait(timeout)
            return bool(self.streams)


def rounds(hub: Hub, block: float, unavailable: float) -> Loop:
    """The multiplexing loop, as store calls; the driver sends each call's result (or throws its error)."""
    last_touch = -float('inf')
    down_since: Optional[float] = None
    while True:
        if not hub.streams:
            yield ('wait', (block,))
            continue
        cursors = hub.cursors()
        now = time.monotonic()
        try:
            if now - last_touch >= block / 2:
                yield ('touch_many', (list(cursors),))
                last_touch = now
            got = yield ('read_many', (cursors, block))
            now = time.monotonic()
            hub.deliver(got, now)
            quiet = [sid for sid in hub.quiet(now, block) if sid in cursors]
            if quiet:
                states: dict[str, State] = yield ('state_many', (quiet,))
                hub.fail([sid for sid in quiet if states.get(sid) == 'missing'], 'lost')
                for sid in (s for s in quiet if states.get(s) == 'dead'):
                    # The end mark may have landed between the read and the check.
                    tail = yield ('read', (sid, cursors[sid], 0))
                    if tail:
                        hub.deliver({sid: list(tail)}, now)
                    else:
                        hub.fail([sid], 'gone')
            down_since = None
        except StoreUnavailable as error:
            metrics.STORE_ERRORS.labels('read').inc()
            hub.cursors()  # nothing is pending: a joining reader need not wake a read
            if down_since is None:
                log.warning('stream reader: %s', error)
                down_since = now
            elif now - down_since >= unavailable:
                hub.fail(list(cursors), 'unavailable')
                down_since = None
            yield ('sleep', (0.2,))
