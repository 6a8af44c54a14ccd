"""Coverage: straight-line against a brute-force geodesic check, by road on a hand-made
network, reports per child area, gaps and bad input."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from pyproj import Geod
from sqlalchemy import Connection, text
from starlette.testclient import TestClient

from db.queries.coverage import coverage_by_radius, coverage_by_road
from tests.conftest import graphql, graphql_data

WGS84 = Geod(ellps="WGS84")


@pytest.fixture(autouse=True)
def _as_planner(planner: TestClient) -> None:
    """The analytics are for planners: every request here carries a planner's token."""


COVERAGE = """
query ($area: String!, $kinds: [ServiceKind!]!, $radius: Float, $road: Float, $gaps: Int) {
  coverage(areaCode: $area, kinds: $kinds, radiusMeters: $radius, roadDistanceMeters: $road) {
    areaCode villages coveredVillages households coveredHouseholds elderly coveredElderly share
    byArea { areaCode villages coveredVillages elderly coveredElderly share }
    gaps(first: $gaps) { code elderly level }
  }
}
"""


def _brute_force_covered(connection: Connection, kind: str, radius: float) -> set[str]:
    villages = connection.execute(
        text(
            "SELECT code, ST_X(rep_point), ST_Y(rep_point) FROM admin_area WHERE level = 'village'"
        )
    ).all()
    services = connection.execute(
        text("SELECT ST_X(geom), ST_Y(geom) FROM service WHERE kind = :k AND status = 'published'"),
        {"k": kind},
    ).all()
    slon = np.array([s[0] for s in services])
    slat = np.array([s[1] for s in services])
    covered = set()
    for code, lon, lat in villages:
        _, _, dist = WGS84.inv(np.full(len(slon), lon), np.full(len(slon), lat), slon, slat)
        if (dist <= radius).any():
            covered.add(code)
    return covered


@pytest.mark.parametrize(
    ("kind", "enum", "radius"),
    [
        ("elder_dining_table", "ELDER_DINING_TABLE", 1000.0),
        ("assistance_station", "ASSISTANCE_STATION", 5000.0),
        ("elder_care_institution", "ELDER_CARE_INSTITUTION", 3000.0),
    ],
)
def test_coverage_by_radius_equals_a_brute_force_geodesic_check(
    client: TestClient, connection: Connection, kind: str, enum: str, radius: float
) -> None:
    expected = _brute_force_covered(connection, kind, radius)
    rows = coverage_by_radius(connection, "3710", [kind], radius)
    assert {r["code"] for r in rows if r["covered"]} == expected

    report = graphql_data(
        client, COVERAGE, {"area": "3710", "kinds": [enum], "radius": radius, "gaps": 500}
    )["coverage"]
    elderly = {r["code"]: r["elderly"] for r in rows}
    assert report["villages"] == len(rows) == 2768
    assert report["coveredVillages"] == len(expected)
    assert report["coveredElderly"] == sum(elderly[c] for c in expected)
    assert report["share"] == pytest.approx(report["coveredElderly"] / report["elderly"])
    assert sum(a["villages"] for a in report["byArea"]) == report["villages"]
    assert sum(a["coveredElderly"] for a in report["byArea"]) == report["coveredElderly"]
    assert len(report["byArea"]) == 7
    gaps = report["gaps"]
    assert all(g["code"] not in expected and g["level"] == "VILLAGE" for g in gaps)
    assert [g["elderly"] for g in gaps] == sorted((g["elderly"] for g in gaps), reverse=True)
    uncovered = sorted((elderly[c] for c in elderly if c not in expected), reverse=True)
    assert [g["elderly"] for g in gaps] == uncovered[: len(gaps)]


def test_a_larger_radius_covers_at_least_as_much(client: TestClient) -> None:
    shares = [
        graphql_data(
            client, COVERAGE, {"area": "371003", "kinds": ["ELDER_DINING_TABLE"], "radius": r}
        )["coverage"]["share"]
        for r in (500.0, 1000.0, 2000.0, 5000.0)
    ]
    assert shares == sorted(shares)
    assert shares[0] < shares[-1]


