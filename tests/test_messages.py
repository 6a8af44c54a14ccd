"""Chinese first: every message the registry writes has a Chinese text; the language
follows Accept-Language (zh-CN by default, en on request); codes never change."""

from __future__ import annotations

import ast
import re
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


INTROSPECTION = """{ __schema { types { name description
  fields { name description args { name description } }
  inputFields { name description }
  enumValues { name description } } } }"""


def test_the_schema_documents_itself_in_both_languages(client: TestClient) -> None:
    """Every type, field, argument, input field and enum value, as a client's introspection
    finds them, has a description with Chinese and English in it."""
    types = client.post("/graphql", json={"query": INTROSPECTION}).json()["data"]["__schema"]
    undocumented = []

    def check(where: str, description: str | None) -> None:
        if (
            not description
            or not _chinese(description)
            or not re.search("[A-Za-z]{2}", description)
        ):
            undocumented.append(where)

    for kind in types["types"]:
        name = kind["name"]
        if name.startswith("__"):
            continue
        check(name, kind["description"])
        for field in kind["fields"] or []:
            check(f"{name}.{field['name']}", field["description"])
            for arg in field["args"]:
                check(f"{name}.{field['name']}({arg['name']})", arg["description"])
        for field in kind["inputFields"] or []:
            check(f"{name}.{field['name']}", field["description"])
        for value in kind["enumValues"] or []:
            check(f"{name}.{value['name']}", value["description"])
    assert undocumented == []
