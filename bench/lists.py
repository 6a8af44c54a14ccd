"""Lists and nested reads: the registry against PostGraphile on the same database, in one
interleaved run.

    .venv/bin/python -m bench.lists [--seconds 6] [--rounds 3] [--workers N] [--quick]

Each query of the published set is asked of the registry (`app.py serve`) and of
PostGraphile 4 with @graphile/postgis over the registry's own tables (`--schema
public,bench`; the `bench` schema holds SQL functions for what PostGraphile has no
filter for), taking turns round after round at 8 and 32 connections (autocannon, one
fixed request body per query). Before the load, each query is asked once of both and
the number of records compared, so that both answer the same question. Prints req/s,
p50 and p99 per query and concurrency, the ratio registry / PostGraphile, and the
geometric mean of the ratios.
"""

from __future__ import annotations

import argparse
import json
import math
import statistics
import sys
from contextlib import ExitStack
from dataclasses import dataclass
from typing import Any

import httpx2 as httpx

from app import default_workers
from bench.nearest import (
    BENCH,
    bare_argv,
    ensure_node_modules,
    free_port,
    load,
    prepare_postgraphile,
    registry_argv,
    serving,
)
from db.async_reads import psycopg2_sql
from db.engine import make_engine
from db.kinds import PLACE_NAME
from db.settings import Settings, get_settings
from domain.roles import PUBLIC
from resolvers.search import hits_statement

CONCURRENCY = (8, 32)
BBOX = (122.0, 37.4, 122.2, 37.55)


@dataclass(frozen=True)
class Pair:
    """One question, asked of both: the query texts and where the records are."""

    name: str
    registry: str
    postgraphile: str
    registry_path: tuple[str, ...]
    postgraphile_path: tuple[str, ...]


PAIRS = [
    Pair(
        "100 dining tables: id name",
        "{ services(kinds: [ELDER_DINING_TABLE], first: 100) { edges { node { id name } } } }",
        '{ allServices(first: 100, orderBy: ID_ASC, condition: {kind: "elder_dining_table"})'
        " { nodes { id name } } }",
        ("services", "edges"),
        ("allServices", "nodes"),
    ),
    Pair(
        "100 dining tables: id name geometry area{name}",
        "{ services(kinds: [ELDER_DINING_TABLE], first: 100) { edges { node {"
        " id name geometry area { name } } } } }",
        '{ allServices(first: 100, orderBy: ID_ASC, condition: {kind: "elder_dining_table"})'
        " { nodes { id name geom { geojson } adminAreaByAreaCode { name } } } }",
        ("services", "edges"),
        ("allServices", "nodes"),
    ),
    Pair(
        "500 dining tables: id name kind status version area{name code}",
        "{ services(kinds: [ELDER_DINING_TABLE], first: 500) { edges { node {"
        " id name kind status version area { name code } } } } }",
        '{ allServices(first: 500, orderBy: ID_ASC, condition: {kind: "elder_dining_table"})'
        " { nodes { id name kind status version adminAreaByAreaCode { name code } } } }",
        ("services", "edges"),
        ("allServices", "nodes"),
    ),
    Pair(
        "area with two levels of children and figures",
        '{ area(code: "371002") { children { code name households elderly'
        " children { code name } } } }",
        '{ adminAreaByCode(code: "371002") { adminAreasByParentCode { nodes {'
        " code name households elderly adminAreasByParentCode { nodes { code name } } } } } }",
        ("area", "children"),
        ("adminAreaByCode", "adminAreasByParentCode", "nodes"),
    ),
    Pair(
        "services in a bbox with geometry",
        f"{{ services(bbox: {list(BBOX)}, first: 500) "
        "{ edges { node { id name geometry } } } }",
        f"{{ servicesInBbox(west: {BBOX[0]}, south: {BBOX[1]}, east: {BBOX[2]}, north: {BBOX[3]})"
        " { nodes { id name geom { geojson } } } }",
        ("services", "edges"),
        ("servicesInBbox", "nodes"),
    ),
    Pair(
        "nearestServices(first: 5) at a point",
        "{ nearestServices(near: {lon: 122.12, lat: 37.5}, first: 5) {"
        " distanceMeters service { id kind name geometry } } }",
        "{ nearestServices(lon: 122.12, lat: 37.5, k: 5) {"
        " nodes { id kind name geometry distanceM } } }",
        ("nearestServices",),
        ("nearestServices", "nodes"),
    ),
]

