"""Reads whose one statement returns the response's JSON text, built by PostgreSQL.

The GraphQL layer plans a query's selection into pieces from here (``schema.compiled``);
this module holds all their SQL.  Each piece is an SQL expression of type text that is
already JSON, written exactly as the registry's own JSON encoder writes it (orjson: no
spaces, numbers as Python prints floats), so that a compiled answer is byte for byte the
answer strawberry would give.  Values a client sends are bound parameters, always;
response keys are GraphQL names (letters, digits and underscores), checked before they
are written into the text.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import orjson
from sqlalchemy import text

from db.kinds import Collection
from db.statements import Statement
from domain.codes import CODE_LENGTHS
from gis import OUTPUT_DECIMALS

GRAPHQL_NAME = re.compile(r"^[_A-Za-z][_0-9A-Za-z]*$")
# A bound parameter in SQLAlchemy's text(): ``:name``, not a ``::`` cast.
_PARAMETER = re.compile(r"(?<![:\w\\]):(\w+)(?!:)")
NULL = "'null'"
# Leads every such statement: it names them in the server's logs and statistics.
MARKER = "/* compiled read */"


_SLOT = "\x00"


@functools.lru_cache(maxsize=1024)
def _renamable(sql: str, names: frozenset[str]) -> str:
    """``sql`` with a slot before each of its parameters' names, for a prefix to fill:
    the same few statements are embedded again and again."""
    return _PARAMETER.sub(
        lambda m: f":{_SLOT}{m.group(1)}" if m.group(1) in names else m.group(0), sql
    )


class JsonQuery:
    """One statement being built: its bound parameters and fresh table aliases."""

    def __init__(self) -> None:
        self.params: dict[str, Any] = {}
        self._count = 0

    def _next(self) -> int:
        self._count += 1
        return self._count

    def bind(self, value: Any) -> str:
        name = f"j{self._next()}"
        self.params[name] = value
        return f":{name}"

    def alias(self) -> str:
        return f"t{self._next()}"

    def embed(self, sql: str, params: Mapping[str, Any]) -> str:
        """SQL written with its own parameter names, renamed to names of this statement."""
        prefix = f"e{self._next()}_"
        renamed = _renamable(sql, frozenset(params)).replace(_SLOT, prefix)
        self.params.update({prefix + name: value for name, value in params.items()})
        return renamed

    def constant(self, value: Any) -> str:
        """A value known when planning (a type name), as JSON text."""
        return f"CAST({self.bind(orjson.dumps(value).decode())} AS text)"

    def statement(self, data: str) -> Statement:
        return Statement(text(f"{MARKER} SELECT {data} AS data"), self.params, prepare=True)


def value(expression: str) -> str:
    """A string, integer, boolean or array as JSON; NULL as null."""
    return f"coalesce(to_json({expression})::text, {NULL})"


def number(expression: str) -> str:
    """A float8 as JSON, as orjson writes it (json_float, migration 0009)."""
    return f"json_float({expression})"


def enum_name(expression: str) -> str:
    """An enum stored as its code (``elder_dining_table``), as its GraphQL name."""
    return value(f"upper({expression})")


def geometry(expression: str) -> str:
    return f"coalesce(ST_AsGeoJSON({expression}, {OUTPUT_DECIMALS}), {NULL})"


def json_object(pairs: Sequence[tuple[str, str]]) -> str:
    """An object from (response key, JSON text expression) pairs, in their order."""
    if not pairs:
        return "'{}'"
    parts = []
    for index, (key, expression) in enumerate(pairs):
        if not GRAPHQL_NAME.match(key):
            raise ValueError(f"not a GraphQL name: {key!r}")
        parts.append(f"'{'{' if index == 0 else ','}\"{key}\":' || ({expression})")
    return "(" + " || ".join(parts) + " || '}')"


def json_array(element: str, source: str, order: str) -> str:
    """An array of ``element`` over the rows of ``source`` (a FROM … WHERE …), in order."""
    return (
        f"(SELECT coalesce('[' || string_agg({element}, ',' ORDER BY {order}) || ']', '[]')"
        f" FROM {source})"
    )


def one_or_null(element: str, source: str) -> str:
    return f"coalesce((SELECT {element} FROM {source}), {NULL})"


def case_of(expression: str, branches: Sequence[tuple[str, str]]) -> str:
    """``CASE expression WHEN literal THEN json …`` for the values a column may hold."""
    whens = " ".join(f"WHEN '{literal}' THEN ({json})" for literal, json in branches)
    return f"(CASE {expression} {whens} END)"


# --- what each kind of row gives, by the attribute name of its GraphQL type ----------

# The village rows whose code starts with the area's own, as db.queries.areas sums them.
# The pattern comes from a column here, so LIKE alone cannot use the pattern index: the
# byte-wise range (codes are digits, and ':' follows '9') lets it, LIKE keeps the meaning.
_VILLAGES = (
    " FROM admin_area v WHERE v.level = 'village' AND v.code ~>=~ {t}.code"
    " AND v.code ~<~ ({t}.code || ':') AND v.code LIKE {t}.code || '%'"
)

_REVIEWED = {
    "id": (value, "{t}.id::text"),
    "status": (enum_name, "{t}.status"),
    "version": (value, "{t}.version"),
}

SCALARS: dict[str, dict[str, tuple[Callable[[str], str], str]]] = {
    "service": {
        **_REVIEWED,
        "kind": (enum_name, "{t}.kind"),
        "name": (value, "{t}.name"),
        "address": (value, "{t}.address"),
        "beds": (value, "{t}.beds"),
        "nursing_beds": (value, "{t}.nursing_beds"),
        "medical_care_combined": (value, "{t}.medical_care_combined"),
        "dementia_care_unit": (value, "{t}.dementia_care_unit"),
        "meal_capacity": (value, "{t}.meal_capacity"),
    },
    "place_name": {
        **_REVIEWED,
        "standard_name": (value, "{t}.standard_name"),
        "specific_part": (value, "{t}.specific_part"),
        "generic_part": (value, "{t}.generic_part"),
        "pinyin": (value, "{t}.pinyin"),
        "category": (enum_name, "{t}.category"),
        "meaning": (value, "{t}.meaning"),
        "origin": (value, "{t}.origin"),
        "former_names": (value, "{t}.former_names"),
        "designations": (
            value,
            "ARRAY(SELECT upper(d.designation) FROM place_name_designation d"
            " WHERE d.place_name_id = {t}.id ORDER BY d.designation)",
        ),
    },
    "village_road": {
        **_REVIEWED,
        "name": (value, "{t}.name"),
        "pinyin": (value, "{t}.pinyin"),
        "length_meters": (number, "{t}.length_m"),
    },
    "admin_area": {
        "code": (value, "{t}.code"),
        "name": (value, "{t}.name"),
        "level": (enum_name, "{t}.level"),
        "households": (value, "(SELECT coalesce(sum(v.households), 0)::int" + _VILLAGES + ")"),
        "population": (value, "(SELECT coalesce(sum(v.population), 0)::int" + _VILLAGES + ")"),
        "elderly": (value, "(SELECT coalesce(sum(v.elderly), 0)::int" + _VILLAGES + ")"),
    },
}


def scalar(table: str, attribute: str, alias: str) -> str | None:
    """The JSON of one scalar attribute of a row of ``table`` (None: not one of them)."""
    found = SCALARS.get(table, {}).get(attribute)
    if found is None:
        return None
    as_json, template = found
    return as_json(template.format(t=alias))


# The geometry columns of each table, by the attribute name of its GraphQL field.
GEOMETRIES = {
    "service": {"geometry": "geom"},
    "place_name": {"geometry": "geom"},
    "village_road": {"geometry": "geom"},
    "admin_area": {"geometry": "geom", "representative_point": "rep_point"},
}
# Columns holding an area's code, by the attribute of the field that names the area.
AREA_LINKS = {
    "service": {"area": "area_code"},
    "village_road": {"village": "village_code"},
    "admin_area": {"parent": "parent_code"},
}
CHAIN_CODES = {"service": "area_code", "place_name": "area_code", "village_road": "village_code"}
# Values of a kind column, and what each holds: services by kind (GraphQL type names
# come from the schema).
KIND_COLUMNS = {"service": "kind"}


def area_by_code(code: str, alias: str, element: str) -> str:
    """The area whose code is the expression ``code``, or null."""
    return one_or_null(element, f"admin_area {alias} WHERE {alias}.code = {code}")


def area_chain(code: str, alias: str, element: str) -> str:
    """The areas that hold ``code`` (itself included), smallest first, up to the city —
    as domain.codes.area_chain_codes lists them."""
    lengths = ", ".join(str(n) for n in CODE_LENGTHS)
    return json_array(
        element,
        f"admin_area {alias} WHERE {alias}.code IN (SELECT left({code}, n)"
        f" FROM unnest(ARRAY[{lengths}]) n WHERE length({code}) >= n)",
        f"length({alias}.code) DESC",
    )


def children(code: str, alias: str, element: str) -> str:
    """The areas one level down, by code."""
    return json_array(
        element, f"admin_area {alias} WHERE {alias}.parent_code = {code}", f"{alias}.code"
    )


# --- pages of a collection -------------------------------------------------------------


def table_alias(collection: Collection) -> str:
    return collection.source.split()[-1]


def page_rows(
    query: JsonQuery,
    collection: Collection,
    where_sql: str,
    where_params: Mapping[str, Any],
    *,
    after: Any,
    first: int,
) -> str:
    """FROM the page's rows (one more than ``first``, to tell whether more follow), as the
    collection's own alias, each with its place in the page (page_n, from 1)."""
    alias = table_alias(collection)
    condition = query.embed(where_sql, where_params)
    after_clause = f"{collection.key} > {query.bind(after)}" if after is not None else "true"
    return (
        f"(SELECT {alias}.*, row_number() OVER (ORDER BY {collection.key}) AS page_n FROM"
        f" (SELECT {alias}.* FROM {collection.source} WHERE {after_clause} AND ({condition})"
        f" ORDER BY {collection.key} LIMIT {query.bind(first + 1)}) {alias}) {alias}"
    )


