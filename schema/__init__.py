"""GraphQL schema: one module per entity, assembled here."""

from __future__ import annotations

import strawberry
from graphql import GraphQLError
from strawberry.schema.config import StrawberryConfig
from strawberry.types import ExecutionContext

from schema.extensions import ErrorCodes
from schema.query import Query
from schema.scalars import SCALARS
from schema.service import SERVICE_TYPES


class RegistrySchema(strawberry.Schema):
    def process_errors(
        self, errors: list[GraphQLError], execution_context: ExecutionContext | None = None
    ) -> None:
        # ErrorCodes has logged what deserves it (unexpected errors, with their traces);
        # a client's mistakes are answered, not logged.
        return


def build_schema() -> strawberry.Schema:
    return RegistrySchema(
        query=Query,
        types=SERVICE_TYPES,
        extensions=[ErrorCodes],
        config=StrawberryConfig(auto_camel_case=True, scalar_map=SCALARS),
    )
