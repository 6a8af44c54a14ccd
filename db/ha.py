"""A Patroni group on this machine: one etcd member, a primary and a replica.

The smallest real high-availability set-up (``script/server --ha``), for demonstration and
for the failover tests; the same configuration, one node per machine and three etcd
members, is what a production group runs (README, "Running at scale").  Everything lives
under ``.data/ha/`` and runs as the unprivileged account the local cluster runs as:

- ``etcd`` holds the leader key (TTL ``LEADER_TTL_SECONDS``);
- two Patroni nodes (``node1``, ``node2``), each managing a PostgreSQL data directory and
  a REST API; the leader's PostgreSQL is the primary, the other streams from it and is
  promoted by Patroni when the leader key lapses;
- the application finds the primary with libpq's multi-host URL and
  ``target_session_attrs=read-write``, and reads from the replica with ``=standby``.

With ``REGISTRY_SYNCHRONOUS=1`` the group runs Patroni's synchronous mode with
``synchronous_commit = remote_apply``: a write is acknowledged once the replica has
applied it, and only a synchronous replica is promoted, so no acknowledged write is lost.
"""

from __future__ import annotations

import contextlib
import json
import os
import pwd
import shutil
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from db.cluster import CLUSTER_USER_WHEN_ROOT, DATABASE_SUPERUSER, ClusterError, find_bindir
from db.settings import Settings

NODES = ("node1", "node2")
SCOPE = "registry"
# The leader key's lifetime: a primary lost is replaced after at most about this long.
LEADER_TTL_SECONDS = 10
LOOP_WAIT_SECONDS = 1
RETRY_TIMEOUT_SECONDS = 4


