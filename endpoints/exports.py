"""Coverage downloads: the villages, the gaps or the child areas of an area's coverage,
as CSV (UTF-8 with a byte-order mark, so that Excel reads the Chinese names), XLSX or
GeoJSON, from a link a planner can paste into a browser.

    GET /exports/coverage/{table}.{format}?areaCode=3710&kinds=ELDER_DINING_TABLE
        &roadDistanceMeters=1000[&access_token=...]

table: villages | gaps | areas; format: csv | xlsx | geojson.  The figures are the ones
the GraphQL ``coverage`` field gives for the same arguments; the role needed is the same
(planner).  The whole file is made before the first byte is sent: an error is an error
response, never a partial file.
"""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import orjson
import xlsxwriter
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from db.tables import SERVICE_KINDS
from domain.errors import BadUserInput, NotFound, Text
from domain.roles import require
from endpoints.auth import RequestContexts
from resolvers import coverage as coverage_resolvers
from resolvers.context import RegistryContext

Row = dict[str, Any]
TABLES = ("villages", "gaps", "areas")
FORMATS = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "geojson": "application/geo+json",
}


@dataclass(frozen=True)
class Column:
    """A column: its heading (Chinese, then English) and how a row gives its value."""

    heading: str
    value: Callable[[Row], Any]


def _metres(row: Row) -> float | None:
    return None if row["distance_m"] is None else round(row["distance_m"], 1)


VILLAGE_COLUMNS = (
    Column("代码 code", lambda r: r["code"]),
    Column("名称 name", lambda r: r["name"]),
    Column("户数 households", lambda r: r["households"]),
    Column("60岁以上 elderly 60+", lambda r: r["elderly"]),
    Column("80岁以上 elderly 80+", lambda r: r["elderly_80"]),
    Column("已覆盖 covered", lambda r: "是 yes" if r["covered"] else "否 no"),
    Column("最近服务距离(米) nearest within reach (m)", _metres),
)

AREA_COLUMNS = (
    Column("代码 code", lambda r: r["code"]),
    Column("名称 name", lambda r: r["name"]),
    Column("级别 level", lambda r: r["level"]),
    Column("村数 villages", lambda r: r["villages"]),
    Column("已覆盖村数 covered villages", lambda r: r["covered_villages"]),
    Column("户数 households", lambda r: r["households"]),
    Column("已覆盖户数 covered households", lambda r: r["covered_households"]),
    Column("60岁以上 elderly", lambda r: r["elderly"]),
    Column("已覆盖老人 covered elderly", lambda r: r["covered_elderly"]),
    Column("覆盖率 share", lambda r: round(r["share"], 4)),
)