def cursor(query: JsonQuery, cursor_kind: str, key: str) -> str:
    """resolvers.pages.encode_cursor in SQL: URL-safe base64 of ``kind:key``."""
    encoded = (
        f"translate(encode(convert_to({query.bind(cursor_kind + ':')} || ({key})::text, 'UTF8'),"
        " 'base64'), E'+/\\n', '-_')"
    )
    return value(encoded)


def edges(element: str, first_param: str, key: str) -> str:
    """The edges of a page, in key order, without the row that only tells more follow."""
    return (
        f"coalesce('[' || string_agg({element}, ',' ORDER BY {key})"
        f" FILTER (WHERE page_n <= {first_param}) || ']', '[]')"
    )


def has_next(first_param: str) -> str:
    return f"CASE WHEN count(*) > {first_param} THEN 'true' ELSE 'false' END"


def last_key(key: str, first_param: str) -> str:
    return f"max({key}) FILTER (WHERE page_n <= {first_param})"


def first_key(key: str, first_param: str) -> str:
    return f"min({key}) FILTER (WHERE page_n <= {first_param})"


def any_at_or_before(
    query: JsonQuery,
    collection: Collection,
    where_sql: str,
    where_params: Mapping[str, Any],
    *,
    after: Any,
) -> str:
    """Whether a page that starts after ``after`` has records before it (false from the
    start), as resolvers.pages.page_of answers it."""
    if after is None:
        return "'false'"
    condition = query.embed(where_sql, where_params)
    return value(
        f"(SELECT EXISTS (SELECT 1 FROM {collection.source}"
        f" WHERE {collection.key} <= {query.bind(after)} AND ({condition})))"
    )


