"""The registry's map style (MapLibre GL style, version 8), published at /map/style.json
for any MapLibre app: the registry's tiles, labels in Chinese from its own glyphs, and a
legend of every colour it uses (in the style's ``metadata``, which the map page draws).

Colours and their meanings are written once, here."""

from __future__ import annotations

from typing import Any

from endpoints.glyphs import FONTSTACK, GLYPHS_URL

LEGEND_KEY = "registry:legend"
COVERAGE_KEY = "registry:coverage"

SERVICE_COLOURS = {
    "elder_care_institution": ("#7b3294", "养老机构", "elder-care institution"),
    "township_elder_center": ("#c2a5cf", "镇街综合养老服务中心", "township centre"),
    "community_elder_facility": ("#008837", "社区养老服务设施", "community facility"),
    "elder_dining_table": ("#e66101", "老年餐桌", "elder dining table"),
    "assistance_station": ("#0571b0", "社会救助转介服务驿站", "referral station"),
}
RED_PLACE_NAME = "#c00000"
PLACE_NAME = "#555566"
ROAD = "#9a6b3f"
COUNTY_LINE = "#555c68"
TOWNSHIP_LINE = "#8a8f99"
# Residents aged 60 and over as a share of a village's residents: the village shading.
ELDERLY_SHARE_RAMP = ((0.1, "#f7f4ea"), (0.35, "#e9d9b8"))
# The coverage overlay's classes (drawn by the map page from a planner's coverage query).
COVERAGE_CLASSES = (
    (0.0, "#d73027", "0–25 %"),
    (0.25, "#fc8d59", "25–50 %"),
    (0.5, "#fee08b", "50–75 %"),
    (0.75, "#1a9850", "75–100 %"),
)
LABEL_HALO = {"text-halo-color": "#ffffff", "text-halo-width": 1.4}


def _source(base: str, layer: str) -> dict[str, Any]:
    return {"type": "vector", "url": f"{base}/tiles/{layer}.json"}


def _label(layer_id: str, source: str, **more: Any) -> dict[str, Any]:
    layout = {
        "text-field": ["get", "name"],
        "text-font": [FONTSTACK],
        "text-size": 12,
        **more.pop("layout", {}),
    }
    paint = {"text-color": "#333333", **LABEL_HALO, **more.pop("paint", {})}
    return {
        "id": layer_id,
        "type": "symbol",
        "source": source,
        "source-layer": source,
        "layout": layout,
        "paint": paint,
        **more,
    }


def legend() -> list[dict[str, Any]]:
    """Every colour of the map and what it means, as the page's legend lists them."""
    return [
        *(
            {"kind": "circle", "colour": colour, "zh": zh, "en": en}
            for colour, zh, en in SERVICE_COLOURS.values()
        ),
        {"kind": "circle", "colour": RED_PLACE_NAME, "zh": "红色地名", "en": "red place name"},
        {"kind": "circle", "colour": PLACE_NAME, "zh": "地名", "en": "place name"},
        {"kind": "line", "colour": ROAD, "zh": "村内道路", "en": "village road"},
        {"kind": "line", "colour": COUNTY_LINE, "zh": "县级界线", "en": "county boundary"},
        {"kind": "line", "colour": TOWNSHIP_LINE, "zh": "乡镇界线", "en": "township boundary"},
        {
            "kind": "ramp",
            "colours": [colour for _, colour in ELDERLY_SHARE_RAMP],
            "zh": "村 60 岁以上人口占比 10%→35%",
            "en": "village share of residents 60+, 10 % → 35 %",
        },
        *(
            {
                "kind": "fill",
                "colour": colour,
                "zh": f"覆盖率 {label}",
                "en": f"{label} of residents 60+ covered",
            }
            for _, colour, label in COVERAGE_CLASSES
        ),
    ]