def csv_bytes(columns: Sequence[Column], rows: list[Row]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([c.heading for c in columns])
    for row in rows:
        writer.writerow(["" if (v := c.value(row)) is None else v for c in columns])
    return b"\xef\xbb\xbf" + out.getvalue().encode("utf-8")


def xlsx_bytes(title: str, columns: Sequence[Column], rows: list[Row]) -> bytes:
    out = io.BytesIO()
    book = xlsxwriter.Workbook(out, {"in_memory": True})
    sheet = book.add_worksheet(title[:31])
    bold = book.add_format({"bold": True})
    for x, column in enumerate(columns):
        sheet.write(0, x, column.heading, bold)
        sheet.set_column(x, x, max(10, len(column.heading)))
    for y, row in enumerate(rows, start=1):
        for x, column in enumerate(columns):
            value = column.value(row)
            if value is not None:
                sheet.write(y, x, value)
    sheet.freeze_panes(1, 0)
    book.close()
    return out.getvalue()


def geojson_bytes(columns: Sequence[Column], rows: list[Row], geometries: list[Any]) -> bytes:
    features = [
        {
            "type": "Feature",
            "id": row["code"],
            "geometry": geometry,
            "properties": {c.heading.split(" ", 1)[1]: c.value(row) for c in columns},
        }
        for row, geometry in zip(rows, geometries, strict=True)
    ]
    return orjson.dumps({"type": "FeatureCollection", "features": features})


def _float_param(request: Request, name: str) -> float | None:
    raw = request.query_params.get(name)
    if raw is None or raw == "":
        return None
    try:
        value = float(raw)
    except ValueError:
        raise BadUserInput(
            Text(f"{name}: {raw!r} 不是数字", f"{name}: {raw!r} is not a number"),
            name,
        ) from None
    if not math.isfinite(value):
        raise BadUserInput(
            Text(f"{name}: {raw!r} 不是数字", f"{name}: {raw!r} is not a number"), name
        )
    return value


def kinds_param(request: Request) -> list[str]:
    """?kinds=ELDER_DINING_TABLE,ASSISTANCE_STATION (or the lower-case codes)."""
    raw = request.query_params.get("kinds", "")
    kinds = [k.strip().lower() for k in raw.split(",") if k.strip()]
    unknown = [k for k in kinds if k not in SERVICE_KINDS]
    if unknown or not kinds:
        raise BadUserInput(
            Text(
                f"kinds: {', '.join(unknown) or '空'} 不在"
                f" {', '.join(k.upper() for k in SERVICE_KINDS)} 之中",
                f"kinds: {', '.join(unknown) or 'empty'} is not one of "
                f"{', '.join(k.upper() for k in SERVICE_KINDS)}",
            ),
            "kinds",
        )
    return kinds


@dataclass(frozen=True)
class CoverageRequest:
    """The arguments of a coverage download or report, read from the query string."""

    area_code: str
    kinds: list[str]
    radius_meters: float | None
    road_distance_meters: float | None

    @classmethod
    def of(cls, request: Request) -> CoverageRequest:
        return cls(
            area_code=request.query_params.get("areaCode", ""),
            kinds=kinds_param(request),
            radius_meters=_float_param(request, "radiusMeters"),
            road_distance_meters=_float_param(request, "roadDistanceMeters"),
        )


async def _area_rows(ctx: RegistryContext, area_code: str, rows: list[Row]) -> list[Row]:
    groups = coverage_resolvers.by_child_area(area_code, rows)
    areas = await ctx.loaders.area.load_many([code for code, _ in groups])
    return [
        {
            "code": code,
            "name": area["name"] if area else "",
            "level": area["level"] if area else "",
            **vars(figures),
            "share": figures.share,
        }
        for (code, villages), area in zip(groups, areas, strict=True)
        for figures in [coverage_resolvers.figures_of(code, villages)]
    ]


def export_routes(contexts: RequestContexts) -> list[Route]:
    async def coverage_export(request: Request) -> Response:
        table, fmt = request.path_params["table"], request.path_params["format"]
        if table not in TABLES:
            raise NotFound(
                Text(
                    f"table: 没有表 {table!r}；可选 {', '.join(TABLES)}",
                    f"table: no table {table!r}; there are {', '.join(TABLES)}",
                ),
                "table",
            )
        if fmt not in FORMATS:
            raise NotFound(
                Text(
                    f"format: 没有格式 {fmt!r}；可选 {', '.join(FORMATS)}",
                    f"format: no format {fmt!r}; there are {', '.join(FORMATS)}",
                ),
                "format",
            )
        ctx = await contexts(request)
        require(ctx.actor, "planner", "a coverage download")
        asked = CoverageRequest.of(request)
        result = await coverage_resolvers.coverage(
            ctx,
            asked.area_code,
            asked.kinds,
            radius_meters=asked.radius_meters,
            road_distance_meters=asked.road_distance_meters,
        )
        columns: Sequence[Column]
        if table == "areas":
            rows, columns = await _area_rows(ctx, result.area_code, result.rows), AREA_COLUMNS
        else:
            rows = result.rows if table == "villages" else coverage_resolvers.gap_rows(result.rows)
            areas = await ctx.loaders.area.load_many([r["code"] for r in rows])
            rows = [{**r, "name": a["name"] if a else ""} for r, a in zip(rows, areas, strict=True)]
            columns = VILLAGE_COLUMNS
        if fmt == "csv":
            body = csv_bytes(columns, rows)
        elif fmt == "xlsx":
            body = xlsx_bytes(f"{table} {result.area_code}", columns, rows)
        else:
            outlines = await ctx.loaders.outline.load_many([r["code"] for r in rows])
            shape = "geometry" if table == "areas" else "representative_point"
            body = geojson_bytes(columns, rows, [o[shape] if o else None for o in outlines])
        filename = f"coverage-{table}-{result.area_code}.{fmt}"
        return Response(
            body,
            media_type=FORMATS[fmt],
            headers={
                "Content-Disposition": f'attachment; filename="{filename}"',
                "Cache-Control": "private, no-store",
            },
        )

    return [Route("/exports/coverage/{table}.{format}", coverage_export)]
