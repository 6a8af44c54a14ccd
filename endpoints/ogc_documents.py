"""The documents that describe the OGC API: the OpenAPI 3.0 definition (what GDAL, QGIS and
OWSLib read to learn the paths, parameters and limits), each collection's queryables and
the JSON schema of its features.  All are made from ``COLLECTIONS``: one source."""

from __future__ import annotations

from typing import Any

from db.queries.features import (
    COLLECTIONS,
    FIELD_TITLES,
    JSON_TYPES,
    FeatureCollection,
    queryable_names,
)
from endpoints.ogc_params import DATETIME_PATTERN, DEFAULT_LIMIT, FILTER_LANGUAGES, MAX_LIMIT
from gis.ogc_crs import CRS84, SYSTEMS

OPENAPI_MEDIA_TYPE = "application/vnd.oai.openapi+json;version=3.0"
HTML = "text/html"
SCHEMA_MEDIA_TYPE = "application/schema+json"
JSON_SCHEMA = "https://json-schema.org/draft/2020-12/schema"
TITLE = "威海地名登记 OGC API / Weihai place-name registry OGC API"
DESCRIPTION = (
    "行政区划、村（居）、地名、村内道路与服务设施，以 OGC API - Features 与 OGC API - Tiles 发布。"
    " Administrative areas, villages, place names, village roads and services of the"
    " registry, as OGC API - Features and OGC API - Tiles."
)


def _title(name: str) -> str:
    zh, en = FIELD_TITLES.get(name, (name, name))
    return f"{zh} / {en}"


def property_schema(collection: FeatureCollection, name: str) -> dict[str, Any]:
    type_name = collection.id_type if name == "id" else collection.fields[name]
    schema: dict[str, Any] = {"title": _title(name), "type": JSON_TYPES[type_name]}
    if name == collection.layer.filter_by:
        schema["enum"] = list(collection.layer.filter_values)
    return schema


def queryables(collection: FeatureCollection, href: str) -> dict[str, Any]:
    """The properties a filter, a sortby or properties= may name."""
    return {
        "$schema": JSON_SCHEMA,
        "$id": href,
        "type": "object",
        "title": f"{collection.title_zh} / {collection.title}",
        "properties": {
            name: property_schema(collection, name) for name in queryable_names(collection)
        },
        "additionalProperties": False,
    }


def feature_schema(collection: FeatureCollection, href: str) -> dict[str, Any]:
    """A GeoJSON Feature of the collection as JSON schema (GDAL takes field types from it,
    so a page of empty values cannot make a number a string)."""
    geometry_type = collection.geometry_type
    return {
        "$schema": JSON_SCHEMA,
        "$id": href,
        "title": f"{collection.title_zh} / {collection.title}",
        "type": "object",
        "required": ["type", "id", "geometry", "properties"],
        "properties": {
            "type": {"type": "string", "enum": ["Feature"]},
            "id": property_schema(collection, "id"),
            "geometry": {
                "type": "object",
                "title": f"{geometry_type} (CRS84)",
                "format": f"geometry-{geometry_type.lower()}",
            },
            "properties": {
                "type": "object",
                "properties": {
                    name: property_schema(collection, name) for name in collection.fields
                },
            },
        },
    }


def _parameter(name: str, description: str, schema: dict[str, Any], **more: Any) -> dict[str, Any]:
    return {
        "name": name,
        "in": "query",
        "required": False,
        "description": description,
        "schema": schema,
        **more,
    }


PARAMETERS: dict[str, dict[str, Any]] = {
    "limit": _parameter(
        "limit",
        f"每页要素数（默认 {DEFAULT_LIMIT}，至多 {MAX_LIMIT}）/ Features per page",
        {"type": "integer", "minimum": 1, "maximum": MAX_LIMIT, "default": DEFAULT_LIMIT},
        style="form",
        explode=False,
    ),
    "offset": _parameter(
        "offset",
        "跳过的要素数（下一页链接已带上）/ Features skipped (the next link carries it)",
        {"type": "integer", "minimum": 0, "default": 0},
    ),
    "bbox": _parameter(
        "bbox",
        "范围：西,南,东,北（bbox-crs 坐标系）/ Box: west,south,east,north in bbox-crs",
        {"type": "array", "minItems": 4, "maxItems": 6, "items": {"type": "number"}},
        style="form",
        explode=False,
    ),
    "bbox-crs": _parameter(
        "bbox-crs",
        "bbox 的坐标系 / The system of bbox",
        {"type": "string", "format": "uri", "enum": list(SYSTEMS), "default": CRS84.uri},
    ),
    "crs": _parameter(
        "crs",
        "输出坐标系 / The system of the geometries returned",
        {"type": "string", "format": "uri", "enum": list(SYSTEMS), "default": CRS84.uri},
    ),
    "datetime": _parameter(
        "datetime",
        "RFC 3339 时刻或区间；集合无时间属性，格式正确的值不筛选 / An RFC 3339 instant or"
        " interval; no collection has a time, so a well-formed value selects every feature",
        {"type": "string", "pattern": DATETIME_PATTERN},
    ),
    "filter": _parameter(
        "filter",
        "CQL2 文本筛选（比较、AND/OR/NOT、IS NULL、LIKE、BETWEEN、IN）/ A CQL2 text filter"
        " on the queryables, e.g. population > 1000 AND name LIKE '%村'",
        {"type": "string", "minLength": 1},
    ),
    "filter-lang": _parameter(
        "filter-lang",
        "筛选语言 / The filter language",
        {"type": "string", "enum": list(FILTER_LANGUAGES), "default": FILTER_LANGUAGES[0]},
    ),
    "filter-crs": _parameter(
        "filter-crs",
        "筛选中几何的坐标系（不含空间谓词，仅校验）/ The filter's system (checked only)",
        {"type": "string", "format": "uri", "enum": list(SYSTEMS)},
    ),
    "f": _parameter(
        "f",
        "格式 / Format",
        {"type": "string", "enum": ["json", "geojson", "html"]},
    ),
}


