"""What the OGC API endpoints (Features and Tiles) share: links, collections by name,
answers with an ETag in JSON or HTML, and the formats ``f=`` may ask for."""

from __future__ import annotations

import functools
import hashlib
from collections.abc import Awaitable, Callable
from typing import Any

import orjson
from starlette.requests import Request
from starlette.responses import Response

from db.queries.features import COLLECTIONS, FeatureCollection
from domain.errors import BadUserInput, NotFound, Text
from endpoints.tiles import CACHE_CONTROL  # documents are cached as the tiles are

JSON = "application/json"
HTML = "text/html"
# The formats ``f=`` may ask for.
FORMATS = ("json", "geojson", "html")


def link(href: str, rel: str, media_type: str = JSON, title: str | None = None) -> dict[str, str]:
    link = {"href": href, "rel": rel, "type": media_type}
    if title:
        link["title"] = title
    return link


def wants_html(request: Request) -> bool:
    """``f=html``, or no ``f`` and an Accept header ranking HTML above JSON (a browser)."""
    wanted = request.query_params.get("f")
    if wanted is not None:
        return wanted == "html"
    accept = request.headers.get("accept", "")
    html_at = accept.find(HTML)
    if html_at < 0:
        return False
    json_at = min((i for i in (accept.find("json"),) if i >= 0), default=len(accept))
    return html_at < json_at


def answer(
    request: Request,
    body: bytes,
    media_type: str,
    headers: dict[str, str] | None = None,
    *,
    validator: bytes | None = None,
) -> Response:
    """``body`` with an ETag (304 when the client holds it) and a minute of caching.  A
    ``validator`` stands for the body where the body holds what changes at every request
    (a page's timeStamp): the ETag is then weak, as equal content is all it promises."""
    digest = hashlib.blake2b(body if validator is None else validator, digest_size=16)
    etag = f'"{digest.hexdigest()}"' if validator is None else f'W/"{digest.hexdigest()}"'
    all_headers = {
        "ETag": etag,
        "Cache-Control": CACHE_CONTROL,
        "Vary": "Accept",
        **(headers or {}),
    }
    if etag in request.headers.get("if-none-match", ""):
        return Response(status_code=304, headers=all_headers)
    return Response(body, media_type=media_type, headers=all_headers)


def answer_json(
    request: Request,
    doc: Any,
    media_type: str = JSON,
    *,
    headers: dict[str, str] | None = None,
    validator: bytes | None = None,
) -> Response:
    return answer(request, orjson.dumps(doc), media_type, headers, validator=validator)


def answer_html(request: Request, page: str) -> Response:
    return answer(request, page.encode(), HTML + "; charset=utf-8")


def collection_named(name: str) -> FeatureCollection:
    collection = COLLECTIONS.get(name)
    if collection is None:
        raise NotFound(
            Text(
                f"collection: 没有集合 {name!r}；可选 {', '.join(COLLECTIONS)}",
                f"collection: no collection {name!r}; there are {', '.join(COLLECTIONS)}",
            ),
            "collection",
        )
    return collection


def in_formats(
    handler: Callable[[Request], Awaitable[Response]],
) -> Callable[[Request], Awaitable[Response]]:
    """``handler``, refusing (400) an ``f=`` this API does not answer in."""

    @functools.wraps(handler)
    async def checked(request: Request) -> Response:
        wanted = request.query_params.get("f")
        if wanted is not None and wanted not in FORMATS:
            raise BadUserInput(
                Text(
                    f"f: {wanted!r} 不在 {', '.join(FORMATS)} 之中",
                    f"f: {wanted!r} is not one of {', '.join(FORMATS)}",
                ),
                "f",
            )
        return await handler(request)

    return checked
