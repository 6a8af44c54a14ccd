"""Administrative areas: lookup by code, the hierarchy, population figures and outlines."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from sqlalchemy import TextClause, text

from db.statements import Lookup, Statement
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
           coalesce(sum(v.elderly), 0)::int AS elderly,
           sum(v.elderly_80)::int AS elderly_80
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


def _codes(statement: TextClause, **params: Any) -> Callable[[Sequence[str]], Statement]:
    return lambda codes: Statement(statement, {"codes": list(codes), **params})


areas_by_code: Lookup[str] = Lookup(_codes(_AREAS_BY_CODE), key="code")
# The areas one level down of each area, by code.
children_of: Lookup[str] = Lookup(_codes(_CHILDREN_OF), key="parent_code", many=True)
# Households, population and elderly of each area, summed over its villages.
figures_of: Lookup[str] = Lookup(_codes(_FIGURES_OF), key="code")
# Outline and representative point of each area as GeoJSON geometry objects.
outlines_of: Lookup[str] = Lookup(_codes(_OUTLINES_OF, decimals=OUTPUT_DECIMALS), key="code")
