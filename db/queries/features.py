"""OGC API - Features collections: the map layers, one geometry type each, read a page at a
time with filters (CQL2), sorting, chosen properties and an output coordinate system.

A layer whose records take several geometry types (place names: points, streets, areas)
is published as one collection per type, so that a client such as GDAL can write each
to a Shapefile or a conformant GeoPackage.  A page's rows are picked first with only the
columns the filter and the order need, then made into GeoJSON in the database: deep pages
cost as little as the first, and the JSON text goes to the client unparsed.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from sqlalchemy import text

from db.kinds import Layer
from db.queries.layers import LAYERS, filtered_rows
from db.statements import Statement
from domain import cql2
from domain.errors import BadUserInput, Text
from gis.ogc_crs import Box, Crs

# JSON schema types of the layers' attribute types.
JSON_TYPES = {"String": "string", "Integer": "integer", "Number": "number", "Boolean": "boolean"}
NUMERIC = {"Integer", "Number"}
# What each attribute of the layers is, for queryables, schemas and HTML tables.
FIELD_TITLES = {
    "id": ("标识", "Identifier"),
    "code": ("统计用区划代码", "Statistical division code"),
    "name": ("名称", "Name"),
    "level": ("层级（city/county/township/village）", "Level (city, county, township, village)"),
    "parent_code": ("上级区划代码", "Code of the area above"),
    "township_code": ("乡镇（街道）代码", "Township code"),
    "village_code": ("村（居）代码", "Village code"),
    "area_code": ("所在区划代码", "Code of the area it lies in"),
    "households": ("户数", "Households"),
    "population": ("人口", "Population"),
    "elderly": ("60 岁及以上人口", "Residents aged 60 and over"),
    "elderly_share": ("60 岁及以上人口占比", "Share of residents aged 60 and over"),
    "pinyin": ("汉语拼音", "Hanyu Pinyin"),
    "category": ("地名类别", "Place-name category"),
    "red": ("红色地名", "Red place name"),
    "heritage": ("地名文化遗产", "Place-name cultural heritage"),
    "protected": ("地名保护名录", "On the protection list"),
    "length_m": ("长度（米）", "Length (metres)"),
    "kind": ("设施类型", "Kind of service"),
    "address": ("地址", "Address"),
    "beds": ("床位", "Beds"),
    "nursing_beds": ("护理床位", "Nursing beds"),
    "meal_capacity": ("每日供餐能力（人次）", "Meals a day"),
}


@dataclass(frozen=True)
class FeatureCollection:
    name: str
    layer: Layer
    title: str
    description: str
    geometry_type: str  # the GeoJSON type of every feature's geometry
    only: str = "true"  # SQL over the layer's row ``l``: the rows this collection holds
    title_zh: str = ""

    @property
    def geometry(self) -> str:
        """SQL: the row's geometry as the collection's type (a line becomes a MultiLineString
        in a collection of MultiLineStrings)."""
        return "ST_Multi(l.geom)" if self.geometry_type.startswith("Multi") else "l.geom"

    @property
    def fields(self) -> dict[str, str]:
        return self.layer.fields

    @property
    def id_type(self) -> str:
        return "Integer" if self.layer.numeric_id else "String"


def _whole(layer_name: str, geometry_type: str, title_zh: str) -> FeatureCollection:
    layer = LAYERS[layer_name]
    return FeatureCollection(
        layer.name, layer, layer.title, layer.description, geometry_type, title_zh=title_zh
    )


def _place_names(suffix: str, kind: str, geometry_type: str, dimension: int) -> FeatureCollection:
    layer = LAYERS["place-names"]
    return FeatureCollection(
        name=f"place-names-{suffix}",
        layer=layer,
        title=f"Place names ({kind})",
        description=f"{layer.description} This collection holds the places drawn as {kind}.",
        geometry_type=geometry_type,
        only=f"ST_Dimension(l.geom) = {dimension}",
        title_zh={0: "地名（点）", 1: "地名（线：道路街巷）", 2: "地名（面）"}[dimension],
    )


COLLECTIONS: dict[str, FeatureCollection] = {
    collection.name: collection
    for collection in (
        _whole("areas", "MultiPolygon", "行政区划"),
        _whole("villages", "MultiPolygon", "村（居）"),
        _place_names("points", "points", "Point", 0),
        _place_names("lines", "lines: roads and streets", "MultiLineString", 1),
        _place_names("polygons", "areas", "MultiPolygon", 2),
        _whole("roads", "LineString", "村内道路"),
        _whole("services", "Point", "服务设施"),
    )
}


@dataclass
class Query:
    """What a client asked of a collection's items; every value is bound, never formatted."""

    collection: FeatureCollection
    crs: Crs
    box: Box | None = None
    values: list[str] | None = None  # the layer's own filter (?level=, ?kind=)
    tree: cql2.Expression | None = None
    sort: list[tuple[str, bool]] = field(default_factory=list)  # property, descending
    properties: list[str] | None = None
    params: dict[str, Any] = field(default_factory=dict)

    def bind(self, value: Any) -> str:
        name = f"q{len(self.params)}"
        self.params[name] = value
        return f":{name}"

    def where(self) -> str:
        conditions = [self.collection.only]
        if self.box is not None:
            conditions.append(f"l.geom && {self.box.envelope_sql()}")
            self.params.update(self.box.params())
        if self.tree is not None:
            conditions.append(_condition(self, self.tree))
        return " AND ".join(f"({c})" for c in conditions)

    def source(self) -> str:
        self.params["values"] = self.values
        return f"({filtered_rows(self.collection.layer)}) l"

    def order(self) -> str:
        keys = [f"l.{name} {'DESC' if descending else 'ASC'}" for name, descending in self.sort]
        return ", ".join([*keys, "l.id"])


