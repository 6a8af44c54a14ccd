"""Coverage at city and national scale, and how its time grows with the number of villages.

    .venv/bin/python -m bench.coverage [--runs 5] [--skip-national]

1. The demo city over HTTP (`app.py serve`, one worker): `coverage` of the whole city for
   elder dining tables within 1 km, straight and by road, beside the same SQL run alone;
   then `nearestServices(first: 5)` at random points, straight and by road (BOTH), beside
   the statements alone.
2. The national data set (data/national.py, built on first use): the coverage the resolver
   computes (the SQL, the report, its byArea and gaps), for areas of growing size up to all
   620,573 villages, each in a fresh process whose peak memory is read from the kernel.
"""

from __future__ import annotations

import argparse
import json
import random
import secrets
import statistics
import subprocess
import sys
import time

import httpx2 as httpx
from sqlalchemy import create_engine, text

from bench.nearest import free_port, registry_argv, serving
from data.national import NATIONAL_DB, build_national
from db.engine import Database, make_engine, make_read_engine
from db.queries.coverage import coverage_by_radius, coverage_by_road
from db.queries.services import nearest_by_road, nearest_to_point
from db.queries.users import create_token, create_user
from db.settings import get_settings
from db.tables import SERVICE_KINDS
from gis.spatial import Point

CITY_QUERY = """query C($radius: Float, $road: Float) {
  coverage(areaCode: "3710", kinds: [ELDER_DINING_TABLE], radiusMeters: $radius,
           roadDistanceMeters: $road) {
    villages coveredVillages elderly coveredElderly share
    byArea { areaCode share } gaps(first: 20) { totalCount edges { node { code name elderly } } }
  }
}"""

# Areas of the national data set by size: a prefecture the size of Weihai, a province ten
# times as large, the largest province, and everything.
GROWTH = [
    ("4312", "prefecture 4312"),
    ("42", "province 42"),
    ("37", "province 37"),
    ("", "all of China"),
]
# A quick run builds a set of one prefecture and measures it.
QUICK_PREFIX = "4312"
QUICK_GROWTH = [("4312", "prefecture 4312")]

