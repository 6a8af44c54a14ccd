"""Features from the files GIS staff have: Shapefiles (zipped, with .cpg and .prj),
GeoPackages, GeoJSON, and spreadsheets (CSV, XLSX) with coordinate columns.

Vector files are read through GDAL (pyogrio's wheels); what comes out is plain data —
each feature's attributes by column name and its geometry as a GeoJSON object — checked
later as any proposal is.  Coordinates must be longitude/latitude on WGS84 or CGCS2000
(the registry treats them as equal); a file in any other system is refused, never
silently misplaced.
"""

from __future__ import annotations

import csv
import io
import json
import warnings
import zipfile
from dataclasses import dataclass
from typing import Any

import shapely

from domain.errors import BadUserInput, Text

# The coordinate systems a file may declare (its .prj, its GeoPackage srs).
LONLAT_CRS = ("EPSG:4326", "EPSG:4490", "OGC:CRS84")
FORMATS = ("shapefile", "geopackage", "geojson", "csv", "xlsx")
MAX_ROWS = 20_000
# Names of coordinate columns, as staff write them.
LON_COLUMNS = ("经度", "lon", "lng", "longitude", "x", "X", "东经")
LAT_COLUMNS = ("纬度", "lat", "latitude", "y", "Y", "北纬")
WKT_COLUMNS = ("WKT", "wkt", "几何", "geometry")


@dataclass(frozen=True)
class Feature:
    properties: dict[str, Any]
    geometry: dict[str, Any] | None  # GeoJSON; None when the row has none


def _bad(zh: str, en: str, field: str = "file") -> BadUserInput:
    return BadUserInput(Text(f"{field}: {zh}", f"{field}: {en}"), field)


def file_format(filename: str) -> str:
    name = filename.lower()
    for ending, found in (
        (".zip", "shapefile"),
        (".gpkg", "geopackage"),
        (".geojson", "geojson"),
        (".json", "geojson"),
        (".csv", "csv"),
        (".xlsx", "xlsx"),
    ):
        if name.endswith(ending):
            return found
    raise _bad(
        "无法识别的文件类型：请上传压缩的 Shapefile（.zip）、GeoPackage（.gpkg）、GeoJSON、"
        "CSV 或 XLSX",
        "unknown file type: send a zipped Shapefile (.zip), a GeoPackage (.gpkg), GeoJSON,"
        " CSV or XLSX",
    )


def read_features(content: bytes, fmt: str, encoding: str | None = None) -> list[Feature]:
    """The features of a file of format ``fmt`` (see ``FORMATS``)."""
    if fmt in ("csv", "xlsx"):
        return _table_features(
            _csv_rows(content, encoding) if fmt == "csv" else _xlsx_rows(content)
        )
    if fmt == "shapefile":
        _check_shapefile_zip(content)
    return _vector_features(content, fmt, encoding)


def _check_shapefile_zip(content: bytes) -> None:
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            names = [n.lower() for n in archive.namelist()]
    except zipfile.BadZipFile:
        raise _bad("不是有效的 zip 文件", "not a valid zip archive") from None
    shps = [n for n in names if n.endswith(".shp")]
    if len(shps) != 1:
        raise _bad(
            "压缩包中须恰有一个 .shp 文件", "the archive must hold exactly one Shapefile (.shp)"
        )
    stem = shps[0][:-4]
    for part in (".shx", ".dbf"):
        if stem + part not in names:
            raise _bad(
                f"Shapefile 缺少 {part} 文件（属性与名称在 .dbf 中）",
                f"the Shapefile has no {part} file (its attributes and names are in the .dbf)",
            )


def _vector_features(content: bytes, fmt: str, encoding: str | None) -> list[Feature]:
    from pyogrio.errors import DataSourceError
    from pyogrio.raw import read

    # A Shapefile's text is read as bytes (latin-1 keeps them) and decoded here, as its
    # .cpg says, or, without one, as UTF-8 where it is and else GBK (the encoding of
    # Chinese desktop GIS).  Field names too: a .dbf keeps 10 bytes of a name, which cuts
    # UTF-8 Chinese mid-character (区划代码 → 区划代), and GDAL cannot decode that.
    declared = encoding or (_cpg(content) if fmt == "shapefile" else None)
    read_as = "ISO-8859-1" if fmt == "shapefile" else encoding
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # GDAL's notes on file extensions in memory
            meta, _, geometries, columns = read(content, encoding=read_as)
    except (DataSourceError, UnicodeDecodeError, ValueError):
        raise _bad("无法读取该文件", f"the {fmt} file cannot be read") from None
    crs = meta.get("crs")
    if crs is not None and crs not in LONLAT_CRS:
        raise _bad(
            f"坐标系 {crs} 不受支持：请先转换为经纬度（CGCS2000 EPSG:4490 或 WGS84 EPSG:4326）",
            f"coordinate system {crs} is not accepted: convert to longitude/latitude first"
            " (CGCS2000, EPSG:4490, or WGS84, EPSG:4326)",
        )
    if len(geometries) > MAX_ROWS:
        raise _bad(f"超过 {MAX_ROWS} 个要素", f"more than {MAX_ROWS} features; split the file")

    def decode(value: Any) -> Any:
        return _decoded(value, declared) if read_as == "ISO-8859-1" else _as_is(value)

    names = [str(decode(str(n))) for n in meta["fields"]]
    features = []
    for n, wkb in enumerate(geometries):
        properties = {name: decode(column[n]) for name, column in zip(names, columns, strict=True)}
        geometry = _geojson(shapely.from_wkb(wkb)) if wkb is not None else None
        features.append(Feature(properties, geometry))
    return features


