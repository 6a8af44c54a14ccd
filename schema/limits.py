"""What one GraphQL operation may cost, estimated before anything runs.

The rule, written once and applied on every path (HTTP through strawberry, the compiled
reads, WebSocket): each field costs its weight, and a list multiplies what is selected
under it by the number of items it may hold — ``first`` where the field takes one (capped
as the resolver caps it), else an estimate of how many it holds.  Scalars are free,
except geometries; objects cost one; the analytics, nearest-by-road and searches weigh
what they take of the database.  Depth and aliases are counted on the same walk, with
fragments expanded (each fragment measured once), so the walk is linear in the document.

Figures are compared with the caller's limits (``Settings.query_limits``): the public has
the lowest.  A refusal names the limit and the figure (``QUERY_TOO_COMPLEX``).
"""

from __future__ import annotations

import contextlib
from collections import OrderedDict
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import orjson
from graphql import (
    DirectiveNode,
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    GraphQLField,
    GraphQLList,
    GraphQLNamedType,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLSchema,
    InlineFragmentNode,
    OperationDefinitionNode,
    SelectionSetNode,
    VariableNode,
    get_named_type,
    is_object_type,
)
from graphql.utilities import get_operation_ast, value_from_ast_untyped
from strawberry.extensions import SchemaExtension
from strawberry.schema.schema import validate_document

from db.kinds import EDITABLE_KINDS
from db.settings import QueryLimits
from resolvers.context import RegistryContext
from resolvers.coverage import MAX_SITES
from resolvers.filters import DEFAULT_PAGE_SIZE
from resolvers.pages import MAX_PAGE_SIZE
from resolvers.search import DEFAULT_HITS, MAX_HITS
from resolvers.services import DEFAULT_NEAREST, MAX_NEAREST
from schema.coverage import DEFAULT_GAPS, DEFAULT_VILLAGE_SCORES, MAX_GAPS
from schema.documents import Documents
from schema.reviewable import DEFAULT_HISTORY

# What a call costs besides the rows it returns ("Type.field"); each object returned
# costs 1, each geometry 1 more, other scalars nothing.
WEIGHTS: dict[str, int] = {
    "Query.cityStats": 500,
    "Query.coverage": 4_000,
    "Query.accessibility": 20_000,
    "Query.accessibilityReport": 20_000,
    "Query.suggestSites": 20_000,
    "Query.nearestServices": 20,
    "Query.searchPlaceNames": 50,
    "Query.search": 50,
    # One statement for the areas of a whole list (a DataLoader), not one per area.
    "AdminArea.nearestServices": 2,
    "AdminArea.capacity": 20,
    # An area's outline holds thousands of points (a county's, tens of thousands).
    "AdminArea.geometry": 10,
    "ServiceHit.route": 20,
    "Mutation.importPlaceNames": 5_000,
}
# Nearest services by road walk the network: this many times the straight-line weight.
ROAD_FACTOR = 5
# Scalars that are more than a value: a geometry may hold thousands of coordinates.
HEAVY_SCALARS = {"GeoJSON": 1}
# A field of a mutation writes: it costs at least this much.
MUTATION_WEIGHT = 10
# The connection's page ("totalCount" is a count over the whole filter).
CONNECTION_WEIGHTS = {"totalCount": 5}

# How many items a list without ``first`` may hold (estimates from the data's shape).
LIST_SIZES: dict[str, int] = {
    # An area's children are set by the division system (a township's villages: dozens);
    # its records, which grow, are connections paged by first/last.
    "AdminArea.children": 40,
    "PlaceName.areaChain": 4,
    "VillageRoad.areaChain": 4,
    "Service.areaChain": 4,
}
DEFAULT_LIST_SIZE = 20
# ``first`` of a field: (default when not given, the most the resolver allows).
FIRST_BOUNDS: dict[str, tuple[int, int]] = {
    "Query.nearestServices": (DEFAULT_NEAREST, MAX_NEAREST),
    "AdminArea.nearestServices": (DEFAULT_NEAREST, MAX_NEAREST),
    "Query.searchPlaceNames": (DEFAULT_HITS, MAX_HITS),
    "Query.search": (DEFAULT_HITS, MAX_HITS),
    "Query.suggestSites": (MAX_SITES, MAX_SITES),
    "CoverageReport.gaps": (DEFAULT_GAPS, MAX_GAPS),
    "AccessibilityReport.villages": (DEFAULT_VILLAGE_SCORES, MAX_GAPS),
    "Query.accessibility": (DEFAULT_VILLAGE_SCORES, MAX_GAPS),
    **{
        f"{kind.type_name}.history": (DEFAULT_HISTORY, MAX_PAGE_SIZE)
        for kind in EDITABLE_KINDS.values()
    },
}
CONNECTION_FIRST = (DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE)


