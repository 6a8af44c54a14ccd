"""GraphQL over HTTP (endpoints/graphql_http.py): bodies, media types, status codes."""

from __future__ import annotations

import dataclasses
import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import orjson
import pytest
from sqlalchemy import Connection, Engine, create_engine
from starlette.testclient import TestClient

from app import create_app
from db.engine import Database, SharedConnectionDatabase
from db.settings import Settings
from endpoints.graphql_http import GRAPHQL_RESPONSE, JSON, Refusal, response_media_type
from tests.conftest import city_stats_behind_a_lock, signed_in

QUERY = "{ cityStats { beds } }"


@pytest.mark.parametrize(
    "body",
    [
        b"null",
        b'"text"',
        b"[1]",
        b'[{"query": "{ cityStats { beds } }"}]',
        b'{"query": 5}',
        b'{"query": ""}',
        b'{"query": "{ cityStats { beds } }", "variables": [1]}',
        b'{"query": "{ cityStats { beds } }", "operationName": 7}',
        b"\xff\xfe{}",
        b"[" * 5000 + b"]" * 5000,
        b'{"query": ',
    ],
    ids=lambda b: b[:24].decode("latin-1"),
)
def test_malformed_bodies_are_400_with_a_code(client: TestClient, body: bytes) -> None:
    response = client.post("/graphql", content=body, headers={"Content-Type": JSON})
    assert response.status_code == 400, response.text
    (error,) = response.json()["errors"]
    assert error["extensions"]["code"] == "BAD_REQUEST"
    assert "Traceback" not in response.text


def test_a_body_over_the_limit_is_413_before_it_is_read_whole(client: TestClient) -> None:
    body = b'{"query": "' + b" " * (12 * 1024 * 1024) + b'{ cityStats { beds } }"}'
    response = client.post("/graphql", content=body, headers={"Content-Type": JSON})
    assert response.status_code == 413
    assert response.json()["errors"][0]["extensions"]["code"] == "PAYLOAD_TOO_LARGE"


def test_other_content_types_are_415(client: TestClient) -> None:
    response = client.post(
        "/graphql", content=QUERY, headers={"Content-Type": "application/graphql"}
    )
    assert response.status_code == 415


@pytest.mark.parametrize(
    ("accept", "media"),
    [
        (None, JSON),
        ("*/*", JSON),
        ("application/json", JSON),
        (GRAPHQL_RESPONSE, GRAPHQL_RESPONSE),
        (f"{JSON}, {GRAPHQL_RESPONSE}", GRAPHQL_RESPONSE),
        (f"{JSON};q=1, {GRAPHQL_RESPONSE};q=0.5", JSON),
        (f"{GRAPHQL_RESPONSE};q=0, */*", JSON),
    ],
)
def test_the_response_media_type_follows_accept(accept: str | None, media: str) -> None:
    assert response_media_type(accept) == media


def test_an_accept_header_naming_nothing_json_is_406(client: TestClient) -> None:
    with pytest.raises(Refusal):
        response_media_type("text/xml")
    response = client.post("/graphql", json={"query": QUERY}, headers={"Accept": "text/xml"})
    assert response.status_code == 406


def test_graphql_response_json_says_400_for_requests_that_cannot_run(client: TestClient) -> None:
    headers = {"Accept": GRAPHQL_RESPONSE}
    for query in (
        "{ cityStats { villages ",
        "{ nosuchfield }",
        "query ($n: Int!) { area(code: $n) { name } }",
    ):
        response = client.post("/graphql", json={"query": query}, headers=headers)
        assert response.status_code == 400, (query, response.text)
        assert response.headers["content-type"] == GRAPHQL_RESPONSE
        body = response.json()
        assert "data" not in body  # the request never ran
        assert body["errors"]
    ran = client.post("/graphql", json={"query": QUERY}, headers=headers)
    assert ran.status_code == 200 and ran.headers["content-type"] == GRAPHQL_RESPONSE
    assert ran.json()["data"]["cityStats"]["beds"] > 0


def test_application_json_keeps_200_but_no_data_for_requests_that_cannot_run(
    client: TestClient,
) -> None:
    response = client.post("/graphql", json={"query": "{ nosuchfield }"})
    assert response.status_code == 200
    assert response.headers["content-type"] == JSON
    assert "data" not in response.json()


def test_get_answers_queries_and_refuses_mutations_with_405(client: TestClient) -> None:
    response = client.get("/graphql", params={"query": QUERY})
    assert response.status_code == 200
    assert response.json()["data"]["cityStats"]["beds"] > 0
    mutation = 'mutation { retirePlaceName(id: "1", version: 1) { id } }'
    refused = client.get("/graphql", params={"query": mutation})
    assert refused.status_code == 405
    assert refused.headers["allow"] == "POST"


