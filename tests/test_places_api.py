"""Place names, village roads and areas as collections, and their links."""

from __future__ import annotations

from sqlalchemy import Connection, text
from starlette.testclient import TestClient

from data.demo.published import PUBLISHED
from tests.conftest import graphql_data


def test_place_names_by_designation(client: TestClient) -> None:
    query = """{ red: placeNames(designations: [RED], first: 100) { totalCount
                   edges { node { standardName designations category areaChain { level } } } }
                 heritage: placeNames(designations: [HERITAGE]) { totalCount } }"""
    data = graphql_data(client, query)
    assert data["red"]["totalCount"] == PUBLISHED.red_place_names
    assert data["heritage"]["totalCount"] == PUBLISHED.heritage_place_names
    for edge in data["red"]["edges"]:
        assert "RED" in edge["node"]["designations"]
        assert [a["level"] for a in edge["node"]["areaChain"]] == [
            "VILLAGE",
            "TOWNSHIP",
            "COUNTY",
            "CITY",
        ]


def test_village_roads_in_an_area(client: TestClient, connection: Connection) -> None:
    expected = connection.execute(
        text("SELECT count(*), sum(length_m) FROM village_road WHERE village_code LIKE '371083%'")
    ).one()
    query = """{ villageRoads(inArea: "371083", first: 500) { totalCount
                 edges { node { name pinyin lengthMeters geometry village { level } } } } }"""
    page = graphql_data(client, query)["villageRoads"]
    assert page["totalCount"] == expected[0]
    first_page = page["edges"]
    assert all(e["node"]["geometry"]["type"] == "LineString" for e in first_page)
    assert all(e["node"]["village"]["level"] == "VILLAGE" for e in first_page)
    area = graphql_data(client, '{ area(code: "371083") { villageRoads { lengthMeters } } }')
    roads = area["area"]["villageRoads"]
    assert len(roads) == expected[0]
    assert abs(sum(r["lengthMeters"] for r in roads) - expected[1]) < 1e-6


def test_areas_by_level_in_an_area(client: TestClient, connection: Connection) -> None:
    expected = connection.execute(
        text("SELECT count(*) FROM admin_area WHERE level = 'village' AND code LIKE '371003%'")
    ).scalar_one()
    query = """{ areas(levels: [VILLAGE], inArea: "371003", first: 3) {
        totalCount pageInfo { hasNextPage } edges { node { code level } } } }"""
    page = graphql_data(client, query)["areas"]
    assert page["totalCount"] == expected
    assert page["pageInfo"]["hasNextPage"]
    codes = [e["node"]["code"] for e in page["edges"]]
    assert codes == sorted(codes) and all(c.startswith("371003") for c in codes)


def test_areas_within_a_radius_of_a_point(client: TestClient) -> None:
    query = """{ areas(levels: [COUNTY], within: {point: {lon: 122.12, lat: 37.51},
                 radiusMeters: 1000}) { edges { node { code } } } }"""
    codes = [e["node"]["code"] for e in graphql_data(client, query)["areas"]["edges"]]
    assert "371002" in codes


def test_a_settlement_place_name_links_to_its_village(client: TestClient) -> None:
    query = """{ area(code: "371002001001") { name placeNames { standardName category
                 areaChain { code } } } }"""
    area = graphql_data(client, query)["area"]
    settlement = next(p for p in area["placeNames"] if p["category"] == "SETTLEMENT")
    assert area["name"].startswith(settlement["standardName"])
    assert settlement["areaChain"][0] == {"code": "371002001001"}
