"""Editing place names: their checks, and bulk import from GeoJSON."""

from __future__ import annotations

from typing import Any

import shapely
import strawberry
from sqlalchemy import Connection
from strawberry.scalars import JSON
from strawberry.types import Info

from db.queries import edits as edit_queries
from db.queries.edits import PLACE_NAME
from db.queries.places import place_names_by_id
from db.settings import get_settings
from gis.geojson import parse_geometry
from resolvers import edits
from resolvers.auth import require
from resolvers.errors import BadUserInput
from resolvers.filters import check_area_code
from resolvers.naming import check_place_name, place_name_pinyin
from schema.context import RegistryContext
from schema.edits import FeatureResult, ImportReport, PlaceNameInput, PlaceNamePatch
from schema.inputs import WGS84, CoordinateSystem
from schema.place_name import PlaceName, PlaceNameCategory

# What geometry each category of place takes.
GEOMETRY_TYPES = {
    "road_street": ("LineString", "MultiLineString"),
    "settlement": ("Point", "Polygon", "MultiPolygon"),
    "administrative_area": ("Point", "Polygon", "MultiPolygon"),
    "memorial_site": ("Point", "Polygon", "MultiPolygon"),
    "heritage_site": ("Point", "Polygon", "MultiPolygon"),
    "facility": ("Point", "Polygon", "MultiPolygon"),
}
# Where a name must be unique among live records of its category: road names within a
# township (9 digits of the code), settlement names within a county (6).
UNIQUE_WITHIN = {"road_street": 9, "settlement": 6}


def unique_name(state: dict[str, Any]) -> tuple[str, str, str | None] | None:
    scope = UNIQUE_WITHIN.get(state["category"])
    if scope is None or not state.get("area_code"):
        return None
    return state["standard_name"], state["area_code"][:scope], state["category"]


PLACE_NAMES = edits.EditTarget(
    spec=PLACE_NAME,
    type_name="PlaceName",
    label="place name",
    rows_by_id=place_names_by_id,
    from_row=PlaceName.from_row,
    on_public_change=edit_queries.notify_place_name_changed,
    unique_name=unique_name,
)
# A place drawn along its area's edge may stray this far outside it.
OUTSIDE_AREA_TOLERANCE_M = 1.0


def _check_geometry(
    conn: Connection, value: Any, category: str, area_code: str
) -> shapely.Geometry:
    geom = parse_geometry(value, "geometry")
    allowed = GEOMETRY_TYPES.get(category)
    if allowed and geom.geom_type not in allowed:
        raise BadUserInput(
            f"geometry: a {category} takes {' or '.join(allowed)}, not {geom.geom_type}", "geometry"
        )
    edits.check_inside(conn, geom, area_code, OUTSIDE_AREA_TOLERANCE_M, "areaCode")
    return geom


def _check_fields(
    conn: Connection, fields: dict[str, Any], before: dict[str, Any] | None
) -> dict[str, Any]:
    """Validates a full set of fields (those of ``before`` changed); returns the columns to
    write."""
    category = fields["category"]
    area_code = check_area_code(fields["area_code"], "areaCode")
    specific, generic = check_place_name(
        fields["standard_name"], category, get_settings().disallowed_name_words
    )
    name = specific + generic
    scope = UNIQUE_WITHIN.get(category)
    # Names registered before the rule may repeat; they are kept until one is renamed.
    unchanged = before is not None and (
        before["standard_name"],
        before["category"],
        (before["area_code"] or "")[:scope],
    ) == (name, category, area_code[:scope])
    if (
        scope
        and not unchanged
        and edit_queries.name_taken(
            conn, PLACE_NAME, name, area_code[:scope], before["id"] if before else None, category
        )
    ):
        where = "township" if scope == 9 else "county"
        raise BadUserInput(f"standardName: {name} is already used in this {where}", "standardName")
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
        "former_names": list(fields.get("former_names") or []),
    }


def create_place_name(
    info: Info[RegistryContext, None],
    input: PlaceNameInput,
    comment: str | None = None,
    client_mutation_id: str | None = None,
    crs: CoordinateSystem = WGS84,
) -> PlaceName:
    fields = edits.fields_of(input, crs)

    def check(conn: Connection) -> tuple[dict[str, Any], shapely.Geometry]:
        values = _check_fields(conn, fields, None)
        geom = _check_geometry(conn, fields["geometry"], values["category"], values["area_code"])
        return values, geom

    return edits.create(info, PLACE_NAMES, check, comment, client_mutation_id)


