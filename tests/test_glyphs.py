"""Map label glyphs (/glyphs) and the published style (/map/style.json): the glyph files
hold what MapLibre reads, and the style passes MapLibre's own validator."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from starlette.testclient import TestClient

from endpoints.glyphs import FONTSTACK
from endpoints.map_style import LEGEND_KEY, SERVICE_COLOURS

CLIENTS = Path(__file__).resolve().parent / "clients"
STACK = FONTSTACK.replace(" ", "%20")


def _varint(data: bytes, at: int) -> tuple[int, int]:
    value = shift = 0
    while True:
        byte = data[at]
        value |= (byte & 0x7F) << shift
        at += 1
        if not byte & 0x80:
            return value, at
        shift += 7


def _fields(data: bytes) -> list[tuple[int, Any]]:
    """A protocol-buffer message's fields, read without the encoder's code."""
    fields: list[tuple[int, Any]] = []
    at = 0
    while at < len(data):
        key, at = _varint(data, at)
        if key & 7 == 2:
            length, at = _varint(data, at)
            fields.append((key >> 3, data[at : at + length]))
            at += length
        else:
            value, at = _varint(data, at)
            fields.append((key >> 3, value))
    return fields


def _glyphs(data: bytes) -> tuple[str, str, dict[int, dict[int, Any]]]:
    ((number, stack),) = _fields(data)
    assert number == 1
    parts = _fields(stack)
    name = next(v for n, v in parts if n == 1).decode()
    span = next(v for n, v in parts if n == 2).decode()
    glyphs = {}
    for n, raw in parts:
        if n == 3:
            glyph = dict(_fields(raw))
            glyphs[glyph[1]] = glyph
    return name, span, glyphs


def test_a_range_of_chinese_glyphs(client: TestClient) -> None:
    response = client.get(f"/glyphs/{STACK}/23040-23295.pbf")  # 威 is U+5A01
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/x-protobuf"
    name, span, glyphs = _glyphs(response.content)
    assert (name, span) == (FONTSTACK, "23040-23295")
    wei = glyphs[ord("威")]
    width, height = wei[3], wei[4]
    assert 10 < width <= 30 and 10 < height <= 30
    # The distance field: the bitmap plus 3 pixels round it, inked in its middle.
    field = wei[2]
    assert len(field) == (width + 6) * (height + 6)
    assert max(field) > 191 and min(field) < 64


def test_latin_glyphs_and_a_space(client: TestClient) -> None:
    _, _, glyphs = _glyphs(client.get(f"/glyphs/{STACK}/0-255.pbf").content)
    assert {ord(c) for c in "Weihai 2026"} <= set(glyphs)
    assert 2 not in glyphs[ord(" ")] and glyphs[ord(" ")][7] > 0  # no bitmap, an advance


@pytest.mark.parametrize(
    ("path", "status", "field"),
    [
        (f"/glyphs/{STACK}/0-254.pbf", 400, "range"),
        (f"/glyphs/{STACK}/1-256.pbf", 400, "range"),
        (f"/glyphs/{STACK}/65536-65791.pbf", 400, "range"),
        (f"/glyphs/{STACK}/a-b.pbf", 400, "range"),
        ("/glyphs/Comic%20Sans/0-255.pbf", 404, "fontstack"),
    ],
)
def test_bad_glyph_requests(client: TestClient, path: str, status: int, field: str) -> None:
    response = client.get(path)
    assert response.status_code == status
    assert response.json()["field"] == field


def test_another_stack_with_ours_in_it_is_served(client: TestClient) -> None:
    response = client.get(f"/glyphs/Noto%20Sans%20Regular,{STACK}/0-255.pbf")
    assert response.status_code == 200


def test_the_style_passes_maplibres_validator(client: TestClient, tmp_path: Path) -> None:
    style = client.get("/map/style.json").json()
    assert style["glyphs"] == "http://testserver/glyphs/{fontstack}/{range}.pbf"
    assert all(
        url["url"].startswith("http://testserver/tiles/") for url in style["sources"].values()
    )
    legend = style["metadata"][LEGEND_KEY]
    colours = {entry.get("colour") for entry in legend}
    assert {colour for colour, _, _ in SERVICE_COLOURS.values()} <= colours
    npm, node = shutil.which("npm"), shutil.which("node")
    assert npm and node, "npm and node are installed by script/setup"
    if not (CLIENTS / "node_modules" / "@maplibre" / "maplibre-gl-style-spec").is_dir():
        subprocess.run([npm, "ci", "--no-audit", "--no-fund", "--silent"], cwd=CLIENTS, check=True)
    path = tmp_path / "style.json"
    path.write_text(json.dumps(style), encoding="utf-8")
    validator = CLIENTS / "node_modules" / ".bin" / "gl-style-validate"
    result = subprocess.run(
        [str(validator), str(path)], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stdout + result.stderr
