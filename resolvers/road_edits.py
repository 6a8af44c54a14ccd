"""Editing village roads (村内道路): a road is named after the place-name rules, lies in its
village, and its name is unique within the township."""

from __future__ import annotations

from typing import Any

import shapely
import strawberry
from sqlalchemy import Connection
from strawberry.types import Info

from db.queries import edits as edit_queries
from db.queries.edits import VILLAGE_ROAD
from db.queries.places import village_roads_by_id
from db.settings import get_settings
from gis.geojson import parse_geometry
from resolvers import edits
from resolvers.errors import BadUserInput
from resolvers.naming import check_place_name, place_name_pinyin
from schema.context import RegistryContext
from schema.edits import VillageRoadInput, VillageRoadPatch
from schema.inputs import WGS84, CoordinateSystem
from schema.place_name import VillageRoad

# Roads often run along a village's edge, and outlines are drawn coarser than roads: a
# road may leave its village by this much before it is refused.
ROAD_OUTSIDE_VILLAGE_TOLERANCE_M = 10.0
TOWNSHIP_DIGITS = 9

VILLAGE_ROADS = edits.EditTarget(
    spec=VILLAGE_ROAD,
    type_name="VillageRoad",
    label="village road",
    rows_by_id=village_roads_by_id,
    from_row=VillageRoad.from_row,
    unique_name=lambda state: (state["name"], state["village_code"][:TOWNSHIP_DIGITS], None),
)


def _check(
    conn: Connection, fields: dict[str, Any], before: dict[str, Any] | None, moved: bool
) -> tuple[dict[str, Any], shapely.Geometry | None]:
    """Validates a full set of fields (those of ``before`` changed); ``moved``: the geometry
    or the village changed, and the road is checked against the village's outline."""
    specific, generic = check_place_name(
        fields["name"], "road_street", get_settings().disallowed_name_words, "name"
    )
    name = specific + generic
    village = edits.check_village(conn, fields["village_code"], "villageCode")
    township = village[:TOWNSHIP_DIGITS]
    unchanged = before is not None and (
        before["name"],
        before["village_code"][:TOWNSHIP_DIGITS],
    ) == (
        name,
        township,
    )
    if not unchanged and edit_queries.name_taken(
        conn, VILLAGE_ROAD, name, township, before["id"] if before else None
    ):
        raise BadUserInput(f"name: {name} is already used in this township", "name")
    geom = None
    if moved:
        geom = parse_geometry(fields["geometry"], "geometry")
        if geom.geom_type != "LineString":
            raise BadUserInput(
                f"geometry: a village road takes a LineString, not {geom.geom_type}", "geometry"
            )
        edits.check_inside(conn, geom, village, ROAD_OUTSIDE_VILLAGE_TOLERANCE_M, "villageCode")
    pinyin = (fields.get("pinyin") or "").strip() or place_name_pinyin(specific, generic)
    return {"name": name, "pinyin": pinyin, "village_code": village}, geom


def create_village_road(
    info: Info[RegistryContext, None],
    input: VillageRoadInput,
    comment: str | None = None,
    client_mutation_id: str | None = None,
    crs: CoordinateSystem = WGS84,
) -> VillageRoad:
    fields = edits.fields_of(input, crs)

    def check(conn: Connection) -> tuple[dict[str, Any], shapely.Geometry]:
        values, geom = _check(conn, fields, None, True)
        assert geom is not None
        return values, geom

    return edits.create(info, VILLAGE_ROADS, check, comment, client_mutation_id)


def update_village_road(
    info: Info[RegistryContext, None],
    id: strawberry.ID,
    version: int,
    patch: VillageRoadPatch,
    comment: str | None = None,
    client_mutation_id: str | None = None,
    crs: CoordinateSystem = WGS84,
) -> VillageRoad:
    given = edits.fields_of(patch, crs)

    def check(
        conn: Connection, before: dict[str, Any]
    ) -> tuple[dict[str, Any], shapely.Geometry | None]:
        fields = {**before, **given}
        if "pinyin" not in given and "name" in given:
            del fields["pinyin"]  # a new name gets new pinyin, unless the editor gives it
        # A road moved to another village is checked against that village's outline.
        moved = bool(given.keys() & {"geometry", "village_code"})
        return _check(conn, fields, before, moved)

    return edits.update(info, VILLAGE_ROADS, id, version, check, comment, client_mutation_id)
