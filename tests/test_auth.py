"""Tokens and roles: who may read and run what."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import Connection, text
from starlette.testclient import TestClient

from db.queries.users import create_token, create_user, revoke_tokens, token_digest
from tests.conftest import graphql, signed_in

ROLES = ["public", "planner", "editor", "reviewer", "admin"]

# Every operation there is, with the least role that may run it.
OPERATIONS: dict[str, tuple[str, str]] = {
    "cityStats": ("{ cityStats { beds } }", "public"),
    "area": ('{ area(code: "3710") { name capacity { beds } } }', "public"),
    "areas": ("{ areas(first: 1) { totalCount } }", "public"),
    "services": ("{ services(first: 1) { totalCount } }", "public"),
    "placeNames": ("{ placeNames(first: 1) { totalCount } }", "public"),
    "villageRoads": ("{ villageRoads(first: 1) { totalCount } }", "public"),
    "nearestServices": (
        "{ nearestServices(near: {lon: 122.1, lat: 37.5}) { distanceMeters } }",
        "public",
    ),
    "searchPlaceNames": ('{ searchPlaceNames(query: "whs") { id } }', "public"),
    "search": ('{ search(query: "whs") { name } }', "public"),
    "retired services": ("{ services(status: RETIRED) { totalCount } }", "public"),
    "proposed services": ("{ services(status: PROPOSED) { totalCount } }", "planner"),
    "approved place names": ("{ placeNames(status: APPROVED) { totalCount } }", "planner"),
    "proposed village roads": ("{ villageRoads(status: PROPOSED) { totalCount } }", "planner"),
    "coverage": (
        '{ coverage(areaCode: "371003101", kinds: [ELDER_DINING_TABLE], radiusMeters: 1000)'
        " { share } }",
        "planner",
    ),
    "accessibility": (
        '{ accessibility(areaCode: "371003101", kind: ELDER_DINING_TABLE, radiusMeters: 1000)'
        " { edges { node { score } } } }",
        "planner",
    ),
    "suggestSites": (
        '{ suggestSites(areaCode: "371003101", kind: ELDER_DINING_TABLE, count: 1,'
        " radiusMeters: 1000) { sites { addedElderly } } }",
        "planner",
    ),
}


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("operation", list(OPERATIONS))
def test_each_role_may_run_what_its_rank_allows(
    client: TestClient, token_for: Any, role: str, operation: str
) -> None:
    query, least = OPERATIONS[operation]
    if role != "public":
        client.headers["Authorization"] = f"Bearer {token_for(role)}"
    body = graphql(client, query)
    allowed = ROLES.index(role) >= ROLES.index(least)
    if allowed:
        assert "errors" not in body, body
    else:
        (error,) = body["errors"]
        assert error["extensions"]["code"] == "FORBIDDEN"
        assert role in error["message"] or "planners" in error["message"]


@pytest.mark.parametrize(
    "header",
    ["Bearer wr_not-a-real-token", "Bearer ", "Basic dXNlcjpwYXNz", "wr_token-without-scheme"],
)
def test_a_bad_token_gets_401(client: TestClient, header: str) -> None:
    response = client.post(
        "/graphql", json={"query": "{ cityStats { beds } }"}, headers={"Authorization": header}
    )
    assert response.status_code == 401
    assert response.headers["www-authenticate"].startswith("Bearer")
    assert response.json()["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"


def test_a_revoked_token_gets_401(client: TestClient, connection: Connection) -> None:
    user = create_user(connection, "leaver", "editor")
    token = create_token(connection, user)
    headers = {"Authorization": f"Bearer {token}"}
    query = {"query": "{ cityStats { beds } }"}
    assert client.post("/graphql", json=query, headers=headers).status_code == 200
    revoke_tokens(connection, user)
    assert client.post("/graphql", json=query, headers=headers).status_code == 401


def test_only_the_hash_of_a_token_is_stored(connection: Connection) -> None:
    token = create_token(connection, create_user(connection, "someone", "planner"))
    stored = connection.execute(text("SELECT token_sha256 FROM api_token")).scalars().all()
    assert token not in stored
    assert token_digest(token) in stored


def test_revisions_cannot_be_rewritten(connection: Connection) -> None:
    user = create_user(connection, "writer", "editor")
    connection.execute(
        text(
            "INSERT INTO revision (entity, entity_id, operation, actor_id, version, after)"
            " VALUES ('place_name', 1, 'update', :u, 2, '{}')"
        ),
        {"u": user},
    )
    # The savepoint rolls back inside pytest.raises, leaving the test's transaction usable.
    with pytest.raises(Exception, match="revisions are immutable"), connection.begin_nested():
        connection.execute(text("UPDATE revision SET comment = 'changed'"))


# --- editing: every role × every operation on each kind of record --------------------

# kind: (GraphQL type, table, collection field, input type, patch field, a new record's input)
EDITABLE: dict[str, tuple[str, str, str, str, str, str]] = {
    "place name": (
        "PlaceName",
        "place_name",
        "placeNames",
        "PlaceNameInput",
        "standardName",
        "SELECT json_build_object('standardName', :name, 'category', 'ROAD_STREET',"
        " 'areaCode', village_code, 'geometry', ST_AsGeoJSON(geom)::json)"
        " FROM village_road ORDER BY id OFFSET :n LIMIT 1",
    ),
    "village road": (
        "VillageRoad",
        "village_road",
        "villageRoads",
        "VillageRoadInput",
        "name",
        "SELECT json_build_object('name', :name, 'villageCode', village_code,"
        " 'geometry', ST_AsGeoJSON(geom)::json)"
        " FROM village_road ORDER BY id OFFSET :n LIMIT 1",
    ),
    "service": (
        "Service",
        "service",
        "services",
        "ServiceInput",
        "name",
        "SELECT json_build_object('name', :name, 'kind', 'ASSISTANCE_STATION',"
        " 'geometry', ST_AsGeoJSON(rep_point)::json)"
        " FROM admin_area WHERE level = 'village' ORDER BY code OFFSET :n LIMIT 1",
    ),
}
# operation: (least role, the status the record is put in first)
EDIT_OPERATIONS: dict[str, tuple[str, str]] = {
    "create": ("editor", "proposed"),
    "update": ("editor", "proposed"),
    "recordStage": ("editor", "proposed"),
    "approve": ("reviewer", "proposed"),
    "publish": ("reviewer", "approved"),
    "withdraw": ("editor", "proposed"),
    "reject": ("reviewer", "proposed"),
    "retire": ("reviewer", "published"),
    "restore": ("reviewer", "retired"),
    "revert": ("reviewer", "proposed"),
    "history": ("planner", "published"),
}


def _new_input(connection: Connection, kind: str, name: str, n: int) -> Any:
    return connection.execute(text(EDITABLE[kind][5]), {"name": name, "n": n}).scalar_one()


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("operation", list(EDIT_OPERATIONS))
@pytest.mark.parametrize("kind", list(EDITABLE))
def test_each_role_may_edit_what_its_rank_allows(
    client: TestClient,
    connection: Connection,
    token_for: Any,
    kind: str,
    operation: str,
    role: str,
) -> None:
    type_name, table, collection, input_type, name_field, _ = EDITABLE[kind]
    least, status = EDIT_OPERATIONS[operation]
    proposer = create_token(connection, create_user(connection, "proposer", "editor"))
    client.headers["Authorization"] = f"Bearer {proposer}"
    create = (
        f"mutation ($input: {input_type}!) {{ create{type_name}(input: $input) {{ id version }} }}"
    )
    made = graphql(client, create, {"input": _new_input(connection, kind, "葳蕤路", 0)})
    record = made["data"][f"create{type_name}"]
    # Put in its status directly, the record counts as proposed before cases were kept
    # (a plain case: no stages before approval), except where the stages are what is tried.
    connection.execute(
        text(
            f"UPDATE {table} SET status = :s,"
            " review_case = CASE WHEN :keep THEN review_case END WHERE id = :id"
        ),
        {"s": status, "id": record["id"], "keep": operation == "recordStage"},
    )
    client.headers.pop("Authorization")
    if role != "public":
        client.headers["Authorization"] = f"Bearer {token_for(role)}"

    target = {"id": record["id"], "version": record["version"]}
    if operation == "create":
        body = graphql(client, create, {"input": _new_input(connection, kind, "光华路", 1)})
    elif operation == "update":
        body = graphql(
            client,
            f"mutation ($id: ID!, $version: Int!, $patch: {type_name}Patch!) {{"
            f" update{type_name}(id: $id, version: $version, patch: $patch) {{ id }} }}",
            {**target, "patch": {name_field: "光华路"}},
        )
    elif operation == "revert":
        revision = connection.execute(
            text("SELECT id FROM revision WHERE entity = :e AND entity_id = :id"),
            {"e": table, "id": record["id"]},
        ).scalar_one()
        body = graphql(
            client,
            f"mutation ($r: ID!, $version: Int!) {{"
            f" revert{type_name}(revision: $r, version: $version) {{ id }} }}",
            {"r": revision, "version": record["version"]},
        )
    elif operation == "recordStage":
        stage = {"place name": "ASSESSMENT", "village road": "CONSULTATION"}.get(kind)
        body = graphql(
            client,
            f"mutation ($id: ID!, $version: Int!, $stage: ApprovalStage!,"
            f" $details: StageDetailsInput!) {{ recordStage{type_name}(id: $id,"
            f" version: $version, stage: $stage, details: $details) {{ id }} }}",
            {
                **target,
                "stage": stage or "ASSESSMENT",
                "details": {"summary": "评估通过", "start": "2026-10-01", "end": "2026-10-31"},
            },
        )
        if stage is None and ROLES.index(role) >= ROLES.index(least):
            # A service's case has no stage recorded apart: refused as input, not by role.
            (error,) = body["errors"]
            assert error["extensions"]["code"] == "BAD_USER_INPUT", error
            return
    elif operation in ("withdraw", "reject"):
        body = graphql(
            client,
            f"mutation ($id: ID!, $version: Int!) {{"
            f' {operation}{type_name}(id: $id, version: $version, reason: "重复申报") {{ id }} }}',
            target,
        )
        if operation == "withdraw":
            # Only the proposer withdraws; every other caller is refused, whatever its role.
            (error,) = body["errors"]
            assert error["extensions"]["code"] == "FORBIDDEN", error
            mine = graphql(
                signed_in(client, proposer),
                f"mutation ($id: ID!, $version: Int!) {{"
                f' withdraw{type_name}(id: $id, version: $version, reason: "重复申报")'
                " { status } }",
                target,
            )
            assert mine["data"][f"withdraw{type_name}"]["status"] == "RETIRED", mine
            return
    elif operation == "history":
        body = graphql(
            client,
            f"{{ {collection}(first: 1) {{ edges {{ node {{"
            " history { edges { node { id } } } } } } }",
        )
    else:
        body = graphql(
            client,
            f"mutation ($id: ID!, $version: Int!) {{"
            f" {operation}{type_name}(id: $id, version: $version) {{ id }} }}",
            target,
        )
    if ROLES.index(role) >= ROLES.index(least):
        assert "errors" not in body, body
    else:
        (error,) = body["errors"]
        assert error["extensions"]["code"] == "FORBIDDEN", error


@pytest.mark.parametrize("role", ROLES)
def test_each_role_may_import_what_its_rank_allows(
    client: TestClient, connection: Connection, token_for: Any, role: str
) -> None:
    if role != "public":
        client.headers["Authorization"] = f"Bearer {token_for(role)}"
    feature = {
        "type": "Feature",
        "properties": {"name": "葳蕤路"},
        "geometry": _new_input(connection, "place name", "x", 0)["geometry"],
    }
    body = graphql(
        client,
        "mutation ($fc: JSON!) { importPlaceNames(featureCollection: $fc, category: ROAD_STREET,"
        ' areaCode: "3710") { ok } }',
        {"fc": {"type": "FeatureCollection", "features": [feature]}},
    )
    if ROLES.index(role) >= ROLES.index("editor"):
        assert body["data"]["importPlaceNames"]["ok"] is True, body
    else:
        assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN"
