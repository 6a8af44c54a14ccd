"""Live changes: what subscribers hear, as PostgreSQL tells of commits."""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from typing import Any

from db.kinds import PLACE_NAME, SERVICE, VILLAGE_ROAD, EditableKind
from db.queries.collections import record_within
from gis.chinese_crs import CoordinateSystem, bbox_to_wgs84
from gis.spatial import check_bbox
from resolvers.context import RegistryContext

Row = dict[str, Any]
Box = tuple[float, float, float, float]


def _parse(payload: str) -> tuple[int, Box | None]:
    """(record id, the box it was in on the public map before the change, if it was)."""
    key, _, was = payload.partition(";")
    if not was:
        return int(key), None
    x1, y1, x2, y2 = (float(v) for v in was.split(","))
    return int(key), (x1, y1, x2, y2)


def _overlaps(a: Box, b: Box) -> bool:
    return a[0] <= b[2] and b[0] <= a[2] and a[1] <= b[3] and b[1] <= a[3]


async def records_changed(
    ctx: RegistryContext,
    kind: EditableKind,
    bbox: list[float] | None,
    crs: CoordinateSystem,
    kinds: Sequence[str] | None = None,
) -> AsyncIterator[Row]:
    """Records of ``kind`` as they show on, move on or leave the public map (published,
    a change of them published, retired, restored), within ``bbox`` (given in ``crs``)
    when it is given: where they are now, or where they were (a record moved out of the
    box is heard of, so a map can take it away).  ``kinds``: values of the kind's own kind
    column (service kinds) to keep."""
    box = bbox_to_wgs84(check_bbox(bbox, "bbox"), crs) if bbox is not None else None
    channel = kind.channel
    assert channel is not None
    async for payload in ctx.notifications.payloads(channel):
        record_id, was_at = _parse(payload)
        was_inside = box is not None and was_at is not None and _overlaps(box, was_at)
        rows = await ctx.database.fetch(record_within(kind, record_id, None if was_inside else box))
        for row in rows:
            if kinds is not None and kind.kind_column and row[kind.kind_column] not in kinds:
                continue
            yield row


def place_names_changed(
    ctx: RegistryContext, bbox: list[float] | None, crs: CoordinateSystem
) -> AsyncIterator[Row]:
    return records_changed(ctx, PLACE_NAME, bbox, crs)


def village_roads_changed(
    ctx: RegistryContext, bbox: list[float] | None, crs: CoordinateSystem
) -> AsyncIterator[Row]:
    return records_changed(ctx, VILLAGE_ROAD, bbox, crs)


def services_changed(
    ctx: RegistryContext,
    bbox: list[float] | None,
    crs: CoordinateSystem,
    kinds: Sequence[str] | None,
) -> AsyncIterator[Row]:
    return records_changed(ctx, SERVICE, bbox, crs, kinds)
