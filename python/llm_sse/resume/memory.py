"""A :class:`~llm_sse.resume.store.Store` in this process's memory: one worker, no Redis.

Every reader of a stream must reach the process that generates it, so this
fits a single-process server (Werkzeug's threaded server, one uvicorn or
gunicorn worker). Streams are deleted ``ttl`` seconds after their end, or
once their producer stopped beating for longer than that.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Optional

from .store import Entry, Signals, State, StreamLost


@dataclass
class _Stream:
    entries: list[Entry] = field(default_factory=list)
    ended: bool = False
    alive_until: float = 0.0
    present_until: float = 0.0
    cancel: bool = False
    delete_at: float = float('inf')


class MemoryStore:
    """Streams in a dict guarded by one condition variable.

    ``liveness``: seconds a producer's heartbeat keeps it alive.
    ``presence``: seconds a reader's touch counts as a connected reader.
    """

    def __init__(self, *, liveness: float = 5.0, presence: float = 3.0) -> None:
        self.liveness = liveness
        self.presence = presence
        self._streams: dict[str, _Stream] = {}
        # One condition for all streams: a notify wakes every waiting reader,
        # each re-checks its own stream; appends are per token, not per byte.
        self._cond = threading.Condition()
        self._woken = False

    def _get(self, stream_id: str, now: float) -> Optional[_Stream]:
        s = self._streams.get(stream_id)
        if s is not None and now >= s.delete_at:
            del self._streams[stream_id]
            return None
        return s

    def _sweep(self, now: float) -> None:
        for stream_id, s in list(self._streams.items()):
            if now >= s.delete_at:
                del self._streams[stream_id]

    def create(self, stream_id: str) -> None:
        now = time.monotonic()
        with self._cond:
            self._sweep(now)
            self._streams[stream_id] = _Stream(alive_until=now + self.liveness)

    def append(self, stream_id: str, n: int, event: Optional[str], data: str) -> None:
        with self._cond:
            s = self._get(stream_id, time.monotonic())
            if s is None or s.ended:
                raise StreamLost(stream_id)
            if n < len(s.entries):
                return
            if n != len(s.entries):
                raise ValueError(f'event {n} appended after event {len(s.entries) - 1}')
            s.entries.append(Entry(n, event, data))
            self._cond.notify_all()

    def append_many(self, items: Sequence[tuple[str, int, Optional[str], str]]) -> list[Optional[Exception]]:
        out: list[Optional[Exception]] = []
        for stream_id, n, event, data in items:
            try:
                self.append(stream_id, n, event, data)
                out.append(None)
            except StreamLost as error:
                out.append(error)
        return out

    def end(self, stream_id: str, ttl: float) -> None:
        now = time.monotonic()
        with self._cond:
            s = self._get(stream_id, now)
            if s is None:
                return
            if not s.ended:
                s.ended = True
                s.entries.append(Entry(len(s.entries), None, '', True))
            s.delete_at = now + ttl
            self._cond.notify_all()

    def read(self, stream_id: str, after: int, block: float) -> Sequence[Entry]:
        deadline = time.monotonic() + block
        with self._cond:
            while True:
                now = time.monotonic()
                s = self._get(stream_id, now)
                if s is not None and len(s.entries) > after + 1:
                    return s.entries[max(after + 1, 0) :]
                if now >= deadline:
                    return []
                self._cond.wait(deadline - now)

    def read_many(self, cursors: Mapping[str, int], block: float) -> dict[str, list[Entry]]:
        deadline = time.monotonic() + block
        with self._cond:
            while True:
                now = time.monotonic()
                out: dict[str, list[Entry]] = {}
                for stream_id, after in cursors.items():
                    s = self._get(stream_id, now)
                    if s is not None and len(s.entries) > after + 1:
                        out[stream_id] = s.entries[max(after + 1, 0) :]
                if out or self._woken or now >= deadline:
                    self._woken = False
                    return out
                self._cond.wait(deadline - now)

    def wake(self) -> None:
        with self._cond:
            self._woken = True
            self._cond.notify_all()

    def state_many(self, stream_ids: Sequence[str]) -> dict[str, State]:
        return {stream_id: self.state(stream_id) for stream_id in stream_ids}

    def touch_many(self, stream_ids: Sequence[str]) -> None:
        for stream_id in stream_ids:
            self.touch(stream_id)

    def state(self, stream_id: str) -> State:
        now = time.monotonic()
        with self._cond:
            s = self._get(stream_id, now)
            if s is None:
                return 'missing'
            return 'live' if s.ended or now < s.alive_until else 'dead'

    def touch(self, stream_id: str) -> None:
        now = time.monotonic()
        with self._cond:
            s = self._get(stream_id, now)
            if s is not None:
                s.present_until = now + self.presence

    def cancel(self, stream_id: str) -> bool:
        with self._cond:
            s = self._get(stream_id, time.monotonic())
            if s is None:
                return False
            s.cancel = True
            return True

    def beat(self, stream_ids: Sequence[str]) -> dict[str, Signals]:
        now = time.monotonic()
        out: dict[str, Signals] = {}
        with self._cond:
            self._sweep(now)
            for stream_id in stream_ids:
                s = self._streams.get(stream_id)
                if s is None:
                    continue
                s.alive_until = now + self.liveness
                out[stream_id] = Signals(s.cancel, now < s.present_until)
        return out
