"""The documents of approval cases, downloaded by staff: ``/attachments/{id}``."""

from __future__ import annotations

from urllib.parse import quote

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from endpoints.auth import RequestContexts
from resolvers import cases


def attachment_routes(contexts: RequestContexts) -> list[Route]:
    async def download(request: Request) -> Response:
        ctx = await contexts(request)
        found = await cases.attachment(ctx, request.path_params["id"])
        # RFC 6266: an ASCII fallback, and the name itself in UTF-8 (Chinese file names).
        ascii_name = found["filename"].encode("ascii", "replace").decode().replace('"', "_")
        disposition = (
            f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(found['filename'])}"
        )
        return Response(
            bytes(found["content"]),
            media_type=found["media_type"],
            headers={
                "Content-Disposition": disposition,
                "Cache-Control": "private, no-store",
                "X-Content-Type-Options": "nosniff",
                "ETag": f'"{found["sha256"]}"',
            },
        )

    return [Route("/attachments/{id}", download)]
