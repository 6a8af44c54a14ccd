"""The README's GraphQL examples, run as the README says to run them: none can drift from
the API (the queries are also run whole and field by field in test_compiled_reads)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from graphql import OperationDefinitionNode, parse, print_ast
from starlette.testclient import TestClient

README = Path(__file__).resolve().parents[1] / "README.md"
# Who runs which mutation: a reviewer decides and publishes, an editor does the rest.
REVIEWER_MUTATIONS = ("approve", "publish", "reject")


def _blocks(containing: str) -> list[str]:
    text = README.read_text(encoding="utf-8")
    return [b for b in re.findall(r"```graphql\n(.*?)```", text, re.S) if containing in b]


def _operations(block: str) -> list[OperationDefinitionNode]:
    return [d for d in parse(block).definitions if isinstance(d, OperationDefinitionNode)]


def _run(client: TestClient, token: str, operation: OperationDefinitionNode) -> dict[str, Any]:
    response = client.post(
        "/graphql",
        json={"query": print_ast(operation)},
        headers={"Authorization": f"Bearer {token}"},
    )
    body: dict[str, Any] = response.json()
    assert "errors" not in body, (print_ast(operation), body["errors"])
    data: dict[str, Any] = body["data"]
    return data


def test_the_renaming_walk_through_runs_stage_by_stage(client: TestClient, token_for: Any) -> None:
    editor, reviewer = token_for("editor"), token_for("reviewer")
    (block,) = _blocks("recordStagePlaceName")
    operations = _operations(block)
    assert len(operations) == 7
    data: dict[str, Any] = {}
    for operation in operations:
        root = operation.selection_set.selections[0].name.value  # type: ignore[attr-defined]
        token = reviewer if root.startswith(REVIEWER_MUTATIONS) else editor
        data = _run(client, token, operation)
    published = data["publishPlaceName"]
    assert published["standardName"] == "葳蕤村"
    assert [s["stage"] for s in published["reviewCase"]["stages"]][-1] == "ANNOUNCEMENT"
    assert client.get(
        "/graphql", params={"query": '{ searchPlaceNames(query: "葳蕤村") { standardName } }'}
    ).json()["data"]["searchPlaceNames"]


def test_the_lifecycle_example_creates_what_its_comment_says(
    client: TestClient, token_for: Any
) -> None:
    (block,) = _blocks("createPlaceName(")
    (operation,) = _operations(block)
    created = _run(client, token_for("editor"), operation)["createPlaceName"]
    # The comment beside the example: PROPOSED, 1, "Weirui Lu".
    assert (created["status"], created["version"], created["pinyin"]) == (
        "PROPOSED",
        1,
        "Weirui Lu",
    )


def test_graphiql_opens_on_a_worked_example_that_runs(client: TestClient) -> None:
    page = client.get("/graphql", headers={"Accept": "text/html"}).text
    assert "<title>威海地名登记 GraphQL · Weihai place-name registry</title>" in page
    (example,) = re.findall(r"const EXAMPLE_QUERY = `(.*?)`;", page, re.S)
    body = client.post("/graphql", json={"query": example}).json()
    assert "errors" not in body, body["errors"]
    data = body["data"]
    assert data["searchPlaceNames"][0]["standardName"].startswith("环翠")
    assert len(data["nearestServices"]) == 3
    assert all(len(t["villages"]) > 0 for t in data["area"]["children"])
