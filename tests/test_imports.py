"""Imports from the files staff have, sent as GraphQL multipart requests: Shapefiles (GBK
and UTF-8, with and without .cpg), GeoPackages, CSV and XLSX; column mappings; several
categories and areas in one file; per-row answers; all or nothing."""

from __future__ import annotations

import csv
import io
import json
import zipfile
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import shapely
from pyogrio.raw import write
from sqlalchemy import Connection, text
from starlette.testclient import TestClient

from tests.conftest import signed_in

IMPORT = """mutation ($file: Upload!, $mapping: [ColumnMappingInput!], $dry: Boolean!,
                     $category: PlaceNameCategory, $area: String, $acknowledge: [WarningCode!]) {
  importPlaceNamesFile(file: $file, mapping: $mapping, dryRun: $dry, category: $category,
                       areaCode: $area, acknowledgeWarnings: $acknowledge) {
    dryRun ok imported results { index ok errors errorFields id } } }"""
# Three settlements in three villages of two townships, and a road.
NAMES = ["葳蕤庄", "琅玕村", "菡萏屯"]


def _villages(connection: Connection) -> list[tuple[str, float, float]]:
    rows = connection.execute(
        text(
            "SELECT code, ST_X(rep_point), ST_Y(rep_point) FROM admin_area"
            " WHERE level = 'village' AND code IN ((SELECT min(code) FROM admin_area"
            "  WHERE level = 'village' AND code LIKE '371002001%'),"
            " (SELECT max(code) FROM admin_area WHERE level = 'village'"
            "  AND code LIKE '371002001%'),"
            " (SELECT min(code) FROM admin_area WHERE level = 'village'"
            "  AND code LIKE '371003%')) ORDER BY code"
        )
    ).all()
    return [(str(c), float(x), float(y)) for c, x, y in rows]


def _send(client: TestClient, filename: str, content: bytes, **variables: Any) -> dict[str, Any]:
    operations = {"query": IMPORT, "variables": {"file": None, "dry": True, **variables}}
    response = client.post(
        "/graphql",
        data={"operations": json.dumps(operations), "map": json.dumps({"0": ["variables.file"]})},
        files={"0": (filename, content, "application/octet-stream")},
    )
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def _report(client: TestClient, filename: str, content: bytes, **variables: Any) -> Any:
    body = _send(client, filename, content, **variables)
    assert "errors" not in body, body
    return body["data"]["importPlaceNamesFile"]


def _error(client: TestClient, filename: str, content: bytes, **variables: Any) -> Any:
    body = _send(client, filename, content, **variables)
    (error,) = body["errors"]
    assert error["extensions"]["code"] == "BAD_USER_INPUT", error
    return error


def _shapefile(
    tmp: Path,
    villages: list[tuple[str, float, float]],
    *,
    encoding: str,
    cpg: bool = True,
    crs: str = "EPSG:4490",
    parts: tuple[str, ...] = (".shp", ".shx", ".dbf", ".prj"),
) -> bytes:
    geoms = np.array([shapely.to_wkb(shapely.Point(x, y)) for _, x, y in villages], dtype=object)
    fields = [
        np.array(NAMES, dtype=object),
        np.array(["居民点"] * 3, dtype=object),
        np.array([c for c, _, _ in villages], dtype=object),
    ]
    path = tmp / "places.shp"
    write(
        str(path),
        geoms,
        fields,
        fields=["名称", "类别", "区划代码"],
        geometry_type="Point",
        crs=crs,
        encoding=encoding,
        driver="ESRI Shapefile",
    )
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as z:
        for part in parts + ((".cpg",) if cpg else ()):
            if (tmp / f"places{part}").exists():
                z.write(tmp / f"places{part}", f"places{part}")
    return archive.getvalue()


def _count(connection: Connection) -> int:
    return int(connection.execute(text("SELECT count(*) FROM place_name")).scalar_one())


