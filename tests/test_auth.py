"""Tokens and roles: who may read and run what."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import Connection, text
from starlette.testclient import TestClient

from db.queries.users import create_token, create_user, revoke_tokens, token_digest
from tests.conftest import graphql

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
        " { score } }",
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
