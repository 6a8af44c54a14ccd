"""The review queue: proposals of every kind waiting, oldest first, filtered and paged."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import Connection, text
from starlette.testclient import TestClient

from tests.conftest import graphql, graphql_data, signed_in

QUEUE = """query ($kinds: [RecordKind!], $stages: [ApprovalStage!], $area: String,
                  $by: String, $first: Int, $after: String) {
  reviewQueue(kinds: $kinds, stages: $stages, inArea: $area, proposedBy: $by, first: $first,
              after: $after) {
    totalCount pageInfo { hasNextPage endCursor }
    edges { node { kind status caseKind nextStage proposedBy waitingSince
      record { __typename id ... on PlaceName { standardName } ... on Service { name } } } } } }"""


def _propose(client: TestClient, connection: Connection) -> dict[str, str]:
    """A new place name, a renamed village road and a new service, proposed in that order."""
    code, point = connection.execute(
        text(
            "SELECT code, ST_AsGeoJSON(rep_point)::json FROM admin_area WHERE level = 'village'"
            " ORDER BY code LIMIT 1"
        )
    ).one()
    place = graphql_data(
        client,
        "mutation ($input: PlaceNameInput!) { createPlaceName(input: $input) { id } }",
        {
            "input": {
                "standardName": "葳蕤庄",
                "category": "SETTLEMENT",
                "areaCode": code,
                "geometry": point,
            }
        },
    )["createPlaceName"]["id"]
    road_id, version = connection.execute(
        text("SELECT id, version FROM village_road WHERE status = 'published' ORDER BY id LIMIT 1")
    ).one()
    graphql_data(
        client,
        "mutation ($id: ID!, $v: Int!) { updateVillageRoad(id: $id, version: $v,"
        ' patch: {name: "葳蕤巷"}) { id } }',
        {"id": road_id, "v": version},
    )
    service = graphql_data(
        client,
        "mutation ($input: ServiceInput!) { createService(input: $input) { id } }",
        {"input": {"kind": "ASSISTANCE_STATION", "name": "葳蕤驿站", "geometry": point}},
    )["createService"]["id"]
    return {"PlaceName": place, "VillageRoad": str(road_id), "ElderAssistanceStation": service}


def test_everything_waiting_is_in_one_queue_oldest_first(
    client: TestClient, connection: Connection, token_for: Any
) -> None:
    signed_in(client, token_for("editor"))
    before = graphql_data(client, QUEUE, {})["reviewQueue"]["totalCount"]
    proposed = _propose(client, connection)
    queue = graphql_data(client, QUEUE, {"by": "test-editor", "first": 10})["reviewQueue"]
    assert queue["totalCount"] == 3
    # Oldest first (one transaction here: one time, then by kind).
    nodes = [e["node"] for e in queue["edges"]]
    assert [n["waitingSince"] for n in nodes] == sorted(n["waitingSince"] for n in nodes)
    found = {n["kind"]: n for n in nodes}
    assert {kind: n["record"]["id"] for kind, n in found.items()} == {
        "PLACE_NAME": proposed["PlaceName"],
        "VILLAGE_ROAD": proposed["VillageRoad"],
        "SERVICE": proposed["ElderAssistanceStation"],
    }
    assert {kind: (n["caseKind"], n["nextStage"]) for kind, n in found.items()} == {
        "PLACE_NAME": ("NAMING", "ASSESSMENT"),
        "VILLAGE_ROAD": ("RENAMING", "CONSULTATION"),
        "SERVICE": ("NAMING", "APPROVAL"),
    }
    assert found["VILLAGE_ROAD"]["record"]["__typename"] == "VillageRoad"
    everyone = graphql_data(client, QUEUE, {})["reviewQueue"]["totalCount"]
    assert everyone == before + 3

    waiting_for_approval = graphql_data(
        client, QUEUE, {"stages": ["APPROVAL"], "by": "test-editor"}
    )["reviewQueue"]
    assert [e["node"]["kind"] for e in waiting_for_approval["edges"]] == ["SERVICE"]
    places = graphql_data(client, QUEUE, {"kinds": ["PLACE_NAME"], "by": "test-editor"})
    assert places["reviewQueue"]["totalCount"] == 1


def test_the_queue_is_paged_without_gaps_or_repeats(
    client: TestClient, connection: Connection, token_for: Any
) -> None:
    signed_in(client, token_for("editor"))
    _propose(client, connection)
    seen: list[str] = []
    after = None
    while True:
        page = graphql_data(client, QUEUE, {"first": 1, "after": after, "by": "test-editor"})[
            "reviewQueue"
        ]
        seen += [e["node"]["record"]["id"] + e["node"]["kind"] for e in page["edges"]]
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    assert len(seen) == len(set(seen)) == 3

    # Backward from the end, a page at a time: the same proposals in the same order.
    backward_query = """query ($last: Int, $before: String) {
      reviewQueue(proposedBy: "test-editor", last: $last, before: $before) {
        pageInfo { hasPreviousPage hasNextPage startCursor }
        edges { node { kind record { id } } } } }"""
    backward: list[str] = []
    before = None
    while True:
        page = graphql_data(client, backward_query, {"last": 1, "before": before})["reviewQueue"]
        backward = [e["node"]["record"]["id"] + e["node"]["kind"] for e in page["edges"]] + backward
        assert page["pageInfo"]["hasNextPage"] is (before is not None)
        if not page["pageInfo"]["hasPreviousPage"]:
            break
        before = page["pageInfo"]["startCursor"]
    assert backward == seen


def test_a_case_moves_on_in_the_queue_as_its_stages_are_recorded(
    client: TestClient, connection: Connection, token_for: Any
) -> None:
    from tests.conftest import through_stages

    signed_in(client, token_for("editor"))
    proposed = _propose(client, connection)
    through_stages(client, "PlaceName", proposed["PlaceName"])
    queue = graphql_data(client, QUEUE, {"kinds": ["PLACE_NAME"], "by": "test-editor"})
    (edge,) = queue["reviewQueue"]["edges"]
    assert edge["node"]["nextStage"] == "APPROVAL"


@pytest.mark.parametrize(
    ("role", "allowed"),
    [("public", False), ("planner", False), ("editor", True), ("reviewer", True)],
)
def test_the_queue_is_for_editors_and_up(
    client: TestClient, token_for: Any, role: str, allowed: bool
) -> None:
    if role != "public":
        signed_in(client, token_for(role))
    body = graphql(client, QUEUE, {"first": 1})
    if allowed:
        assert "errors" not in body, body
    else:
        assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN"


def test_a_bad_filter_names_its_field(client: TestClient, token_for: Any) -> None:
    signed_in(client, token_for("editor"))
    for variables, field in (
        ({"area": "37x"}, "inArea"),
        ({"after": "nonsense"}, "after"),
        ({"first": 0}, "first"),
    ):
        (error,) = graphql(client, QUEUE, variables)["errors"]
        assert (error["extensions"]["code"], error["extensions"]["field"]) == (
            "BAD_USER_INPUT",
            field,
        )
