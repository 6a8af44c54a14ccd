"""Editing place names: roles, validation that writes nothing, review, versions, history."""

from __future__ import annotations

import json
import threading
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Connection, Engine, text
from starlette.testclient import TestClient

from app import create_app
from db.engine import Database
from db.queries.users import create_token, create_user
from db.settings import Settings
from tests.conftest import APPROVAL, graphql, graphql_data, refused, through_stages

APPROVAL_LITERAL = (
    f'{{authority: "{APPROVAL["authority"]}", documentNumber: "{APPROVAL["documentNumber"]}",'
    f' date: "{APPROVAL["date"]}"}}'
)
CREATE = """
mutation ($input: PlaceNameInput!) {
  createPlaceName(input: $input, comment: "survey 2026") {
    id standardName specificPart genericPart pinyin status version
  }
}"""
UPDATE = """
mutation ($id: ID!, $version: Int!, $patch: PlaceNamePatch!) {
  updatePlaceName(id: $id, version: $version, patch: $patch) {
    id standardName pinyin status version
  }
}"""


def transition(operation: str) -> str:
    decision = f", approval: {APPROVAL_LITERAL}" if operation == "approve" else ""
    return f"""mutation ($id: ID!, $version: Int!) {{
      {operation}PlaceName(id: $id, version: $version, comment: "{operation}"{decision}) {{
        id status version
      }}
    }}"""


def _village(connection: Connection) -> tuple[str, list[float], list[list[float]]]:
    """A village with a point and a short line inside its outline."""
    code, lon, lat = connection.execute(
        text(
            "SELECT code, ST_X(rep_point), ST_Y(rep_point) FROM admin_area"
            " WHERE level = 'village' ORDER BY code LIMIT 1"
        )
    ).one()
    line = connection.execute(
        text(
            "SELECT ST_AsGeoJSON(geom)::json -> 'coordinates' FROM village_road"
            " WHERE village_code = :c LIMIT 1"
        ),
        {"c": code},
    ).scalar_one()
    return str(code), [lon, lat], list(line)


def _as(client: TestClient, token: str) -> TestClient:
    client.headers["Authorization"] = f"Bearer {token}"
    return client


def _road_input(connection: Connection, name: str = "葳蕤路") -> dict[str, Any]:
    code, _, line = _village(connection)
    return {
        "standardName": name,
        "category": "ROAD_STREET",
        "geometry": {"type": "LineString", "coordinates": line},
        "areaCode": code,
    }


def _counts(connection: Connection) -> tuple[int, int]:
    return connection.execute(
        text("SELECT (SELECT count(*) FROM place_name), (SELECT count(*) FROM revision)")
    ).one()


def test_propose_review_publish(client: TestClient, connection: Connection, token_for: Any) -> None:
    editor, reviewer = token_for("editor"), token_for("reviewer")
    created = graphql_data(_as(client, editor), CREATE, {"input": _road_input(connection)})[
        "createPlaceName"
    ]
    assert created["status"] == "PROPOSED" and created["version"] == 1
    assert (created["specificPart"], created["genericPart"], created["pinyin"]) == (
        "葳蕤",
        "路",
        "Weirui Lu",
    )
    place = {"id": created["id"]}

    client.headers.pop("Authorization")
    public = "{ placeNames(categories: [ROAD_STREET], first: 500) { totalCount } }"
    before = graphql_data(client, public)["placeNames"]["totalCount"]

    # Assessment, expert review, a consultation opened and closed: four stages, recorded.
    version = through_stages(_as(client, editor), "PlaceName", created["id"])
    assert version == 5
    approved = graphql_data(
        _as(client, reviewer), transition("approve"), {**place, "version": version}
    )["approvePlaceName"]
    assert approved == {"id": created["id"], "status": "APPROVED", "version": 6}
    published = graphql_data(client, transition("publish"), {**place, "version": 6})[
        "publishPlaceName"
    ]
    assert published["status"] == "PUBLISHED"

    client.headers.pop("Authorization")
    assert graphql_data(client, public)["placeNames"]["totalCount"] == before + 1

    history = graphql_data(
        _as(client, reviewer),
        "query ($area: String) { placeNames(first: 500, categories: [ROAD_STREET],"
        " inArea: $area) { edges { node {"
        " id history { edges { node { operation actor version comment before after } } } } } } }",
        {"area": _village(connection)[0]},
    )["placeNames"]["edges"]
    (node,) = [e["node"] for e in history if e["node"]["id"] == created["id"]]
    node["history"] = [edge["node"] for edge in node["history"]["edges"]]
    operations = [h["operation"] for h in node["history"]]
    assert operations == ["create", "stage", "stage", "stage", "stage", "approve", "publish"]
    assert [h["version"] for h in node["history"]] == [1, 2, 3, 4, 5, 6, 7]
    assert node["history"][0]["before"] is None
    assert node["history"][0]["after"]["geometry"]["type"] == "LineString"
    # Spelled as the API spells records: camelCase names, enum values as enum names.
    created = node["history"][0]["after"]
    assert (created["category"], created["status"]) == ("ROAD_STREET", "PROPOSED")
    assert "standardName" in created and "standard_name" not in created
    assert node["history"][0]["comment"] == "survey 2026"
    assert node["history"][5]["before"]["status"] == "PROPOSED"
    assert node["history"][5]["actor"] == "test-reviewer"