def _hand_made_network(connection: Connection) -> dict[str, Any]:
    """Three nodes on a parallel, A–B–C, roads about 1 km each; one dining table at A and
    two villages at B and at C; every other service retired."""
    connection.execute(text("DELETE FROM road_edge"))
    connection.execute(text("DELETE FROM road_node"))
    connection.execute(text("UPDATE service SET status = 'retired'"))
    lat, lon0, step = 37.2, 122.0, 0.0112
    ids = []
    for i in range(3):
        ids.append(
            connection.execute(
                text(
                    "INSERT INTO road_node (geom) VALUES (ST_SetSRID(ST_MakePoint(:x, :y), 4326))"
                    " RETURNING id"
                ),
                {"x": lon0 + i * step, "y": lat},
            ).scalar_one()
        )
    for a, b in ((ids[0], ids[1]), (ids[1], ids[2])):
        connection.execute(
            text(
                "INSERT INTO road_edge (source, target, road_class, geom) SELECT :a, :b, 'rural',"
                " ST_MakeLine(na.geom, nb.geom) FROM road_node na, road_node nb"
                " WHERE na.id = :a AND nb.id = :b"
            ),
            {"a": a, "b": b},
        )
    ab, bc = connection.execute(text("SELECT length_m FROM road_edge ORDER BY id")).scalars()
    village_b, village_c = connection.execute(
        text("SELECT code FROM admin_area WHERE parent_code = '371003101' ORDER BY code LIMIT 2")
    ).scalars()
    for code, i in ((village_b, 1), (village_c, 2)):
        connection.execute(
            text(
                "UPDATE admin_area SET rep_point = ST_SetSRID(ST_MakePoint(:x, :y), 4326)"
                " WHERE code = :code"
            ),
            {"x": lon0 + i * step, "y": lat, "code": code},
        )
    connection.execute(
        text(
            "INSERT INTO service (kind, name, geom, area_code, meal_capacity, source)"
            " VALUES ('elder_dining_table', 'A', ST_SetSRID(ST_MakePoint(:x, :y), 4326),"
            " :code, 40, 'test')"
        ),
        {"x": lon0 + 0.0001, "y": lat, "code": village_b},
    )
    return {"ab": ab, "bc": bc, "b": village_b, "c": village_c}


def test_road_distances_on_a_hand_made_network(connection: Connection) -> None:
    net = _hand_made_network(connection)
    assert 950 < net["ab"] < 1050 and 950 < net["bc"] < 1050

    def covered(road_m: float) -> set[str]:
        rows = coverage_by_road(connection, "371003101", ["elder_dining_table"], road_m)
        return {r["code"] for r in rows if r["covered"]} & {net["b"], net["c"]}

    assert covered(net["ab"] - 1) == set()
    assert covered(net["ab"] + 1) == {net["b"]}
    assert covered(net["ab"] + net["bc"] - 1) == {net["b"]}
    assert covered(net["ab"] + net["bc"] + 1) == {net["b"], net["c"]}


def test_road_coverage_is_never_more_than_straight_line_coverage(client: TestClient) -> None:
    """A road is never shorter than the straight line between its ends (nodes aside)."""
    by_road = graphql_data(
        client, COVERAGE, {"area": "371083", "kinds": ["ELDER_DINING_TABLE"], "road": 3000.0}
    )["coverage"]
    by_radius = graphql_data(
        client, COVERAGE, {"area": "371083", "kinds": ["ELDER_DINING_TABLE"], "radius": 3000.0}
    )["coverage"]
    assert 0 < by_road["coveredVillages"] <= by_radius["coveredVillages"] + 5


@pytest.mark.parametrize(
    ("variables", "field"),
    [
        ({"area": "3710", "kinds": ["ELDER_DINING_TABLE"]}, "radiusMeters"),
        (
            {"area": "3710", "kinds": ["ELDER_DINING_TABLE"], "radius": 1.0, "road": 1.0},
            "radiusMeters",
        ),
        ({"area": "3710", "kinds": ["ELDER_DINING_TABLE"], "radius": 0.0}, "radiusMeters"),
        ({"area": "3710", "kinds": ["ELDER_DINING_TABLE"], "radius": 100_001.0}, "radiusMeters"),
        ({"area": "3710", "kinds": ["ELDER_DINING_TABLE"], "road": -1.0}, "roadDistanceMeters"),
        (
            {"area": "3710", "kinds": ["ELDER_DINING_TABLE"], "road": 100_001.0},
            "roadDistanceMeters",
        ),
        ({"area": "3710", "kinds": [], "radius": 1000.0}, "kinds"),
        ({"area": "371099", "kinds": ["ELDER_DINING_TABLE"], "radius": 1000.0}, "areaCode"),
        ({"area": "37x", "kinds": ["ELDER_DINING_TABLE"], "radius": 1000.0}, "areaCode"),
    ],
)
def test_bad_coverage_input(client: TestClient, variables: dict[str, Any], field: str) -> None:
    (error,) = graphql(client, COVERAGE, variables)["errors"]
    assert error["extensions"] == {"code": "BAD_USER_INPUT", "field": field}


