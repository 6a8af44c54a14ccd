"""Editing place names: their checks, and bulk import from GeoJSON."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import shapely
from shapely import Geometry
from sqlalchemy import Connection

from db.engine import Database
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
from gis.geojson import check_crs_member, parse_geometry, position_count
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
MAX_IMPORT_FEATURES = 5_000
# Vertices of all the features of one import together (each feature's own limit is
# gis.geojson.MAX_VERTICES): what one worker checks and writes in a few seconds.
MAX_IMPORT_VERTICES = 200_000


def _check_geometry(conn: Connection, value: Any, category: str, area_code: str) -> Geometry:
    geom = parse_geometry(value, "geometry")
    allowed = GEOMETRY_TYPES.get(category)
    if allowed and geom.geom_type not in allowed:
        raise BadUserInput(
            f"geometry: a {category} takes {' or '.join(allowed)}, not {geom.geom_type}", "geometry"
        )
    lifecycle.check_inside(
        conn, geom, area_code, tolerance_m=OUTSIDE_AREA_TOLERANCE_M, area_field="areaCode"
    )
    return geom


def _check_fields(
    conn: Connection,
    fields: Row,
    before: Row | None,
    disallowed: tuple[str, ...],
    given: Row | None = None,
) -> Row:
    """Validates a full set of fields (those of ``before`` changed by ``given``, the fields
    a patch names; None: all given, as in a proposal); returns the columns to write."""
    category = fields["category"]
    area_code = check_area_code(fields["area_code"], "areaCode")
    specific, generic = check_place_name(fields["standard_name"], category, disallowed)
    name = specific + generic
    pinyin = (fields.get("pinyin") or "").strip() or place_name_pinyin(
        specific, generic, joined=category == "settlement"
    )
    values = {
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
    lifecycle.check_name_free(conn, PLACE_NAME, values, before)
    return values


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
    values = _check_fields(conn, fields, None, disallowed)
    return values, _check_geometry(
        conn, fields["geometry"], values["category"], values["area_code"]
    )


def _check_change(
    conn: Connection, before: Row, given: Row, disallowed: Disallowed
) -> tuple[Row, Geometry | None]:
    fields = {**before, **given}
    if "pinyin" not in given and ("standard_name" in given or "category" in given):
        del fields["pinyin"]  # a new name gets new pinyin, unless the editor gives it
    values = _check_fields(conn, fields, before, disallowed, given)
    geom = None
    if given.keys() & {"geometry", "category", "area_code"}:
        geom = _check_geometry(conn, fields["geometry"], values["category"], values["area_code"])
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
                raise BadUserInput(
                    Text(
                        f"areaCode: 没有代码为 {code} 的区划", f"areaCode: no area has code {code}"
                    ),
                    "areaCode",
                )
            values = _check_fields(conn, fields, None, disallowed)
        except BadUserInput as error:
            return NameCheck([error], [], None)
        warnings = name_warnings(conn, PLACE_NAME, values, place, None)
        return NameCheck([], warnings, values["pinyin"])

    return await ctx.database.read(work)


@dataclass(frozen=True)
class FeatureOutcome:
    index: int
    ok: bool
    errors: list[str]
    id: int | None


@dataclass(frozen=True)
class ImportOutcome:
    dry_run: bool
    ok: bool
    imported: int
    results: list[FeatureOutcome]


class _Abandon(Exception):
    """Rolls back an import that is a dry run or has failures."""


def _features_of(feature_collection: Any) -> list[Any]:
    if (
        not isinstance(feature_collection, dict)
        or feature_collection.get("type") != "FeatureCollection"
    ):
        raise BadUserInput(
            "featureCollection must be a GeoJSON FeatureCollection", "featureCollection"
        )
    check_crs_member(feature_collection, "featureCollection")
    features = feature_collection.get("features")
    if not isinstance(features, list) or not features:
        raise BadUserInput("featureCollection has no features", "featureCollection")
    if len(features) > MAX_IMPORT_FEATURES:
        raise BadUserInput(
            f"featureCollection has more than {MAX_IMPORT_FEATURES} features", "featureCollection"
        )
    total = 0
    for feature in features:
        geometry = feature.get("geometry") if isinstance(feature, dict) else None
        coordinates = geometry.get("coordinates") if isinstance(geometry, dict) else None
        total += position_count(coordinates, MAX_IMPORT_VERTICES - total)
        if total > MAX_IMPORT_VERTICES:
            raise BadUserInput(
                f"featureCollection: 各要素合计超过 {MAX_IMPORT_VERTICES} 个顶点 / more than"
                f" {MAX_IMPORT_VERTICES} vertices in all its features; split the import",
                "featureCollection",
            )
    return features


async def import_place_names(
    ctx: RegistryContext,
    feature_collection: Any,
    *,
    category: str,
    area_code: str,
    dry_run: bool,
    comment: str | None,
) -> ImportOutcome:
    """Proposes one place name per GeoJSON feature (properties: standardName or name, and
    optionally areaCode, pinyin, meaning, origin).  Each feature is checked as
    createPlaceName checks; the import is written all together, or nothing is."""
    actor = lifecycle.actor_id(ctx, "editor", "importPlaceNames")
    features = _features_of(feature_collection)
    default_area = check_area_code(area_code, "areaCode")
    disallowed = ctx.settings.disallowed_name_words

    def work(database: Database) -> list[FeatureOutcome]:
        results: list[FeatureOutcome] = []
        try:
            with database.transaction() as conn:
                for index, feature in enumerate(features):
                    fields = _import_fields(feature, category, default_area)
                    results.append(
                        _import_one(
                            conn,
                            index,
                            feature,
                            fields=fields,
                            actor=actor,
                            comment=comment,
                            disallowed=disallowed,
                        )
                    )
                if dry_run or not all(r.ok for r in results):
                    raise _Abandon
        except _Abandon:
            pass
        return results

    results = await ctx.database.run(work)
    ok = all(r.ok for r in results)
    imported = 0 if dry_run or not ok else len(results)
    if imported == 0:
        results = [FeatureOutcome(r.index, r.ok, r.errors, None) for r in results]
    return ImportOutcome(dry_run=dry_run, ok=ok, imported=imported, results=results)


def _import_fields(feature: Any, category: str, default_area: str) -> Row:
    properties = (feature.get("properties") or {}) if isinstance(feature, dict) else {}
    return {
        "standard_name": str(properties.get("standardName") or properties.get("name") or ""),
        "category": category,
        "area_code": str(properties.get("areaCode") or default_area),
        "pinyin": properties.get("pinyin"),
        "meaning": properties.get("meaning"),
        "origin": properties.get("origin"),
    }


def _import_one(
    conn: Connection,
    index: int,
    feature: Any,
    *,
    fields: Row,
    actor: int,
    comment: str | None,
    disallowed: tuple[str, ...],
) -> FeatureOutcome:
    try:
        # A savepoint per feature: a failed one leaves the others to be checked.
        with conn.begin_nested():
            if not isinstance(feature, dict) or feature.get("type") != "Feature":
                raise BadUserInput("not a GeoJSON Feature", "feature")
            values = _check_fields(conn, fields, None, disallowed)
            geom = _check_geometry(
                conn, feature.get("geometry"), values["category"], values["area_code"]
            )
            place_id = queries.insert(conn, PLACE_NAME, values, geom, actor)
            lifecycle.record_change(
                conn, PLACE_NAME, place_id, "create", actor=actor, comment=comment, before=None
            )
    except BadUserInput as error:
        return FeatureOutcome(index, False, [error.message], None)
    return FeatureOutcome(index, True, [], place_id)
