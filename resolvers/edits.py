"""Editing place names: validated, versioned, reviewed, and recorded as revisions.

Lifecycle: an editor proposes (create, or update: an edited record goes back to review);
a reviewer other than the proposer approves, then publishes; a reviewer retires and
restores.  Each mutation names the version it acts on: a stale one is VERSION_CONFLICT.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import shapely
import strawberry
from sqlalchemy import Connection
from sqlalchemy.exc import IntegrityError
from strawberry.scalars import JSON
from strawberry.types import Info

from db.queries import edits
from db.queries.places import place_names_by_id
from db.settings import get_settings
from gis.geojson import parse_geometry
from resolvers.auth import require
from resolvers.errors import BadUserInput, Forbidden, NotFound, VersionConflict
from resolvers.filters import check_area_code
from resolvers.naming import check_place_name, place_name_pinyin
from schema.context import RegistryContext
from schema.edits import FeatureResult, ImportReport, PlaceNameInput, PlaceNamePatch
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


def _place_id(id: str) -> int:
    if not str(id).isdigit():
        raise BadUserInput(f"id: {id!r} is not a place name id", "id")
    return int(id)


def _actor_id(info: Info[RegistryContext, None]) -> int:
    actor_id = info.context.actor.id
    assert actor_id is not None  # the permission classes let no anonymous caller through
    return actor_id


def _check_geometry(
    conn: Connection, value: Any, category: str, area_code: str
) -> shapely.Geometry:
    geom = parse_geometry(value, "geometry")
    allowed = GEOMETRY_TYPES.get(category)
    if allowed and geom.geom_type not in allowed:
        raise BadUserInput(
            f"geometry: a {category} takes {' or '.join(allowed)}, not {geom.geom_type}", "geometry"
        )
    inside = edits.geometry_inside_area(conn, geom, area_code)
    if inside is None:
        raise BadUserInput(f"areaCode: no area has code {area_code}", "areaCode")
    if not inside:
        raise BadUserInput(f"geometry: lies outside the outline of area {area_code}", "geometry")
    return geom


def _check_fields(conn: Connection, fields: dict[str, Any], place_id: int | None) -> dict[str, Any]:
    """Validates a full set of fields; returns the columns to write."""
    category = fields["category"]
    area_code = check_area_code(fields["area_code"], "areaCode")
    specific, generic = check_place_name(
        fields["standard_name"], category, get_settings().disallowed_name_words
    )
    name = specific + generic
    scope = UNIQUE_WITHIN.get(category)
    if scope and edits.name_taken(conn, name, category, area_code, scope, place_id):
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


def _load(info: Info[RegistryContext, None], place_id: int) -> PlaceName:
    with info.context.database.connect() as conn:
        row = place_names_by_id(conn, [place_id]).get(place_id)
    assert row is not None
    return PlaceName.from_row(row)


MAX_KEY_LENGTH = 200


def _once(
    info: Info[RegistryContext, None],
    client_mutation_id: str | None,
    change: Callable[[Connection, str | None], int],
) -> PlaceName:
    """Runs ``change`` in a transaction, once per client mutation id: a replay (or a second
    copy racing the first) returns the record as it is, and changes nothing."""
    actor = _actor_id(info)
    key = client_mutation_id.strip() if client_mutation_id else None
    if key is not None and not 0 < len(key) <= MAX_KEY_LENGTH:
        raise BadUserInput(
            f"clientMutationId must have 1 to {MAX_KEY_LENGTH} characters", "clientMutationId"
        )
    try:
        with info.context.database.transaction() as conn:
            done = edits.replayed(conn, actor, key) if key else None
            place_id = done if done is not None else change(conn, key)
    except IntegrityError:
        if key is None:
            raise
        with info.context.database.connect() as conn:
            done = edits.replayed(conn, actor, key)
        if done is None:
            raise
        place_id = done
    return _load(info, place_id)


def _locked(conn: Connection, place_id: int, version: int) -> dict[str, Any]:
    current = edits.lock_place_name(conn, place_id)
    if current is None:
        raise NotFound(f"id: no place name has id {place_id}", "id")
    if current["version"] != version:
        raise VersionConflict(
            f"version: the record is at version {current['version']}, not {version};"
            " reload it and edit again",
            "version",
            {"currentVersion": current["version"]},
        )
    return current


def create_place_name(
    info: Info[RegistryContext, None],
    input: PlaceNameInput,
    comment: str | None = None,
    client_mutation_id: str | None = None,
) -> PlaceName:
    require(info.context.actor, "editor", "createPlaceName")
    actor = _actor_id(info)
    fields = {**vars(input), "category": input.category.value}

    def change(conn: Connection, key: str | None) -> int:
        values = _check_fields(conn, fields, None)
        geom = _check_geometry(conn, input.geometry, values["category"], values["area_code"])
        place_id = edits.insert_place_name(conn, {**values, "proposed_by": actor}, geom)
        edits.write_revision(conn, place_id, "create", actor, comment, None, key)
        return place_id

    return _once(info, client_mutation_id, change)


def update_place_name(
    info: Info[RegistryContext, None],
    id: strawberry.ID,
    version: int,
    patch: PlaceNamePatch,
    comment: str | None = None,
    client_mutation_id: str | None = None,
) -> PlaceName:
    require(info.context.actor, "editor", "updatePlaceName")
    actor = _actor_id(info)
    place_id = _place_id(id)

    def change(conn: Connection, key: str | None) -> int:
        current = _locked(conn, place_id, version)
        if current["status"] == "retired":
            raise BadUserInput("id: a retired place name is restored before it is edited", "id")
        before = edits.place_name_snapshot(conn, place_id)
        assert before is not None
        given = {k: v for k, v in vars(patch).items() if v is not None}
        if "category" in given:
            given["category"] = given["category"].value
        fields = {**before, **given}
        if "pinyin" not in given and ("standard_name" in given or "category" in given):
            del fields["pinyin"]  # a new name gets new pinyin, unless the editor gives it
        values = _check_fields(conn, fields, place_id)
        geom = None
        if "geometry" in given or "category" in given or "area_code" in given:
            geom = _check_geometry(
                conn, fields["geometry"], values["category"], values["area_code"]
            )
        edits.update_place_name(conn, place_id, {**values, "proposed_by": actor}, geom)
        edits.write_revision(conn, place_id, "update", actor, comment, before, key)
        return place_id

    return _once(info, client_mutation_id, change)


# operation → (least role, statuses it starts from, status it leads to)
_TRANSITIONS = {
    "approve": ("reviewer", ("proposed",), "approved"),
    "publish": ("reviewer", ("approved",), "published"),
    "retire": ("reviewer", ("proposed", "approved", "published"), "retired"),
    "restore": ("reviewer", ("retired",), None),
}


def change_status(
    info: Info[RegistryContext, None],
    operation: str,
    id: strawberry.ID,
    version: int,
    comment: str | None,
    client_mutation_id: str | None = None,
) -> PlaceName:
    role, sources, target = _TRANSITIONS[operation]
    require(info.context.actor, role, f"{operation}PlaceName")
    actor = _actor_id(info)
    place_id = _place_id(id)

    def change(conn: Connection, key: str | None) -> int:
        current = _locked(conn, place_id, version)
        if current["status"] not in sources:
            raise BadUserInput(
                f"id: a {current['status']} place name cannot be {operation}d"
                f" (only {' or '.join(sources)})",
                "id",
            )
        if operation == "approve" and current["proposed_by"] == actor:
            raise Forbidden("a reviewer cannot approve his own proposal")
        before = edits.place_name_snapshot(conn, place_id)
        new_status = target or edits.status_before_last_retire(conn, place_id) or "proposed"
        edits.set_place_name_status(conn, place_id, new_status)
        edits.write_revision(conn, place_id, operation, actor, comment, before, key)
        if "published" in (current["status"], new_status):  # the public map changes
            edits.notify_place_name_changed(conn, place_id)
        return place_id

    return _once(info, client_mutation_id, change)


def revert_place_name(
    info: Info[RegistryContext, None],
    revision: strawberry.ID,
    version: int,
    comment: str | None = None,
) -> PlaceName:
    """Undoes one revision: the record goes back to the state that revision found (a
    revision that created the record retires it).  The revert is itself a revision."""
    require(info.context.actor, "reviewer", "revertPlaceName")
    actor = _actor_id(info)
    if not str(revision).isdigit():
        raise BadUserInput(f"revision: {revision!r} is not a revision id", "revision")
    with info.context.database.transaction() as conn:
        found = edits.revision_by_id(conn, int(revision))
        if found is None or found["entity"] != "place_name":
            raise NotFound(f"revision: no place-name revision has id {revision}", "revision")
        place_id = found["entity_id"]
        _locked(conn, place_id, version)
        before = edits.place_name_snapshot(conn, place_id)
        if found["before"] is None:
            edits.set_place_name_status(conn, place_id, "retired")
        else:
            edits.restore_place_name_state(conn, place_id, found["before"])
        edits.write_revision(conn, place_id, "revert", actor, comment, before)
        edits.notify_place_name_changed(conn, place_id)
    return _load(info, place_id)


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
    actor = _actor_id(info)
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
            place_id = edits.insert_place_name(conn, {**values, "proposed_by": actor}, geom)
            edits.write_revision(conn, place_id, "create", actor, comment, None)
    except BadUserInput as error:
        return FeatureResult(index=index, ok=False, errors=[error.message], id=None)
    return FeatureResult(index=index, ok=True, errors=[], id=strawberry.ID(str(place_id)))
