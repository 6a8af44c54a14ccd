"""GraphQL over HTTP, as its specification has it (GET and POST, ``application/json`` and
``application/graphql-response+json``), with the limits every request is held to.

- The body is read up to ``max_body_bytes`` (413 beyond, before it is read whole); it must
  be a JSON object with a ``query`` string (400 otherwise: not JSON, not UTF-8, nested
  too deep, a batch, a ``null``), and ``Content-Type: application/json`` (415 otherwise).
- The response's media type follows the ``Accept`` header: ``application/graphql-response+json``
  when the client asks for it, ``application/json`` otherwise (406 when it accepts
  neither).  With the former, a request that fails before execution (syntax, validation,
  variables, limits) is a 400 and has no ``data``; with the latter it is a 200, also
  without ``data``, as the specification asks.  A database that does not answer is a 503
  (with ``Retry-After``) when nothing could be answered.
- A mutation over GET is a 405; subscriptions go over the WebSocket.
- A query (not a mutation: a write is never cut off half-way through being reported) runs
  under one deadline for all its statements, and an answer larger than
  ``max_response_bytes`` is refused rather than sent.
- Queries the compiled path (``endpoints.compiled_reads``) takes are answered by it.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import orjson
from graphql import GraphQLError, get_operation_ast
from starlette.datastructures import Headers, QueryParams, UploadFile
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.types import Message, Receive, Scope, Send
from strawberry.exceptions import MissingQueryError
from strawberry.schema.exceptions import CannotGetOperationTypeError, InvalidOperationTypeError
from strawberry.types import ExecutionResult
from strawberry.types.graphql import OperationType

from db.routing import current_route
from db.settings import Settings
from domain.errors import Text
from domain.roles import PUBLIC, Actor
from endpoints.compiled_reads import CHECKED, MISMATCHES, CompiledReads, Mismatch
from resolvers.context import RegistryContext
from schema import RegistrySchema
from schema.errors import classify
from schema.limits import Unmeasurable, over_limit, too_complex

log = logging.getLogger("registry.graphql")

GRAPHQL_RESPONSE = "application/graphql-response+json"
JSON = "application/json"
MULTIPART = "multipart/form-data"
# Seconds a client should wait after a 503 before it tries again.
RETRY_AFTER_SECONDS = 5


class Refusal(Exception):
    """A request answered before GraphQL runs: its status, message and code."""

    def __init__(
        self,
        status: int,
        message: str | Text,
        code: str = "BAD_REQUEST",
        headers: dict[str, str] | None = None,
        limit: str | None = None,
    ) -> None:
        super().__init__(str(message))
        self.status = status
        self.text = message
        self.code = code
        self.headers = headers or {}
        # The limit it enforces, for the figures (None for a malformed request).
        self.limit = limit

    @property
    def message(self) -> str:
        """In the request's language (the transport reads it as it answers)."""
        return str(self.text)


@dataclass(frozen=True)
class GraphQLRequest:
    query: str
    operation_name: str | None
    variables: dict[str, Any] | None
    extensions: dict[str, Any] | None


@dataclass(slots=True)
class Answer:
    status: int
    body: bytes
    headers: dict[str, str]
    operation: str | None = None
    outcome: str = "ok"
    # The limit a refusal names (for the figures), and the query (for the slow log).
    limit: str | None = None
    query: str | None = None


def response_media_type(accept: str | None) -> str:
    """The media type to answer with; ``Refusal(406)`` when the client accepts none."""
    if accept is None or not accept.strip():
        return JSON
    ranked: list[tuple[float, int, int, str]] = []
    for position, item in enumerate(accept.split(",")):
        media, *parameters = (p.strip() for p in item.split(";"))
        quality = 1.0
        for parameter in parameters:
            name, _, value = parameter.partition("=")
            if name.strip().lower() == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        media = media.lower()
        if quality <= 0:
            continue
        if media == GRAPHQL_RESPONSE:
            ranked.append((quality, 1, -position, GRAPHQL_RESPONSE))
        elif media in (JSON, "application/*", "*/*"):
            ranked.append((quality, 0, -position, JSON))
    if not ranked:
        raise Refusal(
            406,
            Text(
                "无法以所接受的类型应答",
                f"Accept names no type this endpoint answers with ({GRAPHQL_RESPONSE} or {JSON})",
            ),
            "NOT_ACCEPTABLE",
        )
    # Highest quality first; on a tie, the newer media type, then the client's order.
    return max(ranked)[3]