def _type_of(query: Query, scalar: cql2.Scalar) -> str | None:
    """The attribute type of a property (None for a literal)."""
    if isinstance(scalar, cql2.Property):
        if scalar.name == "id":
            return query.collection.id_type
        found = query.collection.fields.get(scalar.name)
        if found is None:
            names = ", ".join(queryable_names(query.collection))
            raise BadUserInput(
                Text(
                    f"filter: 没有属性 {scalar.name!r}；可查询 {names}",
                    f"filter: no property {scalar.name!r}; the queryables are {names}",
                ),
                "filter",
            )
        return found
    return None


def _literal_type(value: cql2.Value) -> str:
    if isinstance(value, bool):
        return "Boolean"
    if isinstance(value, Decimal):
        return "Number"
    return "String"


def _shown(value: cql2.Value) -> str:
    """A literal as the filter wrote it."""
    if isinstance(value, bool):
        return str(value).upper()
    return repr(value) if isinstance(value, str) else str(value)


def _class(type_name: str) -> str:
    return "Number" if type_name in NUMERIC else type_name


def _operand(query: Query, scalar: cql2.Scalar, expected: str | None) -> str:
    if isinstance(scalar, cql2.Property):
        return f"l.{scalar.name}"
    given = _literal_type(scalar.value)
    if expected is not None and _class(expected) != given:
        raise BadUserInput(
            Text(
                f"filter: 值 {_shown(scalar.value)} 的类型与属性不符（应为 {expected}）",
                f"filter: {_shown(scalar.value)} is not of the property's type ({expected})",
            ),
            "filter",
        )
    cast = {"Boolean": "boolean", "Number": "numeric", "String": "text"}[given]
    return f"CAST({query.bind(scalar.value)} AS {cast})"


def _expected(query: Query, scalars: Sequence[cql2.Scalar]) -> str | None:
    """The one type the operands share (a property's), checked across properties."""
    types = {_class(t) for s in scalars if (t := _type_of(query, s)) is not None}
    if len(types) > 1:
        raise BadUserInput(
            Text(
                "filter: 不能比较不同类型的属性", "filter: properties of different types compared"
            ),
            "filter",
        )
    return types.pop() if types else None