@dataclass(frozen=True)
class Measure:
    """What an operation asks for: deepest field, aliases, estimated cost."""

    depth: int
    aliases: int
    cost: int

    def __add__(self, other: Measure) -> Measure:
        return Measure(
            max(self.depth, other.depth), self.aliases + other.aliases, self.cost + other.cost
        )


NOTHING = Measure(0, 0, 0)


def _unwrapped(field: GraphQLField) -> Any:
    kind = field.type
    while isinstance(kind, GraphQLNonNull):
        kind = kind.of_type
    return kind


class _Walk:
    """One walk over an operation.  It reads only the arguments the rule needs (``first``,
    ``by``, the ``if`` of ``@skip``/``@include``), straight from the document and the raw
    variables, and notes which variables it read: the figures depend on those alone."""

    def __init__(
        self, schema: GraphQLSchema, document: DocumentNode, values: dict[str, Any]
    ) -> None:
        self.schema = schema
        self.values = values
        self.read: set[str] = set()
        self.fragments = {
            d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)
        }
        self._fragment_measures: dict[tuple[str, str, int], Measure] = {}

    def selection(
        self, parent: GraphQLNamedType, selections: SelectionSetNode, page: int
    ) -> Measure:
        total = NOTHING
        for node in selections.selections:
            if not self._included(node):
                continue
            if isinstance(node, FieldNode):
                total += self.field(parent, node, page)
            elif isinstance(node, InlineFragmentNode):
                kind = (
                    self.schema.get_type(node.type_condition.name.value)
                    if node.type_condition
                    else parent
                )
                total += self.selection(kind or parent, node.selection_set, page)
            elif isinstance(node, FragmentSpreadNode):
                total += self.fragment(node.name.value, page)
        return total

    def fragment(self, name: str, page: int) -> Measure:
        definition = self.fragments.get(name)
        if definition is None:
            return NOTHING
        key = (name, definition.type_condition.name.value, page)
        if key not in self._fragment_measures:
            # A cycle is refused by validation before any walk; the guard keeps a walk of
            # an unvalidated document finite all the same.
            self._fragment_measures[key] = NOTHING
            kind = self.schema.get_type(definition.type_condition.name.value)
            self._fragment_measures[key] = (
                self.selection(kind, definition.selection_set, page) if kind else NOTHING
            )
        return self._fragment_measures[key]

    def field(self, parent: GraphQLNamedType, node: FieldNode, page: int) -> Measure:
        name = node.name.value
        alias = 1 if node.alias else 0
        fields = getattr(parent, "fields", None)
        if name.startswith("__") or not fields or name not in fields:
            # Introspection answers from the schema in memory; the token limit bounds it.
            return Measure(0, alias, 0)
        definition: GraphQLField = fields[name]
        key = f"{parent.name}.{name}"
        named = get_named_type(definition.type)
        arguments: dict[str, Any] = {
            wanted: self._argument(node, wanted)
            for wanted in ("first", "last", "by")
            if wanted in definition.args
        }
        weight = self._weight(parent, key, name, arguments)
        # Each object a field returns is one row read; a geometry is as much again.
        wrapper = parent.name.endswith("Connection") and name in ("edges", "pageInfo")
        item = (
            0 if wrapper else (1 if hasattr(named, "fields") else HEAVY_SCALARS.get(named.name, 0))
        )
        size, child_page = 1, page
        if "first" in definition.args and named.name.endswith("Connection"):
            child_page = self._first(arguments, FIRST_BOUNDS.get(key, CONNECTION_FIRST))
        elif isinstance(_unwrapped(definition), GraphQLList):
            if "first" in definition.args:
                size = self._first(arguments, FIRST_BOUNDS.get(key, CONNECTION_FIRST))
            elif wrapper:
                size = page
            else:
                size = LIST_SIZES.get(key, DEFAULT_LIST_SIZE)
        below = (
            self.selection(named, node.selection_set, child_page) if node.selection_set else NOTHING
        )
        return Measure(below.depth + 1, alias + below.aliases, weight + size * (item + below.cost))

    def _weight(
        self, parent: GraphQLNamedType, key: str, name: str, arguments: dict[str, Any]
    ) -> int:
        """What the call itself costs, besides the rows it returns."""
        if key in WEIGHTS:
            weight = WEIGHTS[key]
        elif parent.name.endswith("Connection"):
            weight = CONNECTION_WEIGHTS.get(name, 0)
        else:
            weight = 0
        if parent is self.schema.mutation_type:
            weight = max(weight, MUTATION_WEIGHT)
        by = arguments.get("by")
        if isinstance(by, str) and by.upper() != "STRAIGHT":
            weight *= ROAD_FACTOR
        return weight

    @staticmethod
    def _first(arguments: dict[str, Any], bounds: tuple[int, int]) -> int:
        default, most = bounds
        # A page backward (last) is as large as one forward (first).
        first = arguments.get("first")
        if first is None:
            first = arguments.get("last")
        if not isinstance(first, int) or first < 0:
            return default
        return min(first, most)

    def _argument(self, node: FieldNode | DirectiveNode, name: str) -> Any:
        for argument in node.arguments or ():
            if argument.name.value == name:
                value = argument.value
                if isinstance(value, VariableNode):
                    self.read.add(value.name.value)
                    return self.values.get(value.name.value)
                return value_from_ast_untyped(value)
        return None

    def _included(self, node: Any) -> bool:
        for directive in node.directives or ():
            if directive.name.value == "skip" and self._argument(directive, "if") is True:
                return False
            if directive.name.value == "include" and self._argument(directive, "if") is False:
                return False
        return True


