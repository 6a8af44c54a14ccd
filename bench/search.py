"""searchPlaceNames latency over HTTP, beside the same search SQL run directly.

    .venv/bin/python -m bench.search [--rounds 5]

Queries: Chinese substrings, full names, fuzzy names, pinyin with and without spaces and
tones, and initials, taken from the demo data itself.
"""

from __future__ import annotations

import argparse
import statistics
import time

import httpx2 as httpx
from sqlalchemy import text

from bench.nearest import free_port, registry_argv, serving
from db.engine import Database, make_read_engine
from db.queries.search import search_names
from db.settings import get_settings
from domain.naming import normalize_pinyin_query, search_keys

QUERY = "query S($q: String!) { searchPlaceNames(query: $q, first: 20) { id standardName pinyin } }"


def sample_queries(database: Database) -> list[str]:
    with database.connect() as conn:
        names = list(
            conn.execute(
                text("SELECT standard_name FROM place_name ORDER BY id % 97, id LIMIT 40")
            ).scalars()
        )
    queries: list[str] = []
    for name in names:
        compact, initials = search_keys(name)
        queries += [name, name[:2], name[1:], compact, initials]
        if len(name) >= 3:
            queries.append(name[0] + "某" + name[2:])  # one character off
    queries += ["weihai", "wei hai", "Wēihǎi", "whs", "环翠", "幸福路", "xingfu lu"]
    return queries


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--quick", action="store_true", help="one round of a few queries")
    args = parser.parse_args()
    database = Database(make_read_engine(get_settings(), pool_size=1))
    queries = sample_queries(database)
    if args.quick:
        args.rounds, queries = 1, queries[:: max(1, len(queries) // 8)]

    sql_times: list[float] = []
    with database.connect() as conn:
        for _ in range(args.rounds):
            for q in queries:
                chinese = q if any("\u3400" <= c <= "\u9fff" for c in q) else None
                pinyin = None if chinese else normalize_pinyin_query(q)
                start = time.perf_counter()
                search_names(conn, chinese, pinyin, ["place_name"], 20)
                sql_times.append(time.perf_counter() - start)

    port = free_port()
    http_times: list[float] = []
    with (
        serving(
            registry_argv(port, 1),
            f"http://127.0.0.1:{port}/graphql",
        ),
        httpx.Client(base_url=f"http://127.0.0.1:{port}") as client,
    ):
        for _ in range(args.rounds):
            for q in queries:
                start = time.perf_counter()
                response = client.post("/graphql", json={"query": QUERY, "variables": {"q": q}})
                http_times.append(time.perf_counter() - start)
                if response.status_code != 200 or "errors" in response.json():
                    raise RuntimeError(f"{q!r}: {response.text[:200]}")
    database.dispose()

    def ms(values: list[float], q: int) -> float:
        return statistics.quantiles(values, n=100)[q - 1] * 1000 if q < 100 else max(values) * 1000

    print(f"\nsearchPlaceNames, {len(queries)} queries x {args.rounds} rounds, one client\n")
    print(f"{'':<22}{'median ms':>10}{'p90 ms':>9}{'p99 ms':>9}")
    for label, values in (("GraphQL over HTTP", http_times), ("search SQL alone", sql_times)):
        print(
            f"{label:<22}{statistics.median(values) * 1000:>10.2f}{ms(values, 90):>9.2f}"
            f"{ms(values, 99):>9.2f}"
        )
    ratio = statistics.median(http_times) / statistics.median(sql_times)
    print(f"\nGraphQL / SQL (median) = {ratio:.2f};  target: GraphQL median < 20 ms")


if __name__ == "__main__":
    main()