# Code pages a .cpg may name, as Python knows them.
_CODE_PAGES = {"936": "gb18030", "gbk": "gb18030", "gb2312": "gb18030", "gb18030": "gb18030"}


def _cpg(content: bytes) -> str | None:
    """The encoding a zipped Shapefile's .cpg names, if it has one."""
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        for name in archive.namelist():
            if name.lower().endswith(".cpg"):
                said = archive.read(name).decode("ascii", errors="ignore").strip().lower()
                said = said.replace("cp", "").replace("ansi ", "")
                return _CODE_PAGES.get(said, "utf-8" if "utf" in said or "65001" in said else None)
    return None


def _geojson(geom: shapely.Geometry) -> dict[str, Any]:
    found: dict[str, Any] = json.loads(shapely.to_geojson(geom))
    return found


def _as_is(value: Any) -> Any:
    if hasattr(value, "item"):  # numpy scalars
        return value.item()
    return value


def _decoded(value: Any, declared: str | None) -> Any:
    if not isinstance(value, str):
        return _as_is(value)
    raw = value.encode("latin-1")
    if declared is not None:
        return raw.decode(declared, errors="ignore")
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return raw.decode("gb18030", errors="replace")


def _text(content: bytes, encoding: str | None) -> str:
    if encoding:
        return content.decode(encoding)
    for candidate in ("utf-8-sig", "gb18030"):
        try:
            return content.decode(candidate)
        except UnicodeDecodeError:
            continue
    raise _bad("文件编码无法识别（请用 UTF-8 或 GBK）", "unknown text encoding (use UTF-8 or GBK)")


def _csv_rows(content: bytes, encoding: str | None) -> list[dict[str, Any]]:
    reader = csv.DictReader(io.StringIO(_text(content, encoding)))
    rows = []
    for row in reader:
        rows.append({str(k).strip(): v for k, v in row.items() if k is not None})
        if len(rows) > MAX_ROWS:
            raise _bad(f"超过 {MAX_ROWS} 行", f"more than {MAX_ROWS} rows; split the file")
    return rows


def _xlsx_rows(content: bytes) -> list[dict[str, Any]]:
    import openpyxl

    try:
        book = openpyxl.load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception:  # openpyxl raises many kinds for a file that is not a workbook
        raise _bad("不是有效的 XLSX 工作簿", "not a valid XLSX workbook") from None
    sheet = book.worksheets[0]
    lines = sheet.iter_rows(values_only=True)
    header = next(lines, None)
    if header is None:
        raise _bad("工作表为空", "the worksheet is empty")
    names = [str(h).strip() if h is not None else "" for h in header]
    rows = []
    for line in lines:
        if all(v is None for v in line):
            continue
        rows.append({name: value for name, value in zip(names, line, strict=False) if name})
        if len(rows) > MAX_ROWS:
            raise _bad(f"超过 {MAX_ROWS} 行", f"more than {MAX_ROWS} rows; split the file")
    return rows


def _column(row: dict[str, Any], names: tuple[str, ...]) -> str | None:
    for name in names:
        if name in row:
            return name
    return None


def _table_features(rows: list[dict[str, Any]]) -> list[Feature]:
    """Rows of a table: a point from its longitude and latitude columns, or a geometry
    from a WKT column."""
    if not rows:
        raise _bad("文件没有数据行", "the file has no rows")
    first = rows[0]
    lon, lat, wkt = (
        _column(first, LON_COLUMNS),
        _column(first, LAT_COLUMNS),
        _column(first, WKT_COLUMNS),
    )
    if wkt is None and (lon is None or lat is None):
        raise _bad(
            "缺少坐标列：须有「经度」「纬度」两列（或 lon、lat），或一列 WKT",
            "no coordinate columns: 经度 and 纬度 (or lon and lat), or a WKT column",
        )
    features = []
    for row in rows:
        geometry: dict[str, Any] | None = None
        if wkt is not None and row.get(wkt):
            try:
                geometry = _geojson(shapely.from_wkt(str(row[wkt])))
            except shapely.errors.GEOSException:
                geometry = {"type": "Invalid", "coordinates": str(row[wkt])[:40]}
        elif lon is not None and lat is not None:
            geometry = {
                "type": "Point",
                "coordinates": [_number(row.get(lon)), _number(row.get(lat))],
            }
        features.append(Feature(row, geometry))
    return features


def _number(value: Any) -> Any:
    if isinstance(value, int | float):
        return value
    try:
        return float(str(value).strip())
    except ValueError:
        return value  # refused, with the row, when its geometry is checked
