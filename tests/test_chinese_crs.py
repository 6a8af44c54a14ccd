"""GCJ-02 and BD-09: published reference pairs, round trips, and the API's crs arguments."""

from __future__ import annotations

import random
from typing import Any

import pytest
from pyproj import Geod
from sqlalchemy import Connection, text
from starlette.testclient import TestClient

from gis.chinese_crs import (
    CoordinateSystem,
    bd09_to_gcj02,
    from_wgs84,
    gcj02_to_bd09,
    gcj02_to_wgs84,
    to_wgs84,
    wgs84_to_gcj02,
)
from tests.conftest import graphql_data, refused, signed_in

GEOD = Geod(ellps="WGS84")

# (lon, lat) WGS84 → GCJ-02, from the test suite of eviltransform (googollee/eviltransform),
# the implementation most others are checked against: Shanghai, Shenzhen, Beijing.
WGS84_GCJ02 = [
    ((121.5272106, 31.1774276), (121.531541859215, 31.17530398364597)),
    ((113.912316, 22.543847), (113.9171764808363, 22.540796131694766)),
    ((116.377817, 39.911954), (116.38404722455657, 39.91334545536069)),
]
# GCJ-02 → BD-09, from the tests of coordtransform (wandergis/coordtransform).
GCJ02_BD09 = [((116.404, 39.915), (116.41036949371029, 39.92133699351021))]


def metres(a: tuple[float, float], b: tuple[float, float]) -> float:
    return float(GEOD.inv(a[0], a[1], b[0], b[1])[2])


@pytest.mark.parametrize(("wgs", "gcj"), WGS84_GCJ02)
def test_gcj02_matches_the_published_pairs(
    wgs: tuple[float, float], gcj: tuple[float, float]
) -> None:
    assert metres(wgs84_to_gcj02(*wgs), gcj) < 0.01
    assert metres(gcj02_to_wgs84(*gcj), wgs) < 0.01


@pytest.mark.parametrize(("gcj", "bd"), GCJ02_BD09)
def test_bd09_matches_the_published_pairs(
    gcj: tuple[float, float], bd: tuple[float, float]
) -> None:
    assert metres(gcj02_to_bd09(*gcj), bd) < 0.01
    assert metres(bd09_to_gcj02(*bd), gcj) < 0.01


@pytest.mark.parametrize("crs", [CoordinateSystem.GCJ02, CoordinateSystem.BD09])
def test_round_trips_inside_china_stay_within_a_metre(crs: CoordinateSystem) -> None:
    rng = random.Random(16159)
    worst = 0.0
    for _ in range(2000):
        wgs = (rng.uniform(73.5, 135.0), rng.uniform(18.0, 53.5))
        shifted = from_wgs84(crs, *wgs)
        assert metres(wgs, shifted) > 1.0  # the shift is real
        worst = max(worst, metres(to_wgs84(crs, *shifted), wgs))
    assert worst < 1.0


def test_outside_china_gcj02_is_wgs84() -> None:
    assert wgs84_to_gcj02(2.3522, 48.8566) == (2.3522, 48.8566)


def _service(connection: Connection) -> tuple[str, float, float]:
    service_id, lon, lat = connection.execute(
        text(
            "SELECT id, ST_X(geom), ST_Y(geom) FROM service WHERE status = 'published'"
            " AND kind = 'elder_dining_table' ORDER BY id LIMIT 1"
        )
    ).one()
    return str(service_id), lon, lat


@pytest.mark.parametrize("crs", ["GCJ02", "BD09"])
def test_geometry_is_given_in_the_crs_asked_for(
    client: TestClient, connection: Connection, crs: str
) -> None:
    service_id, lon, lat = _service(connection)
    data = graphql_data(
        client,
        "query ($crs: CoordinateSystem!) { services(kinds: [ELDER_DINING_TABLE], first: 1) {"
        " edges { node { id wgs: geometry shifted: geometry(crs: $crs) } } } }",
        {"crs": crs},
    )
    node = data["services"]["edges"][0]["node"]
    assert node["id"] == service_id
    assert node["wgs"]["coordinates"] == pytest.approx([lon, lat], abs=1e-7)
    expected = from_wgs84(CoordinateSystem(crs), lon, lat)
    assert metres(tuple(node["shifted"]["coordinates"]), expected) < 0.01
    # Shifted positions leave with the 7 decimals of every position (about 1 cm).
    for value in node["shifted"]["coordinates"]:
        assert round(value, 7) == value


@pytest.mark.parametrize("crs", ["GCJ02", "BD09"])
def test_a_click_on_a_shifted_map_finds_the_service_under_it(
    client: TestClient, connection: Connection, crs: str
) -> None:
    """A Gaode or Baidu map reports the click in its own coordinates."""
    service_id, lon, lat = _service(connection)
    clicked = from_wgs84(CoordinateSystem(crs), lon, lat)
    query = """query ($lon: Float!, $lat: Float!, $crs: CoordinateSystem!) {
      nearestServices(near: {lon: $lon, lat: $lat}, kinds: [ELDER_DINING_TABLE], first: 1,
                      crs: $crs) { distanceMeters service { id } } }"""
    (hit,) = graphql_data(client, query, {"lon": clicked[0], "lat": clicked[1], "crs": crs})[
        "nearestServices"
    ]
    assert hit["service"]["id"] == service_id
    assert hit["distanceMeters"] < 1.0
    (unshifted,) = graphql_data(
        client, query, {"lon": clicked[0], "lat": clicked[1], "crs": "WGS84"}
    )["nearestServices"]
    assert unshifted["distanceMeters"] > 100  # read as WGS84, the click lands elsewhere


