"""Gives every GraphQL error an ``extensions.code`` and hides internals, over HTTP and
WebSocket alike: one schema extension, applied to every result the schema makes.

Errors graphql-core raises about the request itself (syntax, validation, variables) keep
their message; everything a resolver raises goes through the one error policy
(``db.error_policy.public_error``).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from graphql import GraphQLError
from strawberry.extensions import SchemaExtension

from db.error_policy import public_error
from domain.errors import code_for
from domain.roles import PUBLIC


def _with(error: GraphQLError, message: str, extensions: dict[str, Any]) -> GraphQLError:
    return GraphQLError(
        message,
        nodes=error.nodes,
        source=error.source,
        positions=error.positions,
        path=error.path,
        extensions=extensions,
    )


# graphql-core's hints at names the schema has ("Did you mean 'services'?"): a map of the
# schema for whoever probes it; staff get them, the public does not.
SUGGESTION = re.compile(r"\s*Did you mean [^?]*\?")
TOO_MANY_TOKENS = re.compile(r"Document contains more than (\d+) tokens")


def without_suggestions(message: str) -> str:
    return SUGGESTION.sub("", message)


def _request_error_code(error: GraphQLError) -> str:
    """Code of an error graphql-core raised about the request itself."""
    if TOO_MANY_TOKENS.search(error.message):
        return "QUERY_TOO_COMPLEX"
    if error.message.startswith("Syntax Error"):
        return "GRAPHQL_PARSE_FAILED"
    # Values that do not fit their types are the caller's input; other faults in the
    # document (an unused variable, an unknown field) are validation failures.
    if any(
        s in error.message for s in ("invalid value", "was not provided", "Expected value of type")
    ):
        return "BAD_USER_INPUT"
    return str((error.extensions or {}).get("code", "GRAPHQL_VALIDATION_FAILED"))


def classify(error: GraphQLError, *, suggestions: bool = True) -> GraphQLError:
    if (error.extensions or {}).get("code") and error.original_error is None:
        return error  # classified already
    original = error.original_error
    message = error.message if suggestions else without_suggestions(error.message)
    if isinstance(original, GraphQLError):  # variables that do not fit their types
        return _with(error, message, {"code": "BAD_USER_INPUT"})
    if original is None:
        request_extensions = {**(error.extensions or {}), "code": _request_error_code(error)}
        tokens = TOO_MANY_TOKENS.search(error.message)
        if tokens:
            most = int(tokens.group(1))
            message = (
                f"查询过于复杂：词法单元数超过上限 {most}。"
                f" / Query too complex: the document has more than {most} tokens."
            )
            request_extensions.update(limit="tokens", max=most)
        return _with(error, message, request_extensions)
    shown = public_error(original)
    extensions: dict[str, Any] = {**shown.extensions, "code": code_for(shown)}
    if shown.field:
        extensions["field"] = shown.field
    return _with(error, shown.message, extensions)


class RegistryErrors(SchemaExtension):
    """Classifies the errors of each result before it leaves: after an operation over
    HTTP, and frame by frame over a WebSocket."""

    def __init__(self) -> None:
        self._streamed = False

    def _classify_result(self, result: object) -> None:
        errors = getattr(result, "errors", None)
        if errors:
            context = self.execution_context.context
            actor = getattr(context, "actor", None)
            staff = actor is not None and actor.role != PUBLIC.role
            result.errors = [  # type: ignore[attr-defined]
                classify(e, suggestions=staff) for e in errors
            ]

    def on_operation(self) -> Iterator[None]:
        self._streamed = False
        yield
        if not self._streamed:
            self._classify_result(self.execution_context.result)

    def on_stream_result(self, result: Any) -> Iterator[None]:
        self._streamed = True
        self._classify_result(result)
        yield None
