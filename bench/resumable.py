"""Resumable streams under load: N concurrent answers through gunicorn (2 workers) sharing one Redis.

Run by ``bench/sections/resumable.mjs`` (``npm run bench``), which starts the
mock LLM and passes its URL. Starts its own ``redis-server`` and gunicorn on
free loopback ports, then opens N streams at once with the seed's POST
route; every ``--cut-every``-th stream is dropped after a few events and
continued with ``Last-Event-ID`` on a new connection (which may land on
either worker). Checks that every stream completed with the reference text,
and prints one JSON line: first-token latency, wall time, and the peak
memory of the gunicorn processes and of Redis.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any, Optional

import redis

ROOT = Path(__file__).resolve().parent.parent
BACKEND = ROOT / 'examples' / 'flask-backend'


def free_port() -> int:
    with socket.socket() as s:
        s.bind(('127.0.0.1', 0))
        return int(s.getsockname()[1])


def wait_port(port: int, proc: subprocess.Popen[bytes], what: str, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f'{what} exited with {proc.returncode}')
        try:
            with socket.create_connection(('127.0.0.1', port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError(f'{what} did not listen on {port} within {timeout} s')


def rss_kb(pid: int) -> int:
    try:
        for line in Path(f'/proc/{pid}/status').read_text().splitlines():
            if line.startswith('VmRSS:'):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def cpu_s(pid: int) -> float:
    """User + system CPU seconds of ``pid`` so far."""
    try:
        fields = Path(f'/proc/{pid}/stat').read_text().rsplit(')', 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf('SC_CLK_TCK')
    except (OSError, IndexError, ValueError):
        return 0.0


def children(pid: int) -> list[int]:
    try:
        return [int(p) for p in Path(f'/proc/{pid}/task/{pid}/children').read_text().split()]
    except OSError:
        return []


class Result:
    def __init__(self) -> None:
        self.first_token: Optional[float] = None
        self.text: list[str] = []
        self.completed = False
        self.error = ''
        self.connections = 0


class Parser:
    """The seed wire's SSE lines into a result (``first_token``, ``text``, ``completed``, ``error``); both benches."""

    def __init__(self, r: Any, t0: float) -> None:
        self.r = r
        self.t0 = t0
        self.event: dict[str, str] = {}
        self.last_id: Optional[str] = None
        #: Data events taken so far.
        self.seen = 0

    def line(self, line: str) -> bool:
        """Take one line (without its end); True once the stream is over (its end or an error event)."""
        if line:
            name, _, value = line.partition(': ')
            self.event[name] = value
            return False
        event, self.event = self.event, {}
        if 'data' not in event:
            return False
        self.last_id = event.get('id', self.last_id)
        if event.get('event') == 'error':
            self.r.error = event['data']
            return True
        payload = json.loads(event['data'])
        if payload.get('status') == 'completed':
            self.r.completed = True
            return True
        piece = payload.get('reasoning_content', '') + payload.get('content', '')
        if piece and self.r.first_token is None:
            self.r.first_token = time.monotonic() - self.t0
        self.r.text.append(piece)
        self.seen += 1
        return False


def read_stream(resp: http.client.HTTPResponse, r: Result, t0: float, stop_after: int) -> Optional[str]:
    """Read events into ``r``; returns the last id when it stopped early on purpose."""
    parser = Parser(r, t0)
    for raw in resp:
        if parser.line(raw.decode('utf-8').rstrip('\r\n')):
            return None
        if stop_after and parser.seen == stop_after:
            return parser.last_id
    return None


def one_stream(port: int, prompt: str, delay_ms: int, cut_after: int, r: Result, start: threading.Barrier) -> None:
    body = json.dumps({'prompt': prompt})
    headers = {'Content-Type': 'application/json', 'x-mock-delay': str(delay_ms)}
    start.wait()
    t0 = time.monotonic()
    try:
        conn = http.client.HTTPConnection('127.0.0.1', port, timeout=120)
        conn.request('POST', '/stream/post', body, headers)
        r.connections += 1
        resp = conn.getresponse()
        if resp.status != 200:
            r.error = f'HTTP {resp.status}: {resp.read()[:200]!r}'
            return
        last_id = read_stream(resp, r, t0, cut_after)
        conn.close()  # drop the connection mid-answer, as a network failure would
        if last_id is not None:
            conn = http.client.HTTPConnection('127.0.0.1', port, timeout=120)
            conn.request('POST', '/stream/post', body, {**headers, 'Last-Event-ID': last_id})
            r.connections += 1
            resp = conn.getresponse()
            if resp.status != 200:
                r.error = f'resume: HTTP {resp.status}: {resp.read()[:200]!r}'
                return
            read_stream(resp, r, t0, 0)
            conn.close()
    except Exception as error:
        r.error = f'{type(error).__name__}: {error}'


