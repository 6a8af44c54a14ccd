"""GraphQL clients no one on the project wrote, against a running server: gql (Python)
reading the schema and paging both ways, and graphql-ws (npm) hearing a published change
over WebSocket while staff edit over HTTP."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import time
from pathlib import Path
from typing import Any

import httpx2 as httpx
import pytest
from sqlalchemy import Engine, text

from db.queries.users import create_token, create_user

pytestmark = pytest.mark.slow

CLIENTS = Path(__file__).resolve().parent / "clients"


def test_gql_reads_the_schema_and_pages_both_ways(running_server: str) -> None:
    from gql import Client, GraphQLRequest, gql
    from gql.transport.httpx import HTTPXTransport

    transport = HTTPXTransport(url=f"{running_server}/graphql")
    with Client(transport=transport, fetch_schema_from_transport=True) as session:
        schema = session.client.schema
        assert schema is not None
        page_info = schema.type_map["PageInfo"]
        described = [page_info.description, *(f.description for f in page_info.fields.values())]
        assert all(d and re.search("[\u4e00-\u9fff]", d) for d in described)
        # Documents are validated by the client against the schema it fetched.
        with pytest.raises(Exception, match="Cannot query field 'nodes'"):
            session.execute(gql("{ services { nodes { id } } }"))
        query = """query ($last: Int, $before: String) {
              services(kinds: [ELDER_CARE_INSTITUTION], last: $last, before: $before) {
                pageInfo { hasPreviousPage startCursor } edges { node { id } } } }"""

        def page(**variables: Any) -> dict[str, Any]:
            found: dict[str, Any] = session.execute(
                GraphQLRequest(query, variable_values=variables)
            )["services"]
            return found

        tail = page(last=5)
        before = page(last=5, before=tail["pageInfo"]["startCursor"])
    ids = [int(e["node"]["id"]) for e in before["edges"] + tail["edges"]]
    assert ids == sorted(ids) and len(set(ids)) == 10


def test_large_answers_are_compressed(running_server: str) -> None:
    query = "{ services(first: 500) { edges { node { id name geometry } } } }"
    response = httpx.post(
        f"{running_server}/graphql",
        json={"query": query},
        headers={"Accept-Encoding": "gzip", "Accept": "application/graphql-response+json"},
    )
    assert response.headers["content-type"] == "application/graphql-response+json"
    assert response.headers["content-encoding"] == "gzip"
    assert int(response.headers["content-length"]) * 3 < len(response.content)


def test_graphql_ws_hears_a_published_change(running_server: str, scratch_engine: Engine) -> None:
    node, npm = shutil.which("node"), shutil.which("npm")
    assert node and npm, "npm and node are installed by script/setup"
    if not (CLIENTS / "node_modules" / "graphql-ws").is_dir():
        subprocess.run([npm, "ci", "--no-audit", "--no-fund", "--silent"], cwd=CLIENTS, check=True)
    with scratch_engine.begin() as conn:
        editor = create_token(conn, create_user(conn, "ws-editor", "editor"))
        reviewer = create_token(conn, create_user(conn, "ws-reviewer", "reviewer"))
        lon, lat = conn.execute(
            text(
                "SELECT ST_X(rep_point), ST_Y(rep_point) FROM admin_area"
                " WHERE level = 'village' ORDER BY code LIMIT 1"
            )
        ).one()
    subscription = """subscription ($bbox: [Float!]) {
      servicesChanged(bbox: $bbox) { id name status } }"""
    box = [lon - 0.01, lat - 0.01, lon + 0.01, lat + 0.01]
    subscriber = subprocess.Popen(
        [
            node,
            "subscribe.mjs",
            running_server.replace("http://", "ws://") + "/graphql",
            subscription,
            json.dumps({"bbox": box}),
            "1",
        ],
        cwd=CLIENTS,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert subscriber.stdout is not None
        assert subscriber.stdout.readline().strip() == "connected"
        # The subscribe message follows the acknowledgement; graphql-ws confirms nothing
        # more, so the staff wait a moment before publishing.
        time.sleep(0.5)

        def ask(token: str, query: str, variables: dict[str, Any]) -> dict[str, Any]:
            body = httpx.post(
                f"{running_server}/graphql",
                json={"query": query, "variables": variables},
                headers={"Authorization": f"Bearer {token}"},
            ).json()
            assert "errors" not in body, body
            data: dict[str, Any] = body["data"]
            return data

        created = ask(
            editor,
            "mutation ($input: ServiceInput!) { createService(input: $input) { id } }",
            {
                "input": {
                    "kind": "ASSISTANCE_STATION",
                    "name": "驿站测试点",
                    "geometry": {"type": "Point", "coordinates": [lon, lat]},
                }
            },
        )["createService"]["id"]
        for version, step in ((1, "approve"), (2, "publish")):
            ask(
                reviewer,
                f"mutation ($id: ID!, $version: Int!) {{ {step}Service(id: $id,"
                " version: $version) { version } }",
                {"id": created, "version": version},
            )
        out, err = subscriber.communicate(timeout=30)
    finally:
        if subscriber.poll() is None:
            subscriber.kill()
    assert subscriber.returncode == 0, err
    event = json.loads(out.strip().splitlines()[-1])
    assert event["data"]["servicesChanged"] == {
        "id": created,
        "name": "驿站测试点",
        "status": "PUBLISHED",
    }
