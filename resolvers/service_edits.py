"""Editing services: a point in the village that holds it, and the figures its kind has
(beds for elder-care institutions, meals a day for elder dining tables) and no others."""

from __future__ import annotations

from typing import Any

import shapely
from sqlalchemy import Connection

from db.kinds import SERVICE
from db.queries import edits as queries
from domain.errors import BadUserInput
from gis.chinese_crs import CoordinateSystem
from gis.geojson import parse_geometry
from resolvers import lifecycle
from resolvers.context import RegistryContext

Row = dict[str, Any]
MAX_SERVICE_NAME_LENGTH = 100
MAX_FIGURE = 100_000
OUTSIDE_VILLAGE_TOLERANCE_M = 1.0
REQUIRED = ("kind", "name", "geometry")
# The figures only some kinds have: field → (its GraphQL name, the kind that has it).
OWNERS = {
    "elder_care_institution": "elder-care institutions",
    "elder_dining_table": "elder dining tables",
}
KIND_FIELDS = {
    "beds": ("beds", "elder_care_institution"),
    "nursing_beds": ("nursingBeds", "elder_care_institution"),
    "medical_care_combined": ("medicalCareCombined", "elder_care_institution"),
    "dementia_care_unit": ("dementiaCareUnit", "elder_care_institution"),
    "meal_capacity": ("mealCapacity", "elder_dining_table"),
}


def _check_name(name: str, disallowed: tuple[str, ...]) -> str:
    name = name.strip()
    if not name:
        raise BadUserInput("name must not be empty", "name")
    if len(name) > MAX_SERVICE_NAME_LENGTH:
        raise BadUserInput(f"name is longer than {MAX_SERVICE_NAME_LENGTH} characters", "name")
    for word in disallowed:
        if word in name:
            raise BadUserInput(f"name contains the disallowed word {word!r}", "name")
    return name


def _check_kind_fields(fields: Row) -> Row:
    kind = fields["kind"]
    values: Row = {}
    for column, (field, owner) in KIND_FIELDS.items():
        value = fields.get(column)
        if owner != kind:
            if value is not None:
                raise BadUserInput(f"{field}: only {OWNERS[owner]} have {field}", field)
            continue
        if value is None:
            raise BadUserInput(f"{field}: {OWNERS[owner]} need {field}", field)
        if isinstance(value, int) and not isinstance(value, bool):
            least = 1 if column == "meal_capacity" else 0
            if not least <= value <= MAX_FIGURE:
                raise BadUserInput(f"{field} must be between {least} and {MAX_FIGURE}", field)
        values[column] = value
    if kind == "elder_care_institution" and values["nursing_beds"] > values["beds"]:
        raise BadUserInput("nursingBeds cannot exceed beds", "nursingBeds")
    return values


def _check(
    conn: Connection, fields: Row, *, moved: bool, disallowed: tuple[str, ...]
) -> tuple[Row, shapely.Geometry | None]:
    name = _check_name(fields["name"], disallowed)
    kind_values = _check_kind_fields(fields)
    point = parse_geometry(fields["geometry"], "geometry")
    if point.geom_type != "Point":
        raise BadUserInput(f"geometry: a service takes a Point, not {point.geom_type}", "geometry")
    if fields.get("area_code"):
        village = lifecycle.check_village(conn, fields["area_code"], "areaCode")
        if moved:
            lifecycle.check_inside(
                conn,
                point,
                village,
                tolerance_m=OUTSIDE_VILLAGE_TOLERANCE_M,
                area_field="areaCode",
            )
    else:
        found = queries.village_at(conn, point)
        if found is None:
            raise BadUserInput("geometry: no village of the registry holds this point", "geometry")
        village = found
    values = {
        "kind": fields["kind"],
        "name": name,
        "address": (fields.get("address") or "").strip() or None,
        "area_code": village,
        **dict.fromkeys(KIND_FIELDS),
        **kind_values,
    }
    return values, point if moved else None


async def create_service(
    ctx: RegistryContext,
    fields: Row,
    *,
    crs: CoordinateSystem,
    comment: str | None,
    client_mutation_id: str | None,
) -> Row:
    fields = lifecycle.in_wgs84(fields, crs)
    disallowed = ctx.settings.disallowed_name_words

    def check(conn: Connection) -> tuple[Row, shapely.Geometry]:
        values, geom = _check(conn, fields, moved=True, disallowed=disallowed)
        assert geom is not None
        return values, geom

    return await lifecycle.create(
        ctx, SERVICE, check, comment=comment, client_mutation_id=client_mutation_id
    )


async def update_service(
    ctx: RegistryContext,
    id: str,
    version: int,
    given: Row,
    *,
    crs: CoordinateSystem,
    comment: str | None,
    client_mutation_id: str | None,
) -> Row:
    """``given``: the fields the patch names; areaCode null: the village at the point."""
    given = lifecycle.in_wgs84(lifecycle.refuse_nulls(given, REQUIRED), crs)
    disallowed = ctx.settings.disallowed_name_words

    def check(conn: Connection, before: Row) -> tuple[Row, shapely.Geometry | None]:
        fields = {**before, **given}
        if "kind" in given:
            # The figures of the kind it was are dropped, unless given anew.
            for column in KIND_FIELDS:
                fields[column] = given.get(column)
        if "geometry" in given and "area_code" not in given:
            fields["area_code"] = None  # moved: the village at the new point holds it
        moved = bool(given.keys() & {"geometry", "area_code"})
        return _check(conn, fields, moved=moved, disallowed=disallowed)

    return await lifecycle.update(
        ctx, SERVICE, id, version, check, comment=comment, client_mutation_id=client_mutation_id
    )
