"""Editing place names: their checks, and bulk import from GeoJSON."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import shapely
from shapely import Geometry
from sqlalchemy import Connection

from db.kinds import PLACE_NAME
from db.queries import edits as queries
from domain.codes import check_area_code
from domain.errors import BadUserInput, Text
from domain.naming import (
    check_alternate_names,
    check_place_name,
    place_name_pinyin,
    with_former_names,
)
from gis.chinese_crs import CoordinateSystem
from gis.geojson import parse_geometry
from gis.spatial import Point
from resolvers import lifecycle
from resolvers.context import RegistryContext
from resolvers.filters import point_in_wgs84
from resolvers.lifecycle import Disallowed
from resolvers.name_checks import NameWarning, name_warnings

Row = dict[str, Any]
# What geometry each category of place takes.
GEOMETRY_TYPES = {
    "road_street": ("LineString", "MultiLineString"),
    "settlement": ("Point", "Polygon", "MultiPolygon"),
    "administrative_area": ("Point", "Polygon", "MultiPolygon"),
    "memorial_site": ("Point", "Polygon", "MultiPolygon"),
    "heritage_site": ("Point", "Polygon", "MultiPolygon"),
    "facility": ("Point", "Polygon", "MultiPolygon"),
}
REQUIRED = ("standard_name", "category", "geometry", "area_code")
# A place drawn along its area's edge may stray this far outside it.
OUTSIDE_AREA_TOLERANCE_M = 1.0


def geometry_for(value: Any, category: str) -> Geometry:
    """The geometry given, checked, of a type the category takes."""
    geom = parse_geometry(value, "geometry")
    allowed = GEOMETRY_TYPES.get(category)
    if allowed and geom.geom_type not in allowed:
        raise BadUserInput(
            Text(
                f"geometry: {category} 类地名的几何须为"
                f" {' 或 '.join(allowed)}，不是 {geom.geom_type}",
                f"geometry: a {category} takes {' or '.join(allowed)}, not {geom.geom_type}",
            ),
            "geometry",
        )
    return geom


def check_geometry(conn: Connection, value: Any, category: str, area_code: str) -> Geometry:
    geom = geometry_for(value, category)
    lifecycle.check_inside(
        conn, geom, area_code, tolerance_m=OUTSIDE_AREA_TOLERANCE_M, area_field="areaCode"
    )
    return geom


def check_fields(
    conn: Connection,
    fields: Row,
    before: Row | None,
    disallowed: tuple[str, ...],
    given: Row | None = None,
) -> Row:
    """Validates a full set of fields (those of ``before`` changed by ``given``, the fields
    a patch names; None: all given, as in a proposal); returns the columns to write."""
    values = proposal_values(fields, disallowed, given)
    lifecycle.check_name_free(conn, PLACE_NAME, values, before)
    return values


def proposal_values(fields: Row, disallowed: tuple[str, ...], given: Row | None = None) -> Row:
    """The columns a set of fields writes, checked by the naming rules (everything but
    what needs the database)."""
    category = fields["category"]
    area_code = check_area_code(fields["area_code"], "areaCode")
    specific, generic = check_place_name(fields["standard_name"], category, disallowed)
    name = specific + generic
    pinyin = (fields.get("pinyin") or "").strip() or place_name_pinyin(
        specific, generic, joined=category == "settlement"
    )
    return {
        "standard_name": name,
        "specific_part": specific,
        "generic_part": generic,
        "pinyin": pinyin,
        "category": category,
        "area_code": area_code,
        "meaning": fields.get("meaning"),
        "origin": fields.get("origin"),
        **_names_besides(fields, fields if given is None else given),
    }


def _names_besides(fields: Row, given: Row) -> Row:
    """The alternate names, and the former names among them.  ``alternateNames``, when
    given, is the list (formerNames given with it adds former names it lacks); formerNames
    given alone (the plain list of names it has always been) replaces the former ones."""
    alternates = list(fields.get("alternate_names") or [])
    former = given.get("former_names")
    if "alternate_names" in given:
        listed = {a.get("name") for a in alternates if a.get("kind") == "former"}
        extra = [n for n in former or [] if n not in listed]
        alternates += [{"name": n, "kind": "former", "language": "zh"} for n in extra]
    elif "former_names" in given:
        alternates = with_former_names(alternates, list(former or []))
    checked = check_alternate_names(alternates)
    return {
        "alternate_names": checked,
        "former_names": [a["name"] for a in checked if a["kind"] == "former"],
    }


def _check_new(conn: Connection, fields: Row, disallowed: Disallowed) -> tuple[Row, Geometry]:
    values = check_fields(conn, fields, None, disallowed)
    return values, check_geometry(conn, fields["geometry"], values["category"], values["area_code"])


def _check_change(
    conn: Connection, before: Row, given: Row, disallowed: Disallowed
) -> tuple[Row, Geometry | None]:
    fields = {**before, **given}
    if "pinyin" not in given and ("standard_name" in given or "category" in given):
        del fields["pinyin"]  # a new name gets new pinyin, unless the editor gives it
    values = check_fields(conn, fields, before, disallowed, given)
    geom = None
    if given.keys() & {"geometry", "category", "area_code"}:
        geom = check_geometry(conn, fields["geometry"], values["category"], values["area_code"])
    return values, geom


PLACE_NAME_RULES = lifecycle.EditRules(REQUIRED, _check_new, _check_change)


@dataclass(frozen=True)
class NameCheck:
    """What createPlaceName would say of a name, before anything is written."""

    errors: list[BadUserInput]
    warnings: list[NameWarning]
    pinyin: str | None


async def check_name(
    ctx: RegistryContext,
    name: str,
    *,
    category: str,
    area_code: str,
    near: Point | None,
    crs: CoordinateSystem,
) -> NameCheck:
    """The errors (the naming rules, an identical name in the jurisdiction) and the
    warnings (homophones, names a character off, the same name within 100 m of ``near``)
    that proposing ``name`` would meet."""
    lifecycle.actor_id(ctx, "editor", "checkName")
    place = None
    if near is not None:
        point = point_in_wgs84(near, crs, "near")
        place = shapely.Point(point.lon, point.lat)
    disallowed = ctx.settings.disallowed_name_words
    fields = {"standard_name": name, "category": category, "area_code": area_code}

    def work(conn: Connection) -> NameCheck:
        try:
            code = check_area_code(area_code, "areaCode")
            if queries.area_level(conn, code) is None:
                raise lifecycle.no_such_area(code, "areaCode")
            values = check_fields(conn, fields, None, disallowed)
        except BadUserInput as error:
            return NameCheck([error], [], None)
        warnings = name_warnings(conn, PLACE_NAME, values, place, None)
        return NameCheck([], warnings, values["pinyin"])

    return await ctx.database.read(work)
