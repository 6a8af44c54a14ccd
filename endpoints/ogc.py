"""OGC API - Features at /ogc (Part 1 core with GeoJSON, HTML and OpenAPI 3.0; Part 2 CRS;
Part 3 queryables and CQL2 text filters; sorting), for QGIS, GDAL, OWSLib and browsers.

The collections are ``db.queries.features.COLLECTIONS``: the map layers, published records
only, one geometry type each.  JSON is answered unless ``f=html`` or a browser's
``Accept`` asks for HTML; every document carries an ETag and may be answered 304.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlencode

import orjson
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from db.engine import Database
from db.queries import features as feature_queries
from db.queries.features import COLLECTIONS, FeatureCollection
from db.queries.layers import bounds_of
from domain.errors import NotFound, Text
from endpoints import ogc_html
from endpoints.http import base_url, filter_values
from endpoints.ogc_common import (
    HTML,
    JSON,
    answer_html,
    answer_json,
    collection_named,
    in_formats,
    link,
    wants_html,
)
from endpoints.ogc_documents import (
    DESCRIPTION,
    OPENAPI_MEDIA_TYPE,
    SCHEMA_MEDIA_TYPE,
    TITLE,
    feature_schema,
    openapi,
    queryables,
)
from endpoints.ogc_params import (
    DEFAULT_LIMIT,
    ITEM_PARAMETERS,
    ITEMS_PARAMETERS,
    MAX_LIMIT,
    MAX_OFFSET,
    check_known,
    item_query,
    items_query,
    whole_parameter,
)
from endpoints.ogc_tiles import CONFORMANCE as TILES_CONFORMANCE
from endpoints.ogc_tiles import TILESETS_REL, TILING_SCHEMES_REL, ogc_tile_paths
from gis.ogc_crs import CRS84, SYSTEMS

CONFORMANCE = [
    "http://www.opengis.net/spec/ogcapi-common-1/1.0/conf/core",
    "http://www.opengis.net/spec/ogcapi-common-2/1.0/conf/collections",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/oas30",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/html",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/geojson",
    "http://www.opengis.net/spec/ogcapi-features-2/1.0/conf/crs",
    "http://www.opengis.net/spec/ogcapi-features-3/1.0/conf/queryables",
    "http://www.opengis.net/spec/ogcapi-features-3/1.0/conf/filter",
    "http://www.opengis.net/spec/ogcapi-features-3/1.0/conf/features-filter",
    "http://www.opengis.net/spec/cql2/1.0/conf/cql2-text",
    "http://www.opengis.net/spec/cql2/1.0/conf/basic-cql2",
    "http://www.opengis.net/spec/cql2/1.0/conf/advanced-comparison-operators",
    "http://www.opengis.net/spec/ogcapi-records-1/1.0/conf/sorting",
    *TILES_CONFORMANCE,
]
GEOJSON = "application/geo+json"


def _json_href(request: Request) -> str:
    query = {k: v for k, v in request.query_params.items() if k != "f"}
    return f"{str(request.url).split('?')[0]}?{urlencode({**query, 'f': 'json'})}"


def _collection_doc(
    collection: FeatureCollection, base: str, bounds: tuple[float, ...] | None
) -> dict[str, Any]:
    href = f"{base}/ogc/collections/{collection.name}"
    title = f"{collection.title_zh} / {collection.title}"
    return {
        "id": collection.name,
        "title": title,
        "description": collection.description,
        "itemType": "feature",
        "geometryType": collection.geometry_type,
        "crs": list(SYSTEMS),
        "storageCrs": CRS84.uri,
        "extent": {"spatial": {"bbox": [list(bounds or (-180, -90, 180, 90))], "crs": CRS84.uri}},
        "links": [
            link(href, "self", title=title),
            link(f"{href}?f=html", "alternate", HTML, f"{title} (HTML)"),
            link(f"{href}/items", "items", GEOJSON, f"{title}: 要素 features"),
            link(f"{href}/items?f=html", "items", HTML, f"{title}: 要素 features (HTML)"),
            link(
                f"{href}/queryables",
                "http://www.opengis.net/def/rel/ogc/1.0/queryables",
                SCHEMA_MEDIA_TYPE,
                "可查询属性 queryables",
            ),
            link(f"{href}/schema", "describedBy", SCHEMA_MEDIA_TYPE, "要素模式 feature schema"),
            link(
                f"{href}/schema",
                "http://www.opengis.net/def/rel/ogc/1.0/schema",
                SCHEMA_MEDIA_TYPE,
                "要素模式 feature schema",
            ),
            link(f"{href}/tiles", TILESETS_REL, JSON, "矢量瓦片 vector tiles"),
        ],
    }


def _page_links(
    request: Request, href: str, *, limit: int, offset: int, returned: int, matched: int
) -> list[dict[str, str]]:
    query = {k: v for k, v in request.query_params.items() if k not in ("limit", "offset", "f")}

    def page_link(rel: str, at: int, media_type: str = GEOJSON) -> dict[str, str]:
        extra = {"f": "html"} if media_type == HTML else {}
        return link(
            f"{href}?{urlencode({**query, 'limit': limit, 'offset': at, **extra})}",
            rel,
            media_type,
        )

    links = [page_link("self", offset), page_link("alternate", offset, HTML)]
    if offset + returned < matched:
        links.append(page_link("next", offset + limit))
    if offset > 0:
        links.append(page_link("prev", max(0, offset - limit)))
    return links


def ogc_routes(database: Database) -> list[Route]:
    async def landing(request: Request) -> Response:
        base = base_url(request)
        doc = {
            "title": TITLE,
            "description": DESCRIPTION,
            "links": [
                link(f"{base}/ogc", "self", title="本文档 this document"),
                link(f"{base}/ogc?f=html", "alternate", HTML, "本文档 this document (HTML)"),
                link(f"{base}/ogc/api", "service-desc", OPENAPI_MEDIA_TYPE, "API 定义 definition"),
                link(f"{base}/ogc/api.html", "service-doc", HTML, "API 文档 documentation"),
                link(f"{base}/ogc/conformance", "conformance", title="符合的标准 conformance"),
                link(
                    f"{base}/ogc/tileMatrixSets",
                    TILING_SCHEMES_REL,
                    title="瓦片矩阵集 tile matrix sets",
                ),
                link(f"{base}/ogc/collections", "data", title="集合 collections"),
            ],
        }
        if wants_html(request):
            return answer_html(request, ogc_html.landing(doc, _json_href(request)))
        return answer_json(request, doc)

    async def conformance(request: Request) -> Response:
        doc = {"conformsTo": CONFORMANCE}
        if wants_html(request):
            return answer_html(request, ogc_html.conformance(doc, _json_href(request)))
        return answer_json(request, doc)

    async def api(request: Request) -> Response:
        return answer_json(
            request, openapi(f"{base_url(request)}/ogc", ogc_tile_paths()), OPENAPI_MEDIA_TYPE
        )

    async def api_html(request: Request) -> Response:
        doc = openapi(f"{base_url(request)}/ogc", ogc_tile_paths())
        return answer_html(request, ogc_html.api(doc, f"{base_url(request)}/ogc/api"))

    async def collections(request: Request) -> Response:
        base = base_url(request)
        statements = [feature_queries.extent(c) for c in COLLECTIONS.values()]
        extents = await database.read(lambda conn: [bounds_of(s.rows(conn)) for s in statements])
        doc = {
            "links": [
                link(f"{base}/ogc/collections", "self"),
                link(f"{base}/ogc/collections?f=html", "alternate", HTML),
            ],
            "collections": [
                _collection_doc(collection, base, bounds)
                for collection, bounds in zip(COLLECTIONS.values(), extents, strict=True)
            ],
        }
        if wants_html(request):
            return answer_html(request, ogc_html.collections(doc, _json_href(request)))
        return answer_json(request, doc)

    async def collection(request: Request) -> Response:
        found = collection_named(request.path_params["collection"])
        bounds = bounds_of(await database.fetch(feature_queries.extent(found)))
        doc = _collection_doc(found, base_url(request), bounds)
        if wants_html(request):
            return answer_html(request, ogc_html.collection(doc, _json_href(request)))
        return answer_json(request, doc)

    async def collection_queryables(request: Request) -> Response:
        found = collection_named(request.path_params["collection"])
        return answer_json(request, queryables(found, str(request.url)), SCHEMA_MEDIA_TYPE)

    async def collection_schema(request: Request) -> Response:
        found = collection_named(request.path_params["collection"])
        return answer_json(request, feature_schema(found, str(request.url)), SCHEMA_MEDIA_TYPE)

    async def items(request: Request) -> Response:
        found = collection_named(request.path_params["collection"])
        layer = found.layer
        check_known(
            request, set(ITEMS_PARAMETERS) | ({layer.filter_by} if layer.filter_by else set())
        )
        limit = whole_parameter(request, "limit", DEFAULT_LIMIT, 1, MAX_LIMIT)
        offset = whole_parameter(request, "offset", 0, 0, MAX_OFFSET)
        query = items_query(request, found, filter_values(layer, request))
        (row,) = await database.fetch(feature_queries.items(query, limit=limit, offset=offset))
        features, matched, returned = row["features"], int(row["matched"]), int(row["returned"])
        href = f"{base_url(request)}/ogc/collections/{found.name}/items"
        doc = {
            "type": "FeatureCollection",
            "numberMatched": matched,
            "numberReturned": returned,
            "timeStamp": datetime.now(UTC).isoformat(timespec="seconds"),
            "links": _page_links(
                request, href, limit=limit, offset=offset, returned=returned, matched=matched
            ),
        }
        if wants_html(request):
            title = f"{found.title_zh} / {found.title}"
            return answer_html(
                request,
                ogc_html.items(title, orjson.loads(features), doc, href, _json_href(request)),
            )
        doc["features"] = orjson.Fragment(features)
        # The same page asked for again has a new timeStamp, and is the same page.
        validator = orjson.dumps({**doc, "timeStamp": None})
        crs = {"Content-Crs": query.crs.header}
        return answer_json(request, doc, GEOJSON, headers=crs, validator=validator)

    async def item(request: Request) -> Response:
        found = collection_named(request.path_params["collection"])
        check_known(request, set(ITEM_PARAMETERS))
        query = item_query(request, found)
        feature_id = request.path_params["feature"]
        rows = await database.fetch(feature_queries.item(query, feature_id))
        if not rows:
            raise NotFound(
                Text(
                    f"feature: 集合 {found.name} 没有要素 {feature_id!r}",
                    f"feature: {found.name} has no feature {feature_id!r}",
                ),
                "feature",
            )
        feature = orjson.loads(rows[0]["feature"])
        href = f"{base_url(request)}/ogc/collections/{found.name}"
        feature["links"] = [
            link(f"{href}/items/{feature_id}", "self", GEOJSON),
            link(f"{href}/items/{feature_id}?f=html", "alternate", HTML),
            link(href, "collection"),
        ]
        if wants_html(request):
            title = f"{found.title_zh} / {found.title}"
            return answer_html(request, ogc_html.item(title, feature, _json_href(request)))
        return answer_json(request, feature, GEOJSON, headers={"Content-Crs": query.crs.header})

    collection_path = "/ogc/collections/{collection}"
    return [
        Route("/ogc", in_formats(landing), methods=["GET"]),
        Route("/ogc/api", api, methods=["GET"]),
        Route("/ogc/api.html", api_html, methods=["GET"]),
        Route("/ogc/conformance", in_formats(conformance), methods=["GET"]),
        Route("/ogc/collections", in_formats(collections), methods=["GET"]),
        Route(collection_path, in_formats(collection), methods=["GET"]),
        Route(f"{collection_path}/queryables", collection_queryables, methods=["GET"]),
        Route(f"{collection_path}/schema", collection_schema, methods=["GET"]),
        Route(f"{collection_path}/items", in_formats(items), methods=["GET"]),
        Route(f"{collection_path}/items/{{feature}}", in_formats(item), methods=["GET"]),
    ]