SUGGEST = """
query ($area: String!, $count: Int!, $radius: Float, $road: Float) {
  suggestSites(areaCode: $area, kind: ELDER_DINING_TABLE, count: $count,
               radiusMeters: $radius, roadDistanceMeters: $road) {
    sites { area { code level } addedElderly addedVillages }
    before { coveredElderly share gaps(first: 500) { code } }
    after { coveredElderly share }
  }
}
"""


@pytest.mark.parametrize("distance", [{"radius": 1000.0}, {"road": 1000.0}])
def test_suggested_sites_add_what_they_say(client: TestClient, distance: dict[str, float]) -> None:
    result = graphql_data(client, SUGGEST, {"area": "371003", "count": 3, **distance})[
        "suggestSites"
    ]
    sites = result["sites"]
    assert len(sites) == 3
    uncovered_before = {g["code"] for g in result["before"]["gaps"]}
    assert sites[0]["area"]["code"] in uncovered_before  # never an already covered village
    assert all(s["area"]["level"] == "VILLAGE" for s in sites)
    gains = [s["addedElderly"] for s in sites]
    assert gains == sorted(gains, reverse=True) and gains[-1] > 0
    assert result["after"]["coveredElderly"] - result["before"]["coveredElderly"] == sum(gains)
    assert result["after"]["share"] > result["before"]["share"]


@pytest.mark.parametrize(("count", "field"), [(0, "count"), (51, "count")])
def test_bad_site_counts(client: TestClient, count: int, field: str) -> None:
    (error,) = graphql(client, SUGGEST, {"area": "371003", "count": count, "radius": 1000.0})[
        "errors"
    ]
    assert error["extensions"] == {"code": "BAD_USER_INPUT", "field": field}


def test_accessibility_hands_out_all_supply_within_reach(
    client: TestClient, connection: Connection
) -> None:
    """2SFCA conserves supply: the scores weighted by elderly add up to the meals of every
    dining table that has at least one village within reach."""
    query = """{ accessibility(areaCode: "3710", kind: ELDER_DINING_TABLE, radiusMeters: 2000) {
        area { code } elderly score scorePer100Elderly } }"""
    scores = graphql_data(client, query)["accessibility"]
    assert len(scores) == 2768
    reached_supply = connection.execute(
        text(
            "SELECT sum(meal_capacity) FROM service s WHERE kind = 'elder_dining_table'"
            " AND EXISTS (SELECT 1 FROM admin_area v WHERE v.level = 'village'"
            " AND ST_DWithin(s.geom::geography, v.rep_point::geography, 2000))"
        )
    ).scalar_one()
    assert sum(s["score"] * s["elderly"] for s in scores) == pytest.approx(reached_supply)
    assert all(s["scorePer100Elderly"] == pytest.approx(s["score"] * 100) for s in scores)


def test_accessibility_needs_a_kind_with_capacity(client: TestClient) -> None:
    query = """{ accessibility(areaCode: "3710", kind: ASSISTANCE_STATION, radiusMeters: 2000) {
        score } }"""
    (error,) = graphql(client, query)["errors"]
    assert error["extensions"] == {"code": "BAD_USER_INPUT", "field": "kind"}


def test_capacity_against_demand(client: TestClient, connection: Connection) -> None:
    beds, meals = connection.execute(
        text(
            "SELECT sum(beds), sum(meal_capacity) FROM service"
            " WHERE status = 'published' AND area_code LIKE '371082%'"
        )
    ).one()
    query = """{ area(code: "371082") { elderly capacity {
        beds dailyMeals elderly bedsPer100Elderly mealsPer100Elderly } } }"""
    area = graphql_data(client, query)["area"]
    capacity = area["capacity"]
    assert (capacity["beds"], capacity["dailyMeals"]) == (beds, meals)
    assert capacity["elderly"] == area["elderly"]
    assert capacity["bedsPer100Elderly"] == pytest.approx(beds * 100 / area["elderly"])


def test_overlays_are_feature_collections(client: TestClient) -> None:
    query = """{ coverage(areaCode: "3710", kinds: [ELDER_DINING_TABLE], radiusMeters: 1000) {
        byArea { areaCode share } byAreaGeoJSON gapsGeoJSON(first: 5) gaps(first: 5) { code } } }"""
    report = graphql_data(client, query)["coverage"]
    choropleth = report["byAreaGeoJSON"]
    assert choropleth["type"] == "FeatureCollection"
    assert [f["properties"]["share"] for f in choropleth["features"]] == [
        a["share"] for a in report["byArea"]
    ]
    assert {f["geometry"]["type"] for f in choropleth["features"]} == {"MultiPolygon"}
    points = report["gapsGeoJSON"]["features"]
    assert [f["id"] for f in points] == [g["code"] for g in report["gaps"]]
    assert {f["geometry"]["type"] for f in points} == {"Point"}
