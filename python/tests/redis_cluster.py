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
    """Three masters holding all 16384 slots (each with ``replicas`` replicas); ``url`` names one node,
    a cluster client finds the rest."""

    def __init__(self, nodes: int = 3, replicas: int = 0) -> None:
        nodes = nodes * (1 + replicas)
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
                        # Replication may write an RDB file: keep it out of the working directory.
                        '--dir',
                        self.dir.name,
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
            [
                REDIS_CLI,
                '--cluster',
                'create',
                *[f'127.0.0.1:{p}' for p in self.ports],
                '--cluster-replicas',
                str(replicas),
                '--cluster-yes',
            ],
            check=True,
            capture_output=True,
            timeout=30,
        )
        self._wait(lambda: self._agreed(replicas), 'the cluster to agree')
        self.url = f'redis://127.0.0.1:{self.ports[0]}/0'

    def _node(self, port: int) -> redis.Redis:
        return redis.Redis(host='127.0.0.1', port=port, socket_connect_timeout=0.5, socket_timeout=2)

    def _agreed(self, replicas: int = 0) -> bool:
        """Every live node says the cluster is ok and sees each master with its replicas."""
        for port in self.live():
            node = self._node(port)
            if node.cluster('info').get('cluster_state') != 'ok':
                return False
            roles = [n for n in node.cluster('nodes').values() if 'fail' not in n['flags']]
            if sum('slave' in n['flags'] for n in roles) != replicas * sum('master' in n['flags'] for n in roles):
                return False
            # A replica that never synced refuses to stand for election when its master dies.
            info = node.info('replication')
            if info.get('role') == 'slave' and info.get('master_link_status') != 'up':
                return False
        return True

    def live(self) -> list[int]:
        return [port for port, proc in zip(self.ports, self.procs) if proc.poll() is None]

    def masters(self) -> list[int]:
        """The ports of the live masters."""
        return [p for p in self.live() if self._node(p).info('replication').get('role') == 'master']

    def master_of(self, key: str) -> int:
        """The port of the master that holds ``key``'s slot now."""
        from redis.crc import key_slot

        slot = key_slot(key.encode())
        for start, end, master, *_ in self._node(self.live()[0]).execute_command('CLUSTER', 'SLOTS'):
            if start <= slot <= end:
                return int(master[1])
        raise LookupError(slot)

    def replica_of(self, master: int) -> int:
        for port in self.live():
            info = self._node(port).info('replication')
            if info.get('role') == 'slave' and int(info['master_port']) == master:
                return port
        raise LookupError(master)

    def await_replicated(self, master: int) -> None:
        """Until ``master``'s replica has everything the master had written when this was called
        (replication is asynchronous: a master killed before that loses what its replica lacks)."""
        target = self._node(master).info('replication')['master_repl_offset']
        replica = self.replica_of(master)
        self._wait(
            lambda: self._node(replica).info('replication').get('slave_repl_offset', -1) >= target,
            'the replica to catch up',
        )

    def fail_over(self, master: int, *, kill: bool) -> int:
        """Start promoting ``master``'s replica: ``kill`` the master (SIGKILL: what it had not
        replicated is lost), or ask the replica for a manual ``CLUSTER FAILOVER`` (it first catches
        up: nothing is lost). Returns the replica's port; :meth:`await_promotion` waits for it."""
        replica = self.replica_of(master)
        if kill:
            proc = self.procs[self.ports.index(master)]
            proc.kill()
            proc.wait()
        else:
            self._node(replica).execute_command('CLUSTER', 'FAILOVER')
        return replica

    def await_promotion(self, master: int, replica: int) -> None:
        """Until ``replica`` is a master and every live node routes ``master``'s slots to it."""

        def promoted() -> bool:
            if self._node(replica).info('replication').get('role') != 'master':
                return False
            for port in self.live():
                node = self._node(port)
                if node.cluster('info').get('cluster_state') != 'ok':
                    return False
                owners = {int(m[1]) for _, _, m, *_ in node.execute_command('CLUSTER', 'SLOTS')}
                if master in owners or replica not in owners:
                    return False
            return True

        self._wait(promoted, 'the replica to take over')

    def _wait(self, check, what: str, timeout: float = 20) -> None:  # type: ignore[no-untyped-def]
        deadline = time.monotonic() + timeout
        last: object = None
        while True:
            try:
                if check():
                    return
            except (redis.exceptions.RedisError, OSError) as error:
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
