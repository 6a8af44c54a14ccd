"""Editing services: a point in the village that holds it, and the figures its kind has
(beds for elder-care institutions, meals a day for elder dining tables) and no others."""

from __future__ import annotations

from typing import Any

import shapely
import strawberry
from sqlalchemy import Connection
from strawberry.types import Info

from db.queries import edits as edit_queries
from db.queries.edits import SERVICE
from db.queries.services import services_by_id
from db.settings import get_settings
from gis.geojson import parse_geometry
from resolvers import edits
from resolvers.errors import BadUserInput
from schema.context import RegistryContext
from schema.edits import ServiceInput, ServicePatch
from schema.inputs import WGS84, CoordinateSystem
from schema.service import Service, service_from_row

SERVICES = edits.EditTarget(
    spec=SERVICE,
    type_name="Service",
    label="service",
    rows_by_id=services_by_id,
    from_row=service_from_row,
)

MAX_SERVICE_NAME_LENGTH = 100
MAX_FIGURE = 100_000
OUTSIDE_VILLAGE_TOLERANCE_M = 1.0
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


def _check_name(name: str) -> str:
    name = name.strip()
    if not name:
        raise BadUserInput("name must not be empty", "name")
    if len(name) > MAX_SERVICE_NAME_LENGTH:
        raise BadUserInput(f"name is longer than {MAX_SERVICE_NAME_LENGTH} characters", "name")
    for word in get_settings().disallowed_name_words:
        if word in name:
            raise BadUserInput(f"name contains the disallowed word {word!r}", "name")
    return name


def _check_kind_fields(fields: dict[str, Any]) -> dict[str, Any]:
    kind = fields["kind"]
    values: dict[str, Any] = {}
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
    conn: Connection, fields: dict[str, Any], moved: bool
) -> tuple[dict[str, Any], shapely.Geometry | None]:
    name = _check_name(fields["name"])
    kind_values = _check_kind_fields(fields)
    point = parse_geometry(fields["geometry"], "geometry")
    if point.geom_type != "Point":
        raise BadUserInput(f"geometry: a service takes a Point, not {point.geom_type}", "geometry")
    if fields.get("area_code"):
        village = edits.check_village(conn, fields["area_code"], "areaCode")
        if moved:
            edits.check_inside(conn, point, village, OUTSIDE_VILLAGE_TOLERANCE_M, "areaCode")
    else:
        found = edit_queries.village_at(conn, point)
        if found is None:
            raise BadUserInput("geometry: no village of the registry holds this point", "geometry")
        village = found
    values = {
        "kind": fields["kind"],
        "name": name,
        "address": (fields.get("address") or "").strip() or None,
        "area_code": village,
        **{column: None for column in KIND_FIELDS},
        **kind_values,
    }
    return values, point if moved else None


def create_service(
    info: Info[RegistryContext, None],
    input: ServiceInput,
    comment: str | None = None,
    client_mutation_id: str | None = None,
    crs: CoordinateSystem = WGS84,
) -> Service:
    fields = edits.fields_of(input, crs)

    def check(conn: Connection) -> tuple[dict[str, Any], shapely.Geometry]:
        values, geom = _check(conn, fields, True)
        assert geom is not None
        return values, geom

    return edits.create(info, SERVICES, check, comment, client_mutation_id)


def update_service(
    info: Info[RegistryContext, None],
    id: strawberry.ID,
    version: int,
    patch: ServicePatch,
    comment: str | None = None,
    client_mutation_id: str | None = None,
    crs: CoordinateSystem = WGS84,
) -> Service:
    given = edits.fields_of(patch, crs)

    def check(
        conn: Connection, before: dict[str, Any]
    ) -> tuple[dict[str, Any], shapely.Geometry | None]:
        fields = {**before, **given}
        if "kind" in given:
            # The figures of the kind it was are dropped, unless given anew.
            for column in KIND_FIELDS:
                fields[column] = given.get(column)
        if "geometry" in given and "area_code" not in given:
            fields["area_code"] = None  # moved: the village at the new point holds it
        return _check(conn, fields, bool(given.keys() & {"geometry", "area_code"}))

    return edits.update(info, SERVICES, id, version, check, comment, client_mutation_id)
