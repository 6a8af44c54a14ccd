"""Reads per second at 32 connections with 0, 1 and 2 streaming replicas, on this machine.

The local cluster and two local replicas (started if they are not), the registry served
with two workers (``DATABASE_URL`` the primary, ``DATABASE_REPLICA_URLS`` none, one, or
two replicas), autocannon sending ``nearestServices`` at random points of Weihai.  Besides
requests per second and latency: the database time per request (the servers' own
``pg_stat_database.active_time``, summed over all of them) and the share of it the
replicas served — the figures the extrapolation in bench/README.md is made from.

    .venv/bin/python -m bench.replicas [--seconds 15]
"""

from __future__ import annotations

import argparse

from sqlalchemy import create_engine, text

from bench.nearest import free_port, load, registry_argv, serving
from db.cluster import start_replicas
from db.settings import Settings, get_settings

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
    args = parser.parse_args()
    settings = get_settings()
    if settings.database_url:
        raise SystemExit("bench.replicas starts replicas of the local cluster: unset DATABASE_URL")
    start_replicas(settings, 2)
    replicas = [url for _, url in Settings().replica_urls()]
    superuser = [settings.url_for()] + [
        url.replace("registry_app@", "postgres@") for url in replicas
    ]
    print(
        f"{'replicas':>8}{'reads/s':>10}{'p50 ms':>8}{'p99 ms':>8}{'db ms/req':>11}"
        f"{'on replicas':>13}{'vs 0':>7}"
    )
    baseline = None
    for count in (0, 1, 2):
        env = {
            "DATABASE_URL": settings.app_url_for(),
            "DATABASE_REPLICA_URLS": ",".join(replicas[:count]),
        }
        port = free_port()
        url = f"http://127.0.0.1:{port}/graphql"
        with serving(registry_argv(port, args.workers), url, env) as pid:
            before = active_ms(superuser)
            figures = load("graphql", url, 32, args.seconds, pid=pid)
            after = active_ms(superuser)
        spent = [b - a for a, b in zip(before, after, strict=True)]
        requests = figures["total"]
        per_request = sum(spent) / requests if requests else 0.0
        on_replicas = sum(spent[1:]) / sum(spent) if sum(spent) else 0.0
        baseline = baseline or figures["requests_per_s"]
        print(
            f"{count:>8}{figures['requests_per_s']:>10.0f}{figures['p50_ms']:>8.1f}"
            f"{figures['p99_ms']:>8.1f}{per_request:>11.2f}{on_replicas:>12.0%}"
            f"{figures['requests_per_s'] / baseline:>7.2f}"
        )


if __name__ == "__main__":
    main()
