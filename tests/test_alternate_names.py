"""Alternate names: kinds, languages, periods; found by search; what a place was called on
a day; edited through the lifecycle with revisions."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import Connection, text
from starlette.testclient import TestClient

from tests.conftest import graphql_data, refused, signed_in, signed_out

FIELDS = """id standardName formerNames status version
  alternateNames { name kind language preferred validFrom validTo }
  in1990: nameOn(date: "1990-06-01") today: nameOn(date: "2026-11-30")"""
CREATE = (
    f"""mutation ($input: PlaceNameInput!) {{ createPlaceName(input: $input) {{ {FIELDS} }} }}"""
)
UPDATE = f"""mutation ($id: ID!, $version: Int!, $patch: PlaceNamePatch!) {{
  updatePlaceName(id: $id, version: $version, patch: $patch) {{ {FIELDS} }} }}"""
SEARCH = """query ($q: String!) { searchPlaceNames(query: $q) { id standardName } }"""

ALTERNATES = [
    {"name": "葳蕤堡", "kind": "FORMER", "validFrom": "1950-01-01", "validTo": "2001-05-01"},
    {"name": "蕤村", "kind": "COLLOQUIAL"},
    {"name": "Weirui Village", "kind": "FOREIGN_EXONYM", "language": "en", "preferred": True},
]


def _settlement(connection: Connection) -> dict[str, Any]:
    code, point = connection.execute(
        text(
            "SELECT code, ST_AsGeoJSON(rep_point)::json FROM admin_area WHERE level = 'village'"
            " ORDER BY code LIMIT 1"
        )
    ).one()
    return {"standardName": "葳蕤庄", "category": "SETTLEMENT", "areaCode": code, "geometry": point}


def test_a_place_keeps_its_other_names_and_their_periods(
    client: TestClient, connection: Connection, token_for: Any
) -> None:
    signed_in(client, token_for("editor"))
    created = graphql_data(
        client, CREATE, {"input": {**_settlement(connection), "alternateNames": ALTERNATES}}
    )["createPlaceName"]
    assert created["alternateNames"][0] == {
        "name": "葳蕤堡",
        "kind": "FORMER",
        "language": "zh",
        "preferred": False,
        "validFrom": "1950-01-01",
        "validTo": "2001-05-01",
    }
    assert created["alternateNames"][2]["language"] == "en"
    assert created["formerNames"] == ["葳蕤堡"]
    assert (created["in1990"], created["today"]) == ("葳蕤堡", "葳蕤庄")

    # Staff find it by any of its names, in characters or pinyin, once.
    for query in ("葳蕤堡", "蕤村", "weiruibao", "Weirui Village"):
        hits = graphql_data(client, SEARCH, {"q": query})["searchPlaceNames"]
        assert [h["id"] for h in hits].count(created["id"]) == 1, query
    # The public, once it is published.
    signed_out(client)
    assert created["id"] not in [
        h["id"] for h in graphql_data(client, SEARCH, {"q": "葳蕤堡"})["searchPlaceNames"]
    ]


def test_other_names_are_edited_through_review(
    client: TestClient, connection: Connection, token_for: Any
) -> None:
    place_id, version, name = connection.execute(
        text(
            "SELECT id, version, standard_name FROM place_name WHERE status = 'published'"
            " AND category = 'settlement' ORDER BY id LIMIT 1"
        )
    ).one()
    signed_in(client, token_for("editor"))
    edited = graphql_data(
        client,
        UPDATE,
        {"id": place_id, "version": version, "patch": {"alternateNames": ALTERNATES[:1]}},
    )["updatePlaceName"]
    assert edited["alternateNames"] == []  # the published record, until the change is
    pending = connection.execute(
        text("SELECT pending -> 'alternate_names' -> 0 ->> 'name' FROM place_name WHERE id = :id"),
        {"id": place_id},
    ).scalar_one()
    assert pending == "葳蕤堡"
    revision = connection.execute(
        text(
            "SELECT after -> 'pending' -> 'alternate_names' FROM revision"
            " WHERE entity = 'place_name' AND entity_id = :id ORDER BY id DESC LIMIT 1"
        ),
        {"id": place_id},
    ).scalar_one()
    assert revision[0]["valid_to"] == "2001-05-01"
    # formerNames alone, as clients have always sent it, replaces the former names.
    again = graphql_data(
        client,
        UPDATE,
        {"id": place_id, "version": version + 1, "patch": {"formerNames": ["老葳蕤"]}},
    )["updatePlaceName"]
    assert again["version"] == version + 2
    kept = connection.execute(
        text(
            "SELECT pending -> 'former_names', pending -> 'alternate_names' FROM place_name"
            " WHERE id = :id"
        ),
        {"id": place_id},
    ).one()
    assert kept[0] == ["老葳蕤"]
    assert [a["name"] for a in kept[1]] == ["老葳蕤"]
    assert name  # the published name is untouched throughout


@pytest.mark.parametrize(
    ("alternates", "field"),
    [
        (
            [{"name": "甲", "kind": "FORMER", "validFrom": "2001-01-01", "validTo": "1990-01-01"}],
            "alternateNames[0].validTo",
        ),
        (
            [{"name": "甲", "kind": "COLLOQUIAL", "language": "chinese"}],
            "alternateNames[0].language",
        ),
        (
            [
                {"name": "A", "kind": "FOREIGN_EXONYM", "language": "en", "preferred": True},
                {"name": "B", "kind": "FOREIGN_EXONYM", "language": "en", "preferred": True},
            ],
            "alternateNames[1].preferred",
        ),
        (
            [{"name": "甲", "kind": "COLLOQUIAL"}, {"name": "甲", "kind": "COLLOQUIAL"}],
            "alternateNames[1]",
        ),
        ([{"name": " ", "kind": "COLLOQUIAL"}], "alternateNames[0].name"),
    ],
)
def test_bad_alternate_names_are_refused_naming_the_item(
    client: TestClient, connection: Connection, token_for: Any, alternates: Any, field: str
) -> None:
    signed_in(client, token_for("editor"))
    error = refused(
        client,
        connection,
        CREATE,
        {"input": {**_settlement(connection), "alternateNames": alternates}},
    )
    assert error["extensions"]["field"] == field
