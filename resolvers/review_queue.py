"""The review queue: what waits for staff across every editable kind."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from db.kinds import EDITABLE_KINDS
from db.queries.review_queue import review_queue, review_queue_count
from domain.codes import check_area_code
from domain.roles import require
from resolvers.context import RegistryContext
from resolvers.pages import Page, check_first, decode_cursor, known

DEFAULT_QUEUE_PAGE = 50
CURSOR_KIND = "review"
Row = dict[str, Any]


@dataclass(frozen=True)
class QueueQuery:
    entities: list[str] | None = None
    stages: list[str] | None = None
    in_area: str | None = None
    proposed_by: str | None = None
    first: int | None = None
    after: str | None = None


def _after(cursor: str | None) -> tuple[datetime, str, int] | None:
    key = decode_cursor(cursor, CURSOR_KIND)
    if key is None:
        return None
    at, entity, record_id = key.split("|")
    return datetime.fromisoformat(at), entity, int(record_id)


async def waiting(ctx: RegistryContext, query: QueueQuery) -> Page:
    """A page of proposals in review (records, and changes of published records), oldest
    waiting first, each with its record's row (``record``)."""
    require(ctx.actor, "editor", "reviewQueue")
    first = check_first(query.first, DEFAULT_QUEUE_PAGE)
    entities = query.entities or list(EDITABLE_KINDS)
    in_area = check_area_code(query.in_area, "inArea") if query.in_area is not None else None
    stages, proposed_by = query.stages, query.proposed_by
    rows = await ctx.database.fetch(
        review_queue(
            entities,
            stages=stages,
            in_area=in_area,
            proposed_by=proposed_by,
            after=_after(query.after),
            limit=first + 1,
        )
    )
    has_next = len(rows) > first
    rows = rows[:first]
    # Loaded together: one statement per kind for the whole page.
    records = await asyncio.gather(
        *(ctx.loaders.record(EDITABLE_KINDS[row["entity"]]).load(int(row["id"])) for row in rows)
    )
    for row, record in zip(rows, records, strict=True):
        row["record"] = record
        row["queue_key"] = f"{row['waiting_since'].isoformat()}|{row['entity']}|{row['id']}"

    async def count() -> int:
        found = await ctx.database.fetch(
            review_queue_count(entities, stages=stages, in_area=in_area, proposed_by=proposed_by)
        )
        return int(found[0]["n"])

    return Page(
        rows=rows,
        has_next=known(has_next),
        cursor_kind=CURSOR_KIND,
        key="queue_key",
        count=count,
        # The queue pages forward only: a page after a cursor has the cursor's item before
        # it, or had when the cursor was given.
        has_previous=known(query.after is not None),
    )
