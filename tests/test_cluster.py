"""The project-local cluster: first start, reuse, recovery from stale state, clear failures.

Each test works on a throw-away cluster in its own data directory, never on the one the
registry is using.
"""

from __future__ import annotations

import os
import socket
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from db.cluster import ClusterError, LocalCluster
from db.settings import Settings

pytestmark = pytest.mark.slow


@pytest.fixture()
def scratch_dir() -> Iterator[Path]:
    # Short and world-traversable: the server account must reach it, sockets need short paths.
    base = Path("/tmp") / f"registry-cluster-{os.getpid()}"
    base.mkdir(mode=0o755, exist_ok=True)
    yield base
    cluster = LocalCluster(Settings(database_url=None, data_dir=base / "data"))
    if cluster.running_pid():
        cluster.stop()
    subprocess.run(["rm", "-rf", str(base)], check=False)


def _cluster(scratch_dir: Path) -> tuple[LocalCluster, Settings]:
    settings = Settings(database_url=None, data_dir=scratch_dir / "data")
    return LocalCluster(settings), settings


def _answers(settings: Settings) -> bool:
    engine = create_engine(settings.url_for("postgres"))
    try:
        with engine.connect() as conn:
            return conn.execute(text("SELECT 1")).scalar() == 1
    finally:
        engine.dispose()


def test_start_creates_then_reuses_the_cluster(scratch_dir: Path) -> None:
    cluster, settings = _cluster(scratch_dir)
    first = cluster.start()
    assert (settings.cluster_dir / "PG_VERSION").exists()
    assert _answers(settings)
    pid = cluster.running_pid()
    again = cluster.start()  # already running: reused as it is
    assert cluster.running_pid() == pid
    assert again.port == first.port
    assert cluster.stop() is True
    assert cluster.running_pid() is None
    assert cluster.stop() is False


def test_data_survives_a_restart(scratch_dir: Path) -> None:
    cluster, settings = _cluster(scratch_dir)
    cluster.start()
    engine = create_engine(settings.url_for("postgres"))
    with engine.begin() as conn:
        conn.execute(text("CREATE TABLE kept (x int)"))
        conn.execute(text("INSERT INTO kept VALUES (42)"))
    engine.dispose()
    cluster.stop()
    cluster.start()
    engine = create_engine(settings.url_for("postgres"))
    with engine.connect() as conn:
        assert conn.execute(text("SELECT x FROM kept")).scalar() == 42
    engine.dispose()


def test_a_stale_postmaster_pid_is_recovered(scratch_dir: Path) -> None:
    cluster, settings = _cluster(scratch_dir)
    cluster.start()
    pid_file = settings.cluster_dir / "postmaster.pid"
    contents = pid_file.read_text()
    # Kill the server hard: it leaves its pid file behind, as after a crash or power cut.
    subprocess.run(["kill", "-9", str(cluster.running_pid())], check=True)
    for child in subprocess.run(
        ["pgrep", "-f", str(settings.cluster_dir)], capture_output=True, text=True
    ).stdout.split():
        subprocess.run(["kill", "-9", child], check=False)
    # The recorded pid now belongs to a live process that is not PostgreSQL: this one.
    lines = contents.splitlines()
    lines[0] = str(os.getpid())
    pid_file.write_text("\n".join(lines) + "\n")
    cluster.start()
    assert _answers(settings)


def test_a_taken_port_moves_the_cluster(scratch_dir: Path) -> None:
    cluster, settings = _cluster(scratch_dir)
    port = cluster.start().port
    cluster.stop()
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as blocker:
        blocker.bind(("127.0.0.1", port))
        blocker.listen()
        moved = cluster.start()
        assert moved.port != port
        assert _answers(settings)


def test_an_unusable_data_directory_gets_a_clear_message() -> None:
    settings = Settings(database_url=None, data_dir=Path("/dev/null/registry"))
    with pytest.raises(ClusterError, match="cannot create data directory"):
        LocalCluster(settings).start()