def test_a_reviewer_cannot_approve_his_own_proposal(
    client: TestClient, connection: Connection, token_for: Any
) -> None:
    _as(client, token_for("reviewer"))
    created = graphql_data(client, CREATE, {"input": _road_input(connection)})["createPlaceName"]
    (error,) = graphql(client, transition("approve"), {"id": created["id"], "version": 1})["errors"]
    assert error["extensions"]["code"] == "FORBIDDEN"
    assert "own proposal" in error["message"]


def test_a_stale_version_is_a_conflict(
    client: TestClient, connection: Connection, token_for: Any
) -> None:
    _as(client, token_for("editor"))
    created = graphql_data(client, CREATE, {"input": _road_input(connection)})["createPlaceName"]
    first = graphql_data(
        client, UPDATE, {"id": created["id"], "version": 1, "patch": {"standardName": "友善路"}}
    )["updatePlaceName"]
    assert (first["standardName"], first["pinyin"], first["version"]) == ("友善路", "Youshan Lu", 2)
    (error,) = graphql(
        client, UPDATE, {"id": created["id"], "version": 1, "patch": {"standardName": "友谊路"}}
    )["errors"]
    assert error["extensions"] == {
        "code": "VERSION_CONFLICT",
        "field": "version",
        "currentVersion": 2,
    }


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"standardName": "和谐"}, "standardName", "generic part"),
        ({"standardName": "国际路"}, "standardName", "disallowed"),
        ({"standardName": "Hexie Road"}, "standardName", "Chinese"),
        ({"areaCode": "371099999999"}, "areaCode", "no area"),
        ({"areaCode": "12"}, "areaCode", "digits"),
        ({"geometry": {"type": "Point", "coordinates": [122.0, 37.2]}}, "geometry", "LineString"),
        (
            {"geometry": {"type": "LineString", "coordinates": [[100.0, 30.0], [100.1, 30.1]]}},
            "geometry",
            "outside",
        ),
        (
            {"geometry": {"type": "LineString", "coordinates": [[122.0, 37.2]]}},
            "geometry",
            "at least 2",
        ),
        (
            {"geometry": {"type": "LineString", "coordinates": [[222.0, 37.2], [122, 37]]}},
            "geometry",
            "longitude",
        ),
    ],
)
def test_invalid_proposals_name_the_field_and_write_nothing(
    client: TestClient,
    connection: Connection,
    token_for: Any,
    change: dict[str, Any],
    field: str,
    message: str,
) -> None:
    _as(client, token_for("editor"))
    error = refused(client, connection, CREATE, {"input": {**_road_input(connection), **change}})
    assert error["extensions"]["field"] == field
    assert message in error["message"]


def test_no_two_roads_of_one_name_in_a_township(
    client: TestClient, connection: Connection, token_for: Any
) -> None:
    _as(client, token_for("editor"))
    graphql_data(client, CREATE, {"input": _road_input(connection, "葳蕤路")})
    (error,) = graphql(client, CREATE, {"input": _road_input(connection, "葳蕤路")})["errors"]
    assert error["extensions"] == {"code": "BAD_USER_INPUT", "field": "standardName"}
    assert "already used in this township" in error["message"]