def _object_parameter(name: str, value: object) -> dict[str, Any] | None:
    if value is None:
        return None
    if not isinstance(value, dict):
        raise Refusal(400, Text(f"{name} 须为 JSON 对象", f"{name} must be a JSON object"))
    return value


def _graphql_request(payload: object) -> GraphQLRequest:
    if not isinstance(payload, dict):
        raise Refusal(
            400,
            Text("请求须为含 query 的 JSON 对象", "the request must be a JSON object with a query"),
        )
    query = payload.get("query")
    if not isinstance(query, str) or not query.strip():
        raise Refusal(400, Text("query 须为非空字符串", "query must be a non-empty string"))
    operation_name = payload.get("operationName")
    if not isinstance(operation_name, str | None):
        raise Refusal(400, Text("operationName 须为字符串", "operationName must be a string"))
    return GraphQLRequest(
        query=query,
        operation_name=operation_name or None,
        variables=_object_parameter("variables", payload.get("variables")),
        extensions=_object_parameter("extensions", payload.get("extensions")),
    )


def _json(text: str | bytes, name: str) -> object:
    try:
        return orjson.loads(text)
    except orjson.JSONDecodeError:
        # orjson refuses invalid UTF-8 and nesting deeper than 1,024 as well
        raise Refusal(
            400, f"{name} 不是合法的 JSON（UTF-8）/ {name} is not valid JSON (UTF-8)"
        ) from None


def request_from_query_string(params: QueryParams) -> GraphQLRequest:
    payload: dict[str, object] = {
        "query": params.get("query"),
        "operationName": params.get("operationName"),
    }
    for name in ("variables", "extensions"):
        if params.get(name):
            payload[name] = _json(params[name], name)
    return _graphql_request(payload)


def request_from_body(body: bytes, content_type: str | None) -> GraphQLRequest:
    media, *parameters = (p.strip().lower() for p in (content_type or "").split(";"))
    if media != JSON:
        raise Refusal(
            415,
            Text(f"Content-Type 须为 {JSON}", f"Content-Type must be {JSON}"),
            "UNSUPPORTED_MEDIA_TYPE",
        )
    for parameter in parameters:
        name, _, value = parameter.partition("=")
        if name.strip() == "charset" and value.strip().strip('"') not in ("utf-8", "utf8"):
            raise Refusal(
                415, Text("请求体须为 UTF-8", "the body must be UTF-8"), "UNSUPPORTED_MEDIA_TYPE"
            )
    return _graphql_request(_json(body, "body"))


async def request_from_multipart(
    scope: Scope, body: bytes, most_files: int, most_bytes: int
) -> GraphQLRequest:
    """A GraphQL multipart request (github.com/jaydenseric/graphql-multipart-request-spec):
    ``operations`` (the request, its file variables null), ``map`` (which part fills which
    variable), then the files.  Uploads come with a bearer token (editors' mutations), which
    a cross-site form cannot send, so no preflight header is asked for."""
    sent = False

    async def replay() -> Message:
        nonlocal sent
        if sent:
            return {"type": "http.disconnect"}
        sent = True
        return {"type": "http.request", "body": body, "more_body": False}

    try:
        form = await Request(scope, replay).form(
            max_files=most_files, max_fields=most_files + 10, max_part_size=most_bytes
        )
    except HTTPException as error:
        raise Refusal(
            400, Text("multipart 请求无效", f"bad multipart request: {error.detail}")
        ) from None
    operations = form.get("operations")
    mapping = _json(str(form.get("map") or "{}"), "map")
    if not isinstance(operations, str) or not isinstance(mapping, dict):
        raise Refusal(
            400,
            Text(
                "multipart 请求须含 operations 与 map", "a multipart request has operations and map"
            ),
        )
    payload = _json(operations, "operations")
    if not isinstance(payload, dict):
        raise Refusal(400, Text("operations 须为 JSON 对象", "operations must be a JSON object"))
    for part, paths in mapping.items():
        upload = form.get(str(part))
        if not isinstance(upload, UploadFile) or not isinstance(paths, list):
            raise Refusal(400, Text(f"map 指向的文件 {part} 不存在", f"map names no file {part!r}"))
        for path in paths:
            _put(payload, str(path), upload)
    return _graphql_request(payload)