@pytest.mark.parametrize(("encoding", "cpg"), [("GBK", True), ("UTF-8", True), ("GBK", False)])
def test_a_zipped_shapefile_is_imported_all_or_nothing(
    client: TestClient,
    connection: Connection,
    token_for: Any,
    tmp_path: Path,
    encoding: str,
    cpg: bool,
) -> None:
    signed_in(client, token_for("editor"))
    villages = _villages(connection)
    content = _shapefile(tmp_path, villages, encoding=encoding, cpg=cpg)
    before = _count(connection)
    dry = _report(client, "places.zip", content)
    assert dry["ok"] is True and dry["imported"] == 0
    assert _count(connection) == before
    real = _report(client, "places.zip", content, dry=False)
    assert real["imported"] == 3 and all(r["id"] for r in real["results"])
    stored = connection.execute(
        text(
            "SELECT standard_name, category, area_code FROM place_name WHERE id = ANY(:ids)"
            " ORDER BY id"
        ),
        {"ids": [int(r["id"]) for r in real["results"]]},
    ).all()
    assert [tuple(r) for r in stored] == [
        (name, "settlement", code) for name, (code, _, _) in zip(NAMES, villages, strict=True)
    ]
    # Each a proposal like any other: its revision, its naming case, found by staff.
    ids = [int(r["id"]) for r in real["results"]]
    kept = connection.execute(
        text(
            "SELECT count(*) FROM revision WHERE entity = 'place_name' AND operation = 'create'"
            " AND entity_id = ANY(:ids)"
        ),
        {"ids": ids},
    ).scalar_one()
    assert kept == 3
    cases = connection.execute(
        text("SELECT review_case ->> 'kind' FROM place_name WHERE id = ANY(:ids)"), {"ids": ids}
    ).scalars()
    assert set(cases) == {"naming"}
    found = client.post(
        "/graphql",
        json={"query": '{ searchPlaceNames(query: "琅玕村") { id } }'},
    ).json()["data"]["searchPlaceNames"]
    assert str(ids[1]) in [h["id"] for h in found]


def test_a_geopackage_and_the_answer_row_by_row(
    client: TestClient, connection: Connection, token_for: Any, tmp_path: Path
) -> None:
    signed_in(client, token_for("editor"))
    villages = _villages(connection)
    (code, x, y), far = villages[0], villages[2]
    # The second row lies in another county than the area it names.
    geoms = np.array(
        [shapely.to_wkb(shapely.Point(x, y)), shapely.to_wkb(shapely.Point(far[1], far[2]))],
        dtype=object,
    )
    fields = [np.array(["葳蕤庄", "琅玕村"], dtype=object), np.array([code, code], dtype=object)]
    path = tmp_path / "places.gpkg"
    write(
        str(path),
        geoms,
        fields,
        fields=["地名", "所在区划代码"],
        geometry_type="Point",
        crs="EPSG:4326",
        driver="GPKG",
        layer="places",
    )
    before = _count(connection)
    report = _report(
        client,
        "places.gpkg",
        path.read_bytes(),
        dry=False,
        category="SETTLEMENT",
        mapping=[{"field": "STANDARD_NAME", "column": "地名"}],
    )
    assert report["ok"] is False and report["imported"] == 0
    assert [r["ok"] for r in report["results"]] == [True, False]
    assert report["results"][1]["errorFields"] == ["geometry"]
    assert "outside" in report["results"][1]["errors"][0]
    assert _count(connection) == before  # all or nothing: nothing


def test_csv_and_xlsx_tables_with_coordinate_columns(
    client: TestClient, connection: Connection, token_for: Any
) -> None:
    import openpyxl

    signed_in(client, token_for("editor"))
    villages = _villages(connection)
    header = ["名称", "类别", "区划代码", "经度", "纬度", "曾用名"]
    rows = [
        [name, "村", code, x, y, "旧名一、旧名二" if n == 0 else ""]
        for n, (name, (code, x, y)) in enumerate(zip(NAMES, villages, strict=True))
    ]
    table = io.StringIO()
    csv.writer(table).writerows([header, *rows])
    for encoding in ("utf-8-sig", "gb18030"):
        report = _report(client, "places.csv", table.getvalue().encode(encoding))
        assert report["ok"] is True, report
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    for row in [header, *rows]:
        sheet.append(row)
    content = io.BytesIO()
    book.save(content)
    report = _report(client, "places.xlsx", content.getvalue(), dry=False)
    assert report["imported"] == 3
    formers = connection.execute(
        text("SELECT former_names FROM place_name WHERE id = :id"),
        {"id": int(report["results"][0]["id"])},
    ).scalar_one()
    assert formers == ["旧名一", "旧名二"]