def test_a_settlement_name_registered_twice_before_the_rule_stays_editable(
    client: TestClient, connection: Connection, token_for: Any
) -> None:
    """Real village names do repeat within a township; the rule holds for new names, so
    such a record keeps its name through other edits, and no third one may take it."""
    place_id, version, name, area = connection.execute(
        text(
            """
            SELECT p.id, p.version, p.standard_name, p.area_code FROM place_name p
            WHERE p.category = 'settlement' AND EXISTS (
                SELECT 1 FROM place_name q
                WHERE q.category = 'settlement' AND q.id <> p.id
                  AND q.standard_name = p.standard_name
                  AND left(q.area_code, 9) = left(p.area_code, 9))
            ORDER BY p.id LIMIT 1
            """
        )
    ).one()
    _as(client, token_for("editor"))
    edited = graphql_data(
        client, UPDATE, {"id": place_id, "version": version, "patch": {"meaning": "以姓氏得名"}}
    )["updatePlaceName"]
    assert edited["standardName"] == name
    geometry = connection.execute(
        text("SELECT ST_AsGeoJSON(rep_point)::json FROM admin_area WHERE code = :c"), {"c": area}
    ).scalar_one()
    third = {"standardName": name, "category": "SETTLEMENT", "areaCode": area, "geometry": geometry}
    error = refused(client, connection, CREATE, {"input": third})
    assert error["extensions"]["field"] == "standardName"
    assert "already used in this township" in error["message"]


def test_retire_and_restore(client: TestClient, connection: Connection, token_for: Any) -> None:
    place_id, version = connection.execute(
        text("SELECT id, version FROM place_name WHERE status = 'published' ORDER BY id LIMIT 1")
    ).one()
    _as(client, token_for("reviewer"))
    retired = graphql_data(client, transition("retire"), {"id": place_id, "version": version})
    assert retired["retirePlaceName"]["status"] == "RETIRED"
    restored = graphql_data(
        client, transition("restore"), {"id": place_id, "version": version + 1}
    )["restorePlaceName"]
    assert restored["status"] == "PUBLISHED"
    (error,) = graphql(client, transition("restore"), {"id": place_id, "version": version + 2})[
        "errors"
    ]
    assert error["extensions"]["code"] == "BAD_USER_INPUT"


RACES = {
    # kind: (the mutation, its patch type, the table, the field it edits, which records)
    "place name": (
        "updatePlaceName",
        "PlaceNamePatch",
        "place_name",
        "standardName",
        "category = 'road_street'",
    ),
    "village road": ("updateVillageRoad", "VillageRoadPatch", "village_road", "name", "true"),
    "service": ("updateService", "ServicePatch", "service", "name", "true"),
}


