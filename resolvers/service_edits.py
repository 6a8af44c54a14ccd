"""Editing services: a point in the village that holds it, and the figures its kind has
(beds for elder-care institutions, meals a day for elder dining tables) and no others."""

from __future__ import annotations

from typing import Any

from shapely import Geometry
from sqlalchemy import Connection

from db.queries import edits as queries
from domain.errors import BadUserInput, Text
from gis.geojson import parse_geometry
from resolvers import lifecycle
from resolvers.lifecycle import Disallowed

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


def _check_name(name: str, disallowed: Disallowed) -> str:
    name = name.strip()
    if not name:
        raise BadUserInput(Text("name 不能为空", "name must not be empty"), "name")
    if len(name) > MAX_SERVICE_NAME_LENGTH:
        raise BadUserInput(
            Text(
                f"name 不得超过 {MAX_SERVICE_NAME_LENGTH} 个字符",
                f"name is longer than {MAX_SERVICE_NAME_LENGTH} characters",
            ),
            "name",
        )
    for word in disallowed:
        if word in name:
            raise BadUserInput(
                Text(f"name 含有禁用字词 {word!r}", f"name contains the disallowed word {word!r}"),
                "name",
            )
    return name


def _check_kind_fields(fields: Row) -> Row:
    kind = fields["kind"]
    values: Row = {}
    for column, (field, owner) in KIND_FIELDS.items():
        value = fields.get(column)
        if owner != kind:
            if value is not None:
                raise BadUserInput(
                    Text(
                        f"{field}: 仅 {OWNERS[owner]} 有 {field}",
                        f"{field}: only {OWNERS[owner]} have {field}",
                    ),
                    field,
                )
            continue
        if value is None:
            raise BadUserInput(
                Text(
                    f"{field}: {OWNERS[owner]} 须有 {field}",
                    f"{field}: {OWNERS[owner]} need {field}",
                ),
                field,
            )
        if isinstance(value, int) and not isinstance(value, bool):
            least = 1 if column == "meal_capacity" else 0
            if not least <= value <= MAX_FIGURE:
                raise BadUserInput(
                    Text(
                        f"{field} 须在 {least} 至 {MAX_FIGURE} 之间",
                        f"{field} must be between {least} and {MAX_FIGURE}",
                    ),
                    field,
                )
        values[column] = value
    if kind == "elder_care_institution" and values["nursing_beds"] > values["beds"]:
        raise BadUserInput(
            Text("nursingBeds 不得多于 beds", "nursingBeds cannot exceed beds"), "nursingBeds"
        )
    return values


def _check(
    conn: Connection, fields: Row, *, moved: bool, disallowed: Disallowed
) -> tuple[Row, Geometry | None]:
    name = _check_name(fields["name"], disallowed)
    kind_values = _check_kind_fields(fields)
    point = parse_geometry(fields["geometry"], "geometry")
    if point.geom_type != "Point":
        raise BadUserInput(
            Text(
                f"geometry: 服务设施的几何须为 Point，不是 {point.geom_type}",
                f"geometry: a service takes a Point, not {point.geom_type}",
            ),
            "geometry",
        )
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
            raise BadUserInput(
                Text(
                    "geometry: 该点不在本登记系统的任何村内",
                    "geometry: no village of the registry holds this point",
                ),
                "geometry",
            )
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


def _check_new(conn: Connection, fields: Row, disallowed: Disallowed) -> tuple[Row, Geometry]:
    values, geom = _check(conn, fields, moved=True, disallowed=disallowed)
    assert geom is not None
    return values, geom


def _check_change(
    conn: Connection, before: Row, given: Row, disallowed: Disallowed
) -> tuple[Row, Geometry | None]:
    """areaCode null in a patch: the village at the point holds the service."""
    fields = {**before, **given}
    if "kind" in given:
        # The figures of the kind it was are dropped, unless given anew.
        for column in KIND_FIELDS:
            fields[column] = given.get(column)
    if "geometry" in given and "area_code" not in given:
        fields["area_code"] = None  # moved: the village at the new point holds it
    moved = bool(given.keys() & {"geometry", "area_code"})
    return _check(conn, fields, moved=moved, disallowed=disallowed)


SERVICE_RULES = lifecycle.EditRules(REQUIRED, _check_new, _check_change)
