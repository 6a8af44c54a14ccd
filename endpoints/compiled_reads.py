"""GraphQL queries answered by one SQL statement that returns the JSON.

A query the planner (``schema.compiled``) can take is answered here: the document is
parsed (under the same token limit) and validated once per distinct text, measured
against the caller's limits (``schema.limits``: a query over them is left to strawberry,
which refuses it), the plan made once per text, variables and role, and the statement's
one value — the response's ``data``, made by PostgreSQL — is sent as it is.  Everything
else, and any failure on the way (a database error included), goes to strawberry, which
answers as it always has.  ``endpoints.graphql_http`` asks here first.
"""

from __future__ import annotations

import functools
import logging
from dataclasses import dataclass
from typing import Any

import orjson
from graphql import DocumentNode, GraphQLError, specified_rules

from db.engine import Database
from db.settings import Settings
from db.statements import Statement
from domain.roles import Actor
from schema import RegistrySchema
from schema.compiled import compile_read
from schema.limits import over_limit

log = logging.getLogger("registry.compiled_reads")

PLAN_CACHE_SIZE = 4096
# Queries longer than this are left to strawberry (a query worth planning is small).
MAX_PLANNED_QUERY = 64 * 1024


@dataclass(frozen=True)
class Mismatch:
    """A query the two paths answered differently (kept in "check" mode)."""

    body: bytes
    compiled: bytes
    reference: bytes


# Differences found in "check" mode, in this process; the test suite reads them.
MISMATCHES: list[Mismatch] = []
# How many requests each path answered in "check" mode ("compiled", "fallback").
CHECKED: dict[str, int] = {"compiled": 0, "fallback": 0}


class CompiledReads:
    def __init__(self, schema: RegistrySchema, database: Database, settings: Settings) -> None:
        self.schema = schema
        self.database = database
        self.settings = settings
        self.mode = settings.compiled_reads
        self._plan_cached = functools.lru_cache(maxsize=PLAN_CACHE_SIZE)(self._plan)

    def parsed(self, query: str) -> DocumentNode:
        """The document (shared with strawberry's path); raises its ``GraphQLError``."""
        return self.schema.documents.parse(query, self.settings.max_query_tokens)

    def document(self, query: str) -> DocumentNode | None:
        """The parsed document, if it parses and is valid; strawberry reports it otherwise."""
        try:
            document = self.parsed(query)
        except GraphQLError:
            return None
        errors = self.schema.documents.validate(query, document, tuple(specified_rules))
        return None if errors else document

    def _plan(
        self, query: str, operation_name: str | None, variables: bytes, role: str
    ) -> Statement | None:
        """Plans depend on the caller's role only (what statuses it may see)."""
        document = self.document(query)
        if document is None:
            return None
        actor = Actor(id=None, name=role, role=role)
        parsed_variables = orjson.loads(variables)
        limits = self.settings.query_limits(role)
        schema = self.schema._schema
        if over_limit(schema, query, document, operation_name, parsed_variables, limits):
            return None
        return compile_read(
            self.schema,
            document,
            operation_name=operation_name,
            variables=parsed_variables,
            actor=actor,
        )

    def plan(
        self,
        query: str,
        operation_name: str | None,
        variables: dict[str, Any] | None,
        actor: Actor,
    ) -> Statement | None:
        if len(query) > MAX_PLANNED_QUERY:
            return None
        key = orjson.dumps(variables or {}, option=orjson.OPT_SORT_KEYS)
        return self._plan_cached(query, operation_name, key, actor.role)

    async def answer(
        self,
        query: str,
        operation_name: str | None,
        variables: dict[str, Any] | None,
        actor: Actor,
    ) -> bytes | None:
        """The response body for a request the planner takes, or None."""
        statement = self.plan(query, operation_name, variables, actor)
        if statement is None:
            return None
        try:
            (row,) = await self.database.fetch(statement)
        except Exception as error:  # strawberry answers, and reports the failure as always
            if self.mode == "check":
                MISMATCHES.append(Mismatch(query.encode(), f"failed: {error}".encode(), b""))
            log.debug("compiled read failed; strawberry answers", exc_info=True)
            return None
        return b'{"data":' + str(row["data"]).encode() + b"}"
