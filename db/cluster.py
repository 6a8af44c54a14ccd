"""The project-local PostgreSQL cluster in ``.data/postgres``.

PostgreSQL refuses to run as root, so when the registry is started by root the
cluster belongs to the unprivileged ``postgres`` account and every server
command runs as that account.  The cluster listens on a Unix socket in
``.data/`` and on 127.0.0.1 at a free port that is remembered across restarts.
"""

from __future__ import annotations

import json
import os
import pwd
import shutil
import socket
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

from db.settings import Settings, socket_url

CLUSTER_USER_WHEN_ROOT = "postgres"
DATABASE_SUPERUSER = "postgres"
PORT_CONF = "registry_port.conf"
# A Unix socket path longer than this is refused by the kernel (sun_path is 108 bytes).
MAX_SOCKET_PATH = 107
# pgBackRest's configuration under the backup folder, and the stanza the cluster is.
BACKUP_CONF = "pgbackrest.conf"
STANZA = "registry"


class ClusterError(RuntimeError):
    """Something stops the local cluster from starting; the message says what to do."""


@dataclass(frozen=True)
class ClusterState:
    socket_dir: Path
    port: int
    user: str

    def as_json(self) -> str:
        return json.dumps(
            {"socket_dir": str(self.socket_dir), "port": self.port, "user": self.user}
        )

    def url(self, database: str, user: str | None = None) -> str:
        """SQLAlchemy URL of ``database`` on this server, over its socket."""
        return socket_url(self.socket_dir, self.port, user or self.user, database)


def find_bindir() -> Path:
    """The newest installed PostgreSQL server that also has PostGIS, or any server at all."""
    override = os.environ.get("PG_BINDIR")
    if override:
        return Path(override)
    candidates = sorted(
        Path("/usr/lib/postgresql").glob("*/bin/pg_ctl"),
        key=lambda p: int(p.parent.parent.name) if p.parent.parent.name.isdigit() else 0,
        reverse=True,
    )
    for pg_ctl in candidates:
        version = pg_ctl.parent.parent.name
        if Path(f"/usr/share/postgresql/{version}/extension/postgis.control").exists():
            return pg_ctl.parent
    if candidates:
        return candidates[0].parent
    found = shutil.which("pg_ctl")
    if found:
        return Path(found).resolve().parent
    raise ClusterError(
        "no PostgreSQL server found: install PostgreSQL with PostGIS 3 and pgRouting "
        "(Debian/Ubuntu: postgresql postgresql-NN-postgis-3 postgresql-NN-pgrouting)"
    )


