"""Coverage through the API: straight-line against a brute-force geodesic check, reports
per child area, gaps a page at a time, site suggestions, accessibility and bad input.
Road distances themselves are checked in test_road_distances."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from pyproj import Geod
from sqlalchemy import Connection, text
from starlette.testclient import TestClient

from db.queries.coverage import coverage_by_radius
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
    gaps(first: $gaps) { totalCount edges { node { code elderly level } } }
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
    gaps = [e["node"] for e in report["gaps"]["edges"]]
    assert report["gaps"]["totalCount"] == len(rows) - len(expected)
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
    before { coveredElderly share gaps(first: 5000) { edges { node { code } } } }
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
    uncovered_before = {e["node"]["code"] for e in result["before"]["gaps"]["edges"]}
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
        byArea { areaCode share } byAreaGeoJSON gapsGeoJSON(first: 5)
        gaps(first: 5) { edges { node { code } } } } }"""
    report = graphql_data(client, query)["coverage"]
    choropleth = report["byAreaGeoJSON"]
    assert choropleth["type"] == "FeatureCollection"
    assert [f["properties"]["share"] for f in choropleth["features"]] == [
        a["share"] for a in report["byArea"]
    ]
    assert {f["geometry"]["type"] for f in choropleth["features"]} == {"MultiPolygon"}
    points = report["gapsGeoJSON"]["features"]
    assert [f["id"] for f in points] == [e["node"]["code"] for e in report["gaps"]["edges"]]
    assert {f["geometry"]["type"] for f in points} == {"Point"}
