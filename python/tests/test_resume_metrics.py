"""Counters, histograms and spans of resumable streams: with prometheus_client / opentelemetry, and without."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest
from prometheus_client import REGISTRY
from test_resume_runner import DONE, Source, parse, runner_on, take

from llm_sse.resume import MemoryStore, metrics

ROOT = Path(__file__).resolve().parents[2]


def sample(name: str, **labels: str) -> float:
    return REGISTRY.get_sample_value(name, labels) or 0.0


def test_a_generation_is_counted_started_then_ended_by_outcome_with_its_first_event_latency() -> None:
    before = {
        'started': sample('llm_sse_streams_started_total'),
        'completed': sample('llm_sse_streams_ended_total', outcome='completed'),
        'cancelled': sample('llm_sse_streams_ended_total', outcome='cancelled'),
        'first': sample('llm_sse_first_event_seconds_count'),
        'rate': sample('llm_sse_events_per_second_count'),
        'active': sample('llm_sse_streams_active'),
    }
    runner = runner_on(MemoryStore())
    done, cancelled = Source(), Source()
    for token in ['a', 'b', DONE]:
        done.q.put(token)
    cancelled.q.put('a')
    sid = runner.start(done.make)
    other = runner.start(cancelled.make, interrupt=cancelled.interrupt)
    assert isinstance(sid, str)
    assert isinstance(other, str)
    assert sample('llm_sse_streams_active') >= before['active'] + 1
    assert [e['data'] for e in parse(runner.follow(sid))] == ['a', 'b', '{"status": "completed"}']
    reader = runner.follow(other)
    take(reader, 1)
    runner.cancel(other)
    parse(reader)
    assert runner.drain(5)
    assert sample('llm_sse_streams_started_total') == before['started'] + 2
    assert sample('llm_sse_streams_ended_total', outcome='completed') == before['completed'] + 1
    assert sample('llm_sse_streams_ended_total', outcome='cancelled') == before['cancelled'] + 1
    assert sample('llm_sse_first_event_seconds_count') == before['first'] + 2
    assert sample('llm_sse_events_per_second_count') >= before['rate'] + 1
    assert sample('llm_sse_streams_active') == before['active']
    text, content_type = metrics.exposition() or (b'', '')
    assert b'llm_sse_streams_started_total' in text
    assert content_type.startswith('text/plain')
    runner.close()


class Span:
    def __init__(self, name: str, attributes: dict[str, Any]) -> None:
        self.name = name
        self.attributes = dict(attributes)
        self.status: Any = None
        self.ended = False

    def set_attribute(self, key: str, value: Any) -> None:
        self.attributes[key] = value

    def set_status(self, status: Any) -> None:
        self.status = status

    def end(self) -> None:
        self.ended = True


def test_each_generation_is_one_opentelemetry_span_with_its_outcome(monkeypatch: pytest.MonkeyPatch) -> None:
    spans: list[Span] = []

    class Tracer:
        def start_span(self, name: str, attributes: dict[str, Any]) -> Span:
            spans.append(Span(name, attributes))
            return spans[-1]

    monkeypatch.setattr(metrics._trace, 'get_tracer', lambda name: Tracer())
    runner = runner_on(MemoryStore())
    src = Source()
    for token in ['a', DONE]:
        src.q.put(token)
    sid = runner.start(src.make)
    parse(runner.follow(sid))
    assert runner.drain(5)
    [span] = spans
    assert span.name == 'llm_sse.generation'
    assert span.attributes == {'llm_sse.stream_id': sid, 'llm_sse.outcome': 'completed', 'llm_sse.events': 2}
    assert span.ended
    assert span.status is None
    runner.close()


def test_the_kit_works_without_prometheus_client_and_opentelemetry() -> None:
    script = textwrap.dedent(
        """
        import sys
        sys.modules['prometheus_client'] = None   # an import of either now fails, as when not installed
        sys.modules['opentelemetry'] = None
        sys.path.insert(0, 'tests')
        from test_resume_runner import DONE, Source, parse
        from llm_sse.resume import MemoryStore, Runner, metrics
        runner = Runner(MemoryStore(), drain=0)
        src = Source()
        for token in ['a', DONE]:
            src.q.put(token)
        sid = runner.start(src.make)
        print([e['data'] for e in parse(runner.follow(sid))], metrics.ENABLED, metrics.exposition())
        """
    )
    out = subprocess.run(
        [sys.executable, '-c', script], cwd=ROOT / 'python', capture_output=True, text=True, timeout=60, check=True
    )
    assert out.stdout.strip() == """['a', '{"status": "completed"}'] False None"""


@pytest.mark.parametrize('server', ['flask', 'fastapi'])
def test_the_reference_backends_serve_metrics_only_when_enabled(server: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv('RESUMABLE', '1')
    monkeypatch.syspath_prepend(str(ROOT / 'examples' / 'flask-backend'))
    monkeypatch.syspath_prepend(str(ROOT / 'examples' / f'{server}-backend'))
    monkeypatch.delitem(sys.modules, 'app', raising=False)
    import app  # type: ignore[import-not-found]
    from settings import Config  # type: ignore[import-not-found]

    def get(config: Any, path: str) -> tuple[int, bytes]:
        if server == 'flask':
            res = app.create_app(config).test_client().get(path)
            return res.status_code, res.data
        from starlette.testclient import TestClient

        with TestClient(app.create_app(config)) as client:
            r = client.get(path)
            return r.status_code, r.content

    status, body = get(Config(metrics=True), '/metrics')
    assert status == 200
    assert b'llm_sse_streams_started_total' in body
    status, body = get(Config(), '/metrics')
    assert status == 404
    assert json.loads(body)['error']['type'] == 'http_error'
    monkeypatch.delitem(sys.modules, 'app')
