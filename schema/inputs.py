"""Input types shared by queries."""

from __future__ import annotations

import strawberry


@strawberry.input(description="A WGS84 position.")
class PointInput:
    lon: float
    lat: float


@strawberry.input(description="Everything within a geodesic distance of a point.")
class WithinInput:
    point: PointInput
    radius_meters: float
