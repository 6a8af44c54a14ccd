"""Chinese first: every message the registry writes has a Chinese text; the language
follows Accept-Language (zh-CN by default, en on request); codes never change."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from endpoints.errors import preferred_language

PROJECT = Path(__file__).resolve().parents[1]
ERRORS = {
    "BadUserInput",
    "NotFound",
    "Forbidden",
    "VersionConflict",
    "Unauthenticated",
    "Unavailable",
    "QueryTooComplex",
    "RateLimited",
}
BAD_QUERY = '{ searchPlaceNames(query: "   ") { id } }'


def _chinese(text: str) -> bool:
    return any("\u4e00" <= c <= "\u9fff" for c in text)


def test_every_error_the_code_raises_has_a_chinese_text() -> None:
    """Each domain error is made with a Text (Chinese and English) or a Chinese literal."""
    missing = []
    for path in sorted(PROJECT.glob("*/**/*.py")):
        relative = path.relative_to(PROJECT)
        if relative.parts[0] not in ("domain", "gis", "db", "resolvers", "schema", "endpoints"):
            continue
        source = path.read_text(encoding="utf-8")
        for node in ast.walk(ast.parse(source)):
            if not (isinstance(node, ast.Call) and getattr(node.func, "id", None) in ERRORS):
                continue
            if not node.args:
                continue
            message = node.args[0]
            if isinstance(message, ast.Call) and getattr(message.func, "id", None) == "Text":
                continue
            segment = ast.get_source_segment(source, message) or ""
            if isinstance(message, ast.Constant | ast.JoinedStr) and not _chinese(segment):
                missing.append(f"{relative}:{node.lineno}")
    assert missing == []


@pytest.mark.parametrize(
    ("header", "language"),
    [
        (None, "zh"),
        ("", "zh"),
        ("zh-CN,zh;q=0.9,en;q=0.8", "zh"),
        ("en-US,en;q=0.9", "en"),
        ("en;q=0.5, zh-TW;q=0.8", "zh"),
        ("fr, en;q=0.3", "en"),
        ("de", "zh"),
        ("zh;q=0, en", "en"),
        ("*", "zh"),
    ],
)
def test_the_language_follows_accept_language(header: str | None, language: str) -> None:
    assert preferred_language(header or "") == language


def test_an_error_is_chinese_by_default_and_english_on_request(client: TestClient) -> None:
    answers = {}
    for header in (None, "zh-CN", "en"):
        headers = {"Accept-Language": header} if header else {}
        if header is None:
            del client.headers["Accept-Language"]
        response = client.post("/graphql", json={"query": BAD_QUERY}, headers=headers)
        (error,) = response.json()["errors"]
        answers[header] = error
        assert response.headers["vary"].lower().count("accept-language") == 1
    assert _chinese(answers[None]["message"]) and _chinese(answers["zh-CN"]["message"])
    assert answers["en"]["message"] == "query must not be empty"
    codes = {(e["extensions"]["code"], e["extensions"]["field"]) for e in answers.values()}
    assert codes == {("BAD_USER_INPUT", "query")}


def test_tiles_and_ogc_errors_speak_the_language_too(client: TestClient) -> None:
    zh = client.get("/tiles/areas/99/0/0.mvt", headers={"Accept-Language": "zh-CN"})
    en = client.get("/tiles/areas/99/0/0.mvt", headers={"Accept-Language": "en"})
    assert zh.status_code == en.status_code == 400
    assert _chinese(zh.json()["description"]) and not _chinese(en.json()["description"])
    assert zh.json()["code"] == en.json()["code"] == "BAD_USER_INPUT"


# Scalars that GraphQL and strawberry define, described by them.
BUILT_IN = {"Boolean", "Float", "ID", "Int", "String", "JSON", "Upload", "Date", "DateTime"}


def test_every_description_of_the_schema_has_a_chinese_text() -> None:
    from graphql import (
        GraphQLEnumType,
        GraphQLInputObjectType,
        GraphQLInterfaceType,
        GraphQLObjectType,
    )

    from schema import build_schema

    schema = build_schema()._schema
    english_only = []

    def check(where: str, description: str | None) -> None:
        if description and not _chinese(description):
            english_only.append(where)

    for name, kind in schema.type_map.items():
        if name.startswith("__") or name in BUILT_IN:
            continue
        check(name, kind.description)
        if isinstance(kind, GraphQLObjectType | GraphQLInterfaceType | GraphQLInputObjectType):
            for field_name, field in kind.fields.items():
                check(f"{name}.{field_name}", field.description)
                for arg_name, arg in getattr(field, "args", {}).items():
                    check(f"{name}.{field_name}({arg_name})", arg.description)
        if isinstance(kind, GraphQLEnumType):
            for value_name, value in kind.values.items():
                check(f"{name}.{value_name}", value.description)
    assert english_only == []
