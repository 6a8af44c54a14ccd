"""Input types shared by queries."""

from __future__ import annotations

import strawberry

from gis.chinese_crs import CoordinateSystem

# The enum lives with the conversions (gis/); registering it here makes it a GraphQL type.
strawberry.enum(
    CoordinateSystem,
    description="Coordinates as map SDKs expect them: WGS84 (GPS, OpenStreetMap, the "
    "registry's own), GCJ02 (AMap/Gaode, Tencent), BD09 (Baidu).  Shifted systems differ "
    "from WGS84 inside China only.",
)
WGS84 = CoordinateSystem.WGS84
__all__ = ["WGS84", "CoordinateSystem", "PointInput", "WithinInput"]


@strawberry.input(description="A position: longitude, latitude (WGS84 unless crs says otherwise).")
class PointInput:
    lon: float
    lat: float


@strawberry.input(description="Everything within a geodesic distance of a point.")
class WithinInput:
    point: PointInput
    radius_meters: float
