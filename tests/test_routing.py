"""Reads on a streaming replica started by the test, writes on the primary, read-your-writes
with the consistency token, a replica stopped under load, and servers in the wrong role.

The replica is a real one: ``pg_basebackup`` of the project-local primary, streaming, in
its own data directory (``db.cluster.LocalReplica``).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import threading
import time
from collections import Counter
from collections.abc import Iterator
from typing import Any

import httpx2 as httpx
import pytest
from sqlalchemy import Engine, make_url, text
from starlette.testclient import TestClient

from db.cluster import LocalReplica, find_bindir
from db.queries.users import create_token, create_user
from db.routing import format_lsn, parse_lsn
from db.settings import APP_ROLE, PROJECT_ROOT, Settings
from tests.conftest import free_port, serving

pytestmark = pytest.mark.slow

READ = "{ areas(first: 3) { edges { node { code name } } } }"
CREATE = """mutation ($input: ServiceInput!) {
  createService(input: $input) { id nodeId name } }"""
BY_NODE = "query ($id: ID!) { node(id: $id) { ... on Service { name } } }"


@pytest.fixture(scope="module")
def replica(settings: Settings) -> Iterator[LocalReplica]:
    if settings.database_url:
        pytest.skip("the replica is made from the project-local cluster (DATABASE_URL is set)")
    made = LocalReplica(settings, 1, prefix="test_replica")
    made.stop()
    shutil.rmtree(made.pgdata, ignore_errors=True)
    made.start()
    yield made
    made.stop()
    shutil.rmtree(made.pgdata, ignore_errors=True)


def _on_replica(replica: LocalReplica, database_url: str) -> str:
    """The same database on the replica, as the application's role."""
    state = replica.state()
    database = make_url(database_url).database
    assert state is not None and database is not None
    return state.url(database, APP_ROLE)


def _token(engine: Engine, role: str) -> str:
    with engine.begin() as conn:
        return create_token(conn, create_user(conn, f"routing-{role}", role))


def _post(base: str, query: str, headers: dict[str, str] | None = None, **variables: Any) -> Any:
    response = httpx.post(
        f"{base}/graphql",
        json={"query": query, "variables": variables},
        headers={"Accept-Language": "en", **(headers or {})},
        timeout=30,
    )
    return response


def _wait_for(predicate: Any, seconds: float = 20) -> None:
    deadline = time.monotonic() + seconds
    while not predicate():
        assert time.monotonic() < deadline, "not reached in time"
        time.sleep(0.1)


def _service_input(engine: Engine, n: int) -> dict[str, Any]:
    with engine.connect() as conn:
        lon, lat = conn.execute(
            text(
                "SELECT ST_X(rep_point), ST_Y(rep_point) FROM admin_area"
                " WHERE level = 'village' ORDER BY code OFFSET :n LIMIT 1"
            ),
            {"n": n},
        ).one()
    return {
        "kind": "ELDER_DINING_TABLE",
        "name": f"副本测试食堂{n}",
        "geometry": {"type": "Point", "coordinates": [lon, lat]},
        "mealCapacity": 40,
    }


def test_reads_go_to_the_replica_and_a_token_read_sees_the_write(
    replica: LocalReplica, scratch_database_url: str, scratch_engine: Engine
) -> None:
    editor = {"Authorization": f"Bearer {_token(scratch_engine, 'editor')}"}
    env = {"DATABASE_REPLICA_URLS": _on_replica(replica, scratch_database_url)}
    with serving(scratch_database_url, "--workers", "1", env=env) as base:
        _wait_for(lambda: httpx.get(f"{base}/healthz").json()["status"] == "ok")
        health = httpx.get(f"{base}/healthz").json()
        roles = {s["name"]: (s["role"], s["inRecovery"]) for s in health["servers"]}
        assert roles == {"primary": ("primary", False), "replica1": ("replica", True)}

        # Without a token, every read is the replica's.
        for _ in range(5):
            response = _post(base, READ)
            assert response.json()["data"]["areas"]["edges"]
            assert response.headers["x-served-by"] == "replica1"

        served: Counter[str] = Counter()
        for n in range(15):
            written = _post(base, CREATE, editor, input=_service_input(scratch_engine, n))
            body = written.json()
            assert "errors" not in body, body
            token = body["extensions"]["consistencyToken"]
            assert written.headers["x-consistency-token"] == token
            # (the caller's token may be looked up on the replica; the write is the primary's)
            assert "primary" in written.headers["x-served-by"].split(",")
            assert parse_lsn(token) > 0
            # At once, with the token: the write is there, wherever the read was sent.
            read = _post(
                base,
                BY_NODE,
                {**editor, "X-Consistency-Token": token},
                id=body["data"]["createService"]["nodeId"],
            )
            assert read.json()["data"]["node"] == {"name": f"副本测试食堂{n}"}
            served[read.headers["x-served-by"]] += 1
        assert set(served) <= {"replica1", "primary"}

        # Once the replica has replayed past the token, a token read is the replica's.
        _wait_for(
            lambda: (
                parse_lsn(httpx.get(f"{base}/healthz").json()["servers"][1]["lsn"] or "0/0")
                >= parse_lsn(token)
            )
        )
        time.sleep(1)  # the worker's own check (every 0.5 s) has seen it too
        read = _post(
            base,
            BY_NODE,
            {**editor, "X-Consistency-Token": token},
            id=body["data"]["createService"]["nodeId"],
        )
        assert read.headers["x-served-by"] == "replica1"
        assert read.json()["data"]["node"] == {"name": "副本测试食堂14"}

        # A token beyond anything written: no replica qualifies; the primary answers.
        far = format_lsn(parse_lsn(token) + 10**12)
        read = _post(base, READ, {"X-Consistency-Token": far})
        assert read.headers["x-served-by"] == "primary"
        # Tiles and OGC API read from the replica too.
        ogc = httpx.get(f"{base}/ogc/collections/services/items?limit=1")
        assert ogc.status_code == 200 and ogc.headers["x-served-by"] == "replica1"


