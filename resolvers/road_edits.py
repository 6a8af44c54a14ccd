"""Editing village roads (村内道路): a road is named after the place-name rules, lies in its
village, and its name is unique within the township."""

from __future__ import annotations

from typing import Any

from shapely import Geometry
from sqlalchemy import Connection

from db.kinds import VILLAGE_ROAD
from domain.errors import BadUserInput, Text
from domain.naming import check_place_name, place_name_pinyin
from gis.geojson import parse_geometry
from resolvers import lifecycle
from resolvers.lifecycle import Disallowed

Row = dict[str, Any]
# Roads often run along a village's edge, and outlines are drawn coarser than roads: a
# road may leave its village by this much before it is refused.
ROAD_OUTSIDE_VILLAGE_TOLERANCE_M = 10.0
REQUIRED = ("name", "village_code", "geometry")


def _check(
    conn: Connection,
    fields: Row,
    before: Row | None,
    *,
    moved: bool,
    disallowed: Disallowed,
) -> tuple[Row, Geometry | None]:
    """Validates a full set of fields (those of ``before`` changed); ``moved``: the geometry
    or the village changed, and the road is checked against the village's outline."""
    specific, generic = check_place_name(fields["name"], "road_street", disallowed, "name")
    name = specific + generic
    village = lifecycle.check_village(conn, fields["village_code"], "villageCode")
    pinyin = (fields.get("pinyin") or "").strip() or place_name_pinyin(specific, generic)
    values = {"name": name, "pinyin": pinyin, "village_code": village}
    lifecycle.check_name_free(conn, VILLAGE_ROAD, values, before)
    geom = None
    if moved:
        geom = parse_geometry(fields["geometry"], "geometry")
        if geom.geom_type != "LineString":
            raise BadUserInput(
                Text(
                    f"geometry: 村内道路的几何须为 LineString，不是 {geom.geom_type}",
                    f"geometry: a village road takes a LineString, not {geom.geom_type}",
                ),
                "geometry",
            )
        lifecycle.check_inside(
            conn,
            geom,
            village,
            tolerance_m=ROAD_OUTSIDE_VILLAGE_TOLERANCE_M,
            area_field="villageCode",
        )
    return values, geom


def _check_new(conn: Connection, fields: Row, disallowed: Disallowed) -> tuple[Row, Geometry]:
    values, geom = _check(conn, fields, None, moved=True, disallowed=disallowed)
    assert geom is not None
    return values, geom


def _check_change(
    conn: Connection, before: Row, given: Row, disallowed: Disallowed
) -> tuple[Row, Geometry | None]:
    fields = {**before, **given}
    if "pinyin" not in given and "name" in given:
        del fields["pinyin"]  # a new name gets new pinyin, unless the editor gives it
    # A road moved to another village is checked against that village's outline.
    moved = bool(given.keys() & {"geometry", "village_code"})
    return _check(conn, fields, before, moved=moved, disallowed=disallowed)


VILLAGE_ROAD_RULES = lifecycle.EditRules(REQUIRED, _check_new, _check_change)
