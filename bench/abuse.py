"""A map client's mix at 32 connections, with and without one client sending the abusive
queries of a hostile review in a loop, in one run.

    .venv/bin/python -m bench.abuse [--seconds 10] [--rounds 2] [--workers N]

The mix (bench/mix.js): 60 % vector tiles at z12-z14 over the villages, 25 % nearestServices
at random points, 15 % searchPlaceNames.  The abuser: one connection sending each query of
``ABUSIVE`` in turn, as fast as they are answered.  Prints the mix's req/s, p50 and p99
alone and beside the abuser, the ratio of the p99s (target: at most 2), and how long the
registry took to refuse each abusive query (target: under 50 ms).

Rate limits stand aside here (the load generator and the abuser share 127.0.0.1, where in
use each client has its own address; see bench.nearest.UNREACHED_RATES): what is measured
is what the query limits spare the others.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import threading
import time

import httpx2 as httpx
import orjson

from app import default_workers
from bench.nearest import BENCH, ensure_node_modules, free_port, registry_argv, serving
from bench.tiles import sample_tiles
from db.engine import Database, make_read_engine
from db.settings import get_settings

NEAR = "near: {lon: 122.12, lat: 37.5}"
# (what it is, who sends it, the query, the limit that refuses it)
ABUSIVE: list[tuple[str, str, str, str]] = [
    (
        "1,000 aliases of nearestServices",
        "public",
        "{"
        + " ".join(f"n{i}: nearestServices({NEAR}) {{ distanceMeters }}" for i in range(1000))
        + "}",
        "tokens",
    ),
    (
        "40 aliases of nearestServices by road",
        "public",
        "{"
        + " ".join(
            f"n{i}: nearestServices({NEAR}, by: ROAD) {{ roadDistanceMeters }}" for i in range(40)
        )
        + "}",
        "aliases",
    ),
    (
        "30,000 aliases of cityStats",
        "public",
        "{" + " ".join(f"s{i}: cityStats {{ beds }}" for i in range(30_000)) + "}",
        "tokens",
    ),
    (
        "20 aliases of accessibility",
        "planner",
        "{"
        + " ".join(
            f'a{i}: accessibility(areaCode: "3710", kind: ELDER_DINING_TABLE,'
            " radiusMeters: 1000, first: 5000) { edges { node { score } } }"
            for i in range(20)
        )
        + "}",
        "cost",
    ),
    (
        "a 150-byte search that would answer 30 MB",
        "public",
        '{searchPlaceNames(query:"岚"){areaChain{parent{placeNames(first:500){edges{node{'
        "geometry}}}} children{placeNames(first:500){edges{node{geometry}}}}}}}",
        "cost",
    ),
    (
        "parent and children, ten levels deep",
        "public",
        '{ area(code: "3710") { ' + "children { parent { " * 10 + "code" + " } }" * 10 + " } }",
        "depth",
    ),
]
CONNECTIONS = 32


def mix(url: str, seconds: int, tiles: list[tuple[int, int, int]]) -> dict[str, float]:
    result = subprocess.run(
        ["node", "mix.js", url, str(CONNECTIONS), str(seconds), json.dumps(tiles)],
        cwd=BENCH,
        check=True,
        capture_output=True,
        text=True,
    )
    figures: dict[str, float] = json.loads(result.stdout.strip().splitlines()[-1])
    if figures["errors"]:
        raise RuntimeError(f"the mix met errors: {figures}")
    return figures


class Abuser(threading.Thread):
    """Sends the abusive queries in turn until stopped; keeps how long each took."""

    def __init__(self, url: str, planner_token: str | None, rounds: int | None = None) -> None:
        super().__init__(daemon=True)
        self.url = url
        self.rounds = rounds
        self.headers = {"Authorization": f"Bearer {planner_token}"} if planner_token else {}
        # Encoded once: what is timed is the registry's answer, not this client's encoder.
        self.bodies = [orjson.dumps({"query": query}) for _, _, query, _ in ABUSIVE]
        self.stop = threading.Event()
        self.took: dict[str, list[float]] = {name: [] for name, *_ in ABUSIVE}
        self.unrefused: list[str] = []

    def run(self) -> None:
        sent = 0
        with httpx.Client(timeout=120) as client:
            while not self.stop.is_set() and (self.rounds is None or sent < self.rounds):
                sent += 1
                for (name, role, _, _), body in zip(ABUSIVE, self.bodies, strict=True):
                    headers = {"Content-Type": "application/json"}
                    if role != "public":
                        headers.update(self.headers)
                    start = time.perf_counter()
                    response = client.post(self.url, content=body, headers=headers)
                    self.took[name].append(time.perf_counter() - start)
                    codes = [
                        e.get("extensions", {}).get("code")
                        for e in response.json().get("errors", [])
                    ]
                    if "QUERY_TOO_COMPLEX" not in codes:
                        self.unrefused.append(name)


def planner_token() -> str:
    from db.engine import make_engine
    from db.queries.users import create_token, create_user, user_id_by_name

    engine = make_engine(get_settings(), pool_size=1)
    try:
        with engine.begin() as conn:
            user = user_id_by_name(conn, "bench-planner") or create_user(
                conn, "bench-planner", "planner"
            )
            return create_token(conn, user, "bench.abuse")
    finally:
        engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--workers", type=int, default=default_workers())
    parser.add_argument("--quick", action="store_true", help="one round of 2 s, one worker")
    args = parser.parse_args()
    if args.quick:
        args.seconds, args.rounds, args.workers = 2, 1, 1
    ensure_node_modules()
    settings = get_settings()
    database = Database(make_read_engine(settings, pool_size=1))
    tiles = sample_tiles(database)
    database.dispose()
    token = planner_token()
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    alone: list[dict[str, float]] = []
    beside: list[dict[str, float]] = []
    took: dict[str, list[float]] = {name: [] for name, *_ in ABUSIVE}
    unrefused: list[str] = []
    with serving(registry_argv(port, args.workers), f"{base}/graphql"):
        mix(base, 2, tiles)  # warm-up
        # The refusals on a server with nothing else to do.
        idle = Abuser(f"{base}/graphql", token, rounds=20 if not args.quick else 2)
        idle.run()
        unrefused.extend(idle.unrefused)
        for _ in range(args.rounds):
            alone.append(mix(base, args.seconds, tiles))
            abuser = Abuser(f"{base}/graphql", token)
            abuser.start()
            beside.append(mix(base, args.seconds, tiles))
            abuser.stop.set()
            abuser.join()
            for name, times in abuser.took.items():
                took[name].extend(times)
            unrefused.extend(abuser.unrefused)

    def median(runs: list[dict[str, float]], key: str) -> float:
        return statistics.median(r[key] for r in runs)

    print(
        f"\nmap-client mix at {CONNECTIONS} connections, {args.workers} worker(s), medians of"
        f" {args.rounds} rounds of {args.seconds} s\n"
    )
    print(f"{'run':<22}{'req/s':>9}{'p50 ms':>9}{'p99 ms':>9}{'non-2xx':>9}")
    for label, runs in (("mix alone", alone), ("mix beside abuser", beside)):
        print(
            f"{label:<22}{median(runs, 'requests_per_s'):>9.0f}{median(runs, 'p50_ms'):>9.1f}"
            f"{median(runs, 'p99_ms'):>9.1f}{median(runs, 'non_2xx'):>9.0f}"
        )
    ratio = median(beside, "p99_ms") / median(alone, "p99_ms")
    print(f"\np99 beside the abuser / alone: {ratio:.2f} (target <= 2)")
    print(
        f"\n{'abusive query: refused in':<44}{'idle median ms':>15}{'beside the mix':>15}"
        f"{'max ms':>9}"
    )
    for name, times in took.items():
        print(
            f"{name:<44}{statistics.median(idle.took[name]) * 1000:>15.1f}"
            f"{statistics.median(times) * 1000:>15.1f}{max(times) * 1000:>9.1f}"
        )
    print("(target: under 50 ms)")
    if unrefused:
        print(f"\nNOT REFUSED: {sorted(set(unrefused))}")


if __name__ == "__main__":
    main()
