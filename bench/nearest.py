"""nearestServices under load, against the same SQL three other ways, in one run.

    .venv/bin/python -m bench.nearest [--seconds 10] [--workers N] [--baseline DIR]

Targets, taking turns round after round (autocannon shares the 2 cores with them):
  graphql       the registry (`app.py serve`, script/server's default workers)
  bare          a bare Starlette endpoint running the same SQL with the same pool
  postgraphile  PostGraphile 4 with @graphile/postgis, over a SQL function doing the same query
  psycopg2      the same SQL in a loop on one connection (no HTTP)
  baseline      with --baseline DIR: the registry of another checkout (an earlier commit,
                `git worktree add DIR REV`) on the same database, taking turns with the rest
Prints req/s, p50 and p99 at concurrency 8 and 32, the ratios the targets are set in, and
for the Python servers the CPU time their processes spent per request: on a machine whose
speed drifts, the steadiest figure of what a request costs.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import shutil
import socket
import statistics
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path

import httpx2 as httpx
from sqlalchemy import create_engine, text

from app import default_workers
from db.engine import Database, make_read_engine
from db.queries.services import NEAREST_FROM_ORIGINS, nearest_services
from db.settings import PROJECT_ROOT, Settings, get_settings
from db.tables import SERVICE_KINDS as ALL_KINDS
from gis.spatial import Point

BENCH = PROJECT_ROOT / "bench"
PYTHON = sys.executable
CONCURRENCY = (8, 32)


def ensure_node_modules() -> None:
    if not (BENCH / "node_modules" / "autocannon").is_dir():
        npm = shutil.which("npm")
        if npm is None:
            sys.exit("npm is needed for the load generator and PostGraphile (apt-get install npm)")
        subprocess.run([npm, "ci", "--no-audit", "--no-fund", "--silent"], cwd=BENCH, check=True)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def postgraphile_function_sql() -> str:
    """The registry's nearest-services SQL as a function PostGraphile exposes as a query."""
    body = NEAREST_FROM_ORIGINS.format(
        origins="SELECT '' AS key, ST_SetSRID(ST_MakePoint(lon, lat), 4326) AS g"
    )
    kinds = "ARRAY[" + ", ".join(f"'{k}'" for k in ALL_KINDS) + "]"
    body = re.sub(
        r":(kinds|k|max_m)\b", lambda m: {"kinds": kinds, "k": "k", "max_m": "1e9"}[m[1]], body
    )
    return f"""
        CREATE SCHEMA IF NOT EXISTS bench;
        DROP FUNCTION IF EXISTS bench.nearest_services(float8, float8, int);
        CREATE FUNCTION bench.nearest_services(lon float8, lat float8, k int)
        RETURNS TABLE (id bigint, kind text, name text, geometry json, distance_m float8)
        LANGUAGE sql STABLE AS $$
            SELECT n.id, n.kind, n.name, n.geometry, n.distance_m FROM ({body}) n
        $$;
    """


def bare_argv(port: int, workers: int) -> list[str]:
    """The command that serves the bare endpoints (bench/bare.py)."""
    return [PYTHON, "-m", "bench.bare", "--port", str(port), "--workers", str(workers)]


def registry_argv(port: int, workers: int) -> list[str]:
    """The command that serves the registry of this checkout."""
    return [PYTHON, "app.py", "serve", "--port", str(port), "--workers", str(workers)]


def prepare_postgraphile(settings: Settings, *extra_sql: str) -> str:
    """Creates the `bench` schema's functions (and runs ``extra_sql``) in the registry's
    database; returns the connection string PostGraphile takes for it."""
    engine = create_engine(settings.url_for())
    with engine.begin() as conn:
        conn.execute(text(postgraphile_function_sql()))
        for sql in extra_sql:
            conn.execute(text(sql))
        pg_url = conn.engine.url
    engine.dispose()
    # PostGraphile's connections run as the registry's do: without JIT, which costs tens
    # of milliseconds on short statements whose estimates cross its threshold.
    if settings.database_url:
        url = pg_url.set(drivername="postgres", query={"options": "-c jit=off"})
        return url.render_as_string(hide_password=False)
    cluster = json.loads(settings.cluster_state_file.read_text())
    return (
        f"postgres://{cluster['user']}@127.0.0.1:{cluster['port']}/{settings.database_name}"
        "?options=-c%20jit%3Doff"
    )


# Every bench's load comes from 127.0.0.1, where in use each client has its own address:
# the rate limiter runs, at a rate no single address of this machine reaches.
UNREACHED_RATES = {"REGISTRY_PUBLIC_RATE": "1000000", "REGISTRY_TOKEN_RATE": "1000000"}