SEARCH_TEXT = "威海"
SEARCH_QUERY = (
    f'{{ searchPlaceNames(query: "{SEARCH_TEXT}", first: 20) {{'
    " id standardName pinyin category areaChain { code name } } }"
)
PAIRS.append(
    Pair(
        "20 place names by search with their area chain",
        SEARCH_QUERY,
        "{ searchPlaceNames { nodes { id standardName pinyin category"
        " adminAreaByAreaCode { code name adminAreaByParentCode { code name"
        " adminAreaByParentCode { code name adminAreaByParentCode { code name } } } } } } }",
        ("searchPlaceNames",),
        ("searchPlaceNames", "nodes"),
    )
)

# What PostGraphile cannot filter by itself, as functions it exposes.
BBOX_FUNCTION = """
CREATE SCHEMA IF NOT EXISTS bench;
DROP FUNCTION IF EXISTS bench.services_in_bbox(float8, float8, float8, float8);
CREATE FUNCTION bench.services_in_bbox(west float8, south float8, east float8, north float8)
RETURNS SETOF public.service LANGUAGE sql STABLE AS $$
    SELECT * FROM public.service
    WHERE status = 'published' AND geom && ST_MakeEnvelope(west, south, east, north, 4326)
    ORDER BY id LIMIT 500
$$;
"""


def search_function(settings: Settings) -> str:
    """The registry's own search statement for SEARCH_TEXT, as a function PostGraphile
    exposes: the bare SQL, with the records it names in its order."""
    statement = hits_statement(SEARCH_TEXT, 20, [PLACE_NAME.entity], PUBLIC)
    assert statement is not None
    engine = make_engine(settings)
    try:
        with engine.connect() as conn:
            cursor = conn.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
            hits = cursor.mogrify(psycopg2_sql(str(statement.sql)), dict(statement.params))
    finally:
        engine.dispose()
    return f"""
DROP FUNCTION IF EXISTS bench.search_place_names();
CREATE FUNCTION bench.search_place_names() RETURNS SETOF public.place_name
LANGUAGE sql STABLE AS $$
    SELECT p.* FROM (SELECT h.*, row_number() OVER () AS n FROM ({hits.decode()}) h) h
    JOIN public.place_name p ON p.id = h.entity_key::bigint ORDER BY h.n
$$;
"""


def _records(body: dict[str, Any], path: tuple[str, ...]) -> int:
    if body.get("errors"):
        raise RuntimeError(json.dumps(body["errors"], ensure_ascii=False)[:400])
    node: Any = body["data"]
    for key in path:
        node = node[key]
    return len(node)


