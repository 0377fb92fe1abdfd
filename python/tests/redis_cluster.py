"""A throwaway 3-node Redis Cluster (``redis-server --cluster-enabled yes``) on free loopback ports."""

from __future__ import annotations

import random
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis
from redis_server import REDIS_SERVER, free_port

REDIS_CLI = shutil.which('redis-cli') or '/usr/bin/redis-cli'


def cluster_port() -> int:
    """A free port that leaves room for its cluster bus port (+10000, so at most 55535), both free."""
    while True:
        port = free_port()
        if port > 55535:
            port = random.randrange(20000, 55535)
        try:
            for p in (port, port + 10000):
                with socket.socket() as s:
                    s.bind(('127.0.0.1', p))
            return port
        except OSError:
            continue


class RedisCluster:
    """Three masters holding all 16384 slots; ``url`` names one node, a cluster client finds the rest."""

    def __init__(self, nodes: int = 3) -> None:
        self.dir = tempfile.TemporaryDirectory(prefix='llm-sse-cluster-')
        self.ports = [cluster_port() for _ in range(nodes)]
        self.procs: list[subprocess.Popen[bytes]] = []
        for port in self.ports:
            self.procs.append(
                subprocess.Popen(
                    [
                        REDIS_SERVER,
                        '--port',
                        str(port),
                        '--bind',
                        '127.0.0.1',
                        '--cluster-enabled',
                        'yes',
                        '--cluster-config-file',
                        f'{self.dir.name}/nodes-{port}.conf',
                        '--cluster-node-timeout',
                        '1000',
                        '--save',
                        '',
                        '--appendonly',
                        'no',
                    ],
                    stdout=open(f'{self.dir.name}/log-{port}', 'wb'),  # noqa: SIM115
                    stderr=subprocess.STDOUT,
                )
            )
        for port in self.ports:
            self._wait(
                lambda p=port: redis.Redis(host='127.0.0.1', port=p, socket_connect_timeout=0.5).ping(),
                'a node to start',
            )
        subprocess.run(
            [REDIS_CLI, '--cluster', 'create', *[f'127.0.0.1:{p}' for p in self.ports], '--cluster-yes'],
            check=True,
            capture_output=True,
            timeout=30,
        )
        for port in self.ports:
            self._wait(
                lambda p=port: redis.Redis(host='127.0.0.1', port=p).cluster('info').get('cluster_state') == 'ok',
                'the cluster to agree',
            )
        self.url = f'redis://127.0.0.1:{self.ports[0]}/0'

    def _wait(self, check, what: str, timeout: float = 20) -> None:  # type: ignore[no-untyped-def]
        deadline = time.monotonic() + timeout
        last: object = None
        while True:
            try:
                if check():
                    return
            except redis.exceptions.RedisError as error:
                last = error
            if time.monotonic() > deadline:
                logs = [Path(self.dir.name, f'log-{p}').read_text(errors='replace')[-500:] for p in self.ports]
                self.stop()
                raise RuntimeError(f'timed out waiting for {what}: {last} {self.ports} {logs}')
            time.sleep(0.05)

    def stop(self) -> None:
        for proc in self.procs:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
        self.dir.cleanup()


@pytest.fixture(scope='module')
def redis_cluster() -> Iterator[RedisCluster]:
    cluster = RedisCluster()
    try:
        yield cluster
    finally:
        cluster.stop()