def measure(
    schema: GraphQLSchema,
    document: DocumentNode,
    operation_name: str | None,
    variables: dict[str, Any] | None,
) -> Measure | None:
    """The operation's figures; None when there is no such operation (the executor says
    so)."""
    walked = _walk(schema, document, operation_name, variables or {})
    return walked[0] if walked is not None else None


def _walk(
    schema: GraphQLSchema,
    document: DocumentNode,
    operation_name: str | None,
    variables: dict[str, Any],
) -> tuple[Measure, set[str]] | None:
    operation = get_operation_ast(document, operation_name)
    if not isinstance(operation, OperationDefinitionNode):
        return None
    root = schema.get_root_type(operation.operation)
    if not is_object_type(root):
        return None
    assert isinstance(root, GraphQLObjectType)
    defaults = {
        d.variable.name.value: value_from_ast_untyped(d.default_value)
        for d in operation.variable_definitions or ()
        if d.default_value is not None
    }
    walk = _Walk(schema, document, {**defaults, **variables})
    return walk.selection(root, operation.selection_set, 1), walk.read


class Unmeasurable(Exception):
    """A document (not yet validated) the walk could not measure: measured once valid."""


# Figures kept per operation (schema, query text, operation name): the variables the
# walk read, and the figures for each of their values seen.  A map client sends the same
# query with a new point every time; none of that changes the figures.
MEASURES_KEPT = 4096
VALUES_KEPT = 256
_MEASURES: OrderedDict[
    tuple[GraphQLSchema, str, str | None], tuple[tuple[str, ...], dict[bytes, Measure | None]]
] = OrderedDict()


def _values_key(names: tuple[str, ...], variables: dict[str, Any]) -> bytes:
    values = [variables.get(name) for name in names]
    try:
        return orjson.dumps(values)
    except TypeError:  # values JSON cannot hold (a file upload)
        return repr(values).encode()


