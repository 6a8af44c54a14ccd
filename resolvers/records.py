"""The collections of editable records (place names, village roads, services): one way
to page, filter and time-travel through any of them."""

from __future__ import annotations

from typing import Any

from db.kinds import EDITABLE_KINDS, PLACE_NAME, SERVICE, VILLAGE_ROAD, EditableKind
from db.queries.collections import AreaPage
from domain.roles import Actor
from gis.spatial import Where
from resolvers.context import RegistryContext
from resolvers.filters import (
    DEFAULT_PAGE_SIZE,
    CollectionQuery,
    in_area_filter,
    spatial_filters,
    status_filter,
)
from resolvers.pages import (
    AsOfQuery,
    Page,
    PageRequest,
    Slice,
    check_first,
    decode_int_cursor,
    known,
    page_as_of,
    page_of,
)


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
    if query.as_of is not None:
        return await page_as_of(
            ctx,
            kind,
            AsOfQuery(
                as_of=query.as_of,
                first=check_first(query.first, DEFAULT_PAGE_SIZE),
                after=decode_int_cursor(query.after, kind.entity),
                status=query.status,
                in_area=query.in_area,
                kinds=kinds_filter,
                unsupported={
                    **query.spatial,
                    "last": query.last,
                    "before": query.before,
                    **(unsupported or {}),
                },
            ),
        )
    return await page_of(ctx, page_request(ctx.actor, kind, query, kinds_filter, where))


def page_request(
    actor: Actor,
    kind: EditableKind,
    query: CollectionQuery,
    kinds_filter: list[str] | None = None,
    where: Where | None = None,
) -> PageRequest:
    """The page a query of the records as they stand asks for, its input checked."""
    part = query.slice
    at = decode_int_cursor(part.cursor, kind.entity, part.cursor_field)
    collection = kind.collection
    where = Where(list(where.clauses), dict(where.params)) if where else Where()
    status_filter(where, collection, query.status, actor)
    if kinds_filter is not None and kind.kind_column:
        where.add(f"{kind.alias}.{kind.kind_column} = ANY(:kinds)", kinds=kinds_filter)
    spatial_filters(where, collection.geometry, query)
    in_area_filter(where, kind.area_key, query.in_area)
    return PageRequest(
        collection=collection,
        where=where,
        first=part.size,
        after=None if part.backward else at,
        before=at if part.backward else None,
        backward=part.backward,
        cursor_kind=kind.entity,
    )


def _designated(query: CollectionQuery) -> Where:
    designated = Where()
    if query.designations is not None:
        designated.add(
            "EXISTS (SELECT 1 FROM place_name_designation d WHERE d.place_name_id = p.id"
            " AND d.designation = ANY(:designations))",
            designations=query.designations,
        )
    return designated


async def place_names(ctx: RegistryContext, query: CollectionQuery) -> Page:
    return await records(
        ctx,
        PLACE_NAME,
        query,
        kinds_filter=query.categories,
        where=_designated(query),
        unsupported={"designations": query.designations},
    )


async def village_roads(ctx: RegistryContext, query: CollectionQuery) -> Page:
    return await records(ctx, VILLAGE_ROAD, query)


async def services(ctx: RegistryContext, query: CollectionQuery) -> Page:
    return await records(ctx, SERVICE, query, kinds_filter=query.kinds)


def current_page_request(actor: Actor, entity: str, query: CollectionQuery) -> PageRequest:
    """The page of records of ``entity`` as they stand (``query.as_of`` is None), as
    ``records`` reads it: for reads that build the whole response in SQL."""
    assert query.as_of is None
    kind = EDITABLE_KINDS[entity]
    if kind is PLACE_NAME:
        return page_request(actor, kind, query, query.categories, _designated(query))
    return page_request(actor, kind, query, query.kinds if kind is SERVICE else None)


async def published_in_area(
    ctx: RegistryContext,
    kind: EditableKind,
    code: str,
    part: Slice,
    kinds: list[str] | None = None,
) -> Page:
    """A page of the published records an area holds (its own and its inner areas'): the
    areas of a list asking for the same page share one statement, and one for their
    counts."""
    at = decode_int_cursor(part.cursor, kind.entity, part.cursor_field)
    wanted = tuple(sorted(kinds)) if kinds is not None else None
    page = AreaPage(size=part.size, at=at, backward=part.backward, kinds=wanted)
    rows = await ctx.loaders.published_page_in(kind, page).load(code)
    more = len(rows) > part.size
    rows = rows[: part.size]
    if part.backward:
        rows = rows[::-1]

    async def count() -> int:
        found = await ctx.loaders.published_count_in(kind, wanted).load(code)
        return int(found["count"]) if found else 0

    # Beyond the cursor: the cursor's own record was there when the cursor was made.
    beyond = known(at is not None)
    if part.backward:
        return Page(rows, beyond, kind.entity, "id", count, known(more))
    return Page(rows, known(more), kind.entity, "id", count, beyond)
