"""The largest vector tile of each layer at each zoom, and the features it holds.

    .venv/bin/python -m bench.tile_sizes [--max-zoom 14] [--quick]

Tiles: every tile, at each zoom from 0 (tiles only shrink past z14), that holds a
village centre, a service or a place name of the demo data (where a map shows anything).
Target: no tile over 100 KB.
"""

from __future__ import annotations

import argparse
import math

import mapbox_vector_tile
from sqlalchemy import text

from db.engine import make_read_engine
from db.queries import layers
from db.queries.layers import LAYERS
from db.settings import get_settings

LIMIT_BYTES = 100 * 1024


def tile_of(lon: float, lat: float, z: int) -> tuple[int, int]:
    n = 2**z
    x = int((lon + 180) / 360 * n)
    y = int((1 - math.asinh(math.tan(math.radians(lat))) / math.pi) / 2 * n)
    return x, y


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--max-zoom", type=int, default=14)
    parser.add_argument("--quick", action="store_true", help="zooms up to 9 only")
    args = parser.parse_args()
    max_zoom = 9 if args.quick else args.max_zoom
    settings = get_settings()
    engine = make_read_engine(settings, settings.app_url_for())
    with engine.connect() as conn:
        points = conn.execute(
            text(
                "SELECT ST_X(rep_point), ST_Y(rep_point) FROM admin_area WHERE level = 'village'"
                " UNION ALL SELECT ST_X(geom), ST_Y(geom) FROM service"
                " UNION ALL SELECT ST_X(ST_PointOnSurface(geom)), ST_Y(ST_PointOnSurface(geom))"
                " FROM place_name"
            )
        ).all()
        print(f"{'layer':<12} {'zoom':>4} {'tiles':>6} {'largest KB':>10} {'features':>8}")
        worst = 0
        for layer in LAYERS.values():
            for z in range(0, max_zoom + 1):
                tiles = sorted({tile_of(lon, lat, z) for lon, lat in points})
                largest, features = 0, 0
                for x, y in tiles:
                    values = layers.area_levels_at(z) if layer.filter_by == "level" else None
                    if z < layer.min_zoom:
                        continue
                    data = layers.tile(conn, layer, z, x, y, values=values)
                    if len(data) > largest:
                        largest = len(data)
                        decoded = mapbox_vector_tile.decode(data)
                        features = len(decoded[layer.name]["features"])
                worst = max(worst, largest)
                print(
                    f"{layer.name:<12} {z:>4} {len(tiles):>6} {largest / 1024:>10.1f} {features:>8}"
                )
        verdict = "within" if worst <= LIMIT_BYTES else "OVER"
        print(
            f"largest tile: {worst / 1024:.1f} KB ({verdict} the {LIMIT_BYTES // 1024} KB target)"
        )


if __name__ == "__main__":
    main()