def _measure_cached(
    schema: GraphQLSchema,
    query: str,
    document: DocumentNode,
    operation_name: str | None,
    variables: dict[str, Any],
) -> Measure | None:
    key = (schema, query, operation_name)
    kept = _MEASURES.get(key)
    if kept is not None:
        names, by_values = kept
        _MEASURES.move_to_end(key)
        values = _values_key(names, variables)
        if values in by_values:
            return by_values[values]
    try:
        walked = _walk(schema, document, operation_name, variables)
    except (TypeError, KeyError, AttributeError, ValueError) as error:
        # Only a document no validation has seen gets here (a field on a type that lacks
        # it, a value of the wrong kind); not kept, measured again once validated.
        raise Unmeasurable() from error
    figures, read = walked if walked is not None else (None, set())
    names = tuple(sorted(read | set(kept[0] if kept else ())))
    by_values = kept[1] if kept is not None and names == kept[0] else {}
    if len(by_values) >= VALUES_KEPT:
        by_values.clear()
    by_values[_values_key(names, variables)] = figures
    _MEASURES[key] = (names, by_values)
    while len(_MEASURES) > MEASURES_KEPT:
        _MEASURES.popitem(last=False)
    return figures


def over_limit(  # noqa: PLR0917
    schema: GraphQLSchema,
    query: str,
    document: DocumentNode,
    operation_name: str | None,
    variables: dict[str, Any] | None,
    limits: QueryLimits,
) -> GraphQLError | None:
    """The error that refuses the operation (``document``, parsed from ``query``), or None
    when it is within ``limits``; ``Unmeasurable`` for an invalid document the walk cannot
    take (validation reports it)."""
    figures = _measure_cached(schema, query, document, operation_name, variables or {})
    if figures is None:
        return None
    for limit, value, most in (
        ("depth", figures.depth, limits.depth),
        ("aliases", figures.aliases, limits.aliases),
        ("cost", figures.cost, limits.cost),
    ):
        if value > most:
            return too_complex(limit, value, most)
    return None


LIMIT_NAMES = {
    "depth": "嵌套深度 depth",
    "aliases": "别名数 aliases",
    "cost": "估算代价 estimated cost",
    "tokens": "词法单元数 tokens",
    "responseBytes": "响应大小 response size (bytes)",
}


def too_complex(limit: str, value: int, most: int) -> GraphQLError:
    return GraphQLError(
        f"查询过于复杂：{LIMIT_NAMES[limit]} {value} 超过上限 {most}。"
        f" / Query too complex: {limit} {value} exceeds the limit of {most}.",
        extensions={"code": "QUERY_TOO_COMPLEX", "limit": limit, "value": value, "max": most},
    )


class QueryLimiter(SchemaExtension):
    """Parses and validates through the schema's shared caches (``schema.documents``), under
    the token limit, and holds every operation strawberry runs (HTTP and WebSocket alike)
    to the caller's limits — measured before validation, which costs far more than the
    measure on a document built to be expensive."""

    def on_operation(self) -> Iterator[None]:
        context = self.execution_context.context
        if isinstance(context, RegistryContext):
            self.execution_context.parse_options["max_tokens"] = context.settings.max_query_tokens
        yield

    def on_parse(self) -> Iterator[None]:
        execution = self.execution_context
        documents = _documents(execution)
        tokens = execution.parse_options.get("max_tokens")
        if documents is not None and execution.query and isinstance(tokens, int):
            # A document that does not parse is left to strawberry, which reports it.
            with contextlib.suppress(GraphQLError):
                execution.graphql_document = documents.parse(execution.query, tokens)
        yield

    def on_validate(self) -> Iterator[None]:
        execution = self.execution_context
        context = execution.context
        document = execution.graphql_document
        if document is None or not isinstance(context, RegistryContext):
            yield
            return
        limits = context.settings.query_limits(context.actor.role)
        arguments = (execution.operation_name, execution.variables, limits)
        schema = execution.schema._schema
        query = execution.query or ""
        try:
            error = over_limit(schema, query, document, *arguments)
            measured = True
        except Unmeasurable:
            error, measured = None, False
        if error is not None:
            execution.pre_execution_errors = [error]
            yield
            return
        documents = _documents(execution)
        rules = tuple(execution.validation_rules)
        if documents is not None and execution.query:
            errors = documents.validate(execution.query, document, rules)
        else:
            errors = validate_document(schema, document, rules)
        if not errors and not measured:
            error = over_limit(schema, query, document, *arguments)
            errors = [error] if error is not None else []
        execution.pre_execution_errors = errors
        yield


def _documents(execution: Any) -> Documents | None:
    documents = getattr(execution.schema, "documents", None)
    return documents if isinstance(documents, Documents) else None