def style(base: str) -> dict[str, Any]:
    """The style, its URLs absolute under ``base`` so that it works from any page."""
    kind_colours = [
        item for kind, (colour, _, _) in SERVICE_COLOURS.items() for item in (kind, colour)
    ]
    ramp = [item for stop in ELDERLY_SHARE_RAMP for item in stop]
    return {
        "version": 8,
        "name": "威海地名与养老服务 / Weihai place names and elder care",
        "metadata": {
            LEGEND_KEY: legend(),
            COVERAGE_KEY: [[floor, colour] for floor, colour, _ in COVERAGE_CLASSES],
        },
        "center": [122.05, 37.2],
        "zoom": 8.4,
        "glyphs": base + GLYPHS_URL,
        "sources": {
            name: _source(base, name)
            for name in ("areas", "area-labels", "villages", "roads", "services", "place-names")
        },
        "layers": [
            {"id": "background", "type": "background", "paint": {"background-color": "#dce7ee"}},
            {
                "id": "villages-fill",
                "type": "fill",
                "source": "villages",
                "source-layer": "villages",
                "paint": {
                    "fill-color": ["interpolate", ["linear"], ["get", "elderly_share"], *ramp],
                    "fill-outline-color": "#c9c2b0",
                },
            },
            {
                "id": "areas-fill",
                "type": "fill",
                "source": "areas",
                "source-layer": "areas",
                "filter": ["==", ["get", "level"], "county"],
                "maxzoom": 9,
                "paint": {"fill-color": "#f4f1e8"},
            },
            {
                "id": "township-lines",
                "type": "line",
                "source": "areas",
                "source-layer": "areas",
                "filter": ["==", ["get", "level"], "township"],
                "paint": {"line-color": TOWNSHIP_LINE, "line-width": 0.8, "line-dasharray": [3, 2]},
            },
            {
                "id": "county-lines",
                "type": "line",
                "source": "areas",
                "source-layer": "areas",
                "filter": ["==", ["get", "level"], "county"],
                "paint": {"line-color": COUNTY_LINE, "line-width": 1.6},
            },
            {
                "id": "roads",
                "type": "line",
                "source": "roads",
                "source-layer": "roads",
                "paint": {
                    "line-color": ROAD,
                    "line-width": ["interpolate", ["linear"], ["zoom"], 10, 0.6, 15, 3],
                },
            },
            {
                "id": "place-names",
                "type": "circle",
                "source": "place-names",
                "source-layer": "place-names",
                "minzoom": 11,
                "filter": ["==", ["geometry-type"], "Point"],
                "paint": {
                    "circle-radius": 2.5,
                    "circle-color": ["case", ["get", "red"], RED_PLACE_NAME, PLACE_NAME],
                },
            },
            {
                "id": "services",
                "type": "circle",
                "source": "services",
                "source-layer": "services",
                "paint": {
                    "circle-radius": ["interpolate", ["linear"], ["zoom"], 8, 2, 14, 6],
                    "circle-color": ["match", ["get", "kind"], *kind_colours, "#333333"],
                    "circle-stroke-color": "#ffffff",
                    "circle-stroke-width": 0.8,
                },
            },
            _label(
                "county-labels",
                "area-labels",
                filter=["==", ["get", "level"], "county"],
                maxzoom=10,
                layout={"text-size": 15},
                paint={"text-color": "#2b2f36"},
            ),
            _label(
                "township-labels",
                "area-labels",
                filter=["==", ["get", "level"], "township"],
                minzoom=10,
                maxzoom=13,
                layout={"text-size": 12},
            ),
            _label(
                "road-labels",
                "roads",
                minzoom=14,
                layout={"symbol-placement": "line", "text-size": 11},
                paint={"text-color": "#6b4423"},
            ),
            _label(
                "street-labels",
                "place-names",
                filter=["!=", ["geometry-type"], "Point"],
                minzoom=13,
                layout={"symbol-placement": "line", "text-size": 11},
            ),
            _label(
                "place-name-labels",
                "place-names",
                filter=["==", ["geometry-type"], "Point"],
                minzoom=11,
                layout={
                    "text-size": ["interpolate", ["linear"], ["zoom"], 11, 11, 15, 13],
                    "text-anchor": "top",
                    "text-offset": [0, 0.4],
                },
                paint={"text-color": ["case", ["get", "red"], RED_PLACE_NAME, "#333333"]},
            ),
            _label(
                "service-labels",
                "services",
                minzoom=13,
                layout={"text-size": 11, "text-anchor": "top", "text-offset": [0, 0.6]},
                paint={"text-color": ["match", ["get", "kind"], *kind_colours, "#333333"]},
            ),
        ],
    }
