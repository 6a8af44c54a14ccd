"""GeoJSON geometry input is checked before shapely or PostGIS see it."""

from __future__ import annotations

import math
from typing import Any

import pytest

from domain.errors import BadUserInput
from gis.geojson import MAX_VERTICES, parse_geometry

SQUARE = [[122.0, 37.0], [122.1, 37.0], [122.1, 37.1], [122.0, 37.1], [122.0, 37.0]]


def test_a_valid_polygon_is_accepted() -> None:
    geom = parse_geometry({"type": "Polygon", "coordinates": [SQUARE]}, "intersects")
    assert geom.geom_type == "Polygon"
    assert geom.area == pytest.approx(0.01)


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("POINT(1 2)", "expected a GeoJSON geometry object"),
        ({"type": "Circle", "coordinates": [1, 2]}, "type must be one of"),
        ({"type": "Point"}, "coordinates are missing"),
        ({"type": "Point", "coordinates": [200, 37]}, "longitude 200 is outside"),
        ({"type": "Point", "coordinates": [122, -91]}, "latitude -91 is outside"),
        ({"type": "Point", "coordinates": [math.nan, 37]}, "finite"),
        ({"type": "Point", "coordinates": [math.inf, 37]}, "finite"),
        ({"type": "Point", "coordinates": ["122", 37]}, "must be a number"),
        ({"type": "Polygon", "coordinates": [SQUARE[:-1]]}, "closed ring"),
        ({"type": "Polygon", "coordinates": [SQUARE[:3]]}, "at least 4 positions"),
        ({"type": "Polygon", "coordinates": []}, "at least one ring"),
        ({"type": "MultiPolygon", "coordinates": []}, "empty"),
        ({"type": "LineString", "coordinates": [[122, 37]]}, "at least 2 positions"),
        (
            {"type": "Polygon", "coordinates": [[[0, 0], [1, 1], [1, 0], [0, 1], [0, 0]]]},
            "invalid geometry (Self-intersection",
        ),
    ],
)
def test_bad_geometry_is_refused_naming_the_field(value: Any, message: str) -> None:
    with pytest.raises(BadUserInput) as caught:
        parse_geometry(value, "intersects")
    assert caught.value.field == "intersects"
    assert caught.value.message.startswith("intersects: ")
    assert message in caught.value.message


def test_too_many_vertices_are_refused() -> None:
    line = [[122 + i * 1e-6, 37.0] for i in range(MAX_VERTICES + 1)]
    with pytest.raises(BadUserInput, match="more than 10000 vertices"):
        parse_geometry({"type": "LineString", "coordinates": line}, "intersects")
