"""What the resumable streams of a process are doing, for an operator.

With ``prometheus_client`` installed (``pip install 'llm-sse[metrics]'``)
the counters and histograms below are registered in its default registry,
so ``prometheus_client.generate_latest()`` (what the reference backends
serve at ``/metrics``) includes them. With ``opentelemetry-api`` installed
each generation is a span ``llm_sse.generation`` of the tracer
``llm_sse`` (a no-op until the application configures an SDK). Without
either package every call here does nothing, and the kit needs neither.

Each process counts its own: under gunicorn every worker has its own
numbers (scrape each worker, or use prometheus_client's multiprocess mode).
"""

from __future__ import annotations

import time
from typing import Any, Optional

try:
    import prometheus_client as _prometheus
except ImportError:  # the kit works without it
    _prometheus = None  # type: ignore[assignment]

try:
    from opentelemetry import trace as _trace
except ImportError:
    _trace = None  # type: ignore[assignment]

#: Whether the metrics below are real (``prometheus_client`` is installed).
ENABLED = _prometheus is not None


class _Off:
    """A metric when prometheus_client is not installed: accepts every call, keeps nothing."""

    def labels(self, *_: Any) -> _Off:
        return self

    def inc(self, amount: float = 1) -> None:
        pass

    def dec(self, amount: float = 1) -> None:
        pass

    def observe(self, value: float) -> None:
        pass


def _metric(kind: str, name: str, doc: str, labels: tuple[str, ...] = (), **options: Any) -> Any:
    if _prometheus is None:
        return _Off()
    return getattr(_prometheus, kind)(name, doc, labels, **options)


STARTED = _metric('Counter', 'llm_sse_streams_started', 'Resumable generations started')
#: ``outcome``: ``completed``, ``failed`` (the upstream failed), or why it was stopped: ``cancelled``,
#: ``abandoned``, ``lost``, ``unavailable``, ``internal``.
ENDED = _metric('Counter', 'llm_sse_streams_ended', 'Resumable generations ended, by outcome', ('outcome',))
RESUMED = _metric('Counter', 'llm_sse_streams_resumed', 'Requests that continued a stream after a Last-Event-ID')
ACTIVE = _metric('Gauge', 'llm_sse_streams_active', 'Generations running in this process')
#: ``kind``: ``local`` (follows a generation of this process) or ``remote`` (through the store).
READERS = _metric('Gauge', 'llm_sse_readers', 'Open stream responses', ('kind',))
READERS_DROPPED = _metric('Counter', 'llm_sse_readers_dropped', 'Readers dropped, by reason', ('reason',))
#: ``op``: ``create``, ``write``, ``read``, ``beat``, ``end``.
STORE_ERRORS = _metric('Counter', 'llm_sse_store_errors', 'Store calls that found the store unavailable', ('op',))
FIRST_EVENT = _metric(
    'Histogram',
    'llm_sse_first_event_seconds',
    'From the request to the first event of the answer stored',
    buckets=(0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30),
)
EVENTS_PER_SECOND = _metric(
    'Histogram',
    'llm_sse_events_per_second',
    'Events (tokens) per second of each generation, first event to end',
    buckets=(1, 5, 10, 20, 50, 100, 200, 500, 1000),
)


class Generation:
    """The metrics and the span of one generation; :meth:`end` once, with its outcome."""

    def __init__(self, stream_id: str) -> None:
        self.t0 = time.monotonic()
        self.first: Optional[float] = None
        self.events = 0
        self.ended = False
        self.span: Any = None
        if _trace is not None:
            self.span = _trace.get_tracer('llm_sse').start_span(
                'llm_sse.generation', attributes={'llm_sse.stream_id': stream_id}
            )
        STARTED.inc()
        ACTIVE.inc()

    def stored(self) -> None:
        """One event of the answer was stored."""
        self.events += 1
        if self.first is None:
            self.first = time.monotonic()
            FIRST_EVENT.observe(self.first - self.t0)

    def end(self, outcome: str) -> None:
        if self.ended:
            return
        self.ended = True
        now = time.monotonic()
        ENDED.labels(outcome).inc()
        ACTIVE.dec()
        if self.first is not None and self.events > 1 and now > self.first:
            EVENTS_PER_SECOND.observe((self.events - 1) / (now - self.first))
        if self.span is not None:
            self.span.set_attribute('llm_sse.outcome', outcome)
            self.span.set_attribute('llm_sse.events', self.events)
            if outcome != 'completed':
                self.span.set_status(_trace.Status(_trace.StatusCode.ERROR, outcome))
            self.span.end()


def exposition() -> Optional[tuple[bytes, str]]:
    """The Prometheus text of this process's default registry and its content type; None without
    ``prometheus_client``."""
    if _prometheus is None:
        return None
    return _prometheus.generate_latest(), _prometheus.CONTENT_TYPE_LATEST
