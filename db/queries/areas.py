"""Administrative areas: lookup by code, the hierarchy, population figures and outlines."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Connection, text

from gis import OUTPUT_DECIMALS

_AREA_COLUMNS = "code, name, level, parent_code"

_AREAS_BY_CODE = text(f"SELECT {_AREA_COLUMNS} FROM admin_area WHERE code = ANY(:codes)")

_CHILDREN_OF = text(
    f"SELECT {_AREA_COLUMNS} FROM admin_area WHERE parent_code = ANY(:codes) ORDER BY code"
)

# Statistical codes embed their parent's code (3710 → 371002 → 371002001 → 371002001001),
# so an area's villages are the village rows whose code starts with its own; the pattern
# index on code turns each prefix into a range scan.
_FIGURES_OF = text(
    """
    SELECT a.code,
           coalesce(sum(v.households), 0)::int AS households,
           coalesce(sum(v.population), 0)::int AS population,
           coalesce(sum(v.elderly), 0)::int AS elderly
    FROM admin_area a
    LEFT JOIN admin_area v ON v.level = 'village' AND v.code LIKE a.code || '%'
    WHERE a.code = ANY(:codes)
    GROUP BY a.code
    """
)

_OUTLINES_OF = text(
    """
    SELECT code,
           ST_AsGeoJSON(geom, :decimals)::json AS geometry,
           ST_AsGeoJSON(rep_point, :decimals)::json AS representative_point
    FROM admin_area WHERE code = ANY(:codes)
    """
)


def _by_code(rows: Sequence[Any]) -> dict[str, dict[str, Any]]:
    return {row["code"]: dict(row) for row in rows}


def areas_by_code(conn: Connection, codes: Sequence[str]) -> dict[str, dict[str, Any]]:
    return _by_code(conn.execute(_AREAS_BY_CODE, {"codes": list(codes)}).mappings().all())


def children_of(conn: Connection, codes: Sequence[str]) -> dict[str, list[dict[str, Any]]]:
    children: dict[str, list[dict[str, Any]]] = {code: [] for code in codes}
    for row in conn.execute(_CHILDREN_OF, {"codes": list(codes)}).mappings():
        children[row["parent_code"]].append(dict(row))
    return children


def figures_of(conn: Connection, codes: Sequence[str]) -> dict[str, dict[str, Any]]:
    """Households, population and elderly of each area, summed over its villages."""
    return _by_code(conn.execute(_FIGURES_OF, {"codes": list(codes)}).mappings().all())


def outlines_of(conn: Connection, codes: Sequence[str]) -> dict[str, dict[str, Any]]:
    """Outline and representative point of each area as GeoJSON geometry objects."""
    params = {"codes": list(codes), "decimals": OUTPUT_DECIMALS}
    return _by_code(conn.execute(_OUTLINES_OF, params).mappings().all())
