"""Failover of a Patroni group under a mixed load of reads and writes through the API.

A Patroni group of its own (``.data/ha-bench``: etcd, a primary and a synchronous
replica), the Weihai demo data, ``app.py serve`` on it; readers and editors send requests
without pause; after a few seconds the primary's node is killed (``kill -9`` of its Patroni
and its PostgreSQL).  Printed: seconds from the kill to the first acknowledged write,
requests that failed meanwhile, and acknowledged writes missing from the new primary.

    .venv/bin/python -m bench.failover
"""

from __future__ import annotations

import dataclasses
import threading
import time
from dataclasses import dataclass, field
from typing import Any

import httpx2 as httpx
from sqlalchemy import create_engine, text

READ = "{ areas(first: 3) { edges { node { code name } } } }"
CREATE = """mutation ($input: ServiceInput!) { createService(input: $input) { id name } }"""
READERS = 4
WRITERS = 2


@dataclass
class Outcome:
    at: float
    kind: str  # "read" or "write"
    ok: bool
    name: str | None = None


@dataclass
class FailoverResult:
    killed: str
    new_leader: str | None
    seconds_to_first_write: float | None
    acknowledged: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    failed_reads: int = 0
    failed_writes: int = 0
    reads: int = 0
    writes: int = 0


def _village_points(url: str, count: int) -> list[tuple[float, float]]:
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            rows = conn.execute(
                text(
                    "SELECT ST_X(rep_point), ST_Y(rep_point) FROM admin_area"
                    " WHERE level = 'village' ORDER BY code LIMIT :n"
                ),
                {"n": count},
            ).all()
    finally:
        engine.dispose()
    return [(float(x), float(y)) for x, y in rows]


def editor_token(admin_url: str) -> str:
    """A token of an editor made in the group's database, for the writers."""
    from db.queries.users import create_token, create_user

    engine = create_engine(admin_url)
    try:
        with engine.begin() as conn:
            return create_token(conn, create_user(conn, "failover-editor", "editor"))
    finally:
        engine.dispose()


def run_failover(
    group: Any, base: str, editor_token: str, admin_url: str, *, load_seconds: float = 3.0
) -> FailoverResult:
    """The load, the kill, the wait for the first write, then the count on the new primary."""
    points = _village_points(admin_url, 200)
    outcomes: list[Outcome] = []
    stop = threading.Event()
    serial = iter(range(10**9))
    lock = threading.Lock()

    def reader() -> None:
        with httpx.Client(timeout=30) as http:
            while not stop.is_set():
                try:
                    response = http.post(f"{base}/graphql", json={"query": READ})
                    ok = response.status_code == 200 and "errors" not in response.json()
                except httpx.TransportError:
                    ok = False
                outcomes.append(Outcome(time.monotonic(), "read", ok))

    def writer() -> None:
        headers = {"Authorization": f"Bearer {editor_token}"}
        with httpx.Client(timeout=30, headers=headers) as http:
            while not stop.is_set():
                with lock:
                    n = next(serial)
                lon, lat = points[n % len(points)]
                name = f"故障切换测试食堂{n}"
                variables = {
                    "input": {
                        "kind": "ELDER_DINING_TABLE",
                        "name": name,
                        "geometry": {"type": "Point", "coordinates": [lon, lat]},
                        "mealCapacity": 30,
                    }
                }
                try:
                    response = http.post(
                        f"{base}/graphql", json={"query": CREATE, "variables": variables}
                    )
                    body = response.json()
                    ok = response.status_code == 200 and not body.get("errors")
                except (httpx.TransportError, ValueError):
                    ok = False
                outcomes.append(Outcome(time.monotonic(), "write", ok, name if ok else None))
                if not ok:
                    time.sleep(0.1)

    threads = [threading.Thread(target=reader) for _ in range(READERS)]
    threads += [threading.Thread(target=writer) for _ in range(WRITERS)]
    for thread in threads:
        thread.start()
    first_write: float | None = None
    killed = group.leader()
    try:
        time.sleep(load_seconds)
        killed_at = time.monotonic()
        group.kill(killed)
        deadline = killed_at + 90
        while time.monotonic() < deadline:
            after = [o for o in outcomes if o.kind == "write" and o.ok and o.at > killed_at]
            if after:
                first_write = min(o.at for o in after) - killed_at
                break
            time.sleep(0.2)
        time.sleep(load_seconds)
    finally:
        stop.set()
        for thread in threads:
            thread.join()
    acknowledged = [o.name for o in outcomes if o.name is not None]
    engine = create_engine(admin_url)
    try:
        with engine.connect() as conn:
            found = set(
                conn.execute(
                    text("SELECT name FROM service WHERE name = ANY(:names)"),
                    {"names": acknowledged},
                ).scalars()
            )
    finally:
        engine.dispose()
    return FailoverResult(
        killed=killed or "?",
        new_leader=group.leader(),
        seconds_to_first_write=first_write,
        acknowledged=acknowledged,
        missing=[n for n in acknowledged if n not in found],
        failed_reads=sum(1 for o in outcomes if o.kind == "read" and not o.ok),
        failed_writes=sum(1 for o in outcomes if o.kind == "write" and not o.ok),
        reads=sum(1 for o in outcomes if o.kind == "read"),
        writes=sum(1 for o in outcomes if o.kind == "write"),
    )


def main() -> None:
    from app import prepare_ha_database
    from bench.nearest import free_port, registry_argv, serving
    from db.ha import PatroniGroup
    from db.settings import get_settings

    settings = dataclasses.replace(get_settings(), synchronous=True)
    group = PatroniGroup(settings, settings.data_dir / "ha-bench")
    group.remove()
    try:
        group.start()
        ha = prepare_ha_database(settings, group)
        admin_url = group.url(settings.local_database_name)
        token = editor_token(admin_url)
        assert ha.database_url is not None
        env = {"DATABASE_URL": ha.database_url, "DATABASE_REPLICA_URLS": ha.replica_urls_given[0]}
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        with serving(registry_argv(port, 1), f"{base}/graphql", env):
            result = run_failover(group, base, token, admin_url)
    finally:
        group.remove()
    print(f"killed {result.killed}; new leader {result.new_leader}")
    print(f"first acknowledged write {result.seconds_to_first_write:.1f} s after the kill")
    print(
        f"reads {result.reads} ({result.failed_reads} failed), writes {result.writes}"
        f" ({result.failed_writes} failed, {len(result.acknowledged)} acknowledged,"
        f" {len(result.missing)} lost)"
    )


if __name__ == "__main__":
    main()
