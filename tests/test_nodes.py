"""Global ids: every record and area has one, and node(id:) fetches it, as the caller may
see it."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import Connection, text
from starlette.testclient import TestClient

from tests.conftest import graphql, graphql_data, signed_in

NODE = """query ($id: ID!) { node(id: $id) { __typename nodeId
  ... on PlaceName { id standardName status }
  ... on VillageRoad { id name }
  ... on Service { id name }
  ... on AdminArea { code name } } }"""


@pytest.mark.parametrize(
    ("collection", "fields"),
    [
        ("placeNames", "id standardName"),
        ("villageRoads", "id name"),
        ("services", "id name"),
        ("areas", "code name"),
    ],
)
def test_every_record_comes_back_by_its_global_id(
    client: TestClient, collection: str, fields: str
) -> None:
    edges = graphql_data(
        client, f"{{ {collection}(first: 3) {{ edges {{ node {{ nodeId {fields} }} }} }} }}"
    )[collection]["edges"]
    assert len(edges) == 3
    ids = {e["node"]["nodeId"] for e in edges}
    assert len(ids) == 3
    for edge in edges:
        found = graphql_data(client, NODE, {"id": edge["node"]["nodeId"]})["node"]
        assert found["nodeId"] == edge["node"]["nodeId"]
        assert {k: found[k] for k in edge["node"]} == edge["node"]


def test_a_global_id_names_its_type(client: TestClient, connection: Connection) -> None:
    """A place name and a village road of the same id are two records, two global ids."""
    shared = connection.execute(
        text(
            "SELECT p.id FROM place_name p JOIN village_road r USING (id)"
            " WHERE p.status = 'published' AND r.status = 'published' ORDER BY p.id LIMIT 1"
        )
    ).scalar_one()
    from resolvers.nodes import global_id

    place = graphql_data(client, NODE, {"id": global_id("PlaceName", shared)})["node"]
    road = graphql_data(client, NODE, {"id": global_id("VillageRoad", shared)})["node"]
    assert (place["__typename"], place["id"]) == ("PlaceName", str(shared))
    assert (road["__typename"], road["id"]) == ("VillageRoad", str(shared))
    assert place["nodeId"] != road["nodeId"]


def test_records_in_review_are_found_by_staff_only(
    client: TestClient, connection: Connection, token_for: Any
) -> None:
    place_id = connection.execute(
        text("SELECT id FROM place_name WHERE status = 'published' ORDER BY id LIMIT 1")
    ).scalar_one()
    connection.execute(
        text("UPDATE place_name SET status = 'proposed' WHERE id = :id"), {"id": place_id}
    )
    from resolvers.nodes import global_id

    node_id = global_id("PlaceName", place_id)
    assert graphql_data(client, NODE, {"id": node_id})["node"] is None
    found = graphql_data(signed_in(client, token_for("planner")), NODE, {"id": node_id})["node"]
    assert (found["id"], found["status"]) == (str(place_id), "PROPOSED")


@pytest.mark.parametrize("bad", ["7", "not base64!", "UGxhY2VOYW1lOg", "V2hhdGV2ZXI6Nw"])
def test_a_malformed_global_id_is_bad_input(client: TestClient, bad: str) -> None:
    (error,) = graphql(client, NODE, {"id": bad})["errors"]
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    assert error["extensions"]["field"] == "id"
