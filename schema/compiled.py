"""Read queries planned into one SQL statement that returns the response's JSON.

graphql-core completes every field of every record in Python; for a list of a few
hundred records with a nested relation that is most of a request's time.  A query whose
every selected field is one the planner knows is instead turned into one statement
(``db.queries.json_reads``) whose one value is the response's ``data``, built by
PostgreSQL and handed to the client as it is.

Strawberry stays the schema, the validator and the reference: the planner walks the
document with graphql-core's own field collection and argument coercion (aliases,
fragments, inline fragments on ``Service``, variables, ``@include``/``@skip``), checks
arguments with the very functions the resolvers call (so permissions, status filters and
limits are the same), and gives up — ``None``, strawberry answers — on anything else: a
field it does not know, an argument outside what it plans (``asOf``, a shifted ``crs``
for output, ``by: ROAD``), or any input error, which strawberry then reports as always.
The test suite runs with both answering every request and compares them byte for byte.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import strawberry
from graphql import (
    DocumentNode,
    GraphQLError,
    GraphQLField,
    GraphQLInterfaceType,
    GraphQLObjectType,
    GraphQLOutputType,
    OperationType,
    get_named_type,
)
from graphql.execution import Executor
from graphql.execution.collect_fields import FieldDetails, collect_fields, collect_subfields
from graphql.execution.values import get_argument_values
from strawberry.types.arguments import convert_arguments

from db.kinds import PLACE_NAME, SERVICE
from db.queries import json_reads as j
from db.statements import Statement
from domain.errors import RegistryError
from domain.roles import Actor
from resolvers import records
from resolvers.areas import area_code, areas_request
from resolvers.pages import PageRequest
from resolvers.search import hits_statement
from resolvers.services import nearest_in_straight_line
from schema.area import areas_query
from schema.place_name import place_names_query
from schema.service import TYPE_OF_KIND, DistanceMeasure, kind_values, services_query
from schema.village_road import village_roads_query

# The table behind each GraphQL type of record.
TABLE_OF_TYPE = {
    "PlaceName": "place_name",
    "VillageRoad": "village_road",
    "AdminArea": "admin_area",
    "Service": "service",
    **{kind_type.__name__: "service" for kind_type in TYPE_OF_KIND.values()},
}
# Each service type's value in the kind column.
KIND_OF_TYPE = {kind_type.__name__: kind for kind, kind_type in TYPE_OF_KIND.items()}
_COLLECTION_QUERIES: dict[str, tuple[str, Callable[..., Any]]] = {
    "services": (SERVICE.entity, services_query),
    "placeNames": (PLACE_NAME.entity, place_names_query),
    "villageRoads": ("village_road", village_roads_query),
}

Details = list[FieldDetails]


class NotCompiled(Exception):
    """The planner does not take this query; strawberry answers it."""


def compile_read(
    schema: strawberry.Schema,
    document: DocumentNode,
    *,
    operation_name: str | None,
    variables: dict[str, Any] | None,
    actor: Actor,
) -> Statement | None:
    """The statement that answers a valid query document, or None when strawberry must."""
    executor = Executor.build(
        schema._schema, document, raw_variable_values=variables, operation_name=operation_name
    )
    if isinstance(executor, list) or executor.operation.operation is not OperationType.QUERY:
        return None
    try:
        return _Planner(schema, executor, actor).data()
    except (NotCompiled, RegistryError, GraphQLError):
        return None


def _object_type(type_: GraphQLOutputType) -> GraphQLObjectType:
    named = get_named_type(type_)
    if not isinstance(named, GraphQLObjectType):
        raise NotCompiled(named.name)
    return named


@dataclass
class _Planner:
    strawberry_schema: strawberry.Schema
    executor: Executor[Any]
    actor: Actor

    def __post_init__(self) -> None:
        self.schema = self.strawberry_schema._schema
        self.query = j.JsonQuery()

    # --- graphql-core's field collection and argument coercion -----------------------

    def _grouped(self, collected: Any) -> list[tuple[str, Details]]:
        if collected.new_defer_usages or collected.forbidden_directive_instances:
            raise NotCompiled("@defer")
        return list(collected.grouped_field_set.items())

    def _subfields(self, type_: GraphQLObjectType, details: Details) -> list[tuple[str, Details]]:
        executor = self.executor
        return self._grouped(
            collect_subfields(
                self.schema,
                executor.fragments,
                executor.variable_values,
                executor.operation,
                type_,
                details,
            )
        )

    def _arguments(self, field: GraphQLField, details: Details) -> dict[str, Any]:
        """The arguments as the field's Python resolver receives them."""
        first = details[0]
        if first.fragment_variable_values is not None:
            raise NotCompiled("fragment variables")
        coerced = get_argument_values(field, first.node, self.executor.variable_values)
        definition = field.extensions["strawberry-definition"]
        return convert_arguments(
            coerced,
            definition.arguments,
            scalar_registry=self.strawberry_schema.schema_converter.scalar_registry,
            config=self.strawberry_schema.config,
        )

    def _object(
        self,
        type_: GraphQLObjectType,
        details: Details,
        field_json: Callable[[GraphQLObjectType, GraphQLField, Details], str],
    ) -> str:
        pairs = []
        for key, field_details in self._subfields(type_, details):
            name = field_details[0].node.name.value
            if name == "__typename":
                pairs.append((key, self.query.constant(type_.name)))
            else:
                pairs.append((key, field_json(type_, type_.fields[name], field_details)))
        return j.json_object(pairs)

    # --- the operation -----------------------------------------------------------------

    def data(self) -> Statement:
        executor = self.executor
        root = self.schema.query_type
        assert root is not None
        collected = collect_fields(
            self.schema,
            executor.fragments,
            executor.variable_values,
            root,
            executor.operation,
        )
        pairs = []
        for key, details in self._grouped(collected):
            name = details[0].node.name.value
            if name == "__typename":
                pairs.append((key, self.query.constant(root.name)))
                continue
            if name not in root.fields:  # __schema, __type: introspection, strawberry's
                raise NotCompiled(name)
            field = root.fields[name]
            pairs.append((key, self._root_field(name, field, details)))
        return j.data_statement(self.query, pairs)

    def _root_field(self, name: str, field: GraphQLField, details: Details) -> str:
        arguments = self._arguments(field, details)
        if name in _COLLECTION_QUERIES:
            entity, to_query = _COLLECTION_QUERIES[name]
            query = to_query(**arguments)
            if query.as_of is not None:
                raise NotCompiled("asOf")
            request = records.current_page_request(self.actor, entity, query)
            return self._connection(field.type, details, request)
        if name == "areas":
            return self._connection(field.type, details, areas_request(areas_query(**arguments)))
        if name == "area":
            code = area_code(arguments["code"])
            alias = self.query.alias()
            area_type = get_named_type(field.type)
            element = self._record(area_type, details, alias)
            return j.area_by_code(self.query.bind(code), alias, element)
        if name == "nearestServices":
            return self._nearest(field, details, arguments)
        if name == "searchPlaceNames":
            return self._search(field, details, arguments)
        raise NotCompiled(name)

    # --- lists -------------------------------------------------------------------------

    def _connection(
        self, connection_type: GraphQLOutputType, details: Details, request: PageRequest
    ) -> str:
        if request.backward:
            raise NotCompiled("last")
        query, collection = self.query, request.collection
        connection = _object_type(connection_type)
        alias = j.table_alias(collection)
        key = f"{alias}.{request.key}"
        first = query.bind(request.first)
        where_sql, where_params = request.where.sql(), request.where.params

        def connection_field(
            type_: GraphQLObjectType, field: GraphQLField, field_details: Details
        ) -> str:
            name = field_details[0].node.name.value
            if name == "totalCount":
                return j.count_of(query, collection, where_sql, where_params)
            if name == "edges":
                edge_type = _object_type(field.type)
                return j.edges(self._object(edge_type, field_details, edge_field), first, key)
            if name == "pageInfo":
                info_type = _object_type(field.type)
                return self._object(info_type, field_details, page_info_field)
            raise NotCompiled(name)

        def edge_field(
            type_: GraphQLObjectType, field: GraphQLField, field_details: Details
        ) -> str:
            name = field_details[0].node.name.value
            if name == "node":
                node_type = get_named_type(field.type)
                return self._record(node_type, field_details, alias)
            if name == "cursor":
                return j.cursor(query, request.cursor_kind, key)
            raise NotCompiled(name)

        def page_info_field(
            type_: GraphQLObjectType, field: GraphQLField, field_details: Details
        ) -> str:
            name = field_details[0].node.name.value
            if name == "hasNextPage":
                return j.has_next(first)
            if name == "endCursor":
                return j.cursor(query, request.cursor_kind, j.last_key(key, first))
            if name == "startCursor":
                return j.cursor(query, request.cursor_kind, j.first_key(key, first))
            if name == "hasPreviousPage":
                return j.any_at_or_before(
                    query, collection, where_sql, where_params, after=request.after
                )
            raise NotCompiled(name)

        element = self._object(connection, details, connection_field)
        source = j.page_rows(
            query, collection, where_sql, where_params, after=request.after, first=request.first
        )
        return j.page_object(source, element)

    def _nearest(self, field: GraphQLField, details: Details, arguments: dict[str, Any]) -> str:
        if arguments["by"] is not DistanceMeasure.STRAIGHT:
            raise NotCompiled("by road")
        statement = nearest_in_straight_line(
            arguments["near"].to_point(),
            kinds=kind_values(arguments["kinds"]),
            first=arguments["first"],
            max_distance_meters=arguments["max_distance_meters"],
            crs=arguments["crs"],
        )
        query = self.query
        ranked, service = query.alias(), query.alias()
        hit_type = _object_type(field.type)

        def hit_field(type_: GraphQLObjectType, hit: GraphQLField, field_details: Details) -> str:
            name = field_details[0].node.name.value
            if name == "service":
                service_type = get_named_type(hit.type)
                return self._record(service_type, field_details, service)
            if name == "distanceMeters":
                return j.number(f"{ranked}.distance_m")
            if name in ("roadDistanceMeters", "route"):
                self._arguments(hit, field_details)  # checked as strawberry checks them
                return j.NULL  # asked for in a straight line: neither is measured
            raise NotCompiled(name)

        element = self._object(hit_type, details, hit_field)
        source = j.joined_records(
            j.ranked_rows(query, statement, ranked), ranked, "service", service, "id"
        )
        return j.json_array(element, source, f"{ranked}.rank_n")

    def _search(self, field: GraphQLField, details: Details, arguments: dict[str, Any]) -> str:
        statement = hits_statement(
            arguments["query"], arguments["first"], [PLACE_NAME.entity], self.actor
        )
        if statement is None:
            return "'[]'"
        query = self.query
        ranked, record = query.alias(), query.alias()
        record_type = get_named_type(field.type)
        element = self._record(record_type, details, record)
        source = j.joined_records(
            j.ranked_rows(query, statement, ranked), ranked, "place_name", record, "entity_key"
        )
        return j.json_array(element, source, f"{ranked}.rank_n")

    # --- records -----------------------------------------------------------------------

    def _record(self, type_: Any, details: Details, alias: str) -> str:
        """A record of the row ``alias``; a service as the type of its kind."""
        if isinstance(type_, GraphQLObjectType):
            return self._object(type_, details, lambda t, f, d: self._record_field(t, f, d, alias))
        if not isinstance(type_, GraphQLInterfaceType) or type_.name != "Service":
            raise NotCompiled(type_.name)
        kind_types = self.schema.get_possible_types(type_)

        def record(kind_type: GraphQLObjectType) -> str:
            return self._object(
                kind_type, details, lambda t, f, d: self._record_field(t, f, d, alias)
            )

        selections = {self._selection_shape(kind_type, details) for kind_type in kind_types}
        if len(selections) == 1:
            # No fragment on one kind and no __typename: every kind answers alike.
            return record(kind_types[0])
        branches = [(KIND_OF_TYPE[kind_type.name], record(kind_type)) for kind_type in kind_types]
        return j.case_of(f"{alias}.{j.KIND_COLUMNS['service']}", branches)

    def _selection_shape(self, type_: GraphQLObjectType, details: Details) -> tuple[Any, ...]:
        """What a selection asks of one runtime type: response keys and the very field
        nodes; __typename names the type, so a selection with it differs by kind."""
        shape = []
        for key, field_details in self._subfields(type_, details):
            name = field_details[0].node.name.value
            nodes = tuple(id(d.node) for d in field_details)
            shape.append((key, type_.name if name == "__typename" else nodes))
        return tuple(shape)

    def _record_field(
        self, type_: GraphQLObjectType, field: GraphQLField, details: Details, alias: str
    ) -> str:
        table = TABLE_OF_TYPE.get(type_.name)
        if table is None:
            raise NotCompiled(type_.name)
        attribute = field.extensions["strawberry-definition"].python_name
        if not field.args:
            found = j.scalar(table, attribute, alias)
            if found is not None:
                return found
        column = j.GEOMETRIES.get(table, {}).get(attribute)
        if column is not None:
            if self._arguments(field, details)["crs"].shifted:
                raise NotCompiled("crs")
            return j.geometry(f"{alias}.{column}")
        area_type = get_named_type(field.type)
        link = j.AREA_LINKS.get(table, {}).get(attribute)
        if link is not None:
            inner = self.query.alias()
            return j.area_by_code(f"{alias}.{link}", inner, self._record(area_type, details, inner))
        if attribute == "area_chain" and table in j.CHAIN_CODES:
            inner = self.query.alias()
            element = self._record(area_type, details, inner)
            return j.area_chain(f"{alias}.{j.CHAIN_CODES[table]}", inner, element)
        if attribute == "children" and table == "admin_area":
            inner = self.query.alias()
            return j.children(f"{alias}.code", inner, self._record(area_type, details, inner))
        raise NotCompiled(f"{type_.name}.{attribute}")