def _put(payload: dict[str, Any], path: str, value: object) -> None:
    """Puts a file where a map path ("variables.file", "variables.files.0") says."""
    *parents, last = path.split(".")
    node: Any = payload
    for key in parents:
        node = node[int(key)] if isinstance(node, list) else node.get(key)
        if node is None:
            raise Refusal(400, Text("map 路径无效", f"map path {path!r} leads nowhere"))
    if isinstance(node, list) and last.isdigit() and int(last) < len(node):
        node[int(last)] = value
    elif isinstance(node, dict):
        node[last] = value
    else:
        raise Refusal(400, Text("map 路径无效", f"map path {path!r} leads nowhere"))


async def read_body(headers: Headers, receive: Receive, most: int) -> bytes:
    """The request's body; ``Refusal(413)`` as soon as it is known to exceed ``most``."""
    too_large = Refusal(
        413,
        Text(f"请求体超过 {most} 字节", f"the body exceeds {most} bytes"),
        "PAYLOAD_TOO_LARGE",
        limit="body_size",
    )
    declared = headers.get("content-length")
    if declared is not None and declared.isascii() and declared.isdigit() and int(declared) > most:
        raise too_large
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] != "http.request":
            break
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > most:
            raise too_large
        chunks.append(chunk)
        if not message.get("more_body", False):
            break
    return b"".join(chunks)


def refusal_answer(refusal: Refusal, media: str) -> Answer:
    body = orjson.dumps(
        {"errors": [{"message": refusal.message, "extensions": {"code": refusal.code}}]}
    )
    return Answer(
        refusal.status,
        body,
        {"content-type": media, **refusal.headers},
        outcome=refusal.code.lower(),
        limit=refusal.limit,
    )


def _codes(result: ExecutionResult) -> list[str]:
    return [str((e.extensions or {}).get("code", "")) for e in result.errors or ()]


