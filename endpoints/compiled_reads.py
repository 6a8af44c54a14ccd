"""GraphQL queries over HTTP answered by one SQL statement that returns the JSON.

A POST of ``application/json`` whose query the planner (``schema.compiled``) can take is
answered here: the document is parsed and validated once per distinct text, the plan made
once per text, variables and role, and the statement's one value — the response's
``data``, made by PostgreSQL — is sent as it is.  Everything else, and any failure on the
way (a database error included), goes to strawberry, which answers as it always has.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import orjson
import strawberry
from graphql import DocumentNode, GraphQLError, parse, validate
from starlette.types import Message, Receive, Scope, Send

from db.engine import Database
from db.statements import Statement
from domain.roles import Actor
from schema.compiled import compile_read

log = logging.getLogger("registry.compiled_reads")

DOCUMENT_CACHE_SIZE = 1024
PLAN_CACHE_SIZE = 4096
# Bodies larger than this are left to strawberry (a query worth planning is small).
MAX_PLANNED_BODY = 64 * 1024
JSON_CONTENT = b"application/json"


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


def _request(body: bytes) -> tuple[str, str | None, dict[str, Any] | None] | None:
    """(query, operationName, variables) of a plain GraphQL-over-HTTP body, or None."""
    try:
        payload = orjson.loads(body)
    except orjson.JSONDecodeError:
        return None
    if not isinstance(payload, dict) or set(payload) - {"query", "operationName", "variables"}:
        return None
    query, name, variables = (
        payload.get("query"),
        payload.get("operationName"),
        payload.get("variables"),
    )
    if not isinstance(query, str) or not isinstance(name, str | None):
        return None
    if not isinstance(variables, dict | None):
        return None
    return query, name, variables


class CompiledReads:
    def __init__(self, schema: strawberry.Schema, database: Database, mode: str) -> None:
        self.schema = schema
        self.database = database
        self.mode = mode
        self.document = functools.lru_cache(maxsize=DOCUMENT_CACHE_SIZE)(self._document)
        self._plan_cached = functools.lru_cache(maxsize=PLAN_CACHE_SIZE)(self._plan)

    def _document(self, query: str) -> DocumentNode | None:
        """The parsed document, if it parses and is valid; strawberry reports it otherwise."""
        try:
            document = parse(query)
        except GraphQLError:
            return None
        return None if validate(self.schema._schema, document) else document

    def _plan(
        self, query: str, operation_name: str | None, variables: bytes, role: str
    ) -> Statement | None:
        """Plans depend on the caller's role only (what statuses it may see)."""
        document = self.document(query)
        if document is None:
            return None
        return compile_read(
            self.schema,
            document,
            operation_name=operation_name,
            variables=orjson.loads(variables),
            actor=Actor(id=None, name=role, role=role),
        )

    def plan(self, body: bytes, actor: Actor) -> Statement | None:
        request = _request(body)
        if request is None:
            return None
        query, operation_name, variables = request
        key = orjson.dumps(variables or {}, option=orjson.OPT_SORT_KEYS)
        return self._plan_cached(query, operation_name, key, actor.role)

    async def answer(self, body: bytes, actor: Actor) -> bytes | None:
        """The response body for a request the planner takes, or None."""
        statement = self.plan(body, actor)
        if statement is None:
            return None
        try:
            (row,) = await self.database.fetch(statement)
        except Exception as error:  # strawberry answers, and reports the failure as always
            if self.mode == "check":
                MISMATCHES.append(Mismatch(body, f"failed: {error}".encode(), b""))
            log.debug("compiled read failed; strawberry answers", exc_info=True)
            return None
        return b'{"data":' + str(row["data"]).encode() + b"}"

    async def __call__(
        self,
        scope: Scope,
        receive: Receive,
        send: Send,
        actor: Actor,
        fallback: Callable[[Scope, Receive, Send], Awaitable[None]],
    ) -> None:
        if self.mode == "off" or scope.get("method") != "POST" or not _is_json(scope):
            await fallback(scope, receive, send)
            return
        body, receive = await _read_body(receive)
        answered = await self.answer(body, actor) if len(body) <= MAX_PLANNED_BODY else None
        if self.mode == "check":
            await self._check(scope, receive, send, body=body, answered=answered, fallback=fallback)
        elif answered is None:
            await fallback(scope, receive, send)
        else:
            await send(
                {
                    "type": "http.response.start",
                    "status": 200,
                    "headers": [
                        (b"content-type", JSON_CONTENT),
                        (b"content-length", str(len(answered)).encode()),
                    ],
                }
            )
            await send({"type": "http.response.body", "body": answered})

    async def _check(
        self,
        scope: Scope,
        receive: Receive,
        send: Send,
        *,
        body: bytes,
        answered: bytes | None,
        fallback: Callable[[Scope, Receive, Send], Awaitable[None]],
    ) -> None:
        """Strawberry answers; the compiled answer, if any, must be the same bytes."""
        sent: list[Message] = []

        async def keep(message: Message) -> None:
            sent.append(message)

        await fallback(scope, receive, keep)
        if answered is not None:
            CHECKED["compiled"] += 1
            reference = b"".join(
                m.get("body", b"") for m in sent if m["type"] == "http.response.body"
            )
            start = next(m for m in sent if m["type"] == "http.response.start")
            content_type = dict(start.get("headers", ())).get(b"content-type")
            if reference != answered or start["status"] != 200 or content_type != JSON_CONTENT:
                MISMATCHES.append(Mismatch(body, answered, reference))
                log.error("compiled read differs from strawberry's: %s", body[:500])
        else:
            CHECKED["fallback"] += 1
        for message in sent:
            await send(message)


def _is_json(scope: Scope) -> bool:
    for name, value in scope.get("headers", ()):
        if name == b"content-type":
            return bool(value.split(b";")[0].strip().lower() == JSON_CONTENT)
    return False


async def _read_body(receive: Receive) -> tuple[bytes, Receive]:
    """The whole body, and a receive that gives it again to whoever reads next."""
    chunks = []
    while True:
        message = await receive()
        if message["type"] != "http.request":
            break
        chunks.append(message.get("body", b""))
        if not message.get("more_body", False):
            break
    body = b"".join(chunks)
    replayed = False

    async def again() -> Message:
        nonlocal replayed
        if not replayed:
            replayed = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return body, again