def test_the_public_gets_no_field_suggestions_staff_do(client: TestClient, token_for: Any) -> None:
    query = "{ servics { totalCount } }"
    public = client.post("/graphql", json={"query": query}).json()["errors"][0]["message"]
    assert "Did you mean" not in public and "servics" in public
    signed_in(client, token_for("editor"))
    staff = client.post("/graphql", json={"query": query}).json()["errors"][0]["message"]
    assert "Did you mean 'services'?" in staff


def test_a_token_with_the_database_down_is_503_not_500(settings: Settings) -> None:
    engine = create_engine("postgresql+psycopg2://nobody@127.0.0.1:1/none", pool_pre_ping=False)
    with TestClient(create_app(settings, database=Database(engine))) as client:
        response = client.post(
            "/graphql", json={"query": QUERY}, headers={"Authorization": "Bearer some-token"}
        )
    assert response.status_code == 503
    assert response.json()["errors"][0]["extensions"]["code"] == "SERVICE_UNAVAILABLE"


def test_an_answer_over_the_response_limit_is_refused_not_sent(
    settings: Settings, connection: Connection
) -> None:
    small = dataclasses.replace(settings, max_response_bytes=4096)
    app = create_app(small, database=SharedConnectionDatabase(connection))
    with TestClient(app) as client:
        response = client.post(
            "/graphql", json={"query": "{ services(first: 100) { edges { node { name } } } }"}
        )
    body = response.json()
    assert "data" not in body
    (error,) = body["errors"]
    assert error["extensions"]["code"] == "QUERY_TOO_COMPLEX"
    assert error["extensions"]["limit"] == "responseBytes"
    assert error["extensions"]["value"] > 4096


def test_a_query_past_the_request_deadline_ends_with_503(
    settings: Settings, connection: Connection, engine: Engine
) -> None:
    """The deadline bounds all of a query's statements together, whatever each may take."""
    hurried = dataclasses.replace(settings, request_deadline_ms=300)
    app = create_app(hurried, database=SharedConnectionDatabase(connection))
    with TestClient(app, headers={"Accept-Language": "en"}) as client:
        response = city_stats_behind_a_lock(client, connection, engine, "5s")
    assert response.status_code == 503
    assert int(response.headers["retry-after"]) > 0
    error = response.json()["errors"][0]
    assert error["extensions"]["code"] == "SERVICE_UNAVAILABLE"
    assert "0.3 s" in error["message"]


def test_every_json_answer_is_json(client: TestClient) -> None:
    """Refusals made before GraphQL runs are GraphQL-shaped JSON too."""
    response = client.post("/graphql", content=b"null", headers={"Content-Type": JSON})
    assert orjson.loads(response.content)["errors"][0]["message"]


@pytest.mark.parametrize(
    "query", ['{ __type(name: "Query") { name } }', "{ __schema { queryType { name } } }"]
)
def test_introspection_at_the_root_is_answered(client: TestClient, query: str) -> None:
    """The audit's first finding: the compiled path took introspection at the root for a
    field of Query, and failed the request."""
    response = client.post("/graphql", json={"query": query, "variables": {"unused": 1}})
    assert response.status_code == 200
    assert "errors" not in response.json()


CLIENTS = Path(__file__).resolve().parent / "clients"


def test_the_graphql_over_http_audit_finds_nothing(running_server: str) -> None:
    """npm's graphql-http audits the server as any client of the specification would:
    every check ok, no warning, no error (it found two errors and eight warnings once)."""
    npm, node = shutil.which("npm"), shutil.which("node")
    assert npm and node, "npm and node are installed by script/setup"
    if not (CLIENTS / "node_modules" / "graphql-http").is_dir():
        subprocess.run([npm, "ci", "--no-audit", "--no-fund", "--silent"], cwd=CLIENTS, check=True)
    audit = subprocess.run(
        [node, "audit.mjs", f"{running_server}/graphql"],
        cwd=CLIENTS,
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    results = json.loads(audit.stdout)
    assert len(results) > 50
    failed = [r for r in results if r["status"] != "ok"]
    assert failed == [], failed


def test_a_body_sent_a_byte_at_a_time_is_cut_off_with_408(scratch_database_url: str) -> None:
    """A client that opens a request and dribbles its body holds the socket no longer than
    the body read timeout."""
    import socket
    import time

    from tests.conftest import serving

    with serving(scratch_database_url, env={"REGISTRY_BODY_READ_TIMEOUT_MS": "500"}) as base:
        host, port = base.removeprefix("http://").split(":")
        with socket.create_connection((host, int(port)), timeout=10) as sock:
            sock.sendall(
                b"POST /graphql HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                b'Content-Length: 100\r\n\r\n{"query"'
            )
            started = time.monotonic()
            answer = sock.recv(4096)
            waited = time.monotonic() - started
    assert answer.startswith(b"HTTP/1.1 408"), answer[:200]
    assert waited < 5