@dataclass(frozen=True)
class Ports:
    etcd_client: int
    etcd_peer: int
    postgres: tuple[int, ...]
    api: tuple[int, ...]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class PatroniGroup:
    def __init__(self, settings: Settings, root: Path | None = None) -> None:
        self.settings = settings
        self.root = (root or settings.data_dir / "ha").resolve()
        self.as_root = os.geteuid() == 0
        self.account = pwd.getpwnam(CLUSTER_USER_WHEN_ROOT) if self.as_root else None

    # -- ports, remembered across restarts ------------------------------------------

    @property
    def ports(self) -> Ports:
        path = self.root / "ports.json"
        if path.exists():
            raw = json.loads(path.read_text())
            return Ports(
                raw["etcd_client"], raw["etcd_peer"], tuple(raw["postgres"]), tuple(raw["api"])
            )
        ports = Ports(
            _free_port(),
            _free_port(),
            tuple(_free_port() for _ in NODES),
            tuple(_free_port() for _ in NODES),
        )
        path.write_text(
            json.dumps(
                {
                    "etcd_client": ports.etcd_client,
                    "etcd_peer": ports.etcd_peer,
                    "postgres": list(ports.postgres),
                    "api": list(ports.api),
                }
            )
        )
        return ports

    # -- URLs -----------------------------------------------------------------------

    def url(self, database: str, user: str = DATABASE_SUPERUSER, attrs: str = "read-write") -> str:
        """libpq's multi-host URL of every node, taking the first that is ``attrs``."""
        hosts = "&".join(f"host=127.0.0.1:{port}" for port in self.ports.postgres)
        return (
            f"postgresql+psycopg2://{user}@/{database}?{hosts}"
            f"&target_session_attrs={attrs}&connect_timeout=2"
        )

    # -- processes ------------------------------------------------------------------

    def _spawn(self, name: str, argv: list[str]) -> None:
        if self._running(name):
            return
        log = (self.root / f"{name}.log").open("ab")
        env = {**os.environ, "HOME": str(self.root)}
        options: dict[str, Any] = {}
        if self.account is not None:
            options = {"user": self.account.pw_uid, "group": self.account.pw_gid}
        process = subprocess.Popen(
            argv,
            stdout=log,
            stderr=subprocess.STDOUT,
            cwd=self.root,
            env=env,
            start_new_session=True,
            **options,
        )
        (self.root / f"{name}.pid").write_text(str(process.pid))

    def _pid(self, name: str) -> int | None:
        path = self.root / f"{name}.pid"
        if not path.exists():
            return None
        pid = int(path.read_text())
        try:
            cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
        except OSError:
            return None
        return pid if str(self.root).encode() in cmdline else None

    def _running(self, name: str) -> bool:
        return self._pid(name) is not None

    def _prepare(self) -> None:
        missing = [tool for tool in ("patroni", "etcd") if shutil.which(tool) is None]
        if missing:
            raise ClusterError(
                f"--ha needs {' and '.join(missing)}: apt-get install patroni etcd-server"
                " (script/setup installs them with REGISTRY_HA_TOOLS=1)"
            )
        self.root.mkdir(parents=True, exist_ok=True)
        if self.account is not None:
            for parent in reversed(self.root.parents):
                parent.chmod(parent.stat().st_mode | 0o001)
            os.chown(self.root, self.account.pw_uid, self.account.pw_gid)
        self.root.chmod(0o700)

    def _node_config(self, index: int) -> dict[str, Any]:
        name, ports = NODES[index], self.ports
        synchronous = self.settings.synchronous
        parameters: dict[str, Any] = {
            "max_connections": 100,
            "wal_level": "replica",
            "hot_standby": "on",
            "wal_log_hints": "on",
            "max_wal_senders": 10,
            "max_replication_slots": 10,
            "hot_standby_feedback": "on",
            "unix_socket_directories": str(self.root),
        }
        if synchronous:
            parameters["synchronous_commit"] = "remote_apply"
        trust = [
            "local all all trust",
            "local replication all trust",
            "host all all 127.0.0.1/32 trust",
            "host replication all 127.0.0.1/32 trust",
        ]
        return {
            "scope": SCOPE,
            "name": name,
            "restapi": {
                "listen": f"127.0.0.1:{ports.api[index]}",
                "connect_address": f"127.0.0.1:{ports.api[index]}",
            },
            "etcd3": {"hosts": [f"127.0.0.1:{ports.etcd_client}"]},
            "bootstrap": {
                "dcs": {
                    "ttl": LEADER_TTL_SECONDS,
                    "loop_wait": LOOP_WAIT_SECONDS,
                    "retry_timeout": RETRY_TIMEOUT_SECONDS,
                    "maximum_lag_on_failover": 16 * 1024 * 1024,
                    "synchronous_mode": synchronous,
                    "postgresql": {"use_pg_rewind": True, "parameters": parameters},
                },
                # A UTF-8 locale: pg_trgm treats Chinese characters as word characters.
                "initdb": [{"encoding": "UTF8"}, {"locale": "C.UTF-8"}, "data-checksums"],
                "pg_hba": trust,
            },
            "postgresql": {
                "listen": f"127.0.0.1:{ports.postgres[index]}",
                "connect_address": f"127.0.0.1:{ports.postgres[index]}",
                "data_dir": str(self.root / name),
                "bin_dir": str(find_bindir()),
                "pgpass": str(self.root / f"{name}.pgpass"),
                "authentication": {
                    "superuser": {"username": DATABASE_SUPERUSER},
                    "replication": {"username": DATABASE_SUPERUSER},
                },
                "parameters": {"unix_socket_directories": str(self.root)},
                "pg_hba": trust,
            },
        }

    def _start_etcd(self) -> None:
        ports = self.ports
        peer = f"http://127.0.0.1:{ports.etcd_peer}"
        self._spawn(
            "etcd",
            [
                "etcd",
                "--name",
                "registry",
                "--data-dir",
                str(self.root / "etcd"),
                "--listen-client-urls",
                f"http://127.0.0.1:{ports.etcd_client}",
                "--advertise-client-urls",
                f"http://127.0.0.1:{ports.etcd_client}",
                "--listen-peer-urls",
                peer,
                "--initial-advertise-peer-urls",
                peer,
                "--initial-cluster",
                f"registry={peer}",
            ],
        )
        _wait(lambda: _http_ok(f"http://127.0.0.1:{ports.etcd_client}/health"), 30, "etcd")

    def start_node(self, name: str) -> None:
        index = NODES.index(name)
        config = self.root / f"{name}.yml"
        # YAML is a superset of JSON: the configuration is written as JSON.
        config.write_text(json.dumps(self._node_config(index), indent=2))
        if self.account is not None:
            os.chown(config, self.account.pw_uid, self.account.pw_gid)
        self._spawn(name, ["patroni", str(config)])

    def start(self) -> None:
        """etcd, then node1 (the first primary), then node2 (its replica); returns once
        the primary takes writes and the replica streams."""
        self._prepare()
        self._start_etcd()
        self.start_node(NODES[0])
        _wait(lambda: self.leader() is not None, 90, "a Patroni leader")
        self.start_node(NODES[1])
        _wait(lambda: len(self.streaming()) == 1, 120, "the replica to stream")
        if self.settings.synchronous:
            # Patroni promotes only a replica that was synchronous when the primary failed:
            # until it is named so, losing the primary would leave no one to promote.
            _wait(self._has_sync_standby, 60, "the replica to become synchronous")

    def _has_sync_standby(self) -> bool:
        return any(m.get("role") == "sync_standby" for m in self.members())

    # -- state ------------------------------------------------------------------------

    def members(self) -> list[dict[str, Any]]:
        """Patroni's view of the group (GET /cluster on any node that answers)."""
        for port in self.ports.api:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/cluster", timeout=2) as r:
                    return list(json.load(r).get("members", []))
            except (OSError, ValueError):
                continue
        return []

    def leader(self) -> str | None:
        for member in self.members():
            if member.get("role") == "leader" and member.get("state") == "running":
                return str(member["name"])
        return None

    def streaming(self) -> list[str]:
        return [
            str(m["name"])
            for m in self.members()
            # Patroni 3.0 says "running" of a streaming replica (later ones "streaming").
            if m.get("role") in ("replica", "sync_standby")
            and m.get("state") in ("running", "streaming")
            and isinstance(m.get("lag"), int)
        ]

    # -- faults, for the failover tests -------------------------------------------------

    def kill(self, name: str) -> None:
        """``kill -9`` of a node: its Patroni and its PostgreSQL at once, as when the
        machine it runs on is lost."""
        postmaster = self.root / name / "postmaster.pid"
        pids = [self._pid(name)]
        if postmaster.exists():
            pids.append(int(postmaster.read_text().splitlines()[0]))
        for pid in pids:
            if pid:
                with contextlib.suppress(ProcessLookupError):
                    os.kill(pid, signal.SIGKILL)
        # Its backends exit once the postmaster is gone; the socket and pid file stay.
        for pid_dir in Path("/proc").iterdir():
            if pid_dir.name.isdigit():
                try:
                    cmdline = (pid_dir / "cmdline").read_bytes()
                except OSError:
                    continue
                if cmdline.startswith(b"postgres") and str(self.root / name).encode() in cmdline:
                    os.kill(int(pid_dir.name), signal.SIGKILL)

    def stop(self) -> bool:
        """Every node (Patroni stops its PostgreSQL), then etcd."""
        stopped = False
        for name in (*NODES, "etcd"):
            pid = self._pid(name)
            if pid is None:
                continue
            os.kill(pid, signal.SIGTERM)
            deadline = time.monotonic() + 60
            while self._pid(name) is not None and time.monotonic() < deadline:
                time.sleep(0.2)
            if self._pid(name) is not None:
                os.kill(pid, signal.SIGKILL)
            stopped = True
        return stopped

    def remove(self) -> None:
        self.stop()
        shutil.rmtree(self.root, ignore_errors=True)


def _http_ok(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return bool(response.status == 200)
    except (OSError, urllib.error.URLError):
        return False


def _wait(predicate: Any, seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    while not predicate():
        if time.monotonic() > deadline:
            raise ClusterError(f"waited {seconds:g} s for {what}; see the logs in .data/ha/")
        time.sleep(0.3)