def pct(values: list[float], p: float) -> float:
    s = sorted(values)
    return s[min(len(s) - 1, round(p / 100 * (len(s) - 1)))]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument('--upstream', required=True, help='OpenAI-compatible base URL (the mock)')
    ap.add_argument('--streams', type=int, default=200)
    ap.add_argument('--workers', type=int, default=2)
    ap.add_argument('--delay-ms', type=int, default=10, help='mock delay per token')
    ap.add_argument('--cut-every', type=int, default=4, help='drop and resume every n-th stream (0: none)')
    ap.add_argument('--plain', action='store_true', help='baseline: no resumable mode, no Redis, no cuts')
    args = ap.parse_args()
    if args.plain:
        args.cut_every = 0

    redis_port, http_port = free_port(), free_port()
    redis_bin = shutil.which('redis-server') or '/usr/bin/redis-server'
    redis_proc = subprocess.Popen(  # noqa: S603
        [redis_bin, '--port', str(redis_port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    gunicorn = [
        sys.executable, '-m', 'gunicorn',
        '--workers', str(args.workers),
        # One thread per open response: readers block in XREAD between events.
        '--worker-class', 'gthread', '--threads', str(args.streams),
        '--bind', f'127.0.0.1:{http_port}',
        '--chdir', str(BACKEND),
        '--log-level', 'warning',
        'app:create_app()',
    ]  # fmt: skip
    env = {
        **os.environ,
        **({} if args.plain else {'REDIS_URL': f'redis://127.0.0.1:{redis_port}/0'}),
        'OPENAI_BASE_URL': args.upstream,
        'OPENAI_API_KEY': 'mock-key',
        'SSE_FORMAT': 'json',
        'FLASK_FORWARD_FAULTS': '1',
    }
    log_file = open(os.environ.get('BENCH_GUNICORN_LOG', os.devnull), 'wb')  # noqa: SIM115
    server = subprocess.Popen(gunicorn, env=env, stdout=subprocess.DEVNULL, stderr=log_file)  # noqa: S603
    try:
        wait_port(redis_port, redis_proc, 'redis-server')
        wait_port(http_port, server, 'gunicorn')
        redis_client = redis.Redis(port=redis_port)
        prompt = 'Explain resumable streams 😀'
        # Warm both workers and get the reference text from one uninterrupted answer.
        ref = Result()
        warmups = args.workers * 2
        for _ in range(warmups):
            ref = Result()
            one_stream(http_port, prompt, 0, 0, ref, threading.Barrier(1))
        if not ref.completed:
            raise RuntimeError(f'reference stream failed: {ref.error}')
        reference = ''.join(ref.text)

        def cut_after(i: int) -> int:
            return 5 if args.cut_every and i % args.cut_every == 0 else 0

        results = [Result() for _ in range(args.streams)]
        start = threading.Barrier(args.streams + 1)
        threads = [
            threading.Thread(
                target=one_stream,
                args=(http_port, prompt, args.delay_ms, cut_after(i), r, start),
                daemon=True,
            )
            for i, r in enumerate(results)
        ]
        for t in threads:
            t.start()
        pids = [server.pid, *children(server.pid)]
        base_rss = sum(rss_kb(p) for p in pids)
        peak_rss = base_rss
        peak_redis = 0
        cpu_before = {p: cpu_s(p) for p in pids}
        redis_cpu_before = cpu_s(redis_proc.pid)
        start.wait()
        t0 = time.monotonic()
        while any(t.is_alive() for t in threads):
            peak_rss = max(peak_rss, sum(rss_kb(p) for p in pids))
            peak_redis = max(peak_redis, int(redis_client.info('memory')['used_memory']))
            time.sleep(0.1)
            if time.monotonic() - t0 > 300:
                raise RuntimeError('streams still open after 300 s')
        wall = time.monotonic() - t0
        server_cpu = sum(cpu_s(p) - cpu_before[p] for p in pids)
        redis_cpu = cpu_s(redis_proc.pid) - redis_cpu_before
        ok = [r for r in results if r.completed and ''.join(r.text) == reference]
        bad = [r for r in results if r not in ok]
        first = [r.first_token for r in results if r.first_token is not None]
        print(
            json.dumps(
                {
                    'mode': 'plain' if args.plain else 'resumable',
                    'warmups': warmups,
                    'streams': args.streams,
                    'workers': args.workers,
                    'delay_ms': args.delay_ms,
                    'resumed': sum(1 for r in results if r.connections == 2),
                    'completed_exact': len(ok),
                    'failures': [r.error or 'text differs' for r in bad][:5],
                    'events_per_stream': len(ref.text) + 1,
                    'first_token_ms': {
                        'p50': statistics.median(first) * 1000 if first else None,
                        'p95': pct(first, 95) * 1000 if first else None,
                        'max': max(first) * 1000 if first else None,
                    },
                    'wall_s': wall,
                    'server_cpu_s': server_cpu,
                    'redis_cpu_s': redis_cpu,
                    'gunicorn_rss_mb': {'idle': base_rss / 1024, 'peak': peak_rss / 1024},
                    'redis_used_mb_peak': peak_redis / 1024 / 1024,
                }
            )
        )
    finally:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(15)
        except subprocess.TimeoutExpired:
            server.kill()
        redis_proc.kill()
        redis_proc.wait()
        log_file.close()


if __name__ == '__main__':
    main()
