"""Resumable streams at scale: one uvicorn worker and one gunicorn gthread worker on one Redis.

Run by ``bench/sections/scale.mjs`` (``npm run bench -- --only=scale``),
which starts the mock LLM and passes its URL. Starts ``redis-server``, the
FastAPI reference backend under uvicorn (1 worker) and the Flask one under
gunicorn (1 ``gthread`` worker), each with its own Redis client name, then:

1. ``--streams`` concurrent streams on each worker in turn, ``--cut`` of them
   dropped after a few events and resumed with ``Last-Event-ID`` on the
   other worker; every stream must end complete with the exact text.
   Sampled every 0.2 s: Redis connections per worker (``CLIENT LIST``) and
   worker RSS.
2. ``--slow`` readers that stop reading, on the gunicorn worker, of long
   answers generated on the uvicorn worker, while ``--streams`` others run:
   the gunicorn worker's RSS stays bounded and the others complete.
3. Redis restarted mid-run under ``--outage`` streams: what their readers see.

Prints one JSON line. The HTTP client is a small asyncio one (one socket
per stream), so thousands of streams fit in one client process.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import signal
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any, Optional

import redis
from resumable import Parser, children, cpu_s, free_port, rss_kb, wait_port  # bench/resumable.py, beside this file

ROOT = Path(__file__).resolve().parent.parent
PROMPT = 'Explain resumable streams 😀'


def rss_mb(pid: int) -> float:
    return rss_kb(pid) / 1024


def pct(values: list[float], p: float) -> Optional[float]:
    if not values:
        return None
    s = sorted(values)
    return s[min(len(s) - 1, round(p / 100 * (len(s) - 1)))]


class Stream:
    def __init__(self) -> None:
        self.first_token: Optional[float] = None
        self.text: list[str] = []
        self.completed = False
        self.error = ''
        self.resumed = False


async def request(port: int, last_id: Optional[str], headers: dict[str, str]) -> tuple[Any, Any]:
    reader, writer = await asyncio.open_connection('127.0.0.1', port, limit=1 << 20)
    body = json.dumps({'prompt': PROMPT}).encode()
    extra = ''.join(f'{k}: {v}\r\n' for k, v in headers.items())
    if last_id:
        extra += f'Last-Event-ID: {last_id}\r\n'
    writer.write(
        f'POST /stream/post HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n'
        f'Content-Length: {len(body)}\r\nConnection: close\r\n{extra}\r\n'.encode()
        + body
    )
    status = await reader.readline()
    chunked = False
    while True:
        line = await reader.readline()
        if line in (b'\r\n', b''):
            break
        if line.lower().startswith(b'transfer-encoding:') and b'chunked' in line.lower():
            chunked = True
    if b' 200 ' not in status:
        writer.close()
        raise RuntimeError(f'HTTP {status.decode().strip()}')
    return (reader, writer, chunked), None


async def body_chunks(reader: asyncio.StreamReader, chunked: bool) -> Any:
    while True:
        if chunked:
            size = int((await reader.readline()).strip() or b'0', 16)
            if size == 0:
                return
            data = await reader.readexactly(size)
            await reader.readexactly(2)
        else:
            data = await reader.read(65536)
            if not data:
                return
        yield data


async def read_events(conn: Any, s: Stream, t0: float, stop_after: int) -> Optional[str]:
    """Read events into ``s``; the last id when it stopped on purpose after ``stop_after`` events."""
    reader, writer, chunked = conn
    parser = Parser(s, t0)
    buf = b''
    try:
        async for data in body_chunks(reader, chunked):
            buf += data
            while b'\n' in buf:
                raw, buf = buf.split(b'\n', 1)
                if parser.line(raw.decode('utf-8').rstrip('\r')):
                    if s.error:
                        s.error = json.loads(s.error)['error']['type']
                    return None
                if stop_after and parser.seen == stop_after:
                    return parser.last_id
    finally:
        writer.close()
    if not s.error:
        s.error = 'cut without an end'
    return None


async def one(port: int, other: int, headers: dict[str, str], cut_after: int, s: Stream, start: asyncio.Event) -> None:
    await start.wait()
    t0 = time.monotonic()
    try:
        conn, _ = await request(port, None, headers)
        last_id = await read_events(conn, s, t0, cut_after)
        if last_id is not None:
            s.resumed = True
            conn, _ = await request(other, last_id, headers)
            await read_events(conn, s, t0, 0)
    except Exception as error:
        s.error = f'{type(error).__name__}: {error}'


async def stalled(port: int, other: int, headers: dict[str, str], holders: list[Any]) -> None:
    """A reader that takes one event on ``port``, resumes on ``other`` and then reads nothing more."""
    s = Stream()
    try:
        conn, _ = await request(port, None, headers)
        last_id = await read_events(conn, s, time.monotonic(), 1)
        conn, _ = await request(other, last_id, headers)
        holders.append(conn)  # kept open, never read
    except Exception as error:
        holders.append(error)


class Sampler:
    """Peak Redis connections per client name and peak RSS per worker, every 0.2 s."""

    def __init__(self, admin: redis.Redis, workers: dict[str, int]) -> None:
        self.admin = admin
        self.workers = workers
        self.connections = dict.fromkeys(workers, 0)
        self.rss = dict.fromkeys(workers, 0.0)
        self.running = True

    async def run(self) -> None:
        while self.running:
            try:
                clients = await asyncio.to_thread(self.admin.client_list)
                for name in self.workers:
                    self.connections[name] = max(self.connections[name], sum(1 for c in clients if c['name'] == name))
            except redis.exceptions.RedisError:
                pass  # Redis is being restarted
            for name, pid in self.workers.items():
                self.rss[name] = max(self.rss[name], rss_mb(pid))
            await asyncio.sleep(0.2)


async def burst(ports: dict[str, int], first: str, n: int, cut: int, headers: dict[str, str]) -> list[Stream]:
    other = next(name for name in ports if name != first)
    streams = [Stream() for _ in range(n)]
    start = asyncio.Event()
    tasks = [
        asyncio.create_task(one(ports[first], ports[other], headers, 5 if i < cut else 0, s, start))
        for i, s in enumerate(streams)
    ]
    await asyncio.sleep(0)
    start.set()
    await asyncio.wait_for(asyncio.gather(*tasks), 600)
    return streams


def summary(streams: list[Stream], reference: str) -> dict[str, Any]:
    first = [s.first_token * 1000 for s in streams if s.first_token is not None]
    ok = [s for s in streams if s.completed and ''.join(s.text) == reference]
    errors: dict[str, int] = {}
    for s in streams:
        if s not in ok:
            key = s.error or 'text differs'
            errors[key] = errors.get(key, 0) + 1
    return {
        'streams': len(streams),
        'resumed': sum(1 for s in streams if s.resumed),
        'completed_exact': len(ok),
        'errors': errors,
        'first_token_ms': {
            'p50': statistics.median(first) if first else None,
            'p95': pct(first, 95),
            'p99': pct(first, 99),
        },
    }


async def run(
    args: argparse.Namespace, ports: dict[str, int], pids: dict[str, int], redis_proc: Any, redis_port: int
) -> dict[str, Any]:
    admin = redis.Redis(host='127.0.0.1', port=redis_port)
    headers = {'x-mock-delay': str(args.delay_ms)}
    ref = Stream()
    for name in ports:  # warm both workers and take the reference text
        ref = Stream()
        await one(ports[name], ports[name], {}, 0, ref, _set())
    if not ref.completed:
        raise RuntimeError(f'reference stream failed: {ref.error}')
    reference = ''.join(ref.text)
    out: dict[str, Any] = {'delay_ms': args.delay_ms, 'events_per_stream': len(ref.text) + 1, 'runs': {}}
    for first in ports:
        sampler = Sampler(admin, pids)
        sampling = asyncio.create_task(sampler.run())
        t0 = time.monotonic()
        cpu0 = {name: cpu_s(pid) for name, pid in pids.items()}
        streams = await burst(ports, first, args.streams, args.cut, headers)
        sampler.running = False
        await sampling
        cpu = {name: cpu_s(pid) - cpu0[name] for name, pid in pids.items()}
        out['runs'][first] = {
            **summary(streams, reference),
            'wall_s': time.monotonic() - t0,
            'redis_connections_peak': sampler.connections,
            'rss_mb_peak': sampler.rss,
            # Where the time goes: each worker's CPU over the run, and per event it served.
            'cpu_s': cpu,
            'cpu_us_per_event': {
                name: 1e6 * c / max(1, args.streams * out['events_per_stream']) for name, c in cpu.items()
            },
            'load_average': os.getloadavg(),
        }
    # Slow readers: long answers generated on uvicorn, followed from gunicorn by readers that stop.
    if args.slow:
        rss_before = rss_mb(pids['gunicorn'])
        holders: list[Any] = []
        long = {'x-mock-length': str(args.slow_length)}
        await asyncio.gather(*[stalled(ports['uvicorn'], ports['gunicorn'], long, holders) for _ in range(args.slow)])
        sampler = Sampler(admin, pids)
        sampling = asyncio.create_task(sampler.run())
        streams = await burst(ports, 'gunicorn', args.streams, 0, headers)
        await asyncio.sleep(3)  # the long answers finish; the stalled readers' queues hit their cap
        sampler.running = False
        await sampling
        metrics = await asyncio.to_thread(_metric_lines, ports['gunicorn'])
        for h in holders:
            if isinstance(h, tuple):
                h[1].close()
        out['slow'] = {
            'readers': args.slow,
            'answer_events': args.slow_length,
            'failed_to_start': sum(1 for h in holders if not isinstance(h, tuple)),
            'gunicorn_rss_mb': {'before': rss_before, 'peak': sampler.rss['gunicorn']},
            'others': summary(streams, reference),
            'dropped': metrics,
        }
    # Redis restarted (without persistence) under running streams.
    if args.outage:
        streams = [Stream() for _ in range(args.outage)]
        start = _set()
        slow_headers = {'x-mock-delay': '50'}
        tasks = [
            asyncio.create_task(one(ports[name], ports[name], slow_headers, 0, s, start))
            for i, s in enumerate(streams)
            for name in [list(ports)[i % 2]]
        ]
        await asyncio.sleep(1.0)
        redis_proc.send_signal(signal.SIGKILL)
        redis_proc.wait()
        redis_proc = _start_redis(redis_port)
        await asyncio.wait_for(asyncio.gather(*tasks), 120)
        after = Stream()
        await one(ports['uvicorn'], ports['gunicorn'], {}, 0, after, _set())
        out['outage'] = {**summary(streams, reference), 'next_stream_completed': after.completed}
    out['_redis'] = redis_proc
    return out


def _set() -> asyncio.Event:
    e = asyncio.Event()
    e.set()
    return e


def _metric_lines(port: int) -> dict[str, float]:
    import http.client

    conn = http.client.HTTPConnection('127.0.0.1', port, timeout=10)
    conn.request('GET', '/metrics')
    text = conn.getresponse().read().decode()
    out = {}
    for line in text.splitlines():
        if line.startswith(('llm_sse_readers_dropped_total', 'llm_sse_readers{')):
            name, value = line.rsplit(' ', 1)
            out[name] = float(value)
    return out


def _start_redis(port: int) -> subprocess.Popen[bytes]:
    proc = subprocess.Popen(  # noqa: S603
        [
            shutil.which('redis-server') or '/usr/bin/redis-server',
            '--port',
            str(port),
            '--bind',
            '127.0.0.1',
            '--save',
            '',
            '--appendonly',
            'no',
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    wait_port(port, proc, 'redis-server')
    return proc


def start_workers(
    args: argparse.Namespace, ports: dict[str, int], env: Any, log: Any
) -> tuple[dict[str, subprocess.Popen[bytes]], dict[str, int]]:
    """The uvicorn and the gunicorn worker (``env(name)``: each one's environment); their worker pids."""
    servers = {
        'uvicorn': subprocess.Popen(  # noqa: S603
            [sys.executable, '-m', 'uvicorn', '--app-dir', str(ROOT / 'examples' / 'fastapi-backend'), '--factory',
             'app:create_app', '--host', '127.0.0.1', '--port', str(ports['uvicorn']), '--workers', '1', '--log-level',
             'warning', '--backlog', '4096', '--timeout-graceful-shutdown', '2'],
            env=env('uvicorn'), stdout=subprocess.DEVNULL, stderr=log,
        ),
        'gunicorn': subprocess.Popen(  # noqa: S603
            [sys.executable, '-m', 'gunicorn', '--workers', '1', '--worker-class', 'gthread',
             # One thread per open response (readers wait between events), the generations run on their own.
             '--threads', str(args.streams + args.slow + 50), '--backlog', '4096',
             '--bind', f'127.0.0.1:{ports["gunicorn"]}', '--chdir', str(ROOT / 'examples' / 'flask-backend'),
             '--log-level', 'warning', '--timeout', '300', 'app:create_app()'],
            env=env('gunicorn'), stdout=subprocess.DEVNULL, stderr=log,
        ),
    }  # fmt: skip
    for name, proc in servers.items():
        wait_port(ports[name], proc, name, 120)  # a loaded machine imports slowly
    pids = {'uvicorn': servers['uvicorn'].pid}
    gunicorn_workers: list[int] = []
    deadline = time.monotonic() + 30
    while not gunicorn_workers and time.monotonic() < deadline:
        gunicorn_workers = children(servers['gunicorn'].pid)
        time.sleep(0.1)
    pids['gunicorn'] = gunicorn_workers[0]
    return servers, pids


def stop_workers(servers: dict[str, subprocess.Popen[bytes]]) -> None:
    for proc in servers.values():
        proc.send_signal(signal.SIGTERM)
    for proc in servers.values():
        try:
            proc.wait(15)
        except subprocess.TimeoutExpired:
            proc.kill()


async def failover_run(ports: dict[str, int], n: int, cluster: Any) -> dict[str, Any]:
    """``n`` streams through a Redis Cluster (half started on each worker, a quarter cut and resumed on
    the other), the master of a third of the slots killed 1 s in: what the readers got."""
    names = list(ports)
    ref = Stream()
    await one(ports[names[0]], ports[names[0]], {}, 0, ref, _set())
    reference = ''.join(ref.text)
    streams = [Stream() for _ in range(n)]
    headers = {'x-mock-delay': '50'}
    tasks = [
        asyncio.create_task(one(ports[first], ports[other], headers, 5 if i % 4 == 0 else 0, s, _set()))
        for i, s in enumerate(streams)
        for first, other in [(names[i % 2], names[1 - i % 2])]
    ]
    await asyncio.sleep(1.0)
    master = min(cluster.masters())
    t0 = time.monotonic()
    replica = await asyncio.to_thread(cluster.fail_over, master, kill=True)
    await asyncio.to_thread(cluster.await_promotion, master, replica)
    promoted = time.monotonic() - t0
    await asyncio.wait_for(asyncio.gather(*tasks), 300)
    after = Stream()
    await one(ports[names[0]], ports[names[1]], {}, 5, after, _set())
    return {
        **summary(streams, reference),
        'killed_master_promoted_after_s': promoted,
        'next_stream_completed': after.completed and ''.join(after.text) == reference,
        'load_average': os.getloadavg(),
    }


def cluster_failover(args: argparse.Namespace, base_env: dict[str, str], log: Any) -> dict[str, Any]:
    """Both workers on a Redis Cluster of 3 masters with a replica each; one master killed mid-run."""
    sys.path.insert(0, str(ROOT / 'python' / 'tests'))
    from redis_cluster import RedisCluster  # the tests' throwaway cluster on loopback ports

    cluster = RedisCluster(replicas=1)
    ports = {'uvicorn': free_port(), 'gunicorn': free_port()}
    servers: dict[str, subprocess.Popen[bytes]] = {}
    try:
        servers, _ = start_workers(
            args, ports, lambda name: {**base_env, 'REDIS_URL': cluster.url, 'REDIS_CLUSTER': '1'}, log
        )
        return asyncio.run(failover_run(ports, args.failover, cluster))
    finally:
        stop_workers(servers)
        cluster.stop()


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument('--upstream', required=True, help='OpenAI-compatible base URL (the mock)')
    ap.add_argument('--streams', type=int, default=2000)
    ap.add_argument(
        '--cut', type=int, default=500, help='streams dropped after 5 events and resumed on the other worker'
    )
    ap.add_argument('--delay-ms', type=int, default=20, help='mock delay per token')
    ap.add_argument('--slow', type=int, default=100, help='readers that stop reading')
    ap.add_argument(
        '--slow-length', type=int, default=20000, help='tokens of the answers the slow readers stop reading'
    )
    ap.add_argument('--outage', type=int, default=100, help='streams running while Redis restarts')
    ap.add_argument('--failover', type=int, default=100, help='streams running while a Cluster master dies')
    args = ap.parse_args()

    redis_port = free_port()
    redis_proc = _start_redis(redis_port)
    ports = {'uvicorn': free_port(), 'gunicorn': free_port()}
    base_env = {
        **os.environ,
        'OPENAI_BASE_URL': args.upstream,
        'OPENAI_API_KEY': 'mock-key',
        'SSE_FORMAT': 'json',
        'FLASK_FORWARD_FAULTS': '1',
        'METRICS': '1',
        # One upstream connection per concurrent answer (the client's pool holds 1,000 by default).
        'LLM_MAX_CONNECTIONS': str(2 * (args.streams + args.slow) + 100),
    }

    def env(name: str) -> dict[str, str]:
        return {**base_env, 'REDIS_URL': f'redis://127.0.0.1:{redis_port}/0?client_name={name}'}

    log = open(os.environ.get('BENCH_SERVER_LOG', os.devnull), 'wb')  # noqa: SIM115
    servers: dict[str, subprocess.Popen[bytes]] = {}
    try:
        servers, pids = start_workers(args, ports, env, log)
        out = asyncio.run(run(args, ports, pids, redis_proc, redis_port))
        redis_proc = out.pop('_redis')
        out['rss_idle_note'] = 'rss_mb_peak: worker process only (uvicorn process, gunicorn worker child)'
        stop_workers(servers)
        servers = {}
        if args.failover:
            out['failover'] = cluster_failover(args, base_env, log)
        print(json.dumps(out))
    finally:
        stop_workers(servers)
        redis_proc.kill()
        redis_proc.wait()
        log.close()


if __name__ == '__main__':
    main()
