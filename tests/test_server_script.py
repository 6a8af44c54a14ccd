"""script/server end to end: a real server process; a clear refusal of a server without PostGIS."""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import httpx2 as httpx
import pytest

from db.cluster import LocalCluster, find_bindir
from db.settings import PROJECT_ROOT, Settings
from tests.conftest import free_port, wait_until_healthy

pytestmark = pytest.mark.slow


def _postgres_without_postgis(root: Path) -> Path:
    """A copy of the installed PostgreSQL whose extension folder lacks PostGIS and pgRouting.

    PostgreSQL finds its share folder relative to its own binary, so a copied binary next to
    a trimmed share folder is a real server on which PostGIS is simply not installed."""
    real_bin = find_bindir()
    version = real_bin.parent.name
    real_share = Path(f"/usr/share/postgresql/{version}")
    if not real_share.is_dir():
        pytest.skip(f"cannot build a PostgreSQL without PostGIS: no {real_share}")
    bindir = root / "lib" / "postgresql" / version / "bin"
    bindir.mkdir(parents=True)
    for tool in ("postgres", "initdb", "pg_ctl"):
        shutil.copy2(real_bin / tool, bindir / tool)
    (bindir.parent / "lib").symlink_to(real_bin.parent / "lib")
    share = root / "share" / "postgresql" / version
    (share / "extension").mkdir(parents=True)
    for entry in real_share.iterdir():
        if entry.name != "extension":
            (share / entry.name).symlink_to(entry)
    for entry in (real_share / "extension").iterdir():
        if not entry.name.startswith(("postgis", "pgrouting")):
            (share / "extension" / entry.name).symlink_to(entry)
    root.chmod(0o755)
    return bindir


