"""Custom scalars, registered with the schema through ``SCALARS``."""

from __future__ import annotations

from typing import Any, NewType

import strawberry
from strawberry.types.scalar import ScalarDefinition

GeoJSON = NewType("GeoJSON", object)


def _pass_through(value: Any) -> Any:
    # Out: geometries leave PostGIS already as GeoJSON (ST_AsGeoJSON, rounded to 7 decimals).
    # In: resolvers check the object with gis.geojson.parse_geometry, naming their argument.
    return value


SCALARS: dict[object, ScalarDefinition] = {
    GeoJSON: strawberry.scalar(
        name="GeoJSON",
        description=(
            "GeoJSON 几何对象 / An RFC 7946 GeoJSON geometry object in WGS84 longitude/latitude; "
            "output coordinates are rounded to 7 decimals (about 1 cm)."
        ),
        serialize=_pass_through,
        parse_value=_pass_through,
    )
}
