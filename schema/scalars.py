"""Custom scalars, registered with the schema through ``SCALARS``."""

from __future__ import annotations

from typing import Any, NewType

import strawberry
from strawberry.types.scalar import ScalarDefinition

from gis.geojson import parse_geometry

GeoJSON = NewType("GeoJSON", object)


def _serialize_geojson(value: Any) -> Any:
    # Geometries leave PostGIS already as GeoJSON (ST_AsGeoJSON, rounded to 7 decimals).
    return value


SCALARS: dict[object, ScalarDefinition] = {
    GeoJSON: strawberry.scalar(
        name="GeoJSON",
        description=(
            "An RFC 7946 GeoJSON geometry object in WGS84 longitude/latitude; "
            "output coordinates are rounded to 7 decimals (about 1 cm)."
        ),
        serialize=_serialize_geojson,
        parse_value=lambda value: parse_geometry(value, "geometry"),
    )
}