def _condition(query: Query, tree: cql2.Expression) -> str:
    match tree:
        case cql2.Logical(operator, parts):
            return f" {operator} ".join(f"({_condition(query, p)})" for p in parts)
        case cql2.Not(part):
            return f"NOT ({_condition(query, part)})"
        case cql2.IsNull(subject, negated):
            _type_of(query, subject)
            return f"{_operand(query, subject, None)} IS {'NOT ' if negated else ''}NULL"
        case cql2.Comparison(operator, left, right):
            expected = _expected(query, [left, right])
            return (
                f"{_operand(query, left, expected)} {operator} {_operand(query, right, expected)}"
            )
        case cql2.Like(subject, pattern, negated):
            if _expected(query, [subject, pattern]) not in ("String", None):
                raise BadUserInput(
                    Text("filter: LIKE 只用于文本", "filter: LIKE compares text only"), "filter"
                )
            return (
                f"{_operand(query, subject, 'String')} {'NOT ' if negated else ''}LIKE"
                f" {_operand(query, pattern, 'String')}"
            )
        case cql2.Between(subject, low, high, negated):
            expected = _expected(query, [subject, low, high])
            if expected != "Number":
                raise BadUserInput(
                    Text("filter: BETWEEN 只用于数值", "filter: BETWEEN compares numbers only"),
                    "filter",
                )
            return (
                f"{_operand(query, subject, expected)} {'NOT ' if negated else ''}BETWEEN"
                f" {_operand(query, low, expected)} AND {_operand(query, high, expected)}"
            )
        case cql2.In(subject, values, negated):
            expected = _expected(query, [subject, *values])
            listed = ", ".join(_operand(query, v, expected) for v in values)
            return f"{_operand(query, subject, expected)} {'NOT ' if negated else ''}IN ({listed})"
    raise AssertionError(tree)  # pragma: no cover


def queryable_names(collection: FeatureCollection) -> list[str]:
    return ["id", *collection.fields]


def _feature_json(query: Query) -> str:
    collection = query.collection
    names = query.properties if query.properties is not None else list(collection.fields)
    properties = ", ".join(f"'{name}', l.{name}" for name in names)
    return (
        "json_build_object('type', 'Feature', 'id', l.id,"
        f" 'geometry', {query.crs.geometry_sql(collection.geometry)}::json,"
        f" 'properties', json_build_object({properties}))"
    )


def items(query: Query, *, limit: int, offset: int) -> Statement:
    """A page of the collection as one JSON array (text, in a column features), how many
    features it holds (returned) and how many match in all (matched)."""
    where = query.where()
    order = query.order()
    sql = text(
        f"""
        SELECT (SELECT count(*) FROM {query.source()} WHERE {where}) AS matched,
               p.returned, p.features
        FROM (
            SELECT count(*) AS returned,
                   coalesce(json_agg({_feature_json(query)} ORDER BY k.n), '[]')::text AS features
            FROM (SELECT l.id, row_number() OVER (ORDER BY {order}) AS n
                  FROM {query.source()} WHERE {where}
                  ORDER BY {order} LIMIT :limit OFFSET :offset) k
            JOIN {query.source()} ON l.id = k.id
        ) p
        """
    )
    return Statement(sql, {**query.params, "limit": limit, "offset": offset})


def item(query: Query, feature_id: str) -> Statement:
    """One feature of the collection by id (its JSON text in a column feature)."""
    sql = text(
        f"SELECT {_feature_json(query)}::text AS feature FROM {query.source()}"
        f" WHERE l.id::text = :feature_id AND ({query.collection.only})"
    )
    return Statement(sql, {**query.params, "feature_id": feature_id})


def extent(collection: FeatureCollection) -> Statement:
    """The collection's bounding box (west, south, east, north), in CRS84."""
    return Statement(
        text(
            "SELECT ST_XMin(e) AS west, ST_YMin(e) AS south, ST_XMax(e) AS east,"
            " ST_YMax(e) AS north FROM (SELECT ST_Extent(l.geom) AS e"
            f" FROM ({collection.layer.rows}) l WHERE {collection.only}) x"
        ),
        {},
    )