class LocalCluster:
    """The primary: ``.data/postgres``, its log ``.data/postgres.log``, its port and
    socket in ``.data/cluster.json``."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.data_dir = settings.data_dir.resolve()
        self.pgdata = settings.cluster_dir.resolve()
        self.log_file = self.data_dir / "postgres.log"
        self.state_file = settings.cluster_state_file
        self.as_root = os.geteuid() == 0
        self.run_user = (
            CLUSTER_USER_WHEN_ROOT if self.as_root else pwd.getpwuid(os.geteuid()).pw_name
        )

    # -- running commands as the cluster owner ---------------------------------------

    def _as_owner(self, argv: list[str]) -> list[str]:
        if not self.as_root:
            return argv
        return ["runuser", "-u", self.run_user, "--", *argv]

    def _run(self, argv: list[str], check: bool = True) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            self._as_owner(argv), check=check, capture_output=True, text=True, cwd="/"
        )

    # -- preparing the data directory ----------------------------------------------

    def _prepare_dirs(self) -> None:
        try:
            self.data_dir.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise ClusterError(
                f"cannot create data directory {self.data_dir}: {exc.strerror}"
            ) from exc
        if not os.access(self.data_dir, os.W_OK | os.X_OK):
            raise ClusterError(f"data directory {self.data_dir} is not writable by you")
        if len(str(self.data_dir / ".s.PGSQL.65535")) > MAX_SOCKET_PATH:
            raise ClusterError(
                f"the path {self.data_dir} is too long for a Unix socket; "
                "set REGISTRY_DATA_DIR to a shorter directory"
            )
        if not self.as_root:
            return
        try:
            owner = pwd.getpwnam(self.run_user)
        except KeyError as exc:
            raise ClusterError(
                f"running as root needs the unprivileged account {self.run_user!r} "
                "(created by the PostgreSQL package); install PostgreSQL or run as another user"
            ) from exc
        # The server account must be able to reach .data through every parent folder.
        for parent in reversed(self.data_dir.parents):
            mode = parent.stat().st_mode
            if not mode & 0o001:
                print(
                    f"granting other users passage (o+x) through {parent} for the database server"
                )
                parent.chmod(mode | 0o001)
        os.chown(self.data_dir, owner.pw_uid, owner.pw_gid)
        self.data_dir.chmod(0o755)
        if self.pgdata.exists():
            stat = self.pgdata.stat()
            if stat.st_uid != owner.pw_uid:
                subprocess.run(
                    ["chown", "-R", f"{owner.pw_uid}:{owner.pw_gid}", str(self.pgdata)], check=True
                )

    def _create(self, bindir: Path) -> None:
        self._initdb(bindir)

    def _initdb(self, bindir: Path) -> None:
        print(f"creating the database cluster in {self.pgdata}")
        result = self._run(
            [
                str(bindir / "initdb"),
                "-D",
                str(self.pgdata),
                "-U",
                DATABASE_SUPERUSER,
                "--auth=trust",
                "--encoding=UTF8",
                # A UTF-8 locale, not C: pg_trgm only treats Chinese characters as word
                # characters when the locale classifies them as letters.
                "--locale=C.UTF-8",
            ],
            check=False,
        )
        if result.returncode != 0:
            raise ClusterError(f"initdb failed: {result.stderr.strip() or result.stdout.strip()}")

    # -- ports and stale state -----------------------------------------------------

    def _configured_port(self) -> int | None:
        conf = self.pgdata / PORT_CONF
        if not conf.exists():
            return None
        for line in conf.read_text().splitlines():
            if line.startswith("port"):
                return int(line.split("=", 1)[1].strip())
        return None

    @staticmethod
    def _port_is_free(port: int) -> bool:
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
            try:
                sock.bind(("127.0.0.1", port))
            except OSError:
                return False
        return True

    @staticmethod
    def _free_port() -> int:
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
            sock.bind(("127.0.0.1", 0))
            return int(sock.getsockname()[1])

    def _write_config(self, port: int) -> None:
        conf = self.pgdata / PORT_CONF
        conf.write_text(
            f"port = {port}\n"
            f"listen_addresses = '127.0.0.1'\n"
            f"unix_socket_directories = '{self.data_dir}'\n" + self._extra_config()
        )
        main_conf = self.pgdata / "postgresql.conf"
        include = f"include_if_exists = '{PORT_CONF}'"
        if include not in main_conf.read_text():
            with main_conf.open("a") as handle:
                handle.write(f"\n# Port and sockets of the registry's local cluster\n{include}\n")
        if self.as_root:
            owner = pwd.getpwnam(self.run_user)
            os.chown(conf, owner.pw_uid, owner.pw_gid)

    def _extra_config(self) -> str:
        """Lines of the registry's configuration besides port and sockets."""
        lines = [
            # A replica that is stopped keeps its slot's WAL on the primary, up to this.
            "max_slot_wal_keep_size = '2GB'",
        ]
        # Only with a replica running: with none, every commit would wait for ever.
        if self.settings.synchronous and self.settings.replica_urls():
            # Acknowledged only once a replica has applied it: a failover loses nothing
            # acknowledged, and a replica's read after the acknowledgement sees it.
            lines += [
                "synchronous_standby_names = 'ANY 1 (*)'",
                "synchronous_commit = remote_apply",
            ]
        lines += self._archive_config()
        return "".join(f"{line}\n" for line in lines)

    def _archive_config(self) -> list[str]:
        """Continuous WAL archiving to pgBackRest, once ``app.py db backup`` set it up."""
        conf = self.settings.backup_dir / BACKUP_CONF
        if not conf.exists():
            return []
        return [
            "archive_mode = on",
            f"archive_command = 'pgbackrest --config={conf} --stanza={STANZA} archive-push %p'",
            # A quiet registry still sends a segment a minute: restore points are at most
            # that far from the newest edit.
            "archive_timeout = 60",
        ]

    def _recorded_pid(self) -> int | None:
        pid_file = self.pgdata / "postmaster.pid"
        if not pid_file.exists():
            return None
        try:
            return int(pid_file.read_text().splitlines()[0])
        except (IndexError, ValueError):
            return -1

    def _pid_is_our_postmaster(self, pid: int) -> bool:
        try:
            cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
        except OSError:
            return False
        return (
            bool(cmdline)
            and cmdline[0].endswith(b"postgres")
            and str(self.pgdata).encode() in b" ".join(cmdline)
        )

    def running_pid(self) -> int | None:
        pid = self._recorded_pid()
        if pid is not None and pid > 0 and self._pid_is_our_postmaster(pid):
            return pid
        return None

    def _remove_stale_lock(self) -> None:
        """A postmaster.pid whose process is gone (or is now some other program) is removed."""
        pid = self._recorded_pid()
        if pid is None or self.running_pid() is not None:
            return
        print(
            f"removing stale {self.pgdata / 'postmaster.pid'} (process {pid} is not this cluster)"
        )
        (self.pgdata / "postmaster.pid").unlink()
        for lock in self.data_dir.glob(".s.PGSQL.*.lock"):
            lock.unlink(missing_ok=True)
        for sock in self.data_dir.glob(".s.PGSQL.*"):
            sock.unlink(missing_ok=True)

    # -- public operations ---------------------------------------------------------

    def start(self) -> ClusterState:
        bindir = find_bindir()
        self._prepare_dirs()
        if not (self.pgdata / "PG_VERSION").exists():
            if self.pgdata.exists() and any(self.pgdata.iterdir()):
                raise ClusterError(
                    f"{self.pgdata} exists but holds no PostgreSQL cluster; move it away"
                )
            self._create(bindir)
        self._remove_stale_lock()
        port = self._configured_port()
        if self.running_pid() is None:
            if port is None or not self._port_is_free(port):
                if port is not None:
                    print(
                        f"port {port} is taken by another program; "
                        "moving the cluster to a free port"
                    )
                port = self._free_port()
            self._write_config(port)
            result = self._run(
                [
                    str(bindir / "pg_ctl"),
                    "-D",
                    str(self.pgdata),
                    "-l",
                    str(self.log_file),
                    "-w",
                    "-t",
                    "60",
                    "start",
                ],
                check=False,
            )
            if result.returncode != 0:
                tail = self.log_file.read_text().splitlines()[-5:] if self.log_file.exists() else []
                raise ClusterError(
                    "the database server did not start: "
                    + (" | ".join(tail) or result.stderr.strip() or result.stdout.strip())
                )
        assert port is not None
        state = ClusterState(socket_dir=self.data_dir, port=port, user=DATABASE_SUPERUSER)
        self.state_file.write_text(state.as_json())
        self._wait_ready(state)
        return state

    def _wait_ready(self, state: ClusterState, timeout: float = 30.0) -> None:
        sock = state.socket_dir / f".s.PGSQL.{state.port}"
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if sock.exists():
                return
            time.sleep(0.1)
        raise ClusterError(f"the database server started but its socket {sock} never appeared")

    def stop(self) -> bool:
        if self.running_pid() is None:
            self._remove_stale_lock()
            return False
        bindir = find_bindir()
        result = self._run(
            [str(bindir / "pg_ctl"), "-D", str(self.pgdata), "-w", "-m", "fast", "stop"],
            check=False,
        )
        if result.returncode != 0:
            raise ClusterError(f"pg_ctl stop failed: {result.stderr.strip()}")
        return True

    def psql(self, state: ClusterState, sql: str) -> subprocess.CompletedProcess[str]:
        """``sql`` run by psql as the superuser on the server at ``state``."""
        argv = [str(find_bindir() / "psql"), "-h", str(state.socket_dir), "-p", str(state.port)]
        return self._run(
            [*argv, "-U", DATABASE_SUPERUSER, "-d", "postgres", "-qAtc", sql], check=False
        )

    def reload(self) -> None:
        """The configuration read again (settings that need no restart)."""
        if self.running_pid() is None:
            return
        self._write_config(self._configured_port() or self._free_port())
        self._run([str(find_bindir() / "pg_ctl"), "-D", str(self.pgdata), "reload"])

    def restart(self) -> ClusterState:
        """Stopped and started again with the registry's configuration written anew."""
        self.stop()
        return self.start()

    def state(self) -> ClusterState | None:
        port = self._configured_port()
        if self.running_pid() is None or port is None:
            return None
        return ClusterState(socket_dir=self.data_dir, port=port, user=DATABASE_SUPERUSER)


