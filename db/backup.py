"""Backups of the local cluster with pgBackRest, and restores to a point in time.

``app.py db backup`` sets up continuous WAL archiving the first time (the configuration in
``.data/backup/pgbackrest.conf``, the repository in ``.data/backup/repo``; turning
``archive_mode`` on restarts the cluster once), then takes a backup: full the first time
and when none is kept, incremental otherwise.

``app.py db restore --to TIME`` restores into a fresh cluster beside the running one
(``.data/restored``, its own port), replays the archived WAL up to TIME and promotes it:
the live cluster is never overwritten.  What to do with the restored one (read a table
back from it, or make it the registry's cluster) is the operator's choice; README,
"Running at scale", says how.

For a server elsewhere the same pgBackRest commands apply with its stanza; README.
"""

from __future__ import annotations

import os
import pwd
import shutil
import time
from dataclasses import dataclass
from pathlib import Path

from db.cluster import (
    BACKUP_CONF,
    CLUSTER_USER_WHEN_ROOT,
    DATABASE_SUPERUSER,
    STANZA,
    ClusterError,
    ClusterState,
    LocalCluster,
)
from db.settings import Settings

RESTORED = "restored"


def _pgbackrest() -> str:
    found = shutil.which("pgbackrest")
    if found is None:
        raise ClusterError(
            "pgBackRest is not installed: apt-get install pgbackrest"
            " (script/setup installs it with REGISTRY_HA_TOOLS=1)"
        )
    return found


@dataclass(frozen=True)
class BackupInfo:
    kind: str
    label: str


class Backups:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.cluster = LocalCluster(settings)
        self.root = settings.backup_dir.resolve()
        self.conf = self.root / BACKUP_CONF

    def _run(self, *argv: str) -> str:
        result = self.cluster._run(
            [_pgbackrest(), f"--config={self.conf}", f"--stanza={STANZA}", *argv], check=False
        )
        if result.returncode != 0:
            detail = (result.stderr or result.stdout).strip().splitlines()
            raise ClusterError(f"pgbackrest {argv[-1]} failed: {' | '.join(detail[-3:])}")
        return result.stdout

    def _configure(self, state: ClusterState) -> None:
        for folder in (self.root, self.root / "repo", self.root / "log", self.root / "lock"):
            folder.mkdir(parents=True, exist_ok=True)
            if self.cluster.as_root:
                owner = pwd.getpwnam(CLUSTER_USER_WHEN_ROOT)
                os.chown(folder, owner.pw_uid, owner.pw_gid)
        self.conf.write_text(
            "[global]\n"
            f"repo1-path={self.root / 'repo'}\n"
            # Two full backups kept, with the WAL that restores to any moment since the
            # older one.
            "repo1-retention-full=2\n"
            f"log-path={self.root / 'log'}\n"
            f"lock-path={self.root / 'lock'}\n"
            "compress-type=lz4\n"
            "start-fast=y\n"
            "log-level-console=warn\n"
            f"\n[{STANZA}]\n"
            f"pg1-path={self.cluster.pgdata}\n"
            f"pg1-socket-path={state.socket_dir}\n"
            f"pg1-port={state.port}\n"
            f"pg1-user={DATABASE_SUPERUSER}\n"
        )

    def backup(self) -> BackupInfo:
        """A backup now (archiving set up first when it is not)."""
        state = self.cluster.start()
        if not self.conf.exists():
            self._configure(state)
            print("turning on WAL archiving to pgBackRest (the cluster restarts once)")
            state = self.cluster.restart()
            self._run("stanza-create")
        else:
            self._configure(state)  # the port may have moved since
        # Full when the repository holds none, incremental on top of it otherwise.
        kind = "incr" if "full backup" in self._run("info") else "full"
        self._run(f"--type={kind}", "backup")
        label = self._run("info").strip().splitlines()[-1].strip()
        return BackupInfo(kind, label)

    def restore(self, to: str, into: str = RESTORED) -> ClusterState:
        """A fresh cluster ``.data/<into>`` as the registry was at ``to`` (a timestamp
        PostgreSQL reads, e.g. ``2026-11-30 10:15:00+08``), started on its own port."""
        if not self.conf.exists():
            raise ClusterError("no backup has been taken here: app.py db backup")
        if self.cluster.running_pid() is not None:
            # The newest WAL is archived now, so that TIME may be a moment ago.
            state = self.cluster.start()
            self._configure(state)
            self._run("check")
        target = RestoredCluster(self.settings, into)
        target.stop()
        if target.pgdata.exists():
            shutil.rmtree(target.pgdata)
        target.restore_from = self
        target.target_time = to
        state = target.start()
        target.wait_promoted(state)
        return state


class RestoredCluster(LocalCluster):
    """A cluster restored by pgBackRest, beside the live one; never archives itself."""

    restore_from: Backups
    target_time: str

    def __init__(self, settings: Settings, name: str) -> None:
        super().__init__(settings)
        self.name = name
        self.pgdata = self.data_dir / name
        self.log_file = self.data_dir / f"{name}.log"
        self.state_file = self.data_dir / f"{name}.json"

    def _create(self, bindir: Path) -> None:
        print(f"restoring into {self.pgdata} as of {self.target_time}")
        self.pgdata.mkdir(mode=0o700)
        if self.as_root:
            owner = pwd.getpwnam(self.run_user)
            os.chown(self.pgdata, owner.pw_uid, owner.pw_gid)
        self.restore_from._run(
            f"--pg1-path={self.pgdata}",
            "--type=time",
            f"--target={self.target_time}",
            "--target-action=promote",
            "--delta",
            "restore",
        )
        # The live cluster's port file came with the backup.
        (self.pgdata / "registry_port.conf").unlink(missing_ok=True)

    def _extra_config(self) -> str:
        # Its WAL must not join the live cluster's archive.
        return "archive_mode = off\n"

    def wait_promoted(self, state: ClusterState, timeout: float = 300) -> None:
        """Until the WAL up to the target is replayed and the cluster takes writes."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            result = self.psql(state, "SELECT pg_is_in_recovery()")
            if result.stdout.strip() == "f":
                return
            time.sleep(0.3)
        raise ClusterError(f"the restored cluster did not finish recovery; see {self.log_file}")
