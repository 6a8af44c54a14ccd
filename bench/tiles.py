"""Vector tile latency at z12-z14 over HTTP, beside the same tile SQL run directly.

    .venv/bin/python -m bench.tiles [--rounds 3]

Tiles: every tile at z12, z13 and z14 that holds a village centre of the demo data (a map
panning over the city asks for these), for each layer.  Target: median < 50 ms per tile.
"""

from __future__ import annotations

import argparse
import math
import statistics
import time

import httpx2 as httpx
from sqlalchemy import text

from bench.nearest import free_port, registry_argv, serving
from db.engine import Database, make_read_engine
from db.queries import layers
from db.settings import get_settings

ZOOMS = (12, 13, 14)


def tile_of(lon: float, lat: float, z: int) -> tuple[int, int, int]:
    n = 2**z
    x = int((lon + 180) / 360 * n)
    y = int((1 - math.asinh(math.tan(math.radians(lat))) / math.pi) / 2 * n)
    return z, x, y


def sample_tiles(database: Database) -> list[tuple[int, int, int]]:
    with database.connect() as conn:
        centres = conn.execute(
            text("SELECT ST_X(rep_point), ST_Y(rep_point) FROM admin_area WHERE level = 'village'")
        ).all()
    return sorted({tile_of(lon, lat, z) for lon, lat in centres for z in ZOOMS})


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--sample", type=int, default=300, help="tiles per layer and round")
    parser.add_argument("--quick", action="store_true", help="one round of a few tiles")
    args = parser.parse_args()
    if args.quick:
        args.rounds, args.sample = 1, 10
    database = Database(make_read_engine(get_settings(), pool_size=1))
    tiles = sample_tiles(database)
    step = max(1, len(tiles) // args.sample)
    tiles = tiles[::step]

    port = free_port()
    results: dict[str, tuple[list[float], list[float]]] = {}
    with (
        serving(
            registry_argv(port, 1),
            f"http://127.0.0.1:{port}/healthz",
        ),
        httpx.Client(base_url=f"http://127.0.0.1:{port}") as client,
    ):
        for name, layer in layers.LAYERS.items():
            http_times: list[float] = []
            sql_times: list[float] = []
            values = layers.area_levels_at if layer.filter_by == "level" else None
            # Interleaved, so that both see the same machine at the same moment.
            for _ in range(args.rounds):
                for z, x, y in tiles:
                    with database.connect() as conn:
                        start = time.perf_counter()
                        layers.tile(conn, layer, z, x, y, values=values(z) if values else None)
                        sql_times.append(time.perf_counter() - start)
                    start = time.perf_counter()
                    response = client.get(f"/tiles/{name}/{z}/{x}/{y}.mvt")
                    http_times.append(time.perf_counter() - start)
                    if response.status_code not in (200, 204):  # 204: nothing in the tile
                        raise RuntimeError(f"{name} {z}/{x}/{y}: {response.text[:200]}")
            results[name] = (http_times, sql_times)
    database.dispose()

    print(
        f"\nvector tiles, {len(tiles)} tiles at z{ZOOMS[0]}-z{ZOOMS[-1]} x {args.rounds} rounds\n"
    )
    print(f"{'layer':<14}{'HTTP median ms':>16}{'p90 ms':>9}{'SQL median ms':>15}{'HTTP/SQL':>10}")
    for name, (http_times, sql_times) in results.items():
        p90 = statistics.quantiles(http_times, n=10)[-1] * 1000
        ratio = statistics.median(http_times) / statistics.median(sql_times)
        print(
            f"{name:<14}{statistics.median(http_times) * 1000:>16.2f}{p90:>9.2f}"
            f"{statistics.median(sql_times) * 1000:>15.2f}{ratio:>10.2f}"
        )
    print("\ntarget: median < 50 ms per tile at z12-z14")


if __name__ == "__main__":
    main()