REPLICA_PREFIX = "replica"


class LocalReplica(LocalCluster):
    """A streaming replica of the local primary: ``.data/replicaN``, made by pg_basebackup
    with its own replication slot, its port in ``.data/replicaN.json``."""

    def __init__(self, settings: Settings, number: int, prefix: str = REPLICA_PREFIX) -> None:
        super().__init__(settings)
        self.name = f"{prefix}{number}"
        self.pgdata = self.data_dir / self.name
        self.log_file = self.data_dir / f"{self.name}.log"
        self.state_file = self.data_dir / f"{self.name}.json"

    def _create(self, bindir: Path) -> None:
        primary = LocalCluster(self.settings).state()
        if primary is None:
            raise ClusterError("the primary is not running: start it first (app.py db start)")
        print(f"copying the primary into {self.pgdata} (pg_basebackup)")
        self.psql(
            primary,
            "SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots"
            f" WHERE slot_name = '{self.name}' AND NOT active",
        )
        result = self._run(
            [
                str(bindir / "pg_basebackup"),
                "-D",
                str(self.pgdata),
                "-d",
                f"host={primary.socket_dir} port={primary.port} user={DATABASE_SUPERUSER}"
                f" application_name={self.name}",
                # -R: standby.signal and the primary's address written into the copy.
                "-R",
                "-X",
                "stream",
                "-C",
                "-S",
                self.name,
                "--checkpoint=fast",
            ],
            check=False,
        )
        if result.returncode != 0:
            shutil.rmtree(self.pgdata, ignore_errors=True)
            raise ClusterError(f"pg_basebackup failed: {result.stderr.strip()}")
        # The primary's own port file came with the copy.
        (self.pgdata / PORT_CONF).unlink(missing_ok=True)

    def _extra_config(self) -> str:
        # Queries on the replica are not cancelled by the primary's vacuum.
        return "hot_standby_feedback = on\n"

    def stop(self) -> bool:
        stopped = super().stop()
        self.state_file.unlink(missing_ok=True)
        if stopped and self.settings.synchronous:
            LocalCluster(self.settings).reload()  # no longer waited for
        return stopped


def local_replicas(settings: Settings) -> list[LocalReplica]:
    """The replicas made so far (running or not), by number."""
    found = []
    for path in settings.data_dir.resolve().glob(f"{REPLICA_PREFIX}*"):
        suffix = path.name.removeprefix(REPLICA_PREFIX)
        if path.is_dir() and suffix.isdigit():
            found.append(LocalReplica(settings, int(suffix)))
    return sorted(found, key=lambda r: int(r.name.removeprefix(REPLICA_PREFIX)))


def start_replicas(settings: Settings, count: int) -> list[ClusterState]:
    """Replicas 1…count running (made when missing); any beyond ``count`` stopped."""
    states = [LocalReplica(settings, n).start() for n in range(1, count + 1)]
    for replica in local_replicas(settings)[count:]:
        replica.stop()
    LocalCluster(settings).reload()  # synchronous_standby_names may now name them
    return states
