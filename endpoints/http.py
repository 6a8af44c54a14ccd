"""What the plain HTTP endpoints (tiles, OGC API Features) share: layers by name, the
request's base URL, and the layer filter."""

from __future__ import annotations

from starlette.requests import Request

from db.kinds import Layer
from db.queries.layers import LAYERS
from domain.errors import BadUserInput, NotFound, Text


def layer_named(name: str) -> Layer:
    layer = LAYERS.get(name)
    if layer is None:
        raise NotFound(
            Text(
                f"layer: 没有图层 {name!r}；可选 {', '.join(LAYERS)}",
                f"layer: no layer {name!r}; there are {', '.join(LAYERS)}",
            ),
            "layer",
        )
    return layer


def filter_values(layer: Layer, request: Request) -> list[str] | None:
    """?level=county,township (areas) or ?kind=elder_dining_table (services)."""
    if layer.filter_by is None or layer.filter_by not in request.query_params:
        return None
    values = [v for v in request.query_params[layer.filter_by].split(",") if v]
    unknown = [v for v in values if v not in layer.filter_values]
    if unknown or not values:
        raise BadUserInput(
            Text(
                f"{layer.filter_by}: {', '.join(unknown) or '空'}"
                f" 不在 {', '.join(layer.filter_values)} 之中",
                f"{layer.filter_by}: {', '.join(unknown) or 'empty'} is not one of"
                f" {', '.join(layer.filter_values)}",
            ),
            layer.filter_by,
        )
    return values


def whole_number(value: str) -> int | None:
    """``value`` as a whole number when it is ASCII digits only, else None: ``int()`` also
    takes "١٢" and Python's ``isdigit`` also "²", and no address may have two spellings."""
    if not value.isascii() or not value.isdigit():
        return None
    return int(value)


def base_url(request: Request) -> str:
    return str(request.base_url).rstrip("/")
