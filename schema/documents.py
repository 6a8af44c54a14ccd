"""Parsed and validated documents, once per distinct query text, shared by every path that
needs them (strawberry's execution, the compiled reads, the HTTP transport's limits).

Clients send the same few queries again and again, and parsing and validation cost more
than running most of them; a hostile client sends one huge query again and again, and
must not be parsed twice per request either.  Errors are kept as well as documents: a
document that does not parse is not parsed again to say so.
"""

from __future__ import annotations

import functools
import re

from graphql import DocumentNode, GraphQLError, GraphQLSchema, parse
from graphql.validation import ASTValidationRule
from strawberry.schema.schema import validate_document

# Distinct query texts kept (each cache).
DOCUMENT_CACHE_SIZE = 1024


class Documents:
    def __init__(self, schema: GraphQLSchema) -> None:
        self.schema = schema
        self._parsed = functools.lru_cache(maxsize=DOCUMENT_CACHE_SIZE)(self._parse)
        self._validated = functools.lru_cache(maxsize=DOCUMENT_CACHE_SIZE)(self._validate)

    def parse(self, query: str, max_tokens: int) -> DocumentNode:
        """The document; raises the ``GraphQLError`` that parsing it raised."""
        if more_tokens_than(query, max_tokens):
            raise GraphQLError(
                f"Syntax Error: Document contains more than {max_tokens} tokens. Parsing aborted."
            )
        parsed = self._parsed(query, max_tokens)
        if isinstance(parsed, GraphQLError):
            raise parsed
        return parsed

    def validate(
        self,
        query: str,
        document: DocumentNode,
        rules: tuple[type[ASTValidationRule], ...],
    ) -> list[GraphQLError]:
        """What validation finds in ``document`` (parsed from ``query``) with ``rules``."""
        return self._validated(query, _Same(document), rules)

    @staticmethod
    def _parse(query: str, max_tokens: int) -> DocumentNode | GraphQLError:
        try:
            return parse(query, max_tokens=max_tokens)
        except GraphQLError as error:
            return error

    def _validate(
        self, query: str, document: _Same, rules: tuple[type[ASTValidationRule], ...]
    ) -> list[GraphQLError]:
        return validate_document(self.schema, document.node, rules)


# GraphQL's tokens as its lexer reads them (comments, white space and commas are none),
# counted by the regular expression engine: a document of a million tokens is refused
# after reading as many as the limit, at a fraction of what parsing them would cost.
_TOKEN = re.compile(
    r'''#[^\n\r]*|"""(?:[^"\\]|\\.|"(?!""))*"""|"(?:[^"\\\n\r]|\\.)*"'''
    r"|-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?|[A-Za-z_]\w*|\.\.\.|[!$&()\[\]{}:=@|]"
)


def more_tokens_than(query: str, most: int) -> bool:
    """Whether ``query`` holds more than ``most`` tokens, read no further than that."""
    if len(query) <= most:  # every token takes at least one character
        return False
    count = 0
    for match in _TOKEN.finditer(query):
        if match.group().startswith("#"):
            continue
        count += 1
        if count > most:
            return True
    return False


class _Same:
    """A document carried through a cache keyed by its query text: graphql-core's nodes
    hash their whole tree, which would cost as much as validating it."""

    __slots__ = ("node",)

    def __init__(self, node: DocumentNode) -> None:
        self.node = node

    def __hash__(self) -> int:
        return 0

    def __eq__(self, other: object) -> bool:
        return isinstance(other, _Same)