_MEASURE_ONE = """
import json, resource, sys, time
from db.engine import Database, make_engine, make_read_engine
from db.queries.coverage import coverage_by_radius
from db.settings import get_settings
from resolvers.coverage import by_child_area, figures_of, gap_rows
settings = get_settings()
database = Database(make_read_engine(settings, settings.url_for(sys.argv[1]),
                    connect_args={"options": "-c statement_timeout=0"}))
start = time.perf_counter()
with database.connect() as conn:
    rows = coverage_by_radius(conn, sys.argv[2], ["elder_dining_table"], 1000.0)
report = figures_of(sys.argv[2], rows)
children = [figures_of(code, villages) for code, villages in by_child_area(sys.argv[2], rows)]
gaps = gap_rows(rows)[:20]
seconds = time.perf_counter() - start
print(json.dumps({"villages": report.villages, "share": report.share, "seconds": seconds,
                  "max_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""


def median_ms(values: list[float]) -> float:
    return statistics.median(values) * 1000


def planner_token() -> str:
    """A token of a planner made for this run (the analytics are for planners)."""
    engine = make_engine(get_settings(), pool_size=1)
    with engine.begin() as conn:
        user = create_user(conn, f"bench-planner-{secrets.token_hex(4)}", "planner")
        token = create_token(conn, user, "bench.coverage")
    engine.dispose()
    return token


def city(runs: int) -> None:
    settings = get_settings()
    token = planner_token()
    database = Database(make_read_engine(settings))
    sql: dict[str, list[float]] = {"radius": [], "road": []}
    with database.connect() as conn:
        for _ in range(runs):
            for mode, query in (("radius", coverage_by_radius), ("road", coverage_by_road)):
                start = time.perf_counter()
                query(conn, "3710", ["elder_dining_table"], 1000.0)
                sql[mode].append(time.perf_counter() - start)
    database.dispose()
    port = free_port()
    api: dict[str, list[float]] = {"radius": [], "road": []}
    with (
        serving(
            registry_argv(port, 1),
            f"http://127.0.0.1:{port}/graphql",
        ),
        httpx.Client(
            base_url=f"http://127.0.0.1:{port}",
            timeout=60,
            headers={"Authorization": f"Bearer {token}"},
        ) as client,
    ):
        for _ in range(runs):
            for mode in ("radius", "road"):
                variables = {"radius": 1000.0} if mode == "radius" else {"road": 1000.0}
                start = time.perf_counter()
                response = client.post(
                    "/graphql", json={"query": CITY_QUERY, "variables": variables}
                )
                api[mode].append(time.perf_counter() - start)
                if "errors" in response.json():
                    raise RuntimeError(response.text[:300])
        clicks = _clicks_by_road(client, runs * 20)
    print(f"\nWhole-city coverage, elder dining tables within 1 km, median of {runs} runs\n")
    print(f"{'':<10}{'GraphQL ms':>12}{'SQL ms':>10}{'ratio':>8}{'target ms':>11}")
    for mode, target in (("radius", 200), ("road", 500)):
        g, s = median_ms(api[mode]), median_ms(sql[mode])
        print(f"{mode:<10}{g:>12.0f}{s:>10.0f}{g / s:>8.2f}{target:>11}")
    sql_clicks = _click_sql(len(clicks["BOTH"]))
    print(f"\nnearestServices(first: 5) at {len(clicks['BOTH'])} random points, median ms\n")
    print(f"{'by':<10}{'GraphQL ms':>12}{'SQL ms':>10}{'target ms':>11}")
    for by, goal in (("STRAIGHT", ""), ("BOTH", "50")):
        s_ms = median_ms(sql_clicks[by])
        print(f"{by:<10}{median_ms(clicks[by]):>12.1f}{s_ms:>10.1f}{goal:>11}")


CLICK_QUERY = """query N($near: PointInput!, $by: DistanceMeasure) {
  nearestServices(near: $near, first: 5, by: $by) {
    distanceMeters roadDistanceMeters service { id kind name geometry }
  }
}"""


def _click_points(count: int) -> list[tuple[float, float]]:
    rng = random.Random(37)
    return [(rng.uniform(121.7, 122.6), rng.uniform(36.8, 37.5)) for _ in range(count)]


def _clicks_by_road(client: httpx.Client, count: int) -> dict[str, list[float]]:
    """Each point asked straight and by road (both distances, ranked by road), in turn."""
    times: dict[str, list[float]] = {"STRAIGHT": [], "BOTH": []}
    for lon, lat in _click_points(count):
        for by in ("STRAIGHT", "BOTH"):
            variables = {"near": {"lon": lon, "lat": lat}, "by": by}
            start = time.perf_counter()
            response = client.post("/graphql", json={"query": CLICK_QUERY, "variables": variables})
            times[by].append(time.perf_counter() - start)
            if "errors" in response.json():
                raise RuntimeError(response.text[:300])
    return times


def _click_sql(count: int) -> dict[str, list[float]]:
    """The statements alone: the straight nearest, and one search by road at 2 km."""
    settings = get_settings()
    database = Database(make_read_engine(settings))
    times: dict[str, list[float]] = {"STRAIGHT": [], "BOTH": []}
    kinds = list(SERVICE_KINDS)
    with database.connect() as conn:
        for lon, lat in _click_points(count):
            for by, statement in (
                ("STRAIGHT", nearest_to_point(Point(lon, lat), kinds, 5, None)),
                ("BOTH", nearest_by_road(Point(lon, lat), kinds, 5, 2000.0)),
            ):
                start = time.perf_counter()
                statement.rows(conn)
                times[by].append(time.perf_counter() - start)
    database.dispose()
    return times


def national(quick: bool) -> None:
    settings = get_settings()
    name = f"{NATIONAL_DB}_quick" if quick else NATIONAL_DB
    growth = QUICK_GROWTH if quick else GROWTH
    engine = create_engine(settings.url_for("postgres"))
    with engine.connect() as conn:
        exists = conn.execute(
            text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name}
        ).scalar()
    engine.dispose()
    if quick or not exists:
        print(f"building {name} …", flush=True)
        build_national(settings, name, prefix=QUICK_PREFIX if quick else "")
    print("\nCoverage by radius (1 km, elder dining tables), national data set, one process each\n")
    print(f"{'area':<18}{'villages':>10}{'x Weihai':>10}{'seconds':>10}{'peak MB':>9}")
    for prefix, label in growth:
        result = subprocess.run(
            [sys.executable, "-c", _MEASURE_ONE, name, prefix],
            capture_output=True,
            text=True,
            check=True,
        )
        figures = json.loads(result.stdout.strip().splitlines()[-1])
        print(
            f"{label:<18}{figures['villages']:>10,}{figures['villages'] / 2768:>10.1f}"
            f"{figures['seconds']:>10.2f}{figures['max_rss_mb']:>9.0f}"
        )
    print("\ntargets: all of China < 5 s, peak memory < 1,024 MB")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--skip-national", action="store_true")
    parser.add_argument(
        "--quick", action="store_true", help="one run; the national part on one prefecture"
    )
    args = parser.parse_args()
    if args.quick:
        args.runs = 1
    city(args.runs)
    if not args.skip_national:
        national(args.quick)


if __name__ == "__main__":
    main()
