"""Live changes: what subscribers hear, as PostgreSQL tells of commits."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

from db.kinds import PLACE_NAME
from db.queries.collections import record_within
from gis.chinese_crs import CoordinateSystem, bbox_to_wgs84
from gis.spatial import check_bbox
from resolvers.context import RegistryContext

Row = dict[str, Any]


async def place_names_changed(
    ctx: RegistryContext, bbox: list[float] | None, crs: CoordinateSystem
) -> AsyncIterator[Row]:
    """Place names as they show on or leave the public map, within ``bbox`` (given in
    ``crs``) when it is given."""
    box = bbox_to_wgs84(check_bbox(bbox, "bbox"), crs) if bbox is not None else None
    channel = PLACE_NAME.channel
    assert channel is not None
    async for payload in ctx.notifications.payloads(channel):
        for row in await ctx.database.fetch(record_within(PLACE_NAME, int(payload), box)):
            yield row
