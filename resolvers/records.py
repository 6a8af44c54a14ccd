"""The collections of editable records (place names, village roads, services): one way
to page, filter and time-travel through any of them."""

from __future__ import annotations

from typing import Any

from db.kinds import PLACE_NAME, SERVICE, VILLAGE_ROAD, EditableKind
from gis.spatial import Where
from resolvers.context import RegistryContext
from resolvers.filters import (
    DEFAULT_PAGE_SIZE,
    CollectionQuery,
    in_area_filter,
    spatial_filters,
    status_filter,
)
from resolvers.pages import AsOfQuery, Page, check_first, decode_int_cursor, page_as_of, page_of


async def records(
    ctx: RegistryContext,
    kind: EditableKind,
    query: CollectionQuery,
    *,
    kinds_filter: list[str] | None = None,
    where: Where | None = None,
    unsupported: dict[str, Any] | None = None,
) -> Page:
    """A page of records of ``kind``; ``kinds_filter``: values of the kind's own kind
    column (category, kind) to keep; ``where``: conditions of the kind's own;
    ``unsupported``: its further arguments that cannot be combined with ``asOf``."""
    first = check_first(query.first, DEFAULT_PAGE_SIZE)
    after = decode_int_cursor(query.after, kind.entity)
    if query.as_of is not None:
        return await page_as_of(
            ctx,
            kind,
            AsOfQuery(
                as_of=query.as_of,
                first=first,
                after=after,
                status=query.status,
                in_area=query.in_area,
                kinds=kinds_filter,
                unsupported={**query.spatial, **(unsupported or {})},
            ),
        )
    collection = kind.collection
    where = Where(list(where.clauses), dict(where.params)) if where else Where()
    status_filter(where, collection, query.status, ctx.actor)
    if kinds_filter is not None and kind.kind_column:
        where.add(f"{kind.alias}.{kind.kind_column} = ANY(:kinds)", kinds=kinds_filter)
    spatial_filters(where, collection.geometry, query)
    in_area_filter(where, kind.area_key, query.in_area)
    return await page_of(ctx, collection, where, first=first, after=after, cursor_kind=kind.entity)


async def place_names(ctx: RegistryContext, query: CollectionQuery) -> Page:
    designated = Where()
    if query.designations is not None:
        designated.add(
            "EXISTS (SELECT 1 FROM place_name_designation d WHERE d.place_name_id = p.id"
            " AND d.designation = ANY(:designations))",
            designations=query.designations,
        )
    return await records(
        ctx,
        PLACE_NAME,
        query,
        kinds_filter=query.categories,
        where=designated,
        unsupported={"designations": query.designations},
    )


async def village_roads(ctx: RegistryContext, query: CollectionQuery) -> Page:
    return await records(ctx, VILLAGE_ROAD, query)


async def services(ctx: RegistryContext, query: CollectionQuery) -> Page:
    return await records(ctx, SERVICE, query, kinds_filter=query.kinds)
