"""Map label glyphs at /glyphs/{fontstack}/{start}-{end}.pbf, the ``glyphs`` URL of the
registry's style: made from the configured font on first use (off the event loop) and
kept on disk; Chinese labels need no font on the client."""

from __future__ import annotations

import re
from pathlib import Path

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from db.settings import Settings
from domain.errors import BadUserInput, NotFound, Text, Unavailable
from gis.glyphs import LAST_CODE_POINT, RANGE_SIZE, glyph_range

# The one font stack the registry serves, named as its style names it.
FONTSTACK = "WenQuanYi Micro Hei Regular"
GLYPHS_URL = "/glyphs/{fontstack}/{range}.pbf"
# A range's glyphs never change for a given font: a day of caching is safe.
CACHE_CONTROL = "public, max-age=86400"
_RANGE = re.compile(r"^(\d{1,5})-(\d{1,5})$")


def _start_of(text: str) -> int:
    match = _RANGE.match(text)
    start = int(match.group(1)) if match else -1
    if (
        match is None
        or start % RANGE_SIZE
        or int(match.group(2)) != start + RANGE_SIZE - 1
        or start > LAST_CODE_POINT
    ):
        raise BadUserInput(
            Text(
                f"range: {text!r} 须为 256 个字符一段，如 0-255、19968-20223",
                f"range: {text!r} is a range of 256 characters, as 0-255 or 19968-20223",
            ),
            "range",
        )
    return start


def _glyphs(font: Path, folder: Path, start: int) -> bytes:
    cached = folder / f"{start}-{start + RANGE_SIZE - 1}.pbf"
    if cached.is_file():
        return cached.read_bytes()
    data = glyph_range(font, FONTSTACK, start)
    folder.mkdir(parents=True, exist_ok=True)
    partial = cached.with_suffix(".tmp")
    partial.write_bytes(data)
    partial.replace(cached)  # whole files only, whichever worker writes first
    return data


def glyph_routes(settings: Settings) -> list[Route]:
    async def glyphs(request: Request) -> Response:
        stacks = [s.strip() for s in request.path_params["fontstack"].split(",")]
        if FONTSTACK not in stacks:
            raise NotFound(
                Text(
                    f"fontstack: 没有 {', '.join(stacks)}；本服务提供 {FONTSTACK}",
                    f"fontstack: no {', '.join(stacks)}; this server has {FONTSTACK}",
                ),
                "fontstack",
            )
        start = _start_of(request.path_params["range"])
        if not settings.glyph_font.is_file():
            raise Unavailable(
                Text(
                    f"未安装注记字体 {settings.glyph_font}（apt-get install fonts-wqy-microhei）",
                    f"the label font {settings.glyph_font} is not installed"
                    " (apt-get install fonts-wqy-microhei)",
                )
            )
        data = await run_in_threadpool(_glyphs, settings.glyph_font, settings.glyphs_dir, start)
        return Response(
            data,
            media_type="application/x-protobuf",
            headers={"Cache-Control": CACHE_CONTROL},
        )

    return [Route("/glyphs/{fontstack}/{range}.pbf", glyphs, methods=["GET"])]
