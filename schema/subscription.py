"""The Subscription root type: published edits, live, over graphql-transport-ws."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncGenerator
from typing import Any

import strawberry
from strawberry.types import Info

from db.queries.edits import PLACE_NAME_CHANNEL, place_name_in_bbox
from db.queries.places import place_names_by_id
from gis.chinese_crs import bbox_to_wgs84
from gis.filters import check_bbox
from schema.context import RegistryContext
from schema.inputs import WGS84, CoordinateSystem
from schema.place_name import PlaceName


@strawberry.type
class Subscription:
    @strawberry.subscription(
        description="Place names as they are published, retired or restored (published "
        "state only), within bbox [minLon, minLat, maxLon, maxLat] (in crs) when given."
    )
    async def place_names_changed(
        self,
        info: Info[RegistryContext, None],
        bbox: list[float] | None = None,
        crs: CoordinateSystem = WGS84,
    ) -> AsyncGenerator[PlaceName, None]:
        box = bbox_to_wgs84(check_bbox(bbox, "bbox"), crs) if bbox is not None else None
        database = info.context.database
        # A connection of its own, outside the pool, for as long as the client listens:
        # PostgreSQL delivers a NOTIFY only after the change commits.
        raw = database.engine.raw_connection()
        raw.detach()
        listener: Any = raw.dbapi_connection  # psycopg2's own connection: poll(), notifies
        listener.autocommit = True
        cursor = listener.cursor()
        cursor.execute(f"LISTEN {PLACE_NAME_CHANNEL}")
        cursor.close()
        loop = asyncio.get_running_loop()
        queue: asyncio.Queue[int] = asyncio.Queue()

        def readable() -> None:
            listener.poll()
            while listener.notifies:
                queue.put_nowait(int(listener.notifies.pop(0).payload))

        loop.add_reader(listener.fileno(), readable)
        try:
            while True:
                place_id = await queue.get()
                with database.connect() as conn:
                    if box is not None and not place_name_in_bbox(conn, place_id, box):
                        continue
                    row = place_names_by_id(conn, [place_id]).get(place_id)
                if row is not None:
                    yield PlaceName.from_row(row)
        finally:
            loop.remove_reader(listener.fileno())
            raw.close()
