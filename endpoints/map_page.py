"""The demo map page at /map: the registry's own tiles on MapLibre GL, nearest services on
click, a coverage choropleth and place-name search, all served by the project itself."""

from __future__ import annotations

from pathlib import Path

from starlette.requests import Request
from starlette.responses import FileResponse, HTMLResponse, JSONResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from endpoints.assets import ASSETS_URL, Asset
from endpoints.http import base_url
from endpoints.map_style import style

WEB_DIR = Path(__file__).resolve().parent.parent / "web"
MAPLIBRE = ("maplibre-gl", "4.7.1")
MAP_ASSETS = [
    Asset(*MAPLIBRE, "dist/maplibre-gl.js"),
    Asset(*MAPLIBRE, "dist/maplibre-gl.css"),
]


def map_routes() -> list[Route | Mount]:
    page = (WEB_DIR / "map.html").read_text(encoding="utf-8")
    for asset in MAP_ASSETS:
        page = page.replace(f"{{{{{asset.path}}}}}", f"{ASSETS_URL}/{asset.local_path}")

    async def map_page(request: Request) -> Response:
        return HTMLResponse(page)

    async def map_style(request: Request) -> Response:
        return JSONResponse(
            style(base_url(request)), headers={"Cache-Control": "public, max-age=300"}
        )

    async def favicon(request: Request) -> Response:
        return FileResponse(WEB_DIR / "favicon.svg", media_type="image/svg+xml")

    return [
        Route("/map", map_page, methods=["GET"]),
        Route("/map/style.json", map_style, methods=["GET"]),
        Route("/favicon.ico", favicon, methods=["GET"]),
        Mount("/web", StaticFiles(directory=WEB_DIR)),
    ]