class GraphQLOverHTTP:
    def __init__(
        self,
        schema: RegistrySchema,
        settings: Settings,
        compiled: CompiledReads,
        context_for: Callable[[Actor], RegistryContext],
    ) -> None:
        self.schema = schema
        self.settings = settings
        self.compiled = compiled
        self.context_for = context_for

    async def __call__(self, scope: Scope, receive: Receive, send: Send, actor: Actor) -> Answer:
        answer = await self.answer(scope, receive, actor)
        headers = [(k.encode(), v.encode()) for k, v in answer.headers.items()]
        headers.append((b"content-length", str(len(answer.body)).encode()))
        await send({"type": "http.response.start", "status": answer.status, "headers": headers})
        await send({"type": "http.response.body", "body": answer.body})
        return answer

    async def answer(self, scope: Scope, receive: Receive, actor: Actor) -> Answer:
        media = JSON
        headers = Headers(scope=scope)
        body_seconds = self.settings.body_read_timeout_ms / 1000
        deadline_seconds = self.settings.request_deadline_ms / 1000
        # One timer for the request: first the body's, then (for a query) the deadline's.
        running = False
        try:
            async with asyncio.timeout(body_seconds) as timer:
                try:
                    media = response_media_type(headers.get("accept"))
                    request = await self._request(scope, receive, headers)
                    refused = self._refused_before_running(request, actor, media)
                    if refused is not None:
                        return refused
                    kind = self._operation_kind(request)
                    if kind != "query":
                        # What a mutation reads, it reads where it writes.
                        current_route().pin_to_primary()
                    # A write is never cut off half-way through being reported.
                    timer.reschedule(
                        None
                        if kind == "mutation"
                        else asyncio.get_running_loop().time() + deadline_seconds
                    )
                    running = True
                    answer = await self._execute(request, scope["method"], actor, media, kind)
                    answer.query = request.query
                    return answer
                except Refusal as refusal:
                    return refusal_answer(refusal, media)
        except TimeoutError:
            if not running:
                return refusal_answer(
                    Refusal(
                        408,
                        Text(
                            f"请求体未在 {body_seconds:g} 秒内到齐",
                            f"the body did not arrive within {body_seconds:g} s",
                        ),
                        "REQUEST_TIMEOUT",
                        limit="body_read",
                    ),
                    media,
                )
            return refusal_answer(
                Refusal(
                    503,
                    Text(
                        f"请求超过 {deadline_seconds:g} 秒的时限",
                        f"the request ran longer than the {deadline_seconds:g}"
                        " s the server allows; narrow it and retry",
                    ),
                    "SERVICE_UNAVAILABLE",
                    {"retry-after": str(RETRY_AFTER_SECONDS)},
                    limit="deadline",
                ),
                media,
            )

    async def _request(self, scope: Scope, receive: Receive, headers: Headers) -> GraphQLRequest:
        method = scope["method"]
        if method == "GET":
            return request_from_query_string(QueryParams(scope.get("query_string", b"")))
        if method == "POST":
            media = (headers.get("content-type") or "").split(";")[0].strip().lower()
            if media == MULTIPART:
                most = self.settings.max_upload_bytes
                body = await read_body(headers, receive, most)
                return await request_from_multipart(
                    scope, body, self.settings.max_upload_files, most
                )
            body = await read_body(headers, receive, self.settings.max_body_bytes)
            return request_from_body(body, headers.get("content-type"))
        raise Refusal(
            405,
            Text("GraphQL 只接受 GET 与 POST", "use GET or POST"),
            headers={"allow": "GET, POST"},
        )

    def _refused_before_running(
        self, request: GraphQLRequest, actor: Actor, media: str
    ) -> Answer | None:
        """A document that does not parse, or asks more than the caller may: answered here,
        before it is validated (which costs more than anything else on such a document)."""
        staff = actor.role != PUBLIC.role
        try:
            document = self.compiled.parsed(request.query)
        except GraphQLError as error:
            return self._request_error(classify(error, suggestions=staff), media)
        try:
            refusal = over_limit(
                self.schema._schema,
                request.query,
                document,
                request.operation_name,
                request.variables,
                self.settings.query_limits(actor.role),
            )
        except Unmeasurable:
            return None  # invalid: strawberry's validation says why
        return self._request_error(refusal, media) if refusal is not None else None

    def _operation_kind(self, request: GraphQLRequest) -> str | None:
        """ "query", "mutation" or "subscription"; None when the document has no such
        operation (strawberry says so)."""
        document = self.compiled.parsed(request.query)  # parsed already: from the cache
        operation = get_operation_ast(document, request.operation_name)
        return operation.operation.value if operation is not None else None

    def _request_error(self, error: GraphQLError, media: str) -> Answer:
        extensions = error.extensions or {}
        code = str(extensions.get("code", "BAD_REQUEST"))
        limit = extensions.get("limit")
        return Answer(
            400 if media == GRAPHQL_RESPONSE else 200,
            orjson.dumps({"errors": [error.formatted]}),
            {"content-type": media},
            None,
            code.lower(),
            limit=str(limit) if limit else None,
        )

    async def _execute(
        self, request: GraphQLRequest, method: str, actor: Actor, media: str, kind: str | None
    ) -> Answer:
        compiled = None
        if kind == "query" and self.compiled.mode != "off" and request.extensions is None:
            compiled = await self.compiled.answer(
                request.query, request.operation_name, request.variables, actor
            )
            if compiled is not None and self.compiled.mode == "on":
                return self._sized(compiled, 200, media, kind, "ok")
        allowed = {OperationType.QUERY}
        if method == "POST":
            allowed.add(OperationType.MUTATION)
        try:
            result = await self.schema.execute(
                request.query,
                variable_values=request.variables,
                context_value=self.context_for(actor),
                operation_name=request.operation_name,
                allowed_operation_types=allowed,
                operation_extensions=request.extensions,
            )
        except MissingQueryError:
            raise Refusal(
                400, Text("query 须为非空字符串", "query must be a non-empty string")
            ) from None
        except CannotGetOperationTypeError as error:
            raise Refusal(400, error.as_http_error_reason()) from None
        except InvalidOperationTypeError as error:
            if error.operation_type == OperationType.MUTATION:
                raise Refusal(
                    405,
                    Text("变更须用 POST", "mutations are sent with POST"),
                    "METHOD_NOT_ALLOWED",
                    {"allow": "POST"},
                ) from None
            raise Refusal(
                400, Text("订阅须经 WebSocket", "subscriptions are served over the WebSocket")
            ) from None
        answer = self._result_answer(result, media, kind)
        if compiled is not None:  # "check" mode: strawberry's answer is the one sent
            self._compare(request, self._sized(compiled, 200, media, kind, "ok"), answer)
        elif self.compiled.mode == "check" and kind == "query":
            CHECKED["fallback"] += 1
        return answer

    def _result_answer(self, result: ExecutionResult, media: str, kind: str | None) -> Answer:
        errors = result.errors or []
        # Failed before execution (syntax, validation, variables, limits): no "data" at all.
        before_execution = (
            result.data is None and bool(errors) and all(e.path is None for e in errors)
        )
        payload: dict[str, Any] = {} if before_execution else {"data": result.data}
        if errors:
            payload["errors"] = [e.formatted for e in errors]
        if result.extensions:
            payload["extensions"] = result.extensions
        token = current_route().consistency_token
        if kind == "mutation" and token is not None:
            payload["extensions"] = {**payload.get("extensions", {}), "consistencyToken": token}
        body = orjson.dumps(payload)
        codes = _codes(result)
        if before_execution:
            status = 400 if media == GRAPHQL_RESPONSE else 200
            outcome = codes[0].lower() if codes else "invalid"
            limit = (errors[0].extensions or {}).get("limit") if errors else None
            return Answer(status, body, {"content-type": media}, kind, outcome, limit=limit)
        if result.data is None and "SERVICE_UNAVAILABLE" in codes:
            return Answer(
                503,
                body,
                {"content-type": media, "retry-after": str(RETRY_AFTER_SECONDS)},
                kind,
                "unavailable",
            )
        return self._sized(body, 200, media, kind, "error" if errors else "ok")

    def _sized(
        self, body: bytes, status: int, media: str, kind: str | None, outcome: str
    ) -> Answer:
        most = self.settings.max_response_bytes
        if kind != "mutation" and len(body) > most:
            error = too_complex("responseBytes", len(body), most)
            return Answer(
                400 if media == GRAPHQL_RESPONSE else 200,
                orjson.dumps({"errors": [error.formatted]}),
                {"content-type": media},
                kind,
                "query_too_complex",
                limit="responseBytes",
            )
        return Answer(status, body, {"content-type": media}, kind, outcome)

    @staticmethod
    def _compare(request: GraphQLRequest, compiled: Answer, answer: Answer) -> None:
        CHECKED["compiled"] += 1
        if (answer.body, answer.status, answer.headers) != (
            compiled.body,
            compiled.status,
            compiled.headers,
        ):
            MISMATCHES.append(Mismatch(request.query.encode(), compiled.body, answer.body))
            log.error("compiled read differs from strawberry's: %s", request.query[:500])
