"""What the plain HTTP endpoints (tiles, OGC API Features) share: layers by name, the
request's base URL, and domain errors as JSON with a fitting status."""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable

from sqlalchemy.exc import OperationalError
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from db.queries.layers import LAYERS, Layer
from resolvers.errors import (
    HTTP_STATUSES,
    BadUserInput,
    NotFound,
    RegistryError,
    code_for,
    unavailable,
)

Endpoint = Callable[[Request], Awaitable[Response]]


def layer_named(name: str) -> Layer:
    layer = LAYERS.get(name)
    if layer is None:
        raise NotFound(f"layer: no layer {name!r}; there are {', '.join(LAYERS)}", "layer")
    return layer


def filter_values(layer: Layer, request: Request) -> list[str] | None:
    """?level=county,township (areas) or ?kind=elder_dining_table (services)."""
    if layer.filter_by is None or layer.filter_by not in request.query_params:
        return None
    values = [v for v in request.query_params[layer.filter_by].split(",") if v]
    unknown = [v for v in values if v not in layer.filter_values]
    if unknown or not values:
        raise BadUserInput(
            f"{layer.filter_by}: {', '.join(unknown) or 'empty'} is not one of"
            f" {', '.join(layer.filter_values)}",
            layer.filter_by,
        )
    return values


def base_url(request: Request) -> str:
    return str(request.base_url).rstrip("/")


def answers_errors(endpoint: Endpoint) -> Endpoint:
    """Domain errors become {"code", "description"} (as OGC API exceptions are written)
    with their HTTP status; nothing else is shown."""

    @functools.wraps(endpoint)
    async def wrapped(request: Request) -> Response:
        try:
            try:
                return await endpoint(request)
            except OperationalError as failure:
                raise unavailable(failure) from failure
        except RegistryError as error:
            code = code_for(error)
            return JSONResponse(
                {"code": code, "description": error.message}, HTTP_STATUSES.get(code, 500)
            )

    return wrapped
