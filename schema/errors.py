"""Gives every GraphQL error an ``extensions.code`` and hides internals.

Applied to every result the HTTP endpoint sends, wherever the error arose (parsing,
validation, variables, resolvers).

Domain errors (``resolvers.errors``) keep their message and get their code from one table;
errors graphql-core raises for a malformed request keep theirs; anything else becomes a
plain "Internal server error" so that no stack trace or SQL text reaches the client.
"""

from __future__ import annotations

import logging
from typing import Any

from graphql import GraphQLError
from sqlalchemy.exc import OperationalError

from resolvers.errors import INTERNAL_ERROR_CODE, RegistryError, code_for, unavailable

log = logging.getLogger("registry")


def _with_code(error: GraphQLError, message: str, extensions: dict[str, Any]) -> GraphQLError:
    return GraphQLError(
        message,
        nodes=error.nodes,
        source=error.source,
        positions=error.positions,
        path=error.path,
        extensions=extensions,
    )


def _request_error_code(error: GraphQLError) -> str:
    """Code of an error graphql-core raised about the request itself."""
    if error.message.startswith("Syntax Error"):
        return "GRAPHQL_PARSE_FAILED"
    # Values that do not fit their types are the caller's input; other faults in the
    # document (an unused variable, an unknown field) are validation failures.
    if any(
        s in error.message for s in ("invalid value", "was not provided", "Expected value of type")
    ):
        return "BAD_USER_INPUT"
    return str((error.extensions or {}).get("code", "GRAPHQL_VALIDATION_FAILED"))


def _classify(error: GraphQLError) -> GraphQLError:
    original = error.original_error
    if isinstance(original, OperationalError):
        original = unavailable(original)
    if isinstance(original, GraphQLError):  # variables that do not fit their types
        return _with_code(error, error.message, {"code": "BAD_USER_INPUT"})
    if original is None:
        request_extensions = {**(error.extensions or {}), "code": _request_error_code(error)}
        return _with_code(error, error.message, request_extensions)
    if isinstance(original, RegistryError):
        extensions: dict[str, Any] = {**original.extensions, "code": code_for(original)}
        if original.field:
            extensions["field"] = original.field
        return _with_code(error, original.message, extensions)
    log.error("unexpected error in a resolver", exc_info=original)
    return _with_code(error, "Internal server error", {"code": INTERNAL_ERROR_CODE})


def classify_errors(errors: list[GraphQLError]) -> list[GraphQLError]:
    return [_classify(error) for error in errors]