@pytest.fixture()
def server_without_postgis(monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    root = Path("/tmp") / f"registry-nopostgis-{os.getpid()}"
    shutil.rmtree(root, ignore_errors=True)
    root.mkdir(mode=0o755)
    try:
        monkeypatch.setenv("PG_BINDIR", str(_postgres_without_postgis(root / "pg")))
        settings = Settings(database_url=None, data_dir=root / "data")
        cluster = LocalCluster(settings)
        state = cluster.start()
        monkeypatch.delenv("PG_BINDIR")
        yield f"postgresql://postgres@/registry?host={state.socket_dir}&port={state.port}"
        cluster.stop()
    finally:
        shutil.rmtree(root, ignore_errors=True)


def test_server_refuses_a_database_without_postgis(server_without_postgis: str) -> None:
    env = {**os.environ, "DATABASE_URL": server_without_postgis}
    result = subprocess.run(
        [str(PROJECT_ROOT / "script" / "server"), "--port", str(free_port())],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        cwd=PROJECT_ROOT,
    )
    assert result.returncode != 0
    assert "lacks the PostgreSQL extension(s) postgis, pgrouting" in result.stderr
    assert "Traceback" not in result.stderr + result.stdout


def test_served_over_http(running_server: str) -> None:
    response = httpx.post(
        f"{running_server}/graphql",
        json={"query": '{ cityStats { elderCareInstitutions } area(code: "3710") { name } }'},
    )
    assert response.status_code == 200
    data = response.json()["data"]
    assert data["area"]["name"] == "威海市"
    assert data["cityStats"]["elderCareInstitutions"] > 0


def test_a_taken_port_gets_a_one_line_message(running_server: str) -> None:
    port = running_server.rsplit(":", 1)[1]
    result = subprocess.run(
        [str(PROJECT_ROOT / ".venv" / "bin" / "python"), "app.py", "serve", "--port", port],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 1
    assert result.stderr.strip() == (
        f"error: port {port} on 127.0.0.1 is already in use; "
        "stop what holds it or choose another with --port"
    )


def test_graphiql_page_loads_its_files_from_the_server(running_server: str) -> None:
    page = httpx.get(f"{running_server}/graphql", headers={"accept": "text/html"})
    assert page.status_code == 200
    assert "unpkg.com" not in page.text
    assets = [part.split('"')[0] for part in page.text.split('="/assets/')[1:]]
    assert len(assets) >= 5
    for asset in assets:
        response = httpx.get(f"{running_server}/assets/{asset}")
        assert response.status_code == 200, asset
        assert len(response.content) > 100


def test_users_and_tokens_from_the_command_line(
    running_server: str, scratch_database_url: str
) -> None:
    env = {**os.environ, "DATABASE_URL": scratch_database_url}

    def cli(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [str(PROJECT_ROOT / ".venv" / "bin" / "python"), "app.py", "users", *args],
            cwd=PROJECT_ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
        )

    name = f"cli-planner-{os.getpid()}"
    assert cli("add", name, "--role", "planner").returncode == 0
    assert cli("add", name, "--role", "planner").returncode == 1  # names are unique
    assert cli("add", "x", "--role", "overlord").returncode == 2
    issued = cli("token", name, "--label", "test")
    header = issued.stdout.strip().removeprefix("Authorization: ")
    query = {
        "query": '{ coverage(areaCode: "371003101", kinds: [ELDER_DINING_TABLE],'
        " radiusMeters: 1000) { share } }"
    }
    answered = httpx.post(
        f"{running_server}/graphql", json=query, headers={"Authorization": header}
    )
    assert "errors" not in answered.json()
    assert "1 token(s)" in cli("revoke", name).stdout
    refused = httpx.post(f"{running_server}/graphql", json=query, headers={"Authorization": header})
    assert refused.status_code == 401


def test_a_server_killed_during_a_bulk_import_leaves_no_partial_write(
    scratch_database_url: str,
) -> None:
    """kill -9 in the middle of a real import: the transaction dies with the server, and not
    one of its place names or revisions is in the database."""
    import signal
    import threading

    from sqlalchemy import create_engine, text

    from db.queries.users import create_token, create_user

    engine = create_engine(scratch_database_url)
    with engine.begin() as conn:
        code, line = conn.execute(
            text(
                "SELECT village_code, ST_AsGeoJSON(geom)::json -> 'coordinates'"
                " FROM village_road ORDER BY id LIMIT 1"
            )
        ).one()
        token = create_token(conn, create_user(conn, f"importer-{os.getpid()}", "editor"))
        revisions_before = conn.execute(text("SELECT count(*) FROM revision")).scalar_one()
    prefix = f"断电{os.getpid()}号"
    features = [
        {
            "type": "Feature",
            "properties": {"name": f"{prefix}{i}路", "areaCode": code},
            "geometry": {"type": "LineString", "coordinates": line},
        }
        for i in range(3000)
    ]
    collection = {"type": "FeatureCollection", "features": features}
    mutation = """mutation ($fc: JSON!) { importPlaceNames(featureCollection: $fc,
        category: ROAD_STREET, areaCode: "3710", dryRun: false) { imported } }"""

    port = free_port()
    process = subprocess.Popen(
        [
            str(PROJECT_ROOT / ".venv" / "bin" / "python"),
            "app.py",
            "serve",
            "--port",
            str(port),
            "--workers",
            "1",
        ],
        cwd=PROJECT_ROOT,
        env={**os.environ, "DATABASE_URL": scratch_database_url},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    base = f"http://127.0.0.1:{port}"
    answers: list[str] = []
    try:
        wait_until_healthy(base)

        def send() -> None:
            try:
                answer = httpx.post(
                    f"{base}/graphql",
                    json={"query": mutation, "variables": {"fc": collection}},
                    headers={"Authorization": f"Bearer {token}"},
                    timeout=120,
                )
                answers.append(answer.text[:300])
            except httpx.TransportError:
                pass  # the server is killed under it

        sender = threading.Thread(target=send)
        sender.start()
        # Wait until the import's transaction has written part of the collection.
        with engine.connect() as watcher:
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline:
                busy = watcher.execute(
                    text(
                        "SELECT count(*) FROM pg_stat_activity WHERE application_name ="
                        " 'weihai-registry' AND xact_start IS NOT NULL"
                        " AND xact_start < now() - interval '300 milliseconds'"
                    )
                ).scalar_one()
                watcher.rollback()
                if busy:
                    break
                time.sleep(0.05)
            else:
                pytest.fail(f"the import never started: {answers}")
        time.sleep(0.5)
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)
        sender.join(timeout=30)
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
    with engine.connect() as conn:
        deadline = time.monotonic() + 10  # the server's backend notices the dead client
        while (
            time.monotonic() < deadline
            and conn.execute(
                text(
                    "SELECT count(*) FROM pg_stat_activity"
                    " WHERE application_name = 'weihai-registry' AND xact_start IS NOT NULL"
                )
            ).scalar_one()
        ):
            conn.rollback()
            time.sleep(0.2)
        written = conn.execute(
            text("SELECT count(*) FROM place_name WHERE standard_name LIKE :p"), {"p": prefix + "%"}
        ).scalar_one()
        revisions_after = conn.execute(text("SELECT count(*) FROM revision")).scalar_one()
    engine.dispose()
    assert answers == []  # the server died before it could answer
    assert written == 0
    assert revisions_after == revisions_before