@pytest.mark.parametrize("kind", list(RACES))
def test_concurrent_editors_lose_no_update(
    settings: Settings, scratch_engine: Engine, kind: str
) -> None:
    """Eight editors update the same version at once, each through its own connection:
    exactly one wins, the others get VERSION_CONFLICT, and the record is at the next version
    with one revision."""
    mutation, patch_type, table, field, which = RACES[kind]
    with scratch_engine.begin() as conn:
        record_id, version = conn.execute(
            text(
                f"SELECT id, version FROM {table} WHERE status = 'published' AND {which}"
                " ORDER BY id LIMIT 1"
            )
        ).one()
        tokens = [create_token(conn, create_user(conn, f"racer-{i}", "editor")) for i in range(8)]
    app = create_app(settings, database=Database(scratch_engine))
    barrier = threading.Barrier(len(tokens))
    results: list[dict[str, Any]] = []
    query = f"""mutation ($id: ID!, $version: Int!, $patch: {patch_type}!) {{
      {mutation}(id: $id, version: $version, patch: $patch) {{ id version }} }}"""

    def edit(token: str, name: str) -> None:
        with TestClient(app) as client:
            barrier.wait()
            results.append(
                graphql(
                    _as(client, token),
                    query,
                    {"id": record_id, "version": version, "patch": {field: name}},
                )
            )

    names = ["甲路", "乙路", "丙路", "丁路", "戊路", "己路", "庚路", "辛路"]
    threads = [
        threading.Thread(target=edit, args=(t, n)) for t, n in zip(tokens, names, strict=True)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    winners = [r for r in results if "errors" not in r]
    conflicts = [r for r in results if "errors" in r]
    assert len(winners) == 1, results
    assert {r["errors"][0]["extensions"]["code"] for r in conflicts} == {"VERSION_CONFLICT"}
    assert {r["errors"][0]["extensions"]["currentVersion"] for r in conflicts} == {version + 1}
    with scratch_engine.connect() as conn:
        revisions = conn.execute(
            text(
                "SELECT count(*), max(after ->> 'version') FROM revision"
                " WHERE entity = :entity AND entity_id = :id AND operation = 'update'"
            ),
            {"entity": table, "id": record_id},
        ).one()
    assert tuple(revisions) == (1, str(version + 1))


AS_OF = """query ($asOf: DateTime!, $area: String, $status: LifecycleStatus) {
  placeNames(asOf: $asOf, inArea: $area, status: $status, first: 500) {
    totalCount edges { node { id standardName status version } }
  }
}"""


def _public_names(client: TestClient, area: str) -> dict[int, str]:
    client.headers.pop("Authorization", None)
    edges = graphql_data(
        client,
        "query ($a: String) { placeNames(inArea: $a, first: 500) {"
        " edges { node { id standardName } } } }",
        {"a": area},
    )["placeNames"]["edges"]
    return {int(e["node"]["id"]): e["node"]["standardName"] for e in edges}


def test_an_edit_of_a_published_name_waits_beside_it_until_published(
    client: TestClient, connection: Connection, token_for: Any
) -> None:
    place_id, name, area, version = connection.execute(
        text(
            "SELECT id, standard_name, area_code, version FROM place_name"
            " WHERE status = 'published' AND category = 'settlement' ORDER BY id LIMIT 1"
        )
    ).one()
    editor, reviewer, planner = token_for("editor"), token_for("reviewer"), token_for("planner")
    edited = graphql_data(
        _as(client, editor),
        UPDATE,
        {"id": place_id, "version": version, "patch": {"standardName": name + "新"}},
    )["updatePlaceName"]
    assert (edited["standardName"], edited["status"]) == (name, "PUBLISHED")
    assert _public_names(client, area)[place_id] == name  # the public map is unchanged

    pending = """query ($a: String) { placeNames(inArea: $a, status: PROPOSED, first: 500) {
      edges { node { id standardName pendingChange { status proposedBy record } } } } }"""
    (node,) = [
        e["node"]
        for e in graphql_data(_as(client, planner), pending, {"a": area})["placeNames"]["edges"]
        if int(e["node"]["id"]) == place_id
    ]
    assert node["pendingChange"]["status"] == "PROPOSED"
    assert node["pendingChange"]["proposedBy"] == "test-editor"
    assert node["pendingChange"]["record"]["standardName"] == name + "新"
    assert node["pendingChange"]["record"]["geometry"]["type"]
    client.headers.pop("Authorization")
    hidden = graphql(
        client, "{ placeNames(first: 1) { edges { node { pendingChange { status } } } } }"
    )
    assert hidden["errors"][0]["extensions"]["code"] == "FORBIDDEN"  # for planners and above

    # A renaming: the stages of the case are recorded on the change, the record stays.
    at = through_stages(_as(client, editor), "PlaceName", str(place_id))
    assert _public_names(client, area)[place_id] == name
    approved = graphql_data(
        _as(client, reviewer), transition("approve"), {"id": place_id, "version": at}
    )["approvePlaceName"]
    assert approved["status"] == "PUBLISHED"  # the record; its change is now approved
    assert _public_names(client, area)[place_id] == name
    graphql_data(_as(client, reviewer), transition("publish"), {"id": place_id, "version": at + 1})
    assert _public_names(client, area)[place_id] == name + "新"
    stored = connection.execute(
        text("SELECT pending IS NULL, pending_status FROM place_name WHERE id = :id"),
        {"id": place_id},
    ).one()
    assert tuple(stored) == (True, None)


def test_a_reviewer_cannot_approve_his_own_pending_change(
    client: TestClient, connection: Connection, token_for: Any
) -> None:
    place_id, _name, version = connection.execute(
        text(
            "SELECT id, standard_name, version FROM place_name"
            " WHERE status = 'published' AND category = 'settlement' ORDER BY id LIMIT 1"
        )
    ).one()
    _as(client, token_for("reviewer"))
    graphql_data(
        client, UPDATE, {"id": place_id, "version": version, "patch": {"meaning": "新释义"}}
    )
    (error,) = graphql(client, transition("approve"), {"id": place_id, "version": version + 1})[
        "errors"
    ]
    assert error["extensions"]["code"] == "FORBIDDEN"
    (error,) = graphql(client, transition("publish"), {"id": place_id, "version": version + 1})[
        "errors"
    ]
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    assert "proposed change" in error["message"]


def test_retiring_drops_a_pending_change(
    client: TestClient, connection: Connection, token_for: Any
) -> None:
    place_id, version = connection.execute(
        text(
            "SELECT id, version FROM place_name"
            " WHERE status = 'published' AND category = 'settlement' ORDER BY id LIMIT 1"
        )
    ).one()
    graphql_data(
        _as(client, token_for("editor")),
        UPDATE,
        {"id": place_id, "version": version, "patch": {"meaning": "新释义"}},
    )
    reviewer = token_for("reviewer")
    graphql_data(
        _as(client, reviewer), transition("retire"), {"id": place_id, "version": version + 1}
    )
    restored = graphql_data(
        client, transition("restore"), {"id": place_id, "version": version + 2}
    )["restorePlaceName"]
    assert restored["status"] == "PUBLISHED"
    pending = connection.execute(
        text("SELECT pending FROM place_name WHERE id = :id"), {"id": place_id}
    ).scalar_one()
    assert pending is None


def test_time_travel_and_revert(client: TestClient, connection: Connection, token_for: Any) -> None:
    place_id, name, area, version = connection.execute(
        text(
            "SELECT id, standard_name, area_code, version FROM place_name"
            " WHERE status = 'published' AND category = 'settlement' ORDER BY id LIMIT 1"
        )
    ).one()
    # Everything this test writes carries its transaction's start time: just before it,
    # the demo data stood as loaded.
    moment = connection.execute(text("SELECT now() - interval '1 millisecond'")).scalar_one()
    editor, reviewer = token_for("editor"), token_for("reviewer")
    graphql_data(
        _as(client, editor),
        UPDATE,
        {"id": place_id, "version": version, "patch": {"standardName": name + "新"}},
    )
    created = graphql_data(client, CREATE, {"input": _road_input(connection, "时光路")})
    new_id = created["createPlaceName"]["id"]
    staged = through_stages(client, "PlaceName", str(place_id))
    _as(client, reviewer)
    for operation, at in (("approve", staged), ("publish", staged + 1)):
        graphql_data(client, transition(operation), {"id": place_id, "version": at})
    assert _public_names(client, area)[place_id] == name + "新"

    then = graphql_data(
        _as(client, token_for("planner")), AS_OF, {"asOf": moment.isoformat(), "area": area}
    )["placeNames"]
    nodes = {int(e["node"]["id"]): e["node"] for e in then["edges"]}
    assert nodes[place_id]["standardName"] == name  # as it was, before the edit
    assert nodes[place_id]["status"] == "PUBLISHED"
    assert int(new_id) not in nodes  # did not exist yet
    assert then["totalCount"] == len(nodes)

    publish_revision = connection.execute(
        text(
            "SELECT id FROM revision WHERE entity_id = :id AND operation = 'publish'"
            " AND entity = 'place_name' ORDER BY id DESC LIMIT 1"
        ),
        {"id": place_id},
    ).scalar_one()
    reverted = graphql_data(
        _as(client, reviewer),
        "mutation ($r: ID!, $v: Int!) { revertPlaceName(revision: $r, version: $v) {"
        " standardName status version pendingChange { status } } }",
        {"r": publish_revision, "v": staged + 2},
    )["revertPlaceName"]
    # Back to the published name, with the change approved and waiting again.
    assert reverted == {
        "standardName": name,
        "status": "PUBLISHED",
        "version": staged + 3,
        "pendingChange": {"status": "APPROVED"},
    }
    assert _public_names(client, area)[place_id] == name


@pytest.mark.parametrize(
    ("variables", "code", "field"),
    [
        ({"asOf": "2026-01-01T00:00:00+08:00"}, "FORBIDDEN", None),
        ({"asOf": "2026-01-01T00:00:00"}, "BAD_USER_INPUT", "asOf"),
    ],
)
def test_time_travel_checks(
    client: TestClient, token_for: Any, variables: dict[str, Any], code: str, field: str | None
) -> None:
    if code != "FORBIDDEN":
        _as(client, token_for("planner"))
    (error,) = graphql(client, AS_OF, variables)["errors"]
    assert error["extensions"]["code"] == code
    assert error["extensions"].get("field") == field


def test_time_travel_takes_attribute_filters_only(client: TestClient, token_for: Any) -> None:
    query = """{ placeNames(asOf: "2026-01-01T00:00:00+08:00", bbox: [122, 37, 123, 38]) {
        totalCount } }"""
    (error,) = graphql(_as(client, token_for("planner")), query)["errors"]
    assert error["extensions"] == {"code": "BAD_USER_INPUT", "field": "bbox"}


def test_a_replayed_mutation_makes_one_change(
    client: TestClient, connection: Connection, token_for: Any
) -> None:
    """The same createPlaceName sent twice with one client mutation id (a retry after a
    lost answer) creates one record and one revision, and answers the same both times."""
    _as(client, token_for("editor"))
    query = """mutation ($input: PlaceNameInput!, $key: String) {
        createPlaceName(input: $input, clientMutationId: $key) { id version } }"""
    variables = {"input": _road_input(connection, "重试路"), "key": "req-7f3a"}
    before = _counts(connection)
    first = graphql_data(client, query, variables)["createPlaceName"]
    second = graphql_data(client, query, variables)["createPlaceName"]
    assert first == second
    assert _counts(connection) == (before[0] + 1, before[1] + 1)
    third = graphql(client, query, {**variables, "key": "req-other"})
    assert third["errors"][0]["extensions"]["field"] == "standardName"  # a new key: a new try


def test_text_with_a_nul_character_is_the_clients_mistake_not_a_server_error(
    client: TestClient, connection: Connection, token_for: Any
) -> None:
    """Found by the fuzzer: PostgreSQL's text cannot hold U+0000, and psycopg2 refused it
    with an error the registry took for its own fault."""
    _as(client, token_for("editor"))
    query = """mutation ($input: PlaceNameInput!, $key: String, $comment: String) {
        createPlaceName(input: $input, clientMutationId: $key, comment: $comment) { id } }"""
    error = refused(
        client, connection, query, {"input": _road_input(connection, "零字路"), "key": "a\x00b"}
    )
    assert error["extensions"]["field"] == "clientMutationId"
    error = refused(
        client,
        connection,
        query,
        {"input": _road_input(connection, "零字路"), "comment": "审核\x00意见"},
    )
    assert "U+0000" in error["message"]


def test_a_client_mutation_id_sent_again_with_other_arguments_is_refused(
    client: TestClient, connection: Connection, token_for: Any
) -> None:
    """A key names one change: the same key with another payload is a mistake, refused
    with the field named, and changes nothing (it is not answered with the first record)."""
    _as(client, token_for("editor"))
    query = """mutation ($input: PlaceNameInput!, $key: String) {
        createPlaceName(input: $input, clientMutationId: $key) { id standardName } }"""
    first = graphql_data(
        client, query, {"input": _road_input(connection, "键一路"), "key": "req-once"}
    )["createPlaceName"]
    error = refused(
        client, connection, query, {"input": _road_input(connection, "键二路"), "key": "req-once"}
    )
    assert error["extensions"]["field"] == "clientMutationId"
    assert "different change" in error["message"]
    # The first change is still what the key stands for.
    again = graphql_data(
        client, query, {"input": _road_input(connection, "键一路"), "key": "req-once"}
    )["createPlaceName"]
    assert again == first


IMPORT = """mutation ($fc: JSON!, $dry: Boolean!) {
  importPlaceNames(featureCollection: $fc, category: ADMINISTRATIVE_AREA, areaCode: "3710",
                   dryRun: $dry) {
    dryRun ok imported results { index ok errors id }
  }
}"""
DATA = Path(__file__).resolve().parent.parent / "data"


def _collection(name: str) -> Any:
    return json.loads((DATA / name).read_text(encoding="utf-8"))


def _retire_county_names(connection: Connection) -> None:
    """The demo registers the counties' names; an import of them again is refused as a
    duplicate in the city unless those are retired first."""
    connection.execute(
        text(
            "UPDATE place_name SET status = 'retired' WHERE category = 'administrative_area'"
            " AND char_length(area_code) = 6"
        )
    )


def test_an_import_of_names_the_city_has_is_refused_per_feature(
    client: TestClient, connection: Connection, token_for: Any
) -> None:
    _as(client, token_for("editor"))
    report = graphql_data(
        client, IMPORT, {"fc": _collection("weihai-counties.geojson"), "dry": True}
    )["importPlaceNames"]
    assert report["ok"] is False
    assert all("already used" in r["errors"][0] for r in report["results"])


def test_an_import_too_large_in_all_is_refused_before_any_work(
    client: TestClient, connection: Connection, token_for: Any
) -> None:
    """Each feature within its own vertex limit, but together more than one import may
    hold: refused as a whole, naming the field, nothing written."""
    from gis.geojson import MAX_VERTICES
    from resolvers.place_name_imports import MAX_IMPORT_VERTICES

    _as(client, token_for("editor"))
    line = [[122.0 + i * 1e-5, 37.0] for i in range(MAX_VERTICES)]
    count = MAX_IMPORT_VERTICES // MAX_VERTICES + 1
    features = [
        {
            "type": "Feature",
            "properties": {"name": f"长路{i}"},
            "geometry": {"type": "LineString", "coordinates": line},
        }
        for i in range(count)
    ]
    error = refused(
        client,
        connection,
        IMPORT,
        {"fc": {"type": "FeatureCollection", "features": features}, "dry": True},
    )
    assert error["extensions"]["field"] == "featureCollection"
    assert str(MAX_IMPORT_VERTICES) in error["message"]


def test_import_rejects_self_intersecting_outlines_with_reasons_per_feature(
    client: TestClient, connection: Connection, token_for: Any
) -> None:
    _as(client, token_for("editor"))
    _retire_county_names(connection)
    before = _counts(connection)
    report = graphql_data(
        client, IMPORT, {"fc": _collection("weihai-counties-raw-invalid.geojson"), "dry": False}
    )["importPlaceNames"]
    assert report["ok"] is False and report["imported"] == 0
    failed = [r for r in report["results"] if not r["ok"]]
    assert failed
    assert all("Self-intersection" in r["errors"][0] for r in failed)
    assert all(r["id"] is None for r in report["results"])
    assert _counts(connection) == before  # all or nothing: nothing


def test_import_accepts_the_repaired_outlines_all_or_nothing(
    client: TestClient, connection: Connection, token_for: Any
) -> None:
    _as(client, token_for("editor"))
    _retire_county_names(connection)
    collection = _collection("weihai-counties.geojson")
    before = _counts(connection)
    dry = graphql_data(client, IMPORT, {"fc": collection, "dry": True})["importPlaceNames"]
    assert dry["ok"] is True and dry["imported"] == 0
    assert _counts(connection) == before  # a dry run writes nothing
    real = graphql_data(client, IMPORT, {"fc": collection, "dry": False})["importPlaceNames"]
    assert real["ok"] is True and real["imported"] == len(collection["features"]) == 4
    assert all(r["id"] for r in real["results"])
    assert _counts(connection) == (before[0] + 4, before[1] + 4)


def test_a_map_client_sees_published_edits_live(
    settings: Settings, scratch_engine: Engine, connection: Connection
) -> None:
    """Over graphql-transport-ws: a client subscribed to a box hears of a name published
    inside it, and nothing of one published outside it."""
    code, _, line = _village(connection)
    lon, lat = line[0]
    with scratch_engine.begin() as conn:
        editor = create_token(conn, create_user(conn, "live-editor", "editor"))
        reviewer = create_token(conn, create_user(conn, "live-reviewer", "reviewer"))
    app = create_app(settings, database=Database(scratch_engine))
    subscription = (
        "subscription ($bbox: [Float!]) { placeNamesChanged(bbox: $bbox) { standardName status } }"
    )
    box = [lon - 0.01, lat - 0.01, lon + 0.01, lat + 0.01]
    with (
        TestClient(app) as client,
        client.websocket_connect("/graphql", subprotocols=["graphql-transport-ws"]) as ws,
    ):
        ws.send_json({"type": "connection_init"})
        assert ws.receive_json()["type"] == "connection_ack"
        ws.send_json(
            {
                "id": "1",
                "type": "subscribe",
                "payload": {"query": subscription, "variables": {"bbox": box}},
            }
        )

        def publish(token_editor: str, name: str, geometry: dict[str, Any], area: str) -> None:
            created = graphql_data(
                _as(client, token_editor),
                CREATE,
                {
                    "input": {
                        "standardName": name,
                        "category": "ROAD_STREET",
                        "geometry": geometry,
                        "areaCode": area,
                    }
                },
            )["createPlaceName"]
            staged = through_stages(client, "PlaceName", created["id"])
            for operation, version in (("approve", staged), ("publish", staged + 1)):
                graphql_data(
                    _as(client, reviewer),
                    transition(operation),
                    {"id": created["id"], "version": version},
                )

        far_code, _, far_line = connection.execute(
            text(
                "SELECT v.code, 0, ST_AsGeoJSON(r.geom)::json -> 'coordinates' FROM village_road r"
                " JOIN admin_area v ON v.code = r.village_code"
                " WHERE NOT ST_Intersects(r.geom, ST_MakeEnvelope(:x1, :y1, :x2, :y2, 4326))"
                " ORDER BY r.id DESC LIMIT 1"
            ),
            {"x1": box[0], "y1": box[1], "x2": box[2], "y2": box[3]},
        ).one()
        publish(editor, "远方路", {"type": "LineString", "coordinates": far_line}, far_code)
        publish(editor, "直播路", {"type": "LineString", "coordinates": line}, code)
        message = ws.receive_json()
        assert message["type"] == "next"
        assert message["payload"]["data"]["placeNamesChanged"] == {
            "standardName": "直播路",
            "status": "PUBLISHED",
        }
        ws.send_json({"id": "1", "type": "complete"})


def test_a_patch_clears_what_it_sets_to_null_and_keeps_what_it_leaves_out(
    client: TestClient, connection: Connection, token_for: Any
) -> None:
    _as(client, token_for("editor"))
    created = graphql_data(
        client,
        CREATE,
        {"input": {**_road_input(connection, "释义路"), "meaning": "旧释义", "origin": "旧来历"}},
    )["createPlaceName"]
    cleared = graphql_data(
        client,
        UPDATE,
        {"id": created["id"], "version": created["version"], "patch": {"meaning": None}},
    )["updatePlaceName"]
    meaning, origin, name = connection.execute(
        text("SELECT meaning, origin, standard_name FROM place_name WHERE id = :id"),
        {"id": int(created["id"])},
    ).one()
    assert meaning is None  # set to null: cleared
    assert origin == "旧来历" and name == "释义路"  # left out: kept
    assert cleared["version"] == created["version"] + 1


def test_a_patch_cannot_set_a_required_field_to_null(
    client: TestClient, connection: Connection, token_for: Any
) -> None:
    _as(client, token_for("editor"))
    created = graphql_data(client, CREATE, {"input": _road_input(connection, "必填路")})[
        "createPlaceName"
    ]
    error = refused(
        client,
        connection,
        UPDATE,
        {"id": created["id"], "version": created["version"], "patch": {"standardName": None}},
    )
    assert error["extensions"]["field"] == "standardName"
    assert "cannot be null" in error["message"]
