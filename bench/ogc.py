"""GDAL reading every OGC API collection with its default options, beside GDAL reading the
same rows straight from PostgreSQL, in one run.

    .venv/bin/python -m bench.ogc [--rounds 3] [--quick]

Each collection is exported to a GeoPackage by ``ogr2ogr`` (what QGIS's "export" and most
scripts do): once through ``OAPIF:`` (GDAL pages 10 features a request by default), once
through ``PG:`` with the collection's own SQL.  Target: every collection under 10 s.
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import subprocess
import tempfile
import time
from pathlib import Path

from bench.nearest import free_port, registry_argv, serving
from db.queries.features import COLLECTIONS
from db.settings import get_settings

TARGET_SECONDS = 10


def _seconds(argv: list[str]) -> float:
    started = time.monotonic()
    subprocess.run(argv, check=True, capture_output=True, timeout=600)
    return time.monotonic() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--quick", action="store_true", help="one round, two collections")
    args = parser.parse_args()
    rounds = 1 if args.quick else args.rounds
    names = ["villages", "services"] if args.quick else list(COLLECTIONS)
    ogr2ogr = shutil.which("ogr2ogr")
    if ogr2ogr is None:
        raise SystemExit("ogr2ogr is not installed (Debian package gdal-bin)")
    settings = get_settings()
    if settings.database_url:
        raise SystemExit("bench.ogc reads the project-local cluster (unset DATABASE_URL)")
    cluster = json.loads(settings.cluster_state_file.read_text())
    pg = (
        f"PG:host=127.0.0.1 port={cluster['port']} user={cluster['user']}"
        f" dbname={settings.database_name}"
    )
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    print(f"{'collection':<22} {'OAPIF s':>8} {'PG s':>6} {'ratio':>6}")
    with serving(registry_argv(port, 1), f"{base}/graphql"), tempfile.TemporaryDirectory() as tmp:
        slowest = 0.0
        for name in names:
            collection = COLLECTIONS[name]
            sql = f"SELECT * FROM ({collection.layer.rows}) l WHERE {collection.only} ORDER BY l.id"
            api, direct = [], []
            for round_ in range(rounds):
                out = Path(tmp) / f"{name}-{round_}"
                api.append(
                    _seconds([ogr2ogr, "-f", "GPKG", f"{out}-api.gpkg", f"OAPIF:{base}/ogc", name])
                )
                direct.append(
                    _seconds(
                        [ogr2ogr, "-f", "GPKG", f"{out}-pg.gpkg", pg, "-sql", sql, "-nln", name]
                    )
                )
            a, d = statistics.median(api), statistics.median(direct)
            slowest = max(slowest, a)
            print(f"{name:<22} {a:>8.2f} {d:>6.2f} {a / d:>6.1f}")
    verdict = "met" if slowest < TARGET_SECONDS else "MISSED"
    print(f"slowest collection: {slowest:.1f} s (target < {TARGET_SECONDS:g} s: {verdict})")


if __name__ == "__main__":
    main()
