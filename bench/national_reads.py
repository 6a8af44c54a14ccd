"""p50/p99 of the everyday reads on the national data set, over HTTP and as SQL alone.

Vector tiles at z8, z12 and z14 (the villages, place-names and services layers, at the
zooms each is drawn), ``nearestServices``,
``searchPlaceNames``, and coverage (1 km, dining tables) of a prefecture through the API
and as SQL; of a province and of the whole country as the resolver's SQL (the API takes an
area of the division list, whose top is the prefecture).  Points and names are random
villages.

    .venv/bin/python app.py demo load --national      # once: database registry_national
    .venv/bin/python -m bench.national_reads [--requests 200]
    .venv/bin/python -m bench.national_reads --quick   # one prefecture, loaded for the run
"""

from __future__ import annotations

import argparse
import math
import secrets
import statistics
import time
from collections.abc import Callable

import httpx2 as httpx
from sqlalchemy import Connection, text

from bench.nearest import free_port, registry_argv, serving
from data.national import NATIONAL_DB, build_national
from db.engine import make_engine
from db.provision import drop_database
from db.queries.coverage import coverage_by_radius
from db.queries.layers import LAYERS, tile_statement
from db.queries.search import search_statement
from db.queries.services import nearest_to_point
from db.queries.users import create_token, create_user
from db.settings import Settings, get_settings
from gis.spatial import Point

PREFECTURE = "3710"
PROVINCE = "37"
NEAREST = """query ($lon: Float!, $lat: Float!) {
  nearestServices(near: {lon: $lon, lat: $lat}, first: 5) {
    distanceMeters service { id name } } }"""
SEARCH = "query ($q: String!) { searchPlaceNames(query: $q, first: 10) { id standardName } }"
COVERAGE = """query ($code: String!) {
  coverage(areaCode: $code, kinds: [ELDER_DINING_TABLE], radiusMeters: 1000) {
    villages coveredVillages share } }"""


def tile_of(lon: float, lat: float, z: int) -> tuple[int, int]:
    n = 2**z
    x = int((lon + 180) / 360 * n)
    y = int((1 - math.asinh(math.tan(math.radians(lat))) / math.pi) / 2 * n)
    return x, y


def percentiles(seconds: list[float]) -> tuple[float, float]:
    ordered = sorted(seconds)
    p99 = ordered[min(len(ordered) - 1, math.ceil(0.99 * len(ordered)) - 1)]
    return statistics.median(ordered) * 1000, p99 * 1000


def timed(call: Callable[..., object], *args: object, **kwargs: object) -> float:
    start = time.perf_counter()
    call(*args, **kwargs)
    return time.perf_counter() - start


def _sql(conn: Connection, statement: object) -> None:
    conn.execute(statement.sql, dict(statement.params)).all()  # type: ignore[attr-defined]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--database", default=NATIONAL_DB)
    parser.add_argument("--prefecture", default=PREFECTURE)
    parser.add_argument("--province", default=PROVINCE)
    parser.add_argument(
        "--quick", action="store_true", help="prefecture 4312 alone, loaded for the run"
    )
    args = parser.parse_args()
    settings = get_settings()
    if args.quick:
        args.database = f"{settings.database_name}_national_quick"
        args.prefecture, args.province, args.requests = "4312", "43", 10
        build_national(settings, args.database, prefix=args.prefecture)
        try:
            measure(settings, args)
        finally:
            drop_database(settings, args.database)
    else:
        measure(settings, args)
    print("targets: none in figures; the issue asks for p50/p99 on the national data")


def measure(settings: Settings, args: argparse.Namespace) -> None:
    engine = make_engine(settings, settings.url_for(args.database), pool_size=1)
    with engine.begin() as conn:
        villages = conn.execute(
            text(
                "SELECT ST_X(a.rep_point) AS lon, ST_Y(a.rep_point) AS lat, p.standard_name"
                " FROM admin_area a JOIN place_name p ON p.area_code = a.code"
                " WHERE a.level = 'village' ORDER BY random() LIMIT :n"
            ),
            {"n": args.requests},
        ).all()
        user = create_user(conn, f"bench-{secrets.token_hex(4)}", "planner")
        token = create_token(conn, user)
        counts = conn.execute(
            text(
                "SELECT (SELECT count(*) FROM admin_area WHERE level = 'village'),"
                " pg_size_pretty(pg_database_size(current_database()))"
            )
        ).one()
    print(f"{args.database}: {counts[0]:,} villages, {counts[1]}")
    rows: list[tuple[str, list[float], list[float]]] = []
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    env = {"DATABASE_URL": settings.app_url_for(args.database), "DATABASE_REPLICA_URLS": ""}
    with (
        serving(registry_argv(port, 1), f"{base}/graphql", env),
        httpx.Client(timeout=120, headers={"Authorization": f"Bearer {token}"}) as http,
        engine.connect() as conn,
    ):

        def graphql(query: str, **variables: object) -> None:
            body = http.post(f"{base}/graphql", json={"query": query, "variables": variables})
            assert "errors" not in body.json(), body.text[:300]

        for layer in ("villages", "place-names", "services"):
            for z in (8, 12, 14):
                if z < LAYERS[layer].min_zoom:
                    continue  # not drawn at this zoom: 204 without a statement
                api, sql = [], []
                for lon, lat, _ in villages:
                    x, y = tile_of(lon, lat, z)
                    api.append(timed(http.get, f"{base}/tiles/{layer}/{z}/{x}/{y}.mvt"))
                    statement = tile_statement(LAYERS[layer], z, x, y, values=None)
                    sql.append(timed(_sql, conn, statement))
                rows.append((f"tile {layer} z{z}", api, sql))
        api, sql = [], []
        for lon, lat, _ in villages:
            api.append(timed(graphql, NEAREST, lon=lon, lat=lat))
            statement = nearest_to_point(Point(lon, lat), list(_kinds()), 5, None)
            sql.append(timed(_sql, conn, statement))
        rows.append(("nearestServices (5)", api, sql))
        api, sql = [], []
        for _, _, name in villages:
            api.append(timed(graphql, SEARCH, q=name))
            found = search_statement(name, None, ["place_name"], 10)
            assert found is not None
            sql.append(timed(_sql, conn, found))
        rows.append(("searchPlaceNames", api, sql))
        runs = 5
        areas = ((args.prefecture, "prefecture"), (args.province, "province"), ("", "country"))
        for code, label in areas:
            # The API takes the division list's areas (a prefecture and below); a province
            # and the country are measured as the resolver's SQL.
            api = []
            if code == args.prefecture:
                api = [timed(graphql, COVERAGE, code=code) for _ in range(runs)]
            sql = [
                timed(coverage_by_radius, conn, code, ["elder_dining_table"], 1000.0)
                for _ in range(runs)
            ]
            rows.append((f"coverage, {label} {code}".strip(), api, sql))
    engine.dispose()
    print(f"\n{'read':<30}{'n':>5}{'API p50':>10}{'API p99':>10}{'SQL p50':>10}{'SQL p99':>10}")
    for label, api, sql in rows:
        a50, a99 = percentiles(api) if api else (math.nan, math.nan)
        s50, s99 = percentiles(sql)
        print(f"{label:<30}{len(api or sql):>5}{a50:>10.1f}{a99:>10.1f}{s50:>10.1f}{s99:>10.1f}")


def _kinds() -> tuple[str, ...]:
    from db.tables import SERVICE_KINDS

    return tuple(SERVICE_KINDS)


if __name__ == "__main__":
    main()
