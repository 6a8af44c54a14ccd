"""Place names in bulk: from a GeoJSON FeatureCollection, or from the files staff have
(Shapefiles, GeoPackages, CSV and XLSX tables with 名称 and coordinate columns).

Every row is checked as createPlaceName checks a proposal (the naming rules, the name's
jurisdiction, the geometry inside its area, the warnings to acknowledge) and opens its
naming case.  A dry run answers row by row and writes nothing; a real run writes every
row, or, if any fails, none.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection

from db.engine import Database
from db.kinds import PLACE_NAME
from db.queries import edits as queries
from db.queries import names
from db.queries.search import index_new
from domain import approval
from domain.codes import LEVEL_NAMES, check_area_code
from domain.errors import BadUserInput, Text
from domain.naming import toneless_pinyin
from gis.files import Feature, file_format, read_features
from gis.geojson import check_crs_member, position_count
from resolvers import cases, lifecycle
from resolvers.cases import Who
from resolvers.context import RegistryContext
from resolvers.name_checks import (
    NEARBY_METRES,
    NameWarning,
    acknowledged,
    resembling,
    same_name_nearby,
)
from resolvers.place_name_edits import (
    OUTSIDE_AREA_TOLERANCE_M,
    geometry_for,
    proposal_values,
)

Row = dict[str, Any]
MAX_IMPORT_ROWS = 20_000
# Vertices of all the features of one import together (each feature's own limit is
# gis.geojson.MAX_VERTICES): what one worker checks and writes in a few seconds.
MAX_IMPORT_VERTICES = 200_000
FIELDS = ("standard_name", "category", "area_code", "pinyin", "meaning", "origin", "former_names")
# The columns each field is read from unless a mapping says otherwise, as staff name them.
DEFAULT_COLUMNS: dict[str, tuple[str, ...]] = {
    "standard_name": ("标准名称", "标准地名", "名称", "地名", "standardName", "name", "NAME"),
    "category": ("类别", "地名类别", "category"),
    # 区划代: what a UTF-8 .dbf keeps of 区划代码 (10 bytes).
    "area_code": ("区划代码", "行政区划代码", "所在区划代码", "区划代", "areaCode", "area_code"),
    "pinyin": ("拼音", "汉语拼音", "罗马字母拼写", "pinyin"),
    "meaning": ("含义", "meaning"),
    "origin": ("来历", "由来", "origin"),
    "former_names": ("曾用名", "formerNames"),
}
# Category as a file may write it: the code, the GraphQL value, or its Chinese name.
CATEGORY_NAMES = {
    "行政区划": "administrative_area",
    "行政区域": "administrative_area",
    "居民点": "settlement",
    "村庄": "settlement",
    "自然村": "settlement",
    "村": "settlement",
    "道路": "road_street",
    "街巷": "road_street",
    "道路街巷": "road_street",
    "自然地理实体": "natural_feature",
    "纪念地": "memorial_site",
    "文物古迹": "heritage_site",
    "旅游胜地": "heritage_site",
    "设施": "facility",
    "建筑物": "facility",
}
CATEGORIES = (
    "administrative_area",
    "settlement",
    "road_street",
    "natural_feature",
    "memorial_site",
    "heritage_site",
    "facility",
)


@dataclass(frozen=True)
class FeatureOutcome:
    index: int
    ok: bool
    errors: list[str]
    id: int | None
    fields: list[str] = field(default_factory=list)  # the field each error names


@dataclass(frozen=True)
class ImportOutcome:
    dry_run: bool
    ok: bool
    imported: int
    results: list[FeatureOutcome]


@dataclass(frozen=True)
class ImportRow:
    """One row to import: its fields (Python names), its GeoJSON geometry, or what is
    wrong with it before any check."""

    fields: Row
    geometry: Any
    problem: BadUserInput | None = None


def _too_many_vertices(features: Sequence[Any], field: str) -> None:
    total = 0
    for geometry in features:
        coordinates = geometry.get("coordinates") if isinstance(geometry, dict) else None
        total += position_count(coordinates, MAX_IMPORT_VERTICES - total)
        if total > MAX_IMPORT_VERTICES:
            raise BadUserInput(
                Text(
                    f"{field}: 各要素合计超过 {MAX_IMPORT_VERTICES} 个顶点，请分批导入",
                    f"{field}: more than {MAX_IMPORT_VERTICES} vertices in all its features;"
                    " split the import",
                ),
                field,
            )


def _features_of(feature_collection: Any) -> list[Any]:
    if (
        not isinstance(feature_collection, dict)
        or feature_collection.get("type") != "FeatureCollection"
    ):
        raise BadUserInput(
            Text(
                "featureCollection 须为 GeoJSON FeatureCollection",
                "featureCollection must be a GeoJSON FeatureCollection",
            ),
            "featureCollection",
        )
    check_crs_member(feature_collection, "featureCollection")
    features = feature_collection.get("features")
    if not isinstance(features, list) or not features:
        raise BadUserInput(
            Text("featureCollection 中没有要素", "featureCollection has no features"),
            "featureCollection",
        )
    if len(features) > MAX_IMPORT_ROWS:
        raise BadUserInput(
            Text(
                f"featureCollection 的要素超过 {MAX_IMPORT_ROWS} 个",
                f"featureCollection has more than {MAX_IMPORT_ROWS} features",
            ),
            "featureCollection",
        )
    _too_many_vertices(
        [f.get("geometry") if isinstance(f, dict) else None for f in features],
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
    acknowledge: Sequence[str] | None = None,
) -> ImportOutcome:
    """Proposes one place name per GeoJSON feature (properties: standardName or name, and
    optionally areaCode, pinyin, meaning, origin)."""
    lifecycle.actor_id(ctx, "editor", "importPlaceNames")
    features = _features_of(feature_collection)
    default_area = check_area_code(area_code, "areaCode")
    rows = []
    for feature in features:
        properties = (feature.get("properties") or {}) if isinstance(feature, dict) else {}
        fields = {
            "standard_name": str(properties.get("standardName") or properties.get("name") or ""),
            "category": category,
            "area_code": str(properties.get("areaCode") or default_area),
            "pinyin": properties.get("pinyin"),
            "meaning": properties.get("meaning"),
            "origin": properties.get("origin"),
        }
        problem = None
        if not isinstance(feature, dict) or feature.get("type") != "Feature":
            problem = BadUserInput(Text("不是 GeoJSON Feature", "not a GeoJSON Feature"), "feature")
        geometry = feature.get("geometry") if isinstance(feature, dict) else None
        rows.append(ImportRow(fields, geometry, problem))
    return await _import(ctx, rows, dry_run=dry_run, comment=comment, acknowledge=acknowledge)


def _mapped_columns(
    features: list[Feature], mapping: dict[str, str], defaults: Row
) -> dict[str, str | None]:
    """The column each field is read from: the mapping's, else the first default name the
    file has.  A column the mapping names that the file lacks, or a name column missing
    with no default for it, is refused, naming ``mapping``."""
    header = set().union(*(f.properties.keys() for f in features[:50]))
    columns: dict[str, str | None] = {}
    for name in FIELDS:
        given = mapping.get(name)
        if given is not None:
            if given not in header:
                raise BadUserInput(
                    Text(
                        f"mapping: 文件中没有「{given}」列（现有：{'、'.join(sorted(header))}）",
                        f"mapping: the file has no column {given!r}"
                        f" (it has: {', '.join(sorted(header))})",
                    ),
                    "mapping",
                )
            columns[name] = given
        else:
            columns[name] = next((c for c in DEFAULT_COLUMNS[name] if c in header), None)
    for name in ("standard_name", "category", "area_code"):
        if columns[name] is None and defaults.get(name) is None:
            wanted = "、".join(DEFAULT_COLUMNS[name][:3])
            raise BadUserInput(
                Text(
                    f"mapping: 找不到{_FIELD_NAMES[name].zh}列（如 {wanted}），请在 mapping 中指明",
                    f"mapping: no column for {_FIELD_NAMES[name].en} (such as {wanted});"
                    " name it in mapping",
                ),
                "mapping",
            )
    return columns


_FIELD_NAMES = {
    "standard_name": Text("名称", "the name"),
    "category": Text("类别", "the category (or give category)"),
    "area_code": Text("区划代码", "the area code (or give areaCode)"),
}


def _category(value: Any, default: str | None) -> str:
    if value is None or not str(value).strip():
        if default is None:
            raise BadUserInput(Text("类别为空", "the category is empty"), "category")
        return default
    text = str(value).strip()
    found = CATEGORY_NAMES.get(text) or (text.lower() if text.lower() in CATEGORIES else None)
    if found is None:
        raise BadUserInput(
            Text(f"无法识别的类别「{text}」", f"unknown category {text!r}"), "category"
        )
    return found


def _text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)  # a spreadsheet's 371002001001.0
    text = str(value).strip()
    return text or None


def _row(feature: Feature, columns: dict[str, str | None], defaults: Row) -> ImportRow:
    def value(name: str) -> Any:
        column = columns[name]
        return feature.properties.get(column) if column is not None else None

    try:
        formers = _text(value("former_names"))
        fields = {
            "standard_name": _text(value("standard_name")) or "",
            "category": _category(value("category"), defaults.get("category")),
            "area_code": _text(value("area_code")) or defaults.get("area_code") or "",
            "pinyin": _text(value("pinyin")),
            "meaning": _text(value("meaning")),
            "origin": _text(value("origin")),
            "former_names": [n for n in re.split(r"[、，,;；/]", formers) if n] if formers else [],
        }
    except BadUserInput as problem:
        return ImportRow({}, feature.geometry, problem)
    if feature.geometry is None:
        missing = BadUserInput(Text("该行没有几何", "the row has no geometry"), "geometry")
        return ImportRow(fields, None, missing)
    return ImportRow(fields, feature.geometry)


async def import_place_names_file(
    ctx: RegistryContext,
    content: bytes,
    filename: str,
    *,
    mapping: dict[str, str],
    category: str | None,
    area_code: str | None,
    encoding: str | None,
    dry_run: bool,
    comment: str | None,
    acknowledge: Sequence[str] | None = None,
) -> ImportOutcome:
    """Proposes one place name per feature or row of a file; ``mapping`` (field → column)
    says where what is, the Chinese column names staff use being the defaults; several
    categories and areas may come in one file (its columns), ``category`` and
    ``areaCode`` being the defaults for rows that do not say."""
    lifecycle.actor_id(ctx, "editor", "importPlaceNamesFile")
    defaults = {
        "category": category,
        "area_code": check_area_code(area_code, "areaCode") if area_code else None,
    }
    rows = await ctx.database.run(
        lambda _: rows_of_file(
            content, filename, mapping=mapping, defaults=defaults, encoding=encoding
        )
    )
    return await _import(ctx, rows, dry_run=dry_run, comment=comment, acknowledge=acknowledge)


def rows_of_file(
    content: bytes, filename: str, *, mapping: dict[str, str], defaults: Row, encoding: str | None
) -> list[ImportRow]:
    """The rows a file holds, its columns read as ``mapping`` and the defaults say."""
    features = read_features(content, file_format(filename), encoding)
    if not features:
        raise BadUserInput(Text("file: 文件中没有要素", "file: the file has no features"), "file")
    _too_many_vertices([f.geometry for f in features], "file")
    columns = _mapped_columns(features, mapping, defaults)
    return [_row(feature, columns, defaults) for feature in features]


@dataclass
class _Scope:
    """The names of one jurisdiction, as an import checks against them: those the registry
    has, and those of the rows accepted so far."""

    names: dict[str, int] = field(default_factory=dict)  # name → a record's id
    by_pinyin: dict[str, list[Row]] = field(default_factory=dict)
    by_mask: dict[str, list[Row]] = field(default_factory=dict)  # one character masked

    def add(self, record_id: int, name: str, pinyin: str | None) -> None:
        self.names.setdefault(name, record_id)
        other = {"id": record_id, "name": name}
        self.by_pinyin.setdefault(pinyin or toneless_pinyin(name), []).append(other)
        for mask in _masks(name):
            self.by_mask.setdefault(mask, []).append(other)

    def resembling(self, name: str) -> list[Row]:
        found = {
            (o["id"], o["name"]): o
            for o in [
                *self.by_pinyin.get(toneless_pinyin(name), []),
                *(o for mask in _masks(name) for o in self.by_mask.get(mask, [])),
            ]
            if o["name"] != name
        }
        return list(found.values())


def _masks(name: str) -> list[str]:
    return [name[:i] + "\0" + name[i + 1 :] for i in range(len(name))]


@dataclass
class _Checked:
    values: Row | None = None
    geom: Any = None
    warnings: list[NameWarning] = field(default_factory=list)
    error: BadUserInput | None = None


def _check_rows(
    conn: Connection,
    rows: list[ImportRow],
    disallowed: tuple[str, ...],
    acknowledge: Sequence[str] | None,
) -> list[_Checked]:
    """Every row checked as createPlaceName checks a proposal, the batch at once: the
    naming rules in Python; the areas, the jurisdictions' names and the same names close by
    each in one statement; rows accepted count for the rows after them."""
    checked: list[_Checked] = []
    for row in rows:
        try:
            if row.problem is not None:
                raise row.problem
            values = proposal_values(row.fields, disallowed)
            values["area_code"] = check_area_code(values["area_code"], "areaCode")
            checked.append(_Checked(values, geometry_for(row.geometry, values["category"])))
        except BadUserInput as error:
            checked.append(_Checked(error=error))
    good = [c for c in checked if c.error is None]
    inside = queries.geometries_inside_areas(
        conn, [(c.geom, c.values["area_code"]) for c in good if c.values], OUTSIDE_AREA_TOLERANCE_M
    )
    for c, found in zip(good, inside, strict=True):
        assert c.values is not None
        if found is None:
            c.error = lifecycle.no_such_area(c.values["area_code"], "areaCode")
        elif not found:
            c.error = lifecycle.outside_area(c.values["area_code"], OUTSIDE_AREA_TOLERANCE_M)
    good = [c for c in checked if c.error is None and c.values is not None]
    near = names.same_names_near_many(
        conn,
        PLACE_NAME,
        [(c.values["standard_name"], c.values["category"], c.geom) for c in good if c.values],
        metres=NEARBY_METRES,
    )
    for hit in near:
        good[hit["n"]].warnings.append(same_name_nearby(hit))
    scopes: dict[tuple[str, str | None], _Scope] = {}
    for c in good:
        assert c.values is not None
        scope = PLACE_NAME.name_scope(c.values)
        name = c.values["standard_name"]
        index = None
        if scope is not None:
            _, prefix, of_kind = scope
            index = scopes.get((prefix, of_kind))
            if index is None:
                index = scopes[(prefix, of_kind)] = _Scope()
                for other in names.names_of_scope(conn, PLACE_NAME, prefix, kind=of_kind):
                    index.add(int(other["id"]), other["name"], other["pinyin"])
            if name in index.names:
                c.error = lifecycle.name_taken(PLACE_NAME, name, prefix)
                continue
            where = LEVEL_NAMES.get(len(prefix), LEVEL_NAMES[9])
            c.warnings += resembling(name, index.resembling(name), where)
        try:
            # The acknowledgements are the batch's: a row need not raise every one.
            c.warnings = acknowledged(c.warnings, acknowledge, strict=False)
        except BadUserInput as error:
            c.error = error
            continue
        if index is not None:
            index.add(-1 - len(index.names), name, None)  # a row of this batch: no id yet
    return checked


async def _import(
    ctx: RegistryContext,
    rows: list[ImportRow],
    *,
    dry_run: bool,
    comment: str | None,
    acknowledge: Sequence[str] | None,
) -> ImportOutcome:
    who = Who(lifecycle.actor_id(ctx, "editor", "importPlaceNames"), ctx.actor.name)
    disallowed = ctx.settings.disallowed_name_words

    def work(database: Database) -> list[FeatureOutcome]:
        with database.transaction() as conn:
            return import_rows(
                conn,
                rows,
                who=who,
                disallowed=disallowed,
                acknowledge=acknowledge,
                dry_run=dry_run,
                comment=comment,
            )

    results = await ctx.database.run(work)
    ok = all(r.ok for r in results)
    imported = 0 if dry_run or not ok else len(results)
    return ImportOutcome(dry_run=dry_run, ok=ok, imported=imported, results=results)


def import_rows(
    conn: Connection,
    rows: list[ImportRow],
    *,
    who: Who,
    disallowed: tuple[str, ...],
    acknowledge: Sequence[str] | None,
    dry_run: bool,
    comment: str | None,
) -> list[FeatureOutcome]:
    """Checks the rows, and, when every one passes and this is no dry run, writes them:
    the records with their naming cases, their revisions and search keys, each in one
    statement for the batch."""
    checked = _check_rows(conn, rows, disallowed, acknowledge)
    if dry_run or any(c.error is not None for c in checked):
        return [_outcome(n, c) for n, c in enumerate(checked)]
    ids = queries.new_ids(conn, PLACE_NAME, len(checked))
    records = []
    for record_id, c in zip(ids, checked, strict=True):
        assert c.values is not None
        case = cases.open_case(PLACE_NAME, approval.NAMING, c.values, who, None)
        records.append((record_id, c.values, c.geom, case.to_json()))
    queries.insert_many(conn, PLACE_NAME, records, who.id)
    pairs = list(zip(ids, checked, strict=True))
    queries.record_creations(
        conn,
        PLACE_NAME,
        [(i, [w.stored() for w in c.warnings]) for i, c in pairs],
        actor_id=who.id,
        comment=comment,
    )
    index_new(
        conn, PLACE_NAME.entity, [(str(i), PLACE_NAME.names_of(c.values or {})) for i, c in pairs]
    )
    return [FeatureOutcome(n, True, [], i) for n, i in enumerate(ids)]


def _outcome(index: int, checked: _Checked) -> FeatureOutcome:
    if checked.error is None:
        return FeatureOutcome(index, True, [], None)
    error = checked.error
    return FeatureOutcome(index, False, [error.message], None, [error.field or ""])