def _pg_ctl(replica: LocalReplica, *argv: str) -> None:
    replica._run([str(find_bindir() / "pg_ctl"), "-D", str(replica.pgdata), "-w", *argv])


def test_a_replica_stopped_under_load_fails_no_request(
    replica: LocalReplica, scratch_database_url: str
) -> None:
    env = {
        "DATABASE_REPLICA_URLS": _on_replica(replica, scratch_database_url),
        "REGISTRY_PUBLIC_RATE": "0",
    }
    with serving(scratch_database_url, "--workers", "1", env=env) as base:
        _wait_for(lambda: httpx.get(f"{base}/healthz").json()["status"] == "ok")
        results: list[tuple[float, int, str, bool]] = []
        stop = threading.Event()

        def load() -> None:
            with httpx.Client(timeout=30) as http:
                while not stop.is_set():
                    response = http.post(f"{base}/graphql", json={"query": READ})
                    ok = response.status_code == 200 and "errors" not in response.json()
                    served = response.headers.get("x-served-by", "")
                    results.append((time.monotonic(), response.status_code, served, ok))

        workers = [threading.Thread(target=load) for _ in range(6)]
        for worker in workers:
            worker.start()
        try:
            time.sleep(1.5)
            stopped_at = time.monotonic()
            _pg_ctl(replica, "-m", "immediate", "stop")
            time.sleep(2.5)
            health = httpx.get(f"{base}/healthz")
            assert health.status_code == 200
            assert health.json()["status"] == "degraded"
            assert health.json()["problems"] == ["replica1 is not answering"]
            restarted_at = time.monotonic()
            replica.start()
            _wait_for(lambda: httpx.get(f"{base}/healthz").json()["status"] == "ok")
            time.sleep(1.5)
        finally:
            stop.set()
            for worker in workers:
                worker.join()

    failed = [r for r in results if not r[3]]
    assert not failed, f"{len(failed)} of {len(results)} requests failed: {failed[:3]}"
    before = Counter(r[2] for r in results if r[0] < stopped_at)
    during = Counter(r[2] for r in results if stopped_at + 1 < r[0] < restarted_at)
    after = Counter(r[2] for r in results if r[0] > results[-1][0] - 1)
    assert set(before) == {"replica1"}
    assert set(during) == {"primary"}
    assert "replica1" in after


def test_servers_in_the_wrong_role_are_refused_at_start_up(
    replica: LocalReplica, test_database_url: str
) -> None:
    python = str(PROJECT_ROOT / ".venv" / "bin" / "python")
    primary_url = make_url(test_database_url).set(username=APP_ROLE).render_as_string(False)
    replica_url = _on_replica(replica, test_database_url)
    for env, expected in (
        ({"DATABASE_URL": primary_url, "DATABASE_REPLICA_URLS": primary_url}, "not a replica"),
        ({"DATABASE_URL": replica_url}, "is a replica in recovery"),
    ):
        run = subprocess.run(
            [python, "app.py", "serve", "--port", str(free_port()), "--workers", "1"],
            cwd=PROJECT_ROOT,
            env={**os.environ, **env},
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert run.returncode == 2
        errors = [line for line in run.stderr.splitlines() if line.startswith("error:")]
        assert len(errors) == 1 and expected in errors[0], run.stderr


def test_a_malformed_consistency_token_is_refused_naming_the_header(
    client: TestClient,
) -> None:
    response = client.post(
        "/graphql", json={"query": READ}, headers={"X-Consistency-Token": "yesterday"}
    )
    assert response.status_code == 400
    assert response.json()["code"] == "BAD_USER_INPUT"
    assert response.json()["field"] == "X-Consistency-Token"
