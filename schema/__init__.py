"""The GraphQL schema: one module per entity, assembled here."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

import strawberry
from graphql import GraphQLError
from strawberry.extensions import ParserCache, ValidationCache
from strawberry.schema.config import StrawberryConfig
from strawberry.types import ExecutionContext

from schema.errors import RegistryErrors
from schema.limits import QueryLimiter
from schema.mutation import Mutation
from schema.query import Query
from schema.scalars import SCALARS
from schema.service import SERVICE_TYPES
from schema.subscription import Subscription

# Distinct query texts whose parsed and validated documents are kept: clients send the
# same few queries again and again, and validation costs more than running most of them.
DOCUMENT_CACHE_SIZE = 1024


class DocumentCache(ParserCache):
    """strawberry's parser cache, except that a document that does not parse is left to
    strawberry, which reports it as every other error of the request (with its code)."""

    def on_parse(self) -> Iterator[None]:
        with contextlib.suppress(GraphQLError):
            self.execution_context.graphql_document = self.cached_parse_document(
                self.execution_context.query, **self.execution_context.parse_options
            )
        yield


class RegistrySchema(strawberry.Schema):
    def process_errors(
        self, errors: list[GraphQLError], execution_context: ExecutionContext | None = None
    ) -> None:
        # The error policy logs what deserves it (unexpected errors, with their traces and
        # request ids); a client's mistakes are answered, not logged.
        return


def build_schema() -> strawberry.Schema:
    return RegistrySchema(
        query=Query,
        mutation=Mutation,
        subscription=Subscription,
        types=SERVICE_TYPES,
        extensions=[
            RegistryErrors,
            lambda: DocumentCache(maxsize=DOCUMENT_CACHE_SIZE),
            lambda: ValidationCache(maxsize=DOCUMENT_CACHE_SIZE),
            # After the validation cache: measures documents that are valid.
            QueryLimiter,
        ],
        config=StrawberryConfig(auto_camel_case=True, scalar_map=SCALARS),
    )