def check_same_question(urls: dict[str, str]) -> dict[str, int]:
    """Each pair once against both servers: no errors, the same number of records; the
    bare endpoint answers the registry's bytes."""
    counts = {}
    for pair in PAIRS:
        body = json.dumps({"query": pair.registry})
        headers = {"content-type": "application/json"}
        answer = httpx.post(urls["graphql"], content=body, headers=headers, timeout=30)
        bare = httpx.post(urls["bare"], content=body, headers=headers, timeout=30)
        if bare.content != answer.content:
            raise RuntimeError(f"{pair.name}: the bare endpoint does not run the same statement")
        ours = answer.json()
        theirs = httpx.post(urls["postgraphile"], json={"query": pair.postgraphile}, timeout=30)
        n, m = _records(ours, pair.registry_path), _records(theirs.json(), pair.postgraphile_path)
        if n != m or n == 0:
            raise RuntimeError(f"{pair.name}: the registry gave {n} records, PostGraphile {m}")
        counts[pair.name] = n
    return counts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=6, help="per round, query and target")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--workers", type=int, default=default_workers())
    parser.add_argument(
        "--quick", action="store_true", help="one round of 2 s per query and target, at 8"
    )
    args = parser.parse_args()
    concurrency: tuple[int, ...] = CONCURRENCY
    if args.quick:
        args.seconds, args.rounds, args.workers, concurrency = 2, 1, 1, CONCURRENCY[:1]
    ensure_node_modules()
    settings = get_settings()
    pg_conn = prepare_postgraphile(settings, BBOX_FUNCTION, search_function(settings))
    ports = {"graphql": free_port(), "postgraphile": free_port(), "bare": free_port()}
    urls = {name: f"http://127.0.0.1:{port}/graphql" for name, port in ports.items()}
    urls["bare"] = f"http://127.0.0.1:{ports['bare']}/lists"
    runs: dict[tuple[str, str, int], list[dict[str, float]]] = {}
    with ExitStack() as stack:
        pids = {
            "graphql": stack.enter_context(
                serving(
                    registry_argv(ports["graphql"], args.workers),
                    urls["graphql"],
                )
            ),
            "bare": stack.enter_context(
                serving(
                    bare_argv(ports["bare"], args.workers),
                    urls["bare"].replace("/lists", "/nearest"),
                )
            ),
            "postgraphile": stack.enter_context(
                serving(
                    [
                        str(BENCH / "node_modules" / ".bin" / "postgraphile"),
                        "-c",
                        pg_conn,
                        "--schema",
                        "public,bench",
                        "--append-plugins",
                        "@graphile/postgis",
                        "--port",
                        str(ports["postgraphile"]),
                        "--host",
                        "127.0.0.1",
                        "--disable-query-log",
                    ],
                    urls["postgraphile"],
                )
            ),
        }
        counts = check_same_question(urls)
        for c in concurrency:
            for _ in range(args.rounds):
                for pair in PAIRS:
                    for target, query in (
                        ("graphql", pair.registry),
                        ("bare", pair.registry),
                        ("postgraphile", pair.postgraphile),
                    ):
                        figures = load(
                            "fixed",
                            urls[target],
                            c,
                            args.seconds,
                            pid=pids[target],
                            body=json.dumps({"query": query}),
                        )
                        runs.setdefault((pair.name, target, c), []).append(figures)

    def median(pair: str, target: str, c: int, key: str) -> float:
        return statistics.median(r.get(key, 0.0) for r in runs[pair, target, c])

    print(
        f"\nLists and nested reads, {args.rounds} round(s) of {args.seconds} s per query and"
        f" target, registry with {args.workers} worker(s)\n"
    )
    print(
        f"{'query':<64}{'rec':>5}{'conn':>5}{'registry/s':>11}{'PG/s':>8}{'ratio':>7}"
        f"{'p99 reg':>9}{'p99 PG':>8}{'bare/s':>8}{'of bare':>9}"
    )
    ratios = []
    for c in concurrency:
        for pair in PAIRS:
            ours = median(pair.name, "graphql", c, "requests_per_s")
            theirs = median(pair.name, "postgraphile", c, "requests_per_s")
            ratios.append(ours / theirs)
            print(
                f"{pair.name:<64}{counts[pair.name]:>5}{c:>5}{ours:>11.0f}{theirs:>8.0f}"
                f"{ours / theirs:>7.2f}{median(pair.name, 'graphql', c, 'p99_ms'):>9.0f}"
                f"{median(pair.name, 'postgraphile', c, 'p99_ms'):>8.0f}"
                f"{median(pair.name, 'bare', c, 'requests_per_s'):>8.0f}"
                f"{ours / median(pair.name, 'bare', c, 'requests_per_s'):>9.2f}"
            )
    mean = math.exp(sum(math.log(r) for r in ratios) / len(ratios))
    print(f"\ngeometric mean of the ratios: {mean:.2f}")
    print("target: every ratio >= 1.0, geometric mean >= 1.25, p99 at 32 no worse than PG's")
    sys.stdout.flush()


if __name__ == "__main__":
    main()
