"""Reads per second at 32 connections with 0, 1 and 2 streaming replicas, on this machine.

The local cluster and two local replicas (started if they are not), the registry served
with two workers (``DATABASE_URL`` the primary, ``DATABASE_REPLICA_URLS`` none, one, or
two replicas), autocannon sending ``nearestServices`` at random points of Weihai.  Besides
requests per second and latency: the database time per request (the servers' own
``pg_stat_database.active_time``, summed over all of them) and the share of it the
replicas served — the figures the extrapolation in bench/README.md is made from.

    .venv/bin/python -m bench.replicas [--seconds 15] [--quick]

The replicas are the bench's own (``.data/bench_replica1``, ``…2``), made and removed by it.
"""

from __future__ import annotations

import argparse
import shutil

from sqlalchemy import create_engine, make_url, text

from bench.nearest import ensure_node_modules, free_port, load, registry_argv, serving
from db.cluster import LocalReplica
from db.settings import APP_ROLE, Settings, get_settings

_ACTIVE_MS = text(
    "SELECT coalesce(active_time, 0) FROM pg_stat_database WHERE datname = current_database()"
)


def active_ms(urls: list[str]) -> list[float]:
    """Milliseconds each server has spent running statements in the database, so far."""
    found = []
    for url in urls:
        engine = create_engine(url, pool_size=1)
        with engine.connect() as conn:
            found.append(float(conn.execute(_ACTIVE_MS).scalar_one()))
        engine.dispose()
    return found


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=int, default=15)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--quick", action="store_true", help="2 s a round")
    args = parser.parse_args()
    settings = get_settings()
    if settings.database_url:
        raise SystemExit("bench.replicas starts replicas of the local cluster: unset DATABASE_URL")
    ensure_node_modules()
    made = [LocalReplica(settings, n, prefix="bench_replica") for n in (1, 2)]
    try:
        superuser = [settings.url_for()]
        for replica in made:
            superuser.append(replica.start().url(settings.database_name))
        measure(settings, superuser, 2 if args.quick else args.seconds, args.workers)
    finally:
        for replica in made:
            replica.stop()
            shutil.rmtree(replica.pgdata, ignore_errors=True)
    print("targets: none in figures; the issue asks for the cost of routing on one machine")


def measure(settings: Settings, superuser: list[str], seconds: int, workers: int) -> None:
    primary, *replicas = [
        make_url(url).set(username=APP_ROLE).render_as_string(hide_password=False)
        for url in superuser
    ]
    print(
        f"{'replicas':>8}{'reads/s':>10}{'p50 ms':>8}{'p99 ms':>8}{'app CPU ms':>11}"
        f"{'db ms/req':>11}{'on replicas':>13}{'vs 0':>7}"
    )
    baseline = None
    for count in (0, 1, 2):
        env = {
            "DATABASE_URL": primary,
            "DATABASE_REPLICA_URLS": ",".join(replicas[:count]),
        }
        port = free_port()
        url = f"http://127.0.0.1:{port}/graphql"
        with serving(registry_argv(port, workers), url, env) as pid:
            before = active_ms(superuser)
            figures = load("graphql", url, 32, seconds, pid=pid)
            after = active_ms(superuser)
        spent = [b - a for a, b in zip(before, after, strict=True)]
        requests = figures["total"]
        per_request = sum(spent) / requests if requests else 0.0
        on_replicas = sum(spent[1:]) / sum(spent) if sum(spent) else 0.0
        baseline = baseline or figures["requests_per_s"]
        print(
            f"{count:>8}{figures['requests_per_s']:>10.0f}{figures['p50_ms']:>8.1f}"
            f"{figures['p99_ms']:>8.1f}{figures['cpu_ms']:>11.2f}{per_request:>11.2f}"
            f"{on_replicas:>12.0%}"
            f"{figures['requests_per_s'] / baseline:>7.2f}"
        )


if __name__ == "__main__":
    main()