def page_object(page_source: str, element: str) -> str:
    """One object over all the rows of the page (``element`` aggregates them): one row
    even for an empty page, or for a selection that aggregates nothing (GROUP BY ())."""
    return f"(SELECT {element} FROM {page_source} GROUP BY ())"


def count_of(
    query: JsonQuery, collection: Collection, where_sql: str, where_params: Mapping[str, Any]
) -> str:
    condition = query.embed(where_sql, where_params)
    return value(f"(SELECT count(*) FROM {collection.source} WHERE {condition})")


# --- lists from a statement of their own -----------------------------------------------


def ranked_rows(query: JsonQuery, statement: Statement, alias: str) -> str:
    """FROM the rows of a statement, each with its place in the statement's order (rank_n)."""
    sql = query.embed(statement.sql.text, statement.params)
    return f"(SELECT r.*, row_number() OVER () AS rank_n FROM ({sql}) r) {alias}"


def joined_records(ranked: str, ranked_alias: str, table: str, alias: str, key: str) -> str:
    """FROM ranked rows joined to the records they name by ``key``."""
    return f"{ranked} JOIN {table} {alias} ON {alias}.id = ({ranked_alias}.{key})::bigint"


def data_statement(query: JsonQuery, pairs: Sequence[tuple[str, str]]) -> Statement:
    """The statement whose one row's ``data`` is the response's data object."""
    return query.statement(json_object(pairs))
