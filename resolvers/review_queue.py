"""The review queue: what waits for staff across every editable kind."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from db.kinds import EDITABLE_KINDS
from db.queries.review_queue import review_queue, review_queue_count
from domain.codes import check_area_code
from domain.errors import BadUserInput, Text
from domain.roles import require
from resolvers.context import RegistryContext
from resolvers.pages import Page, check_slice, decode_cursor, known

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
    last: int | None = None
    before: str | None = None


def _key(cursor: str | None, field: str) -> tuple[datetime, str, int] | None:
    key = decode_cursor(cursor, CURSOR_KIND, field)
    if key is None:
        return None
    parts = key.split("|")
    try:
        at, entity, record_id = parts
        return datetime.fromisoformat(at), entity, int(record_id)
    except ValueError:
        raise BadUserInput(
            Text(f"{field} 不是审核队列的游标", f"{field} is not a cursor of the review queue"),
            field,
        ) from None


async def waiting(ctx: RegistryContext, query: QueueQuery) -> Page:
    """A page of proposals in review (records, and changes of published records), oldest
    waiting first, each with its record's row (``record``)."""
    require(ctx.actor, "editor", "reviewQueue")
    part = check_slice(
        first=query.first,
        after=query.after,
        last=query.last,
        before=query.before,
        default=DEFAULT_QUEUE_PAGE,
    )
    at = _key(part.cursor, part.cursor_field)
    entities = query.entities or list(EDITABLE_KINDS)
    in_area = check_area_code(query.in_area, "inArea") if query.in_area is not None else None
    stages, proposed_by = query.stages, query.proposed_by
    rows = await ctx.database.fetch(
        review_queue(
            entities,
            stages=stages,
            in_area=in_area,
            proposed_by=proposed_by,
            at=at,
            limit=part.size + 1,
            backward=part.backward,
        )
    )
    more = len(rows) > part.size
    rows = rows[: part.size]
    if part.backward:
        rows.reverse()
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

    # Beyond the cursor: the cursor's own proposal was there when the cursor was made.
    beyond = known(at is not None)
    return Page(
        rows=rows,
        has_next=beyond if part.backward else known(more),
        cursor_kind=CURSOR_KIND,
        key="queue_key",
        count=count,
        has_previous=known(more) if part.backward else beyond,
    )
