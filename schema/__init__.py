"""The GraphQL schema: one module per entity, assembled here."""

from __future__ import annotations

from typing import Any

import strawberry
from graphql import GraphQLError
from strawberry.schema.config import StrawberryConfig
from strawberry.types import ExecutionContext

from schema.documents import Documents
from schema.errors import RegistryErrors
from schema.glossary import document
from schema.limits import QueryLimiter
from schema.mutation import Mutation
from schema.query import Query
from schema.scalars import SCALARS
from schema.service import SERVICE_TYPES
from schema.subscription import Subscription


class RegistrySchema(strawberry.Schema):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        document(self._schema)
        # Parsed and validated documents, shared by every path that runs this schema.
        self.documents = Documents(self._schema)

    def process_errors(
        self, errors: list[GraphQLError], execution_context: ExecutionContext | None = None
    ) -> None:
        # The error policy logs what deserves it (unexpected errors, with their traces and
        # request ids); a client's mistakes are answered, not logged.
        return


def build_schema() -> RegistrySchema:
    return RegistrySchema(
        query=Query,
        mutation=Mutation,
        subscription=Subscription,
        types=SERVICE_TYPES,
        extensions=[RegistryErrors, QueryLimiter],
        config=StrawberryConfig(auto_camel_case=True, scalar_map=SCALARS),
    )