def update_place_name(
    info: Info[RegistryContext, None],
    id: strawberry.ID,
    version: int,
    patch: PlaceNamePatch,
    comment: str | None = None,
    client_mutation_id: str | None = None,
    crs: CoordinateSystem = WGS84,
) -> PlaceName:
    given = edits.fields_of(patch, crs)

    def check(
        conn: Connection, before: dict[str, Any]
    ) -> tuple[dict[str, Any], shapely.Geometry | None]:
        fields = {**before, **given}
        if "pinyin" not in given and ("standard_name" in given or "category" in given):
            del fields["pinyin"]  # a new name gets new pinyin, unless the editor gives it
        values = _check_fields(conn, fields, before)
        geom = None
        if given.keys() & {"geometry", "category", "area_code"}:
            geom = _check_geometry(
                conn, fields["geometry"], values["category"], values["area_code"]
            )
        return values, geom

    return edits.update(info, PLACE_NAMES, id, version, check, comment, client_mutation_id)


MAX_IMPORT_FEATURES = 5_000


class _Abandon(Exception):
    """Rolls back an import that is a dry run or has failures."""


def import_place_names(
    info: Info[RegistryContext, None],
    feature_collection: JSON,
    category: PlaceNameCategory,
    area_code: str,
    dry_run: bool = True,
    comment: str | None = None,
) -> ImportReport:
    """Proposes one place name per GeoJSON feature (properties: standardName or name, and
    optionally areaCode, pinyin, meaning, origin).  Each feature is checked as
    createPlaceName checks; the import is written all together, or nothing is."""
    require(info.context.actor, "editor", "importPlaceNames")
    actor = edits.actor_id(info)
    if (
        not isinstance(feature_collection, dict)
        or feature_collection.get("type") != "FeatureCollection"
    ):
        raise BadUserInput(
            "featureCollection must be a GeoJSON FeatureCollection", "featureCollection"
        )
    features = feature_collection.get("features")
    if not isinstance(features, list) or not features:
        raise BadUserInput("featureCollection has no features", "featureCollection")
    if len(features) > MAX_IMPORT_FEATURES:
        raise BadUserInput(
            f"featureCollection has more than {MAX_IMPORT_FEATURES} features", "featureCollection"
        )
    default_area = check_area_code(area_code, "areaCode")
    results: list[FeatureResult] = []
    try:
        with info.context.database.transaction() as conn:
            for index, feature in enumerate(features):
                results.append(
                    _import_one(conn, index, feature, category.value, default_area, actor, comment)
                )
            if dry_run or not all(r.ok for r in results):
                raise _Abandon
    except _Abandon:
        pass
    ok = all(r.ok for r in results)
    imported = 0 if dry_run or not ok else len(results)
    if imported == 0:
        results = [FeatureResult(index=r.index, ok=r.ok, errors=r.errors, id=None) for r in results]
    return ImportReport(dry_run=dry_run, ok=ok, imported=imported, results=results)


def _import_one(
    conn: Connection,
    index: int,
    feature: Any,
    category: str,
    default_area: str,
    actor: int,
    comment: str | None,
) -> FeatureResult:
    properties = feature.get("properties") or {} if isinstance(feature, dict) else {}
    fields = {
        "standard_name": str(properties.get("standardName") or properties.get("name") or ""),
        "category": category,
        "area_code": str(properties.get("areaCode") or default_area),
        "pinyin": properties.get("pinyin"),
        "meaning": properties.get("meaning"),
        "origin": properties.get("origin"),
    }
    try:
        # A savepoint per feature: a failed one leaves the others to be checked.
        with conn.begin_nested():
            if not isinstance(feature, dict) or feature.get("type") != "Feature":
                raise BadUserInput("not a GeoJSON Feature", "feature")
            values = _check_fields(conn, fields, None)
            geom = _check_geometry(conn, feature.get("geometry"), category, values["area_code"])
            place_id = edit_queries.insert(conn, PLACE_NAME, values, geom, actor)
            edits.record_change(conn, PLACE_NAMES, place_id, "create", actor, comment, None)
    except BadUserInput as error:
        return FeatureResult(index=index, ok=False, errors=[error.message], id=None)
    return FeatureResult(index=index, ok=True, errors=[], id=strawberry.ID(str(place_id)))
