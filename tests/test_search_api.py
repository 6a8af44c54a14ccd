"""Name search in characters and pinyin, ranked exact > prefix > substring > fuzzy."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import Connection, text
from starlette.testclient import TestClient

from tests.conftest import graphql, graphql_data, signed_in, signed_out

SEARCH = """query ($q: String!, $first: Int) {
  searchPlaceNames(query: $q, first: $first) { id standardName pinyin category }
}"""


def _names(client: TestClient, query: str, first: int = 20) -> list[str]:
    hits = graphql_data(client, SEARCH, {"q": query, "first": first})["searchPlaceNames"]
    return [h["standardName"] for h in hits]


@pytest.mark.parametrize(
    "query",
    [
        "威海市",
        "weihaishi",
        "Weihai Shi",
        "wei hai shi",
        "whs",
        "Wēihǎi Shì",
        "wei1hai3shi4",
        "WHS",
    ],
)
def test_the_city_is_found_in_every_way_of_writing_it(client: TestClient, query: str) -> None:
    assert _names(client, query)[0] == "威海市"


def test_chinese_substring_finds_names_containing_it(client: TestClient) -> None:
    names = _names(client, "环翠", 50)
    assert names[0] == "环翠区"  # prefix before substring
    assert "环翠楼街道" in names


def test_exact_before_prefix_before_substring_before_fuzzy(
    client: TestClient, connection: Connection
) -> None:
    for name in ("测试", "测试村", "老测试村", "测验村"):
        connection.execute(
            text(
                "INSERT INTO place_name (standard_name, specific_part, generic_part, pinyin,"
                " category, geom, source) VALUES (:n, :n, '', 'x', 'settlement',"
                " ST_SetSRID(ST_MakePoint(122, 37), 4326), 'test') RETURNING id"
            ),
            {"n": name},
        )
    from db.queries.search import rebuild_search_index

    rebuild_search_index(connection)
    names = _names(client, "测试", 10)
    assert names[:3] == ["测试", "测试村", "老测试村"]
    fuzzy = _names(client, "测试村", 10)
    assert fuzzy[0] == "测试村"
    assert "测验村" in fuzzy  # one character off: a fuzzy match, ranked after the others


def test_pinyin_finds_village_roads_as_place_names(client: TestClient) -> None:
    hits = graphql_data(client, SEARCH, {"q": "xingfu lu", "first": 5})["searchPlaceNames"]
    assert hits and all(h["standardName"] == "幸福路" for h in hits)
    assert {h["category"] for h in hits} == {"ROAD_STREET"}


def test_retired_place_names_are_not_found(client: TestClient, connection: Connection) -> None:
    connection.execute(
        text("UPDATE place_name SET status = 'retired' WHERE standard_name = '威海市'")
    )
    assert "威海市" not in _names(client, "whs")


def test_search_covers_areas_roads_and_services(client: TestClient, connection: Connection) -> None:
    service = connection.execute(
        text("SELECT name FROM service WHERE kind = 'assistance_station' ORDER BY id LIMIT 1")
    ).scalar_one()
    query = """query ($q: String!) { search(query: $q, first: 5) {
        kind name match service { name } area { code } } }"""
    hits = graphql_data(client, query, {"q": service})["search"]
    assert hits[0]["kind"] == "SERVICE"
    assert hits[0]["match"] == "EXACT"
    assert hits[0]["service"] == {"name": service}
    area = graphql_data(client, query, {"q": "文登区"})["search"]
    assert {
        "kind": "AREA",
        "name": "文登区",
        "match": "EXACT",
        "service": None,
        "area": {"code": "371003"},
    } in area


def test_like_wildcards_in_a_query_are_taken_literally(client: TestClient) -> None:
    """'%' and '_' in a query are characters to find, not wildcards."""
    query = "query ($q: String!) { search(query: $q, first: 100) { name match } }"
    for typed in ("威%", "%威%", "环翠_"):
        hits = graphql_data(client, query, {"q": typed})["search"]
        literal = [h for h in hits if h["match"] in ("EXACT", "PREFIX", "SUBSTRING")]
        assert literal == [], typed


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("", "must not be empty"),
        ("   ", "must not be empty"),
        ("!!!", "neither"),
        ("x" * 101, "longer than"),
    ],
)
def test_bad_queries_are_refused(client: TestClient, query: str, message: str) -> None:
    (error,) = graphql(client, SEARCH, {"q": query})["errors"]
    assert error["extensions"] == {"code": "BAD_USER_INPUT", "field": "query"}
    assert message in error["message"]


@pytest.mark.parametrize("first", [0, 101])
def test_first_is_checked(client: TestClient, first: int) -> None:
    (error,) = graphql(client, SEARCH, {"q": "whs", "first": first})["errors"]
    assert error["extensions"] == {"code": "BAD_USER_INPUT", "field": "first"}


@pytest.mark.parametrize("query", ["葳蕤路", "weiruilu", "wrl"])
def test_staff_find_the_names_they_proposed_and_the_public_does_not(
    client: TestClient, connection: Connection, token_for: Any, query: str
) -> None:
    code, line = connection.execute(
        text("SELECT village_code, ST_AsGeoJSON(geom)::json FROM village_road ORDER BY id LIMIT 1")
    ).one()
    tokens = {role: token_for(role) for role in ("planner", "editor", "reviewer")}
    signed_in(client, tokens["editor"])
    created = graphql_data(
        client,
        "mutation ($input: PlaceNameInput!) { createPlaceName(input: $input) { id } }",
        {
            "input": {
                "standardName": "葳蕤路",
                "category": "ROAD_STREET",
                "areaCode": code,
                "geometry": line,
            }
        },
    )["createPlaceName"]
    for role in tokens:
        signed_in(client, tokens[role])
        hits = graphql_data(client, SEARCH, {"q": query})["searchPlaceNames"]
        assert created["id"] in [h["id"] for h in hits], role
        general = graphql_data(
            client,
            "query ($q: String!) { search(query: $q) { placeName { id } } }",
            {"q": query},
        )["search"]
        assert created["id"] in [h["placeName"]["id"] for h in general if h["placeName"]]
    signed_out(client)
    assert _names(client, query) == []
