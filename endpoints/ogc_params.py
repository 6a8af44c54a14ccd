"""The query parameters of OGC API - Features, read and checked: each bad one is a 400
naming it, before any SQL."""

from __future__ import annotations

import re
from datetime import date, datetime

from starlette.requests import Request

from db.queries.features import FeatureCollection, Query, queryable_names
from domain import cql2
from domain.errors import BadUserInput, Text
from endpoints.http import whole_number
from gis.ogc_crs import box_in, crs_named

DEFAULT_LIMIT = 100
MAX_LIMIT = 10_000
MAX_OFFSET = 2**31 - 1
FILTER_LANGUAGES = ("cql2-text",)
# Every parameter items take, besides the layer's own filter (?level=, ?kind=).
ITEMS_PARAMETERS = (
    "limit",
    "offset",
    "bbox",
    "bbox-crs",
    "crs",
    "datetime",
    "filter",
    "filter-lang",
    "filter-crs",
    "sortby",
    "properties",
    "f",
)
ITEM_PARAMETERS = ("crs", "properties", "f")


def _bad(name: str, zh: str, en: str) -> BadUserInput:
    return BadUserInput(Text(f"{name}: {zh}", f"{name}: {en}"), name)


def whole_parameter(request: Request, name: str, default: int, least: int, most: int) -> int:
    value = request.query_params.get(name)
    if value is None:
        return default
    number = whole_number(value)
    if number is None or not least <= number <= most:
        raise _bad(
            name,
            f"须为 {least} 至 {most} 的整数（ASCII 数字）",
            f"must be a whole number from {least} to {most} (ASCII digits)",
        )
    return number


def check_known(request: Request, allowed: set[str]) -> None:
    unknown = sorted(set(request.query_params) - allowed)
    if unknown:
        raise _bad(
            unknown[0],
            f"未知参数；可用 {', '.join(sorted(allowed))}",
            f"unknown parameter; this path takes {', '.join(sorted(allowed))}",
        )


def _numbers(value: str, name: str) -> list[float]:
    if not value.isascii():
        raise _bad(name, "须为 ASCII 数字", "takes numbers in ASCII digits")
    try:
        return [float(part) for part in value.split(",")]
    except ValueError:
        raise _bad(
            name,
            "须为以逗号分隔的数：西,南,东,北",
            "is comma-separated numbers: west,south,east,north",
        ) from None


_INSTANT_TEXT = r"\d{4}-\d{2}-\d{2}([Tt]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2}))?"
_INSTANT = re.compile(f"^{_INSTANT_TEXT}$")
# What the OpenAPI definition declares: an instant, or an interval with ".." open ends.
DATETIME_PATTERN = f"^({_INSTANT_TEXT}|({_INSTANT_TEXT}|\\.\\.)/({_INSTANT_TEXT}|\\.\\.))$"


def check_datetime(value: str) -> None:
    """An RFC 3339 instant or interval (``..`` open). No collection here has a time, so a
    well-formed value selects every feature; a malformed one is refused."""
    parts = value.split("/")
    if len(parts) > 2 or (len(parts) == 2 and parts == ["..", ".."]):
        raise _bad(
            "datetime", "须为时刻或区间（起/止）", "is an instant or an interval (start/end)"
        )
    for part in parts:
        if part in ("..", "") and len(parts) == 2:
            continue
        if not _INSTANT.match(part):
            raise _bad(
                "datetime",
                f"{part!r} 不是 RFC 3339 日期或时刻",
                f"{part!r} is not an RFC 3339 date or date-time",
            )
        try:
            if "T" in part.upper():
                datetime.fromisoformat(part.upper().replace("Z", "+00:00"))
            else:
                date.fromisoformat(part)
        except ValueError:
            raise _bad(
                "datetime", f"{part!r} 不是真实的日期", f"{part!r} is no real date"
            ) from None


def _names(value: str, name: str, allowed: list[str]) -> list[str]:
    names = [part.strip() for part in value.split(",") if part.strip()]
    unknown = [n for n in names if n not in allowed]
    if unknown or not names:
        raise _bad(
            name,
            f"{', '.join(unknown) or '空'} 不是属性；可用 {', '.join(allowed)}",
            f"{', '.join(unknown) or 'empty'}: not a property; there are {', '.join(allowed)}",
        )
    return names


def sort_keys(value: str, collection: FeatureCollection) -> list[tuple[str, bool]]:
    """``sortby=+name,-population``: properties, descending when prefixed with ``-``."""
    keys = []
    for part in (p.strip() for p in value.split(",")):
        descending = part.startswith("-")
        name = part.lstrip("+-").strip()
        _names(name, "sortby", queryable_names(collection))
        if name != "id":
            keys.append((name, descending))
    return keys


def items_query(request: Request, collection: FeatureCollection, values: list[str] | None) -> Query:
    params = request.query_params
    crs = crs_named(params.get("crs"), "crs")
    query = Query(collection, crs, values=values)
    if "bbox" in params:
        bbox_crs = crs_named(params.get("bbox-crs"), "bbox-crs")
        query.box = box_in(_numbers(params["bbox"], "bbox"), bbox_crs)
    elif "bbox-crs" in params:
        raise _bad("bbox-crs", "须与 bbox 一同给出", "goes with a bbox")
    if "datetime" in params:
        check_datetime(params["datetime"])
    language = params.get("filter-lang", FILTER_LANGUAGES[0])
    if language not in FILTER_LANGUAGES:
        raise _bad(
            "filter-lang",
            f"不支持 {language!r}；可用 {', '.join(FILTER_LANGUAGES)}",
            f"{language!r} is not offered; use {', '.join(FILTER_LANGUAGES)}",
        )
    if "filter-crs" in params:
        crs_named(params["filter-crs"], "filter-crs")  # no spatial predicates: checked only
    if "filter" in params:
        query.tree = cql2.parse(params["filter"])
    if "sortby" in params:
        query.sort = sort_keys(params["sortby"], collection)
    if "properties" in params:
        query.properties = _names(params["properties"], "properties", list(collection.fields))
    return query


def item_query(request: Request, collection: FeatureCollection) -> Query:
    query = Query(collection, crs_named(request.query_params.get("crs"), "crs"))
    if "properties" in request.query_params:
        query.properties = _names(
            request.query_params["properties"], "properties", list(collection.fields)
        )
    return query
