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
    area = graphql_data(
        client,
        '{ area(code: "371083") { villageRoads(first: 500) { totalCount'
        " pageInfo { hasNextPage } edges { node { lengthMeters } } } } }",
    )
    roads = area["area"]["villageRoads"]
    assert roads["totalCount"] == len(roads["edges"]) == expected[0]
    assert roads["pageInfo"]["hasNextPage"] is False
    total = sum(e["node"]["lengthMeters"] for e in roads["edges"])
    assert abs(total - expected[1]) < 1e-6


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


def test_an_areas_records_page_alike_for_every_area_of_a_list(
    client: TestClient, connection: Connection
) -> None:
    """The townships of a county, each with the first page of its place names and the
    next: what each page holds is what SQL finds for that township alone."""
    query = """query ($after: String) { area(code: "371002") { children { code
        placeNames(first: 5, after: $after) { totalCount
          pageInfo { hasNextPage endCursor } edges { node { id } } } } } }"""
    townships = graphql_data(client, query)["area"]["children"]
    assert len(townships) > 3
    for township in townships:
        ids = [
            str(i)
            for i in connection.execute(
                text(
                    "SELECT id FROM place_name WHERE status = 'published'"
                    " AND area_code LIKE :code || '%' ORDER BY id"
                ),
                {"code": township["code"]},
            ).scalars()
        ]
        page = township["placeNames"]
        assert page["totalCount"] == len(ids)
        assert [e["node"]["id"] for e in page["edges"]] == ids[:5]
        assert page["pageInfo"]["hasNextPage"] == (len(ids) > 5)
    busiest = max(townships, key=lambda t: t["placeNames"]["totalCount"])
    cursor = busiest["placeNames"]["pageInfo"]["endCursor"]
    following = graphql_data(
        client,
        "query ($code: String!, $after: String) { area(code: $code) {"
        " placeNames(first: 5, after: $after) { edges { node { id } } } } }",
        {"code": busiest["code"], "after": cursor},
    )["area"]["placeNames"]["edges"]
    expected = connection.execute(
        text(
            "SELECT id FROM place_name WHERE status = 'published'"
            " AND area_code LIKE :code || '%' ORDER BY id OFFSET 5 LIMIT 5"
        ),
        {"code": busiest["code"]},
    ).scalars()
    assert [e["node"]["id"] for e in following] == [str(i) for i in expected]


def test_areas_within_a_radius_of_a_point(client: TestClient) -> None:
    query = """{ areas(levels: [COUNTY], within: {point: {lon: 122.12, lat: 37.51},
                 radiusMeters: 1000}) { edges { node { code } } } }"""
    codes = [e["node"]["code"] for e in graphql_data(client, query)["areas"]["edges"]]
    assert "371002" in codes


def test_a_settlement_place_name_links_to_its_village(client: TestClient) -> None:
    query = """{ area(code: "371002001001") { name placeNames { edges { node {
                 standardName category areaChain { code } } } } } }"""
    area = graphql_data(client, query)["area"]
    places = [e["node"] for e in area["placeNames"]["edges"]]
    settlement = next(p for p in places if p["category"] == "SETTLEMENT")
    assert area["name"].startswith(settlement["standardName"])
    assert settlement["areaChain"][0] == {"code": "371002001001"}
