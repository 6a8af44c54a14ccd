"""Coverage downloads: CSV that Excel opens, XLSX, GeoJSON; the same figures as the API;
the planner's token in the header or the link; refusals without a partial file."""

from __future__ import annotations

import csv
import io
from typing import Any

import openpyxl
import pytest
from starlette.testclient import TestClient

from tests.conftest import graphql_data, signed_out

QUERY = "areaCode=371002&kinds=ELDER_DINING_TABLE&roadDistanceMeters=1000"
COVERAGE = """{ coverage(areaCode: "371002", kinds: [ELDER_DINING_TABLE],
                         roadDistanceMeters: 1000) {
    villages coveredVillages
    byArea { areaCode name level villages coveredVillages coveredElderly share }
    gaps(first: 5000) { totalCount edges { node { code name elderly } } } } }"""


def _csv(response: Any) -> list[dict[str, str]]:
    assert response.content.startswith(b"\xef\xbb\xbf")  # the BOM Excel needs for UTF-8
    return list(csv.DictReader(io.StringIO(response.content[3:].decode("utf-8"))))


def test_gaps_as_csv_equal_the_api(planner: TestClient) -> None:
    api = graphql_data(planner, COVERAGE)["coverage"]
    response = planner.get(f"/exports/coverage/gaps.csv?{QUERY}")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    assert "attachment" in response.headers["content-disposition"]
    rows = _csv(response)
    expected = [e["node"] for e in api["gaps"]["edges"]]
    assert len(rows) == api["gaps"]["totalCount"] == len(expected)
    assert [(r["代码 code"], r["名称 name"], int(r["60岁以上 elderly 60+"])) for r in rows] == [
        (g["code"], g["name"], g["elderly"]) for g in expected
    ]
    assert {r["已覆盖 covered"] for r in rows} == {"否 no"}


def test_areas_as_xlsx_equal_the_api(planner: TestClient) -> None:
    api = graphql_data(planner, COVERAGE)["coverage"]["byArea"]
    response = planner.get(f"/exports/coverage/areas.xlsx?{QUERY}")
    assert response.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    assert sheet is not None
    header, *rows = [list(r) for r in sheet.iter_rows(values_only=True)]
    assert header[:3] == ["代码 code", "名称 name", "级别 level"]
    assert [(r[0], r[1], r[2].upper(), r[3], r[4], r[8]) for r in rows] == [
        (
            a["areaCode"],
            a["name"],
            a["level"],
            a["villages"],
            a["coveredVillages"],
            a["coveredElderly"],
        )
        for a in api
    ]
    assert [r[9] for r in rows] == pytest.approx([a["share"] for a in api], abs=1e-4)


def test_villages_as_geojson(planner: TestClient) -> None:
    api = graphql_data(planner, COVERAGE)["coverage"]
    response = planner.get(f"/exports/coverage/villages.geojson?{QUERY}")
    assert response.headers["content-type"].startswith("application/geo+json")
    features = response.json()["features"]
    assert len(features) == api["villages"]
    assert sum(f["properties"]["covered"] == "是 yes" for f in features) == api["coveredVillages"]
    assert {f["geometry"]["type"] for f in features} == {"Point"}


def test_the_token_may_come_in_the_link(client: TestClient, token_for: Any) -> None:
    token = token_for("planner")
    response = client.get(f"/exports/coverage/gaps.csv?{QUERY}&access_token={token}")
    assert response.status_code == 200
    assert len(_csv(response)) > 0


@pytest.mark.parametrize(
    ("token", "status", "code"),
    [(None, 403, "FORBIDDEN"), ("not-a-token", 401, "UNAUTHENTICATED")],
)
def test_a_download_needs_a_planner(
    client: TestClient, token: str | None, status: int, code: str
) -> None:
    signed_out(client)
    link = f"/exports/coverage/gaps.xlsx?{QUERY}" + (f"&access_token={token}" if token else "")
    response = client.get(link)
    assert response.status_code == status
    assert response.headers["content-type"].startswith("application/json")
    assert response.json()["code"] == code
    assert "content-disposition" not in response.headers


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("areaCode=371099&kinds=ELDER_DINING_TABLE&radiusMeters=1000", "areaCode"),
        ("areaCode=3710&kinds=BAKERY&radiusMeters=1000", "kinds"),
        ("areaCode=3710&kinds=ELDER_DINING_TABLE&radiusMeters=far", "radiusMeters"),
        ("areaCode=3710&kinds=ELDER_DINING_TABLE", "radiusMeters"),
    ],
)
def test_bad_download_arguments(planner: TestClient, query: str, field: str) -> None:
    response = planner.get(f"/exports/coverage/gaps.csv?{query}")
    assert response.status_code == 400
    assert response.json()["code"] == "BAD_USER_INPUT"
    assert response.json()["field"] == field


def test_unknown_tables_and_formats_are_404(planner: TestClient) -> None:
    assert planner.get(f"/exports/coverage/gaps.pdf?{QUERY}").status_code == 404
    assert planner.get(f"/exports/coverage/everything.csv?{QUERY}").status_code == 404
