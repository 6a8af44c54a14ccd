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
from tests.conftest import graphql, graphql_data, signed_out

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
    query = """{ accessibility(areaCode: "3710", kind: ELDER_DINING_TABLE, radiusMeters: 2000,
        first: 5000) { totalCount
        edges { node { area { code } elderly score scorePer100Elderly } } } }"""
    page = graphql_data(client, query)["accessibility"]
    scores = [edge["node"] for edge in page["edges"]]
    villages = connection.execute(
        text("SELECT count(*) FROM admin_area WHERE level = 'village'")
    ).scalar_one()
    assert len(scores) == page["totalCount"] == villages
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
        edges { node { score } } } }"""
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
    assert {f["properties"]["level"] for f in choropleth["features"]} == {"COUNTY"}
    points = report["gapsGeoJSON"]["features"]
    assert [f["id"] for f in points] == [e["node"]["code"] for e in report["gaps"]["edges"]]
    assert {f["geometry"]["type"] for f in points} == {"Point"}


GAPS_PAGE = """
query ($after: String) {
  coverage(areaCode: "3710", kinds: [ELDER_DINING_TABLE], roadDistanceMeters: 1000) {
    villages coveredVillages
    gaps(first: 400, after: $after) {
      totalCount pageInfo { hasNextPage endCursor } edges { node { code elderly } }
    }
  }
}
"""


def test_gaps_come_a_page_at_a_time_and_every_uncovered_village_once(client: TestClient) -> None:
    seen: list[dict[str, Any]] = []
    after = None
    while True:
        report = graphql_data(client, GAPS_PAGE, {"after": after})["coverage"]
        gaps = report["gaps"]
        seen += [e["node"] for e in gaps["edges"]]
        if not gaps["pageInfo"]["hasNextPage"]:
            break
        after = gaps["pageInfo"]["endCursor"]
    uncovered = report["villages"] - report["coveredVillages"]
    assert gaps["totalCount"] == uncovered == len(seen) == len({g["code"] for g in seen})
    assert uncovered > 500
    order = [(-g["elderly"], g["code"]) for g in seen]
    assert order == sorted(order)


def test_a_cursor_from_elsewhere_is_refused(client: TestClient) -> None:
    (error,) = graphql(client, GAPS_PAGE, {"after": "bm90LWEtY3Vyc29y"})["errors"]
    assert error["extensions"] == {"code": "BAD_USER_INPUT", "field": "after"}


def test_reports_by_area_carry_the_area_name_and_level(
    client: TestClient, connection: Connection
) -> None:
    query = """{ coverage(areaCode: "371002", kinds: [ELDER_DINING_TABLE], radiusMeters: 1000) {
        name level byArea { areaCode name level area { code name } } } }"""
    report = graphql_data(client, query)["coverage"]
    names: dict[str, str] = dict(
        connection.execute(
            text("SELECT code, name FROM admin_area WHERE parent_code = '371002'")
        ).all()
    )
    assert (report["level"], report["name"]) == ("COUNTY", "环翠区")
    assert {a["areaCode"]: a["name"] for a in report["byArea"]} == names
    assert {a["level"] for a in report["byArea"]} == {"TOWNSHIP"}
    assert all(a["area"]["name"] == a["name"] for a in report["byArea"])


SCENARIO = """
query ($scenario: ScenarioInput, $road: Float, $radius: Float) {
  coverage(areaCode: "371003", kinds: [ELDER_DINING_TABLE], roadDistanceMeters: $road,
           radiusMeters: $radius, scenario: $scenario) {
    coveredVillages coveredElderly
    gaps(first: 5000) { edges { node { code } } }
    before { coveredVillages coveredElderly gaps(first: 5000) { edges { node { code } } } }
  }
}
"""


def _codes(gaps: dict[str, Any]) -> set[str]:
    return {e["node"]["code"] for e in gaps["edges"]}


@pytest.mark.parametrize("distance", [{"radius": 1000.0}, {"road": 1000.0}])
def test_a_hypothetical_site_at_an_uncovered_village_covers_it(
    client: TestClient, connection: Connection, distance: dict[str, float]
) -> None:
    plain = graphql_data(client, SCENARIO, distance)["coverage"]
    assert plain["before"] is None
    gap = sorted(_codes(plain["gaps"]))[0]
    lon, lat = connection.execute(
        text("SELECT ST_X(rep_point), ST_Y(rep_point) FROM admin_area WHERE code = :c"),
        {"c": gap},
    ).one()
    site = {"kind": "ELDER_DINING_TABLE", "point": {"lon": lon, "lat": lat}, "capacity": 30}
    what_if = graphql_data(client, SCENARIO, {**distance, "scenario": {"addSites": [site]}})[
        "coverage"
    ]
    assert what_if["before"]["coveredVillages"] == plain["coveredVillages"]
    assert _codes(what_if["before"]["gaps"]) == _codes(plain["gaps"])
    assert gap not in _codes(what_if["gaps"])
    assert _codes(what_if["gaps"]) < _codes(plain["gaps"])
    assert what_if["coveredElderly"] > what_if["before"]["coveredElderly"]
    count = connection.execute(text("SELECT count(*) FROM service")).scalar_one()
    assert count == connection.execute(text("SELECT count(*) FROM service")).scalar_one()


def test_closing_the_only_service_within_reach_uncovers_its_villages(
    client: TestClient, connection: Connection
) -> None:
    """Every dining table of the county closed: by radius, only villages with a table
    across the county border within reach stay covered."""
    ids = (
        connection.execute(
            text(
                "SELECT id::text FROM service WHERE kind = 'elder_dining_table'"
                " AND status = 'published' AND area_code LIKE '371003%'"
            )
        )
        .scalars()
        .all()
    )
    result = graphql_data(client, SCENARIO, {"radius": 1000.0, "scenario": {"closeServices": ids}})[
        "coverage"
    ]
    assert result["coveredVillages"] < result["before"]["coveredVillages"]
    still = connection.execute(
        text(
            "SELECT count(*) FROM admin_area v WHERE v.code LIKE '371003%' AND v.level = 'village'"
            " AND EXISTS (SELECT 1 FROM service s WHERE s.kind = 'elder_dining_table'"
            " AND s.status = 'published' AND s.area_code NOT LIKE '371003%'"
            " AND ST_DWithin(s.geom::geography, v.rep_point::geography, 1000))"
        )
    ).scalar_one()
    assert result["coveredVillages"] == still


def test_proposed_services_count_when_asked(client: TestClient, connection: Connection) -> None:
    plain = graphql_data(client, SCENARIO, {"radius": 1000.0})["coverage"]
    gap = sorted(_codes(plain["gaps"]))[0]
    connection.execute(
        text(
            "INSERT INTO service (kind, name, geom, area_code, meal_capacity, source, status)"
            " SELECT 'elder_dining_table', '试点老年餐桌', rep_point, code, 20, 'test', 'proposed'"
            " FROM admin_area WHERE code = :c"
        ),
        {"c": gap},
    )
    unchanged = graphql_data(client, SCENARIO, {"radius": 1000.0})["coverage"]
    assert unchanged["coveredVillages"] == plain["coveredVillages"]
    opened = graphql_data(
        client, SCENARIO, {"radius": 1000.0, "scenario": {"includeProposed": True}}
    )["coverage"]
    assert gap not in _codes(opened["gaps"])
    assert opened["before"]["coveredVillages"] == plain["coveredVillages"]


def _site(lon: float = 122.06, lat: float = 37.2, capacity: int = 10) -> dict[str, Any]:
    return {"kind": "ELDER_DINING_TABLE", "point": {"lon": lon, "lat": lat}, "capacity": capacity}


@pytest.mark.parametrize(
    ("scenario", "field"),
    [
        ({"addSites": [_site()] * 201}, "scenario.addSites"),
        ({"addSites": [_site(), _site(capacity=-1)]}, "scenario.addSites[1].capacity"),
        ({"addSites": [_site(lon=121.0, lat=36.0)]}, "scenario.addSites[0].point"),
        ({"addSites": [_site(lon=200.0)]}, "scenario.addSites[0].point"),
        ({"closeServices": ["1", "999999"]}, "scenario.closeServices[1]"),
        ({"closeServices": ["abc"]}, "scenario.closeServices[0]"),
    ],
)
def test_bad_scenarios_are_refused_and_name_the_field(
    client: TestClient, scenario: dict[str, Any], field: str
) -> None:
    body = graphql(client, SCENARIO, {"radius": 1000.0, "scenario": scenario})
    (error,) = body["errors"]
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    assert error["extensions"]["field"] == field


def test_scenarios_are_for_planners(client: TestClient) -> None:
    signed_out(client)
    (error,) = graphql(client, SCENARIO, {"radius": 1000.0, "scenario": {}})["errors"]
    assert error["extensions"]["code"] == "FORBIDDEN"


ACCESS = """
query ($decay: DecayInput, $demand: DemandGroup, $scenario: ScenarioInput) {
  accessibilityReport(areaCode: "3710", kind: ELDER_DINING_TABLE, roadDistanceMeters: 3000,
                      decay: $decay, demand: $demand, scenario: $scenario) {
    villages(first: 5000) { totalCount pageInfo { hasNextPage }
      edges { node { area { code } elderly demand score scoreBefore } } }
    total { demand score scoreBefore }
    byCounty { area { code level } demand score }
    byTownship { area { code level } demand score }
  }
}
"""


def _access(client: TestClient, variables: dict[str, Any]) -> dict[str, Any]:
    """The report, its villages (every one, on one page) as a list."""
    report: dict[str, Any] = graphql_data(client, ACCESS, variables)["accessibilityReport"]
    villages = report["villages"]
    assert villages["pageInfo"]["hasNextPage"] is False
    report["villages"] = [edge["node"] for edge in villages["edges"]]
    assert len(report["villages"]) == villages["totalCount"]
    return report


@pytest.mark.parametrize(
    "decay",
    [
        None,
        {"function": "GAUSSIAN", "bandwidthMeters": 3000},
        {"function": "STEPPED", "steps": [1, 0.68, 0.22]},
    ],
)
def test_accessibility_with_decay_still_hands_out_all_supply(
    client: TestClient, connection: Connection, decay: dict[str, Any] | None
) -> None:
    """Whatever the decay, each service's meals go in full to the demand it reaches with a
    weight above 0: sum(score × demand) equals the meals of those services."""
    report = _access(client, {"decay": decay})
    handed_out = sum(v["score"] * v["demand"] for v in report["villages"])
    reached = connection.execute(
        text(
            "SELECT sum(s.meal_capacity) FROM service s WHERE s.kind = 'elder_dining_table'"
            " AND s.status = 'published' AND EXISTS (SELECT 1 FROM admin_area v"
            " WHERE v.level = 'village'"
            " AND ST_DWithin(s.geom::geography, v.rep_point::geography, 2500))"
        )
    ).scalar_one()
    # Reached by road within 3 km: at least every table with a village within 2.5 km
    # straight and a road beside it; at most all of them.
    total = connection.execute(
        text(
            "SELECT sum(meal_capacity) FROM service"
            " WHERE kind = 'elder_dining_table' AND status = 'published'"
        )
    ).scalar_one()
    assert 0.5 * reached < handed_out <= total + 1e-6


def test_decay_lowers_far_villages_and_rollups_weigh_by_demand(client: TestClient) -> None:
    flat = _access(client, {})
    gaussian = _access(client, {"decay": {"function": "GAUSSIAN", "bandwidthMeters": 2000}})
    assert [v["score"] for v in flat["villages"]] != [v["score"] for v in gaussian["villages"]]
    for report in (flat, gaussian):
        villages = report["villages"]
        demand = sum(v["demand"] for v in villages)
        assert report["total"]["demand"] == demand
        assert report["total"]["score"] == pytest.approx(
            sum(v["score"] * v["demand"] for v in villages) / demand
        )
        assert {c["area"]["level"] for c in report["byCounty"]} == {"COUNTY"}
        assert sum(c["demand"] for c in report["byCounty"]) == demand
        for township in report["byTownship"][:5]:
            inside = [v for v in villages if v["area"]["code"].startswith(township["area"]["code"])]
            weight = sum(v["demand"] for v in inside)
            assert township["score"] == pytest.approx(
                sum(v["score"] * v["demand"] for v in inside) / weight if weight else 0.0
            )


def test_the_oldest_old_as_demand(client: TestClient, connection: Connection) -> None:
    report = _access(client, {"demand": "AGED_80_PLUS"})
    oldest: dict[str, int] = dict(
        connection.execute(
            text("SELECT code, elderly_80 FROM admin_area WHERE level = 'village'")
        ).all()
    )
    assert {v["area"]["code"]: v["demand"] for v in report["villages"]} == oldest
    assert all(v["demand"] < v["elderly"] or v["elderly"] == 0 for v in report["villages"])


def test_accessibility_before_and_after_a_new_dining_table(
    client: TestClient, connection: Connection
) -> None:
    lon, lat, code = connection.execute(
        text(
            "SELECT ST_X(rep_point), ST_Y(rep_point), code FROM admin_area"
            " WHERE level = 'village' ORDER BY elderly DESC LIMIT 1"
        )
    ).one()
    site = {"kind": "ELDER_DINING_TABLE", "point": {"lon": lon, "lat": lat}, "capacity": 500}
    report = _access(client, {"scenario": {"addSites": [site]}})
    village = next(v for v in report["villages"] if v["area"]["code"] == code)
    assert village["score"] > village["scoreBefore"]
    assert report["total"]["score"] > report["total"]["scoreBefore"]


@pytest.mark.parametrize(
    ("decay", "field"),
    [
        ({"function": "GAUSSIAN"}, "decay.bandwidthMeters"),
        ({"function": "GAUSSIAN", "bandwidthMeters": 5000}, "decay.bandwidthMeters"),
        ({"function": "STEPPED"}, "decay.steps"),
        ({"function": "STEPPED", "steps": [0.5, 1]}, "decay.steps"),
        ({"function": "STEPPED", "steps": [1.5]}, "decay.steps"),
    ],
)
def test_a_decay_without_its_parameter_is_refused(
    client: TestClient, decay: dict[str, Any], field: str
) -> None:
    (error,) = graphql(client, ACCESS, {"decay": decay})["errors"]
    assert error["extensions"] == {"code": "BAD_USER_INPUT", "field": field}


def test_suggestions_start_from_the_scenario(client: TestClient, connection: Connection) -> None:
    query = """query ($scenario: ScenarioInput) {
      suggestSites(areaCode: "371003", kind: ELDER_DINING_TABLE, count: 2, radiusMeters: 1000,
                   scenario: $scenario) {
        sites { area { code } addedElderly }
        before { coveredElderly } withScenario { coveredElderly } after { coveredElderly }
      }
    }"""
    plain = graphql_data(client, query)["suggestSites"]
    assert plain["withScenario"] is None
    first = plain["sites"][0]["area"]["code"]
    lon, lat = connection.execute(
        text("SELECT ST_X(rep_point), ST_Y(rep_point) FROM admin_area WHERE code = :c"),
        {"c": first},
    ).one()
    site = {"kind": "ELDER_DINING_TABLE", "point": {"lon": lon, "lat": lat}, "capacity": 30}
    what_if = graphql_data(client, query, {"scenario": {"addSites": [site]}})["suggestSites"]
    assert what_if["before"] == plain["before"]
    assert what_if["withScenario"]["coveredElderly"] == (
        plain["before"]["coveredElderly"] + plain["sites"][0]["addedElderly"]
    )
    assert first not in [s["area"]["code"] for s in what_if["sites"]]
    assert what_if["after"]["coveredElderly"] == what_if["withScenario"]["coveredElderly"] + sum(
        s["addedElderly"] for s in what_if["sites"]
    )