def test_bbox_and_within_are_read_in_the_crs_given(
    client: TestClient, connection: Connection
) -> None:
    service_id, lon, lat = _service(connection)
    gcj = from_wgs84(CoordinateSystem.GCJ02, lon, lat)
    box = [gcj[0] - 0.0005, gcj[1] - 0.0005, gcj[0] + 0.0005, gcj[1] + 0.0005]

    def ids(arguments: str) -> list[str]:
        data = graphql_data(client, f"{{ services({arguments}) {{ edges {{ node {{ id }} }} }} }}")
        return [e["node"]["id"] for e in data["services"]["edges"]]

    bbox = f"bbox: [{', '.join(map(str, box))}]"
    assert service_id in ids(f"{bbox}, crs: GCJ02")
    assert service_id not in ids(bbox)
    within = f"within: {{point: {{lon: {gcj[0]}, lat: {gcj[1]}}}, radiusMeters: 5}}"
    assert service_id in ids(f"{within}, crs: GCJ02")
    assert service_id not in ids(within)


def test_coverage_overlays_are_given_in_the_crs_asked_for(planner: TestClient) -> None:
    query = """{ coverage(areaCode: "371002", kinds: [ELDER_DINING_TABLE], radiusMeters: 1000) {
      wgs: byAreaGeoJSON gcj: byAreaGeoJSON(crs: GCJ02)
      wgsGaps: gapsGeoJSON(first: 3) bdGaps: gapsGeoJSON(first: 3, crs: BD09) } }"""
    report = graphql_data(planner, query)["coverage"]
    wgs = report["wgs"]["features"][0]["geometry"]["coordinates"][0][0][0]
    gcj = report["gcj"]["features"][0]["geometry"]["coordinates"][0][0][0]
    assert metres(tuple(gcj), from_wgs84(CoordinateSystem.GCJ02, *wgs)) < 0.01
    for plain, shifted in zip(
        report["wgsGaps"]["features"], report["bdGaps"]["features"], strict=True
    ):
        expected = from_wgs84(CoordinateSystem.BD09, *plain["geometry"]["coordinates"])
        assert metres(tuple(shifted["geometry"]["coordinates"]), expected) < 0.01


def test_cgcs2000_positions_are_taken_and_given_as_wgs84(
    client: TestClient, connection: Connection, token_for: Any
) -> None:
    """Government data arrives in CGCS2000 (EPSG:4490): the same numbers as WGS84 to within
    centimetres, so the registry stores them as given and gives them back unchanged."""
    code, lon, lat = connection.execute(
        text(
            "SELECT code, ST_X(rep_point), ST_Y(rep_point) FROM admin_area"
            " WHERE level = 'village' ORDER BY code LIMIT 1"
        )
    ).one()
    point = {
        "type": "Point",
        "coordinates": [lon, lat],
        "crs": {"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::4490"}},
    }
    created = graphql_data(
        signed_in(client, token_for("editor")),
        "mutation ($input: ServiceInput!) { createService(input: $input, crs: CGCS2000)"
        " { area { code } wgs: geometry cgcs: geometry(crs: CGCS2000) } }",
        {
            "input": {
                "kind": "ELDER_DINING_TABLE",
                "name": "国测食堂",
                "geometry": point,
                "mealCapacity": 30,
            }
        },
    )["createService"]
    assert created["area"]["code"] == code
    assert created["wgs"]["coordinates"] == pytest.approx([lon, lat], abs=1e-7)
    assert created["cgcs"] == created["wgs"]


@pytest.mark.parametrize(
    ("crs_name", "argument"),
    [
        ("EPSG:3857", "WGS84"),  # web mercator metres, read as degrees: far off
        ("EPSG:4549", "CGCS2000"),  # CGCS2000 / 3-degree Gauss-Kruger CM 120E
        ("urn:ogc:def:crs:EPSG::4490", "GCJ02"),  # says CGCS2000, the argument says shifted
    ],
)
def test_a_geojson_crs_member_is_never_ignored(
    client: TestClient, connection: Connection, token_for: Any, crs_name: str, argument: str
) -> None:
    lon, lat = connection.execute(
        text(
            "SELECT ST_X(rep_point), ST_Y(rep_point) FROM admin_area WHERE level = 'village'"
            " ORDER BY code LIMIT 1"
        )
    ).one()
    point = {
        "type": "Point",
        "coordinates": [lon, lat],
        "crs": {"type": "name", "properties": {"name": crs_name}},
    }
    error = refused(
        signed_in(client, token_for("editor")),
        connection,
        "mutation ($input: ServiceInput!, $crs: CoordinateSystem!) {"
        " createService(input: $input, crs: $crs) { id } }",
        {
            "input": {
                "kind": "ELDER_DINING_TABLE",
                "name": "错位食堂",
                "geometry": point,
                "mealCapacity": 30,
            },
            "crs": argument,
        },
    )
    assert error["extensions"]["field"] == "geometry.crs"
    assert "coordinate system" in error["message"] or "longitude/latitude" in error["message"]
