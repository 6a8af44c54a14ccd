"""Input types shared by queries, and what they become below the schema."""

from __future__ import annotations

from enum import Enum
from typing import Any

import strawberry
from strawberry import UNSET

from gis.chinese_crs import CoordinateSystem
from gis.spatial import Point
from resolvers.filters import Within

# The enum lives with the conversions (gis/); registering it here makes it a GraphQL type.
strawberry.enum(
    CoordinateSystem,
    description="坐标系 / Coordinates as map SDKs and data sources give them: WGS84 (GPS, "
    "OpenStreetMap, the registry's own), CGCS2000 (2000国家大地坐标系, EPSG:4490, the datum of "
    "Chinese government data: treated as equal to WGS84, from which it differs by a few "
    "centimetres), GCJ02 (AMap/Gaode, Tencent), BD09 (Baidu).  The shifted systems (GCJ02, "
    "BD09) differ from WGS84 inside China only.",
)
WGS84 = CoordinateSystem.WGS84
__all__ = ["WGS84", "CoordinateSystem", "PointInput", "WithinInput"]


@strawberry.input(
    description="坐标点 / A position: longitude, latitude (WGS84 unless crs says otherwise)."
)
class PointInput:
    lon: float
    lat: float

    def to_point(self) -> Point:
        return Point(self.lon, self.lat)


@strawberry.input(description="点周边范围 / Everything within a geodesic distance of a point.")
class WithinInput:
    point: PointInput
    radius_meters: float

    @staticmethod
    def convert(given: WithinInput | None) -> Within | None:
        if given is None:
            return None
        return Within(point=given.point.to_point(), radius_meters=given.radius_meters)


def given_fields(given: object) -> dict[str, Any]:
    """The fields an input or patch names, by Python name, enums as their codes.

    A field left out of a patch is ``UNSET`` and absent here; one set to null is here as
    None, so that a patch can clear an optional field."""
    return {name: _plain(value) for name, value in vars(given).items() if value is not UNSET}


def _plain(value: Any) -> Any:
    """Enums as their codes, nested inputs as dicts, at any depth."""
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, list):
        return [_plain(item) for item in value]
    if hasattr(value, "__strawberry_definition__") and not isinstance(value, type):
        return given_fields(value)
    return value


def set_fields(given: object) -> dict[str, Any]:
    """The fields a new record's input gives: those left out or null are absent."""
    return {name: value for name, value in given_fields(given).items() if value is not None}