def test_a_shapefile_without_its_dbf_is_refused(
    client: TestClient, connection: Connection, token_for: Any, tmp_path: Path
) -> None:
    signed_in(client, token_for("editor"))
    content = _shapefile(
        tmp_path, _villages(connection), encoding="UTF-8", parts=(".shp", ".shx", ".prj")
    )
    error = _error(client, "places.zip", content)
    assert error["extensions"]["field"] == "file" and ".dbf" in error["message"]


def test_a_projected_shapefile_is_refused_not_misplaced(
    client: TestClient, connection: Connection, token_for: Any, tmp_path: Path
) -> None:
    """CGCS2000 / 3-degree Gauss-Kruger CM 120E (EPSG:4549), metres: refused, naming it."""
    signed_in(client, token_for("editor"))
    content = _shapefile(tmp_path, _villages(connection), encoding="UTF-8", crs="EPSG:4549")
    error = _error(client, "places.zip", content)
    assert "EPSG:4549" in error["message"]


def test_a_table_without_the_mapped_columns_is_refused(
    client: TestClient, connection: Connection, token_for: Any
) -> None:
    signed_in(client, token_for("editor"))
    table = "地点,经度,纬度\n葳蕤庄,122.1,37.5\n".encode()
    error = _error(client, "places.csv", table, category="SETTLEMENT", area="371002001001")
    assert error["extensions"]["field"] == "mapping"
    wrong = _error(
        client,
        "places.csv",
        table,
        category="SETTLEMENT",
        area="371002001001",
        mapping=[{"field": "STANDARD_NAME", "column": "名字"}],
    )
    assert "名字" in wrong["message"]
    no_coordinates = _error(client, "places.csv", "名称\n葳蕤庄\n".encode())
    assert no_coordinates["extensions"]["field"] == "file"
    assert "经度" in no_coordinates["message"]


def test_uploads_are_for_editors(client: TestClient, connection: Connection) -> None:
    body = _send(client, "places.csv", "名称,经度,纬度\n葳蕤庄,122.1,37.5\n".encode())
    assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN"


def test_a_row_that_sounds_like_a_road_of_its_township_is_warned_of(
    client: TestClient, connection: Connection, token_for: Any
) -> None:
    """禾平路 beside 和平路: the row is refused until the batch acknowledges the warnings."""
    code, line = connection.execute(
        text(
            "SELECT area_code, ST_AsText(geom) FROM place_name WHERE standard_name = '和平路'"
            " AND category = 'road_street' AND status = 'published' ORDER BY area_code LIMIT 1"
        )
    ).one()
    signed_in(client, token_for("editor"))
    table = f'名称,类别,区划代码,WKT\n禾平路,道路,{code},"{line}"\n'.encode()
    warned = _report(client, "roads.csv", table)
    (row,) = warned["results"]
    assert row["ok"] is False and row["errorFields"] == ["acknowledgeWarnings"]
    assert "和平路" in row["errors"][0]
    body = _send(
        client,
        "roads.csv",
        table,
        acknowledge=["HOMOPHONE", "ONE_CHARACTER_OFF", "SAME_NAME_NEARBY"],
    )
    assert body["data"]["importPlaceNamesFile"]["ok"] is True, body


@pytest.mark.parametrize(
    ("role", "allowed"),
    [("public", False), ("planner", False), ("editor", True), ("reviewer", True), ("admin", True)],
)
def test_each_role_may_import_files_as_its_rank_allows(
    client: TestClient, connection: Connection, token_for: Any, role: str, allowed: bool
) -> None:
    if role != "public":
        signed_in(client, token_for(role))
    code, x, y = _villages(connection)[0]
    body = _send(
        client, "places.csv", f"名称,类别,区划代码,经度,纬度\n葳蕤庄,村,{code},{x},{y}\n".encode()
    )
    if allowed:
        assert body["data"]["importPlaceNamesFile"]["ok"] is True, body
    else:
        assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN"
