"""Counters behind ``GET /__stats``: one generation per click, disconnects seen, nothing left open."""

import logging
import threading
from collections import deque

ROUTES = ('/stream/get', '/stream/post')
_OUTCOME_KEYS = {'completed': 'completed', 'error': 'errors', 'disconnected': 'disconnected'}


class Stats:
    def __init__(self):
        self._lock = threading.Lock()
        self.open = 0
        self.reset()

    def reset(self):
        with self._lock:
            self.requests = dict.fromkeys(ROUTES, 0)
            self.completed = 0
            self.disconnected = 0
            self.errors = 0

    def started(self, route: str) -> None:
        with self._lock:
            self.requests[route] = self.requests.get(route, 0) + 1
            self.open += 1

    def requested(self, route: str) -> None:
        """A stream request whose generation is counted elsewhere (resumable mode: detached, not ``open``)."""
        with self._lock:
            self.requests[route] = self.requests.get(route, 0) + 1

    def completed_one(self) -> None:
        with self._lock:
            self.completed += 1

    def ended(self, outcome: str) -> None:
        """One generation ended: ``completed``, ``error`` or ``disconnected``."""
        with self._lock:
            key = _OUTCOME_KEYS[outcome]
            setattr(self, key, getattr(self, key) + 1)
            self.open -= 1

    def snapshot(self):
        with self._lock:
            return {
                'requests': dict(self.requests),
                'completed': self.completed,
                'disconnected': self.disconnected,
                'errors': self.errors,
                'open': self.open,
            }


# The tutorial's "save to database" hook writes here: the last 100 complete answers.
SAVED = deque(maxlen=100)


def after_event(record: dict) -> None:
    """The tutorial's "save to database" hook; called only for a complete answer."""
    SAVED.append(record)
    logging.getLogger('backend').info(
        'saved answer %s: %d chars, %d reasoning chars', record['request_id'], len(record['text']), len(record['reasoning'])
    )