@contextmanager
def serving(
    argv: list[str], health: str, env: dict[str, str] | None = None, cwd: Path = PROJECT_ROOT
) -> Iterator[int]:
    process = subprocess.Popen(
        argv,
        cwd=cwd,
        env={**os.environ, **UNREACHED_RATES, **(env or {})},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                httpx.post(
                    health, json={"query": "{ __typename }", "lon": 122, "lat": 37}, timeout=2
                )
                break
            except httpx.TransportError:
                time.sleep(0.2)
        else:
            raise RuntimeError(f"{argv[0]} did not come up")
        yield process.pid
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()


def process_tree_cpu(pid: int) -> float:
    """CPU seconds (user and system) of a process and its children, from /proc."""
    tick = os.sysconf("SC_CLK_TCK")
    total = 0.0
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            fields = Path(f"/proc/{entry}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(entry) == pid or int(fields[1]) == pid:
            total += (int(fields[11]) + int(fields[12])) / tick
    return total


def load(
    target: str,
    url: str,
    connections: int,
    seconds: int,
    *,
    pid: int | None = None,
    body: str | None = None,
) -> dict[str, float]:
    """autocannon's figures; with ``pid``, also the server's CPU ms per request; with
    ``body`` (target "fixed"), every request sends that JSON text."""
    extra = [body] if body is not None else []
    cpu_before = process_tree_cpu(pid) if pid else 0.0
    warm = subprocess.run(  # warm-up: connections opened, caches filled
        ["node", "load.js", target, url, str(connections), "2", *extra],
        cwd=BENCH,
        check=True,
        capture_output=True,
        text=True,
    )
    result = subprocess.run(
        ["node", "load.js", target, url, str(connections), str(seconds), *extra],
        cwd=BENCH,
        check=True,
        capture_output=True,
        text=True,
    )
    figures: dict[str, float] = json.loads(result.stdout.strip().splitlines()[-1])
    if figures["non_2xx"] or figures["errors"]:
        raise RuntimeError(f"{target} answered with errors: {figures}")
    if pid:
        requests = figures["total"] + json.loads(warm.stdout.strip().splitlines()[-1])["total"]
        if not requests:
            raise RuntimeError(f"{target}: no request finished in {seconds + 2} s")
        figures["cpu_ms"] = (process_tree_cpu(pid) - cpu_before) / requests * 1000
    return figures


def psycopg2_loop(seconds: int) -> dict[str, float]:
    database = Database(make_read_engine(get_settings(), pool_size=1))
    rng = random.Random(3710)
    latencies: list[float] = []
    with database.connect() as conn:
        deadline = time.perf_counter() + seconds
        while time.perf_counter() < deadline:
            point = Point(121.25 + rng.random() * 1.4, 36.75 + rng.random() * 0.8)
            start = time.perf_counter()
            nearest_services(conn, point, ALL_KINDS, 5, None)
            latencies.append(time.perf_counter() - start)
    database.dispose()
    latencies.sort()
    return {
        "requests_per_s": len(latencies) / sum(latencies),
        "p50_ms": statistics.median(latencies) * 1000,
        "p99_ms": latencies[int(len(latencies) * 0.99)] * 1000,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=6, help="per round and target")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--workers", type=int, default=default_workers())
    parser.add_argument(
        "--baseline", type=Path, help="a checkout of an earlier commit, served beside this one"
    )
    parser.add_argument(
        "--quick", action="store_true", help="one round of 1 s per target, one worker each"
    )
    args = parser.parse_args()
    if args.quick:
        args.seconds, args.rounds, args.workers = 1, 1, 1
    ensure_node_modules()
    settings = get_settings()
    pg_conn = prepare_postgraphile(settings)

    ports = {name: free_port() for name in ("graphql", "bare", "postgraphile", "baseline")}
    urls = {
        "graphql": f"http://127.0.0.1:{ports['graphql']}/graphql",
        "bare": f"http://127.0.0.1:{ports['bare']}/nearest",
        "postgraphile": f"http://127.0.0.1:{ports['postgraphile']}/graphql",
    }
    load_kind = {
        "graphql": "graphql",
        "bare": "rest",
        "postgraphile": "postgraphile",
        "baseline": "graphql",
    }
    if args.baseline:
        urls["baseline"] = f"http://127.0.0.1:{ports['baseline']}/graphql"
    runs: dict[str, dict[int, list[dict[str, float]]]] = {
        name: {c: [] for c in CONCURRENCY} for name in urls
    }
    # All three servers stay up (an idle one costs nothing) and take turns, round after
    # round, so that a slow minute on a shared machine hits every target alike; each
    # figure is the median over the rounds.
    pids: dict[str, int] = {}
    with (
        ExitStack() as baseline,
        serving(
            registry_argv(ports["graphql"], args.workers),
            urls["graphql"],
        ) as pids["graphql"],
        serving(
            bare_argv(ports["bare"], args.workers),
            urls["bare"],
        ) as pids["bare"],
        serving(
            [
                str(BENCH / "node_modules" / ".bin" / "postgraphile"),
                "-c",
                pg_conn,
                "--schema",
                "bench",
                "--append-plugins",
                "@graphile/postgis",
                "--port",
                str(ports["postgraphile"]),
                "--host",
                "127.0.0.1",
                "--disable-query-log",
            ],
            urls["postgraphile"],
        ),
    ):
        if args.baseline:
            pids["baseline"] = baseline.enter_context(
                serving(
                    registry_argv(ports["baseline"], args.workers),
                    urls["baseline"],
                    # The earlier checkout uses this one's database cluster and settings.
                    env={"REGISTRY_DATA_DIR": str(settings.data_dir)},
                    cwd=args.baseline.resolve(),
                )
            )
        for c in CONCURRENCY:
            for _ in range(args.rounds):
                for name, url in urls.items():
                    figures = load(load_kind[name], url, c, args.seconds, pid=pids.get(name))
                    runs[name][c].append(figures)
    results = {
        name: {
            c: {
                key: statistics.median(r.get(key, 0.0) for r in by_c[c])
                for key in ("requests_per_s", "p50_ms", "p99_ms", "cpu_ms")
            }
            for c in CONCURRENCY
        }
        for name, by_c in runs.items()
    }
    loop = psycopg2_loop(args.seconds)

    print(
        f"\nnearestServices, 5 nearest of all kinds, random points; medians of {args.rounds}"
        f" rounds of {args.seconds} s per target; registry and bare endpoint with"
        f" {args.workers} worker(s)\n"
    )
    print(f"{'target':<14}{'conc.':>6}{'req/s':>10}{'p50 ms':>9}{'p99 ms':>9}{'CPU ms':>9}")
    for name, by_concurrency in results.items():
        for c, r in by_concurrency.items():
            cpu = f"{r['cpu_ms']:>9.2f}" if name in pids else f"{'':>9}"
            print(
                f"{name:<14}{c:>6}{r['requests_per_s']:>10.0f}{r['p50_ms']:>9.1f}"
                f"{r['p99_ms']:>9.1f}{cpu}"
            )
    print(
        f"{'psycopg2 loop':<14}{1:>6}{loop['requests_per_s']:>10.0f}{loop['p50_ms']:>9.2f}"
        f"{loop['p99_ms']:>9.2f}"
    )
    print()
    g, b, p = results["graphql"], results["bare"], results["postgraphile"]
    for c in CONCURRENCY:
        vs_peer = g[c]["requests_per_s"] / p[c]["requests_per_s"]
        vs_bare = g[c]["requests_per_s"] / b[c]["requests_per_s"]
        print(
            f"c={c}: graphql / postgraphile = {vs_peer:.2f} (target >= 0.5);"
            f"  graphql / bare = {vs_bare:.2f} (target >= 0.6);"
            f"  p99 {g[c]['p99_ms']:.0f} ms (target < {25 if c == 8 else 60})"
        )
    print(
        f"graphql c=32 / c=8 = {g[32]['requests_per_s'] / g[8]['requests_per_s']:.2f}"
        " (no collapse: target >= 0.9)"
    )
    print(
        f"graphql / psycopg2 loop (c=32) = {g[32]['requests_per_s'] / loop['requests_per_s']:.2f}"
    )
    if "baseline" in results:
        for c in CONCURRENCY:
            now, before = g[c], results["baseline"][c]
            print(
                f"c={c}: graphql / baseline = "
                f"{now['requests_per_s'] / before['requests_per_s']:.2f} req/s,"
                f" {now['cpu_ms'] / before['cpu_ms']:.2f} CPU per request,"
                f" p99 {now['p99_ms']:.0f} ms against {before['p99_ms']:.0f} ms"
            )
    out = settings.data_dir / "bench"
    out.mkdir(parents=True, exist_ok=True)
    (out / "nearest.json").write_text(
        json.dumps({"runs": runs, "medians": results, "psycopg2": loop}, indent=1)
    )


if __name__ == "__main__":
    main()
