"""Relay connections both ways: first/after forward, last/before backward, and PageInfo's
four fields, on the collections and on coverage gaps."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import Connection, text
from starlette.testclient import TestClient

from tests.conftest import graphql, graphql_data

PAGE = "pageInfo { hasNextPage hasPreviousPage startCursor endCursor } edges { cursor node { id } }"


def _page(client: TestClient, arguments: str) -> dict[str, Any]:
    data = graphql_data(
        client, f"{{ services(kinds: [ELDER_CARE_INSTITUTION], {arguments}) {{ {PAGE} }} }}"
    )
    page: dict[str, Any] = data["services"]
    return page


def _refused(client: TestClient, query: str) -> dict[str, Any]:
    (error,) = graphql(client, query)["errors"]
    assert error["extensions"]["code"] == "BAD_USER_INPUT", error
    return dict(error)


def _ids(page: dict[str, Any]) -> list[str]:
    return [edge["node"]["id"] for edge in page["edges"]]


def test_forward_and_backward_walk_the_same_records(
    client: TestClient, connection: Connection
) -> None:
    expected = [
        str(i)
        for i in connection.execute(
            text(
                "SELECT id FROM service WHERE status = 'published'"
                " AND kind = 'elder_care_institution' ORDER BY id"
            )
        ).scalars()
    ]
    assert len(expected) > 100
    forward: list[str] = []
    page = _page(client, "first: 40")
    assert page["pageInfo"]["hasPreviousPage"] is False
    while True:
        forward += _ids(page)
        info = page["pageInfo"]
        assert info["startCursor"] == page["edges"][0]["cursor"]
        assert info["endCursor"] == page["edges"][-1]["cursor"]
        if not info["hasNextPage"]:
            break
        page = _page(client, f'first: 40, after: "{info["endCursor"]}"')
        assert page["pageInfo"]["hasPreviousPage"] is True
    assert forward == expected

    backward: list[str] = []
    page = _page(client, "last: 40")
    assert page["pageInfo"]["hasNextPage"] is False
    while True:
        backward = _ids(page) + backward
        info = page["pageInfo"]
        if not info["hasPreviousPage"]:
            break
        page = _page(client, f'last: 40, before: "{info["startCursor"]}"')
        assert page["pageInfo"]["hasNextPage"] is True
    assert backward == expected


def test_the_page_before_a_cursor(client: TestClient) -> None:
    first = _page(client, "first: 10")
    middle = first["edges"][6]["cursor"]
    before = _page(client, f'last: 3, before: "{middle}"')
    assert _ids(before) == _ids(first)[3:6]
    assert before["pageInfo"]["hasPreviousPage"] is True
    assert (
        _ids(_page(client, f'last: 10, before: "{first["edges"][2]["cursor"]}"')) == _ids(first)[:2]
    )


def test_areas_and_gaps_page_backward(planner: TestClient) -> None:
    areas = graphql_data(
        planner,
        "{ areas(levels: [COUNTY], last: 2) { edges { node { code } }"
        " pageInfo { hasPreviousPage } } }",
    )["areas"]
    everything = graphql_data(
        planner, "{ areas(levels: [COUNTY], first: 50) { edges { node { code } } } }"
    )["areas"]
    codes = [e["node"]["code"] for e in everything["edges"]]
    assert [e["node"]["code"] for e in areas["edges"]] == codes[-2:]
    assert areas["pageInfo"]["hasPreviousPage"] is True
    gaps = graphql_data(
        planner,
        '{ coverage(areaCode: "371003", kinds: [ELDER_DINING_TABLE], radiusMeters: 500) {'
        " all: gaps(first: 5000) { edges { node { code } } }"
        " tail: gaps(last: 3) { edges { node { code } }"
        " pageInfo { hasNextPage hasPreviousPage } } } }",
    )["coverage"]
    every = [e["node"]["code"] for e in gaps["all"]["edges"]]
    assert [e["node"]["code"] for e in gaps["tail"]["edges"]] == every[-3:]
    assert gaps["tail"]["pageInfo"] == {"hasNextPage": False, "hasPreviousPage": len(every) > 3}


@pytest.mark.parametrize(
    ("arguments", "field"),
    [
        ("first: 5, last: 5", "first"),
        ('after: "x", last: 5', "after"),
        ('first: 5, before: "x"', "first"),
        ("last: 0", "last"),
        ("last: 501", "last"),
        ('last: 5, before: "bm9wZQ=="', "before"),
    ],
)
def test_mixed_or_bad_directions_are_refused(
    client: TestClient, arguments: str, field: str
) -> None:
    error = _refused(client, f"{{ services({arguments}) {{ edges {{ cursor }} }} }}")
    assert error["extensions"]["field"] == field


def test_time_travel_pages_forward_only(planner: TestClient) -> None:
    error = _refused(
        planner, '{ placeNames(asOf: "2026-01-01T00:00:00+08:00", last: 5) { edges { cursor } } }'
    )
    assert error["extensions"]["field"] == "last"
