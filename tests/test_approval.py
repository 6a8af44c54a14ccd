"""Approval cases: a renaming through every stage the regulations require, and each way a
case can be taken wrong, refused with nothing written."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import Connection, text
from starlette.testclient import TestClient

from domain import approval
from resolvers.cases import today
from resolvers.nodes import global_id
from tests.conftest import APPROVAL, graphql, graphql_data, signed_in

RENAME = """mutation ($id: ID!, $version: Int!, $name: String!, $reason: String) {
  updatePlaceName(id: $id, version: $version, patch: {standardName: $name}, reason: $reason) {
    version reviewCase { kind requiredStages nextStage } } }"""
STAGE = """mutation ($id: ID!, $version: Int!, $stage: ApprovalStage!,
                     $details: StageDetailsInput!) {
  recordStagePlaceName(id: $id, version: $version, stage: $stage, details: $details) {
    version reviewCase { nextStage consultationOpen } } }"""
APPROVE = """mutation ($id: ID!, $version: Int!, $approval: ApprovalInput) {
  approvePlaceName(id: $id, version: $version, approval: $approval) { version } }"""
PUBLISH = """mutation ($id: ID!, $version: Int!) {
  publishPlaceName(id: $id, version: $version, announcement: {number: "2026-31"}) {
    standardName version reviewCase { nextStage stages { stage recordedBy reason summary
      experts consultationStart consultationEnd commentsReceived authority documentNumber
      date announcementNumber } } } }"""
CASE = """query ($id: ID!) { node(id: $id) { ... on PlaceName { standardName version
  reviewCase { kind nextStage outcome outcomeReason } pendingChange { status } } } }"""


def _published_village(connection: Connection) -> tuple[int, str, int]:
    place_id, name, version = connection.execute(
        text(
            "SELECT id, standard_name, version FROM place_name WHERE status = 'published'"
            " AND category = 'settlement' ORDER BY id LIMIT 1"
        )
    ).one()
    return int(place_id), str(name), int(version)


def _version(connection: Connection, place_id: int) -> int:
    return int(
        connection.execute(
            text("SELECT version FROM place_name WHERE id = :id"), {"id": place_id}
        ).scalar_one()
    )


def _bad(client: TestClient, connection: Connection, place_id: int, query: str, **v: Any) -> Any:
    """The one BAD_USER_INPUT error, the record unchanged."""
    before = _version(connection, place_id)
    (error,) = graphql(client, query, {"id": place_id, **v})["errors"]
    assert error["extensions"]["code"] == "BAD_USER_INPUT", error
    assert _version(connection, place_id) == before
    return error


def test_a_renaming_goes_through_every_stage(
    client: TestClient, connection: Connection, token_for: Any
) -> None:
    place_id, _, version = _published_village(connection)
    editor, reviewer = token_for("editor"), token_for("reviewer")
    signed_in(client, editor)
    renamed = graphql_data(
        client,
        RENAME,
        {"id": place_id, "version": version, "name": "葳蕤村", "reason": "村民申请，避免重名"},
    )["updatePlaceName"]
    assert renamed["reviewCase"] == {
        "kind": "RENAMING",
        "requiredStages": [s.upper() for s in approval.FULL],
        "nextStage": "ASSESSMENT",
    }
    at = renamed["version"]

    def stage(name: str, details: dict[str, Any]) -> dict[str, Any]:
        nonlocal at
        done = graphql_data(
            client, STAGE, {"id": place_id, "version": at, "stage": name, "details": details}
        )["recordStagePlaceName"]
        at = done["version"]
        return dict(done["reviewCase"])

    assert stage("ASSESSMENT", {"summary": "符合规划"})["nextStage"] == "EXPERT_REVIEW"
    assert stage("EXPERT_REVIEW", {"summary": "同意", "experts": ["王教授"]})["nextStage"] == (
        "CONSULTATION"
    )
    start, end = today() - timedelta(days=30), today() - timedelta(days=1)
    opened = stage("CONSULTATION", {"start": start.isoformat(), "end": end.isoformat()})
    assert opened == {"nextStage": "CONSULTATION", "consultationOpen": True}
    closed = stage("CONSULTATION", {"commentsReceived": 12, "summary": "无异议"})
    assert closed == {"nextStage": "APPROVAL", "consultationOpen": False}

    signed_in(client, reviewer)
    graphql_data(client, APPROVE, {"id": place_id, "version": at, "approval": APPROVAL})
    published = graphql_data(client, PUBLISH, {"id": place_id, "version": at + 1})[
        "publishPlaceName"
    ]
    assert published["standardName"] == "葳蕤村"
    stages = published["reviewCase"]["stages"]
    assert [s["stage"] for s in stages] == [s.upper() for s in approval.FULL]
    proposal, assessment, expert, consultation, approved, announced = stages
    assert (proposal["reason"], proposal["recordedBy"]) == ("村民申请，避免重名", "test-editor")
    assert assessment["summary"] == "符合规划" and expert["experts"] == ["王教授"]
    assert (consultation["consultationStart"], consultation["consultationEnd"]) == (
        start.isoformat(),
        end.isoformat(),
    )
    assert consultation["commentsReceived"] == 12
    assert (approved["authority"], approved["documentNumber"], approved["date"]) == (
        APPROVAL["authority"],
        APPROVAL["documentNumber"],
        APPROVAL["date"],
    )
    assert (announced["date"], announced["announcementNumber"]) == (today().isoformat(), "2026-31")
    assert published["reviewCase"]["nextStage"] is None


@pytest.fixture()
def renaming(client: TestClient, connection: Connection, token_for: Any) -> tuple[int, int]:
    """A published village with a renaming proposed by an editor (the client signed in)."""
    place_id, _, version = _published_village(connection)
    signed_in(client, token_for("editor"))
    done = graphql_data(client, RENAME, {"id": place_id, "version": version, "name": "葳蕤村"})
    return place_id, done["updatePlaceName"]["version"]


def test_a_stage_skipped_or_repeated_is_refused(
    client: TestClient, connection: Connection, renaming: tuple[int, int]
) -> None:
    place_id, at = renaming
    skipped = _bad(
        client,
        connection,
        place_id,
        STAGE,
        version=at,
        stage="EXPERT_REVIEW",
        details={"summary": "同意"},
    )
    assert skipped["extensions"]["field"] == "stage"
    assert "assessment comes before expert review" in skipped["message"]
    done = graphql_data(
        client,
        STAGE,
        {"id": place_id, "version": at, "stage": "ASSESSMENT", "details": {"summary": "通过"}},
    )["recordStagePlaceName"]
    again = _bad(
        client,
        connection,
        place_id,
        STAGE,
        version=done["version"],
        stage="ASSESSMENT",
        details={"summary": "再次"},
    )
    assert "already done" in again["message"]
    # Approval and announcement come with their own mutations, never as a stage.
    _bad(client, connection, place_id, STAGE, version=done["version"], stage="APPROVAL", details={})


def test_approval_before_the_stages_are_done_is_refused(
    client: TestClient, connection: Connection, renaming: tuple[int, int], token_for: Any
) -> None:
    place_id, at = renaming
    signed_in(client, token_for("reviewer"))
    error = _bad(client, connection, place_id, APPROVE, version=at, approval=APPROVAL)
    assert error["extensions"]["field"] == "stage"
    assert "assessment comes before approval" in error["message"]


def test_a_naming_case_is_approved_only_with_its_document(
    client: TestClient, connection: Connection, renaming: tuple[int, int], token_for: Any
) -> None:
    from tests.conftest import through_stages

    place_id, _ = renaming
    at = through_stages(client, "PlaceName", str(place_id))
    signed_in(client, token_for("reviewer"))
    error = _bad(client, connection, place_id, APPROVE, version=at)
    assert error["extensions"]["field"] == "approval"
    partial = {**APPROVAL, "documentNumber": " "}
    error = _bad(client, connection, place_id, APPROVE, version=at, approval=partial)
    assert error["extensions"]["field"] == "approval.documentNumber"


def test_a_consultation_is_not_closed_before_its_end(
    client: TestClient, connection: Connection, renaming: tuple[int, int]
) -> None:
    place_id, at = renaming
    for stage, details in (
        ("ASSESSMENT", {"summary": "通过"}),
        ("EXPERT_REVIEW", {"summary": "同意"}),
    ):
        at = graphql_data(
            client, STAGE, {"id": place_id, "version": at, "stage": stage, "details": details}
        )["recordStagePlaceName"]["version"]
    backwards = _bad(
        client,
        connection,
        place_id,
        STAGE,
        version=at,
        stage="CONSULTATION",
        details={"start": "2026-10-31", "end": "2026-10-01"},
    )
    assert backwards["extensions"]["field"] == "details.end"
    ends = today() + timedelta(days=20)
    at = graphql_data(
        client,
        STAGE,
        {
            "id": place_id,
            "version": at,
            "stage": "CONSULTATION",
            "details": {"start": today().isoformat(), "end": ends.isoformat()},
        },
    )["recordStagePlaceName"]["version"]
    early = _bad(
        client,
        connection,
        place_id,
        STAGE,
        version=at,
        stage="CONSULTATION",
        details={"commentsReceived": 0},
    )
    assert ends.isoformat() in early["message"]


def test_the_proposer_withdraws_and_a_reviewer_rejects_with_a_reason(
    client: TestClient, connection: Connection, renaming: tuple[int, int], token_for: Any
) -> None:
    place_id, at = renaming
    node_id = global_id("PlaceName", place_id)
    other = token_for("reviewer")
    rejected = graphql_data(
        signed_in(client, other),
        "mutation ($id: ID!, $v: Int!) { rejectPlaceName(id: $id, version: $v,"
        ' reason: "与相邻村名同音") { version } }',
        {"id": place_id, "v": at},
    )["rejectPlaceName"]
    found = graphql_data(client, CASE, {"id": node_id})["node"]
    assert found["pendingChange"] is None  # the renaming is dropped; the record stays
    assert found["reviewCase"]["outcome"] == "rejected"
    assert found["reviewCase"]["outcomeReason"] == "与相邻村名同音"
    assert found["version"] == rejected["version"]
    (comment,) = connection.execute(
        text(
            "SELECT comment FROM revision WHERE entity = 'place_name' AND entity_id = :id"
            " AND operation = 'reject'"
        ),
        {"id": place_id},
    ).one()
    assert comment == "与相邻村名同音"
    empty = _bad(
        client,
        connection,
        place_id,
        "mutation ($id: ID!, $version: Int!) { rejectPlaceName(id: $id, version: $version,"
        ' reason: " ") { version } }',
        version=rejected["version"],
    )
    assert empty["extensions"]["field"] == "reason"


def test_only_the_proposer_withdraws(
    client: TestClient, connection: Connection, token_for: Any
) -> None:
    code, geometry = connection.execute(
        text(
            "SELECT code, ST_AsGeoJSON(rep_point)::json FROM admin_area WHERE level = 'village'"
            " ORDER BY code LIMIT 1"
        )
    ).one()
    proposer, another = token_for("editor"), token_for("reviewer")
    created = graphql_data(
        signed_in(client, proposer),
        "mutation ($input: PlaceNameInput!) { createPlaceName(input: $input) { id } }",
        {
            "input": {
                "standardName": "葳蕤庄",
                "category": "SETTLEMENT",
                "areaCode": code,
                "geometry": geometry,
            }
        },
    )["createPlaceName"]
    withdraw = (
        "mutation ($id: ID!, $version: Int!) { withdrawPlaceName(id: $id, version: $version,"
        ' reason: "重复申报") { status reviewCase { outcome } } }'
    )
    (error,) = graphql(signed_in(client, another), withdraw, {"id": created["id"], "version": 1})[
        "errors"
    ]
    assert error["extensions"]["code"] == "FORBIDDEN"
    done = graphql_data(signed_in(client, proposer), withdraw, {"id": created["id"], "version": 1})[
        "withdrawPlaceName"
    ]
    assert done == {"status": "RETIRED", "reviewCase": {"outcome": "withdrawn"}}


def test_stage_errors_are_in_chinese_by_default(
    client: TestClient, connection: Connection, renaming: tuple[int, int]
) -> None:
    place_id, at = renaming
    del client.headers["Accept-Language"]
    error = _bad(
        client,
        connection,
        place_id,
        STAGE,
        version=at,
        stage="CONSULTATION",
        details={"start": "2026-10-01", "end": "2026-10-31"},
    )
    assert "须先完成综合评估" in error["message"]


def test_which_stages_a_case_needs_is_configured_in_one_place() -> None:
    assert approval.required_stages("place_name", approval.RENAMING, "settlement") == approval.FULL
    assert approval.required_stages("village_road", approval.NAMING, None) == (
        approval.PROPOSAL,
        approval.CONSULTATION,
        approval.APPROVAL,
        approval.ANNOUNCEMENT,
    )
    assert approval.required_stages("service", approval.NAMING, None) == approval.PLAIN


STAGE_WITH_DOCUMENTS = """mutation ($id: ID!, $version: Int!, $documents: [Upload!]) {
  recordStagePlaceName(id: $id, version: $version, stage: ASSESSMENT,
                       details: {summary: "综合评估报告见附件"}, documents: $documents) {
    version reviewCase { stages { stage documents { id filename mediaType byteSize sha256 url } } }
  } }"""
PDF = b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


def _upload(
    client: TestClient, variables: dict[str, Any], files: dict[str, tuple[str, bytes]]
) -> Any:
    operations = {
        "query": STAGE_WITH_DOCUMENTS,
        "variables": {**variables, "documents": [None] * len(files)},
    }
    mapping = {key: [f"variables.documents.{n}"] for n, key in enumerate(files)}
    response = client.post(
        "/graphql",
        data={"operations": json.dumps(operations), "map": json.dumps(mapping)},
        files={
            key: (name, content, "application/octet-stream")
            for key, (name, content) in files.items()
        },
    )
    assert response.status_code == 200, response.text
    return response.json()


def test_a_stage_keeps_its_documents_for_staff(
    client: TestClient, connection: Connection, renaming: tuple[int, int], token_for: Any
) -> None:
    place_id, at = renaming
    body = _upload(client, {"id": place_id, "version": at}, {"0": ("综合评估报告.pdf", PDF)})
    assert "errors" not in body, body
    stages = body["data"]["recordStagePlaceName"]["reviewCase"]["stages"]
    (document,) = stages[1]["documents"]
    assert (document["filename"], document["mediaType"], document["byteSize"]) == (
        "综合评估报告.pdf",
        "application/pdf",
        len(PDF),
    )
    signed_in(client, token_for("planner"))
    got = client.get(document["url"])
    assert got.status_code == 200 and got.content == PDF
    assert got.headers["content-type"] == "application/pdf"
    assert "filename*=UTF-8''" in got.headers["content-disposition"]
    del client.headers["Authorization"]
    assert client.get(document["url"]).status_code == 403
    assert client.get("/attachments/999999999").status_code in (403, 404)


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("report.pdf", b"MZ\x90\x00 not a pdf at all"),  # a program, named as a PDF
        ("report.png", PDF),  # a PDF named as a picture
        ("report.exe", PDF),
        ("report.pdf", b""),
    ],
)
def test_a_document_of_a_kind_not_taken_is_refused(
    client: TestClient,
    connection: Connection,
    renaming: tuple[int, int],
    name: str,
    content: bytes,
) -> None:
    place_id, at = renaming
    before = connection.execute(text("SELECT count(*) FROM attachment")).scalar_one()
    body = _upload(client, {"id": place_id, "version": at}, {"0": (name, content)})
    (error,) = body["errors"]
    assert (error["extensions"]["code"], error["extensions"]["field"]) == (
        "BAD_USER_INPUT",
        "documents[0]",
    )
    assert _version(connection, place_id) == at
    assert connection.execute(text("SELECT count(*) FROM attachment")).scalar_one() == before


def test_a_document_over_the_limit_is_refused(
    settings: Any, connection: Connection, token_for: Any
) -> None:
    import dataclasses

    from app import create_app
    from db.engine import SharedConnectionDatabase

    small = dataclasses.replace(settings, max_attachment_bytes=len(PDF) - 1)
    app = create_app(small, database=SharedConnectionDatabase(connection))
    with TestClient(app, headers={"Accept-Language": "en"}) as client:
        place_id, _, version = _published_village(connection)
        signed_in(client, token_for("editor"))
        at = graphql_data(client, RENAME, {"id": place_id, "version": version, "name": "葳蕤村"})[
            "updatePlaceName"
        ]["version"]
        body = _upload(client, {"id": place_id, "version": at}, {"0": ("report.pdf", PDF)})
        (error,) = body["errors"]
        assert error["extensions"]["field"] == "documents[0]"
        assert str(len(PDF) - 1) in error["message"]