def _names_parameter(
    name: str, description: str, names: list[str], *, signed: bool = False
) -> dict[str, Any]:
    """``properties`` or ``sortby`` of one collection: its own names, comma-separated
    (``sortby``'s each with an optional + or -)."""
    items: dict[str, Any] = {"type": "string", "enum": names}
    if signed:
        items = {"type": "string", "pattern": "^[+-]?(" + "|".join(names) + ")$"}
    return _parameter(
        name,
        description,
        {"type": "array", "minItems": 1, "items": items},
        style="form",
        explode=False,
    )


def _sortby(collection: FeatureCollection) -> dict[str, Any]:
    return _names_parameter(
        "sortby",
        "排序：属性名，以逗号分隔，前缀 - 为降序 / Sort keys, comma-separated, - for descending",
        queryable_names(collection),
        signed=True,
    )


def _properties(collection: FeatureCollection) -> dict[str, Any]:
    return _names_parameter(
        "properties", "只返回这些属性 / Return only these properties", list(collection.fields)
    )


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/parameters/{name}"}


def _ok(description: str, *media_types: str) -> dict[str, Any]:
    return {
        "200": {
            "description": description,
            "content": {media: {"schema": {"type": "object"}} for media in media_types},
        },
        "400": {"$ref": "#/components/responses/BadRequest"},
    }


def _get(
    summary: str, parameters: list[dict[str, Any]], responses: dict[str, Any]
) -> dict[str, Any]:
    return {"get": {"summary": summary, "parameters": parameters, "responses": responses}}


def _collection_paths(collection: FeatureCollection) -> dict[str, Any]:
    path = f"/collections/{collection.name}"
    title = f"{collection.title_zh} / {collection.title}"
    own = []
    layer = collection.layer
    if layer.filter_by:
        own.append(
            _parameter(
                layer.filter_by,
                f"{_title(layer.filter_by)}（可逗号分隔多个 / comma-separated）",
                {"type": "array", "items": {"type": "string", "enum": list(layer.filter_values)}},
                style="form",
                explode=False,
            )
        )
    items = _ok(f"{title}：要素 / features", "application/geo+json", "text/html")
    items["404"] = {"$ref": "#/components/responses/NotFound"}
    feature = _ok(f"{title}：一个要素 / one feature", "application/geo+json", "text/html")
    feature["404"] = {"$ref": "#/components/responses/NotFound"}
    id_schema = {"type": JSON_TYPES[collection.id_type]}
    return {
        path: _get(title, [_ref("f")], _ok(title, "application/json", "text/html")),
        f"{path}/items": _get(
            f"{title}：要素 / features",
            [_ref(name) for name in PARAMETERS]
            + [_sortby(collection), _properties(collection), *own],
            items,
        ),
        f"{path}/items/{{featureId}}": _get(
            f"{title}：一个要素 / one feature",
            [
                {"name": "featureId", "in": "path", "required": True, "schema": id_schema},
                _ref("crs"),
                _properties(collection),
                _ref("f"),
            ],
            feature,
        ),
        f"{path}/queryables": _get(
            f"{title}：可查询属性 / queryables", [], _ok("queryables", SCHEMA_MEDIA_TYPE)
        ),
        f"{path}/schema": _get(
            f"{title}：要素模式 / feature schema", [], _ok("schema", SCHEMA_MEDIA_TYPE)
        ),
    }


def openapi(base: str, extra_paths: dict[str, Any] | None = None) -> dict[str, Any]:
    """The OpenAPI 3.0 definition of the OGC API at ``base`` (…/ogc)."""
    paths: dict[str, Any] = {
        "/": _get("入口 / Landing page", [_ref("f")], _ok("landing", "application/json", HTML)),
        "/api": _get("本文档 / This definition", [], _ok("OpenAPI", OPENAPI_MEDIA_TYPE)),
        "/conformance": _get(
            "符合的标准 / Conformance classes",
            [_ref("f")],
            _ok("conformance", "application/json", HTML),
        ),
        "/collections": _get(
            "集合 / Collections", [_ref("f")], _ok("collections", "application/json", HTML)
        ),
    }
    for collection in COLLECTIONS.values():
        paths.update(_collection_paths(collection))
    paths.update(extra_paths or {})
    return {
        "openapi": "3.0.3",
        "info": {
            "title": TITLE,
            "version": "1.0.0",
            "description": DESCRIPTION,
            "license": {"name": "CC BY 4.0 (demo data: see the README)"},
        },
        "servers": [{"url": base}],
        "paths": paths,
        "components": {
            "parameters": PARAMETERS,
            "responses": {
                "BadRequest": {
                    "description": "参数有误，field 指明哪一个 / A bad parameter, named in field",
                    "content": {
                        "application/json": {"schema": {"$ref": "#/components/schemas/Exception"}}
                    },
                },
                "NotFound": {
                    "description": "不存在 / Not found",
                    "content": {
                        "application/json": {"schema": {"$ref": "#/components/schemas/Exception"}}
                    },
                },
            },
            "schemas": {
                "Exception": {
                    "type": "object",
                    "required": ["code"],
                    "properties": {
                        "code": {"type": "string"},
                        "description": {"type": "string"},
                        "field": {"type": "string"},
                    },
                }
            },
        },
    }
