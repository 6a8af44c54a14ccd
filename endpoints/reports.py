"""A printable area report: GET /reports/areas/{code}?distances=500,1000&kinds=...

HTML in Chinese with English beside it, made on the server with no script and no asset
from elsewhere: the map of the gaps and the charts are inline SVG drawn from the same
figures as the tables, which are the figures of the GraphQL API.  Each figure carries a
``data-figure`` name, so that a program can read the page as well as a person.
Authenticated as the downloads are (planner; header or ``?access_token=``).
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from datetime import date
from html import escape
from typing import Any

from starlette.requests import Request
from starlette.responses import HTMLResponse
from starlette.routing import Route

from endpoints.auth import RequestContexts
from endpoints.exports import kinds_param
from resolvers.coverage import CoverageFigures
from resolvers.reports import AreaReport, area_report, check_distances

KIND_LABELS = {
    "elder_care_institution": "养老机构 Elder-care institutions",
    "township_elder_center": "镇街综合养老服务中心 Township centres",
    "community_elder_facility": "社区养老服务设施 Community facilities",
    "elder_dining_table": "老年餐桌 Elder dining tables",
    "assistance_station": "社会救助转介服务驿站 Assistance stations",
}
MODE_LABELS = {"radius": "直线 straight", "road": "道路 by road"}
LEVEL_LABELS = {"city": "市 city", "county": "区县 county", "township": "乡镇 township"}

STYLE = """
body { font-family: "Noto Sans CJK SC", "Source Han Sans SC", "Microsoft YaHei", sans-serif;
       margin: 2em auto; max-width: 60em; color: #222; line-height: 1.4; }
h1 { font-size: 1.6em; margin-bottom: 0.2em; } h2 { font-size: 1.2em; margin-top: 1.6em;
     border-bottom: 1px solid #999; } .en { color: #666; font-weight: normal; }
table { border-collapse: collapse; width: 100%; margin: 0.6em 0; font-size: 0.9em; }
th, td { border: 1px solid #bbb; padding: 0.25em 0.5em; } td.n, th.n { text-align: right; }
th { background: #eee; } .note { color: #555; font-size: 0.85em; }
figure { margin: 1em 0; page-break-inside: avoid; } figcaption { font-size: 0.9em; }
@media print { body { margin: 0; max-width: none; } a { color: inherit; } }
"""


def _n(value: float | int, decimals: int = 0) -> str:
    return f"{value:,.{decimals}f}"


def _pct(share: float) -> str:
    return f"{share * 100:.1f}%"


def _cell(name: str, text: str, raw: float | int) -> str:
    return f'<td class="n" data-figure="{escape(name)}" data-value="{raw}">{escape(text)}</td>'


def _bar_chart(title: str, rows: list[tuple[str, float, str]], name: str) -> str:
    """Horizontal bars, one per row (label, value, shown text), scaled to the largest."""
    bar_h, label_w, width = 16, 150, 640
    top = max((v for _, v, _ in rows), default=0.0) or 1.0
    height = bar_h * len(rows) + 10
    bars = []
    for i, (label, value, shown) in enumerate(rows):
        y = 5 + i * bar_h
        w = (width - label_w - 70) * value / top
        bars.append(
            f'<text x="{label_w - 4}" y="{y + 12}" text-anchor="end" font-size="11">'
            f"{escape(label)}</text>"
            f'<rect x="{label_w}" y="{y + 2}" width="{w:.1f}" height="{bar_h - 4}" '
            f'fill="#3b7dd8" data-chart="{escape(name)}" data-label="{escape(label)}" '
            f'data-value="{value}"/>'
            f'<text x="{label_w + w + 4:.1f}" y="{y + 12}" font-size="11">{escape(shown)}</text>'
        )
    return (
        f'<figure><svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'role="img" aria-label="{escape(title)}">{"".join(bars)}</svg>'
        f"<figcaption>{escape(title)}</figcaption></figure>"
    )


def _rings(geometry: dict[str, Any] | None) -> Iterable[list[list[float]]]:
    if not geometry:
        return
    polygons = (
        geometry["coordinates"] if geometry["type"] == "MultiPolygon" else [geometry["coordinates"]]
    )
    for polygon in polygons:
        yield from polygon


def _gap_map(report: AreaReport, outlines: list[dict[str, Any] | None]) -> str:
    """The townships' outlines and the uncovered villages as dots sized by their elderly."""
    points = [(v["lon"], v["lat"]) for v in report.villages]
    for outline in outlines:
        for ring in _rings(outline):
            points += [(x, y) for x, y in ring]
    xs, ys = [p[0] for p in points], [p[1] for p in points]
    west, east, south, north = min(xs), max(xs), min(ys), max(ys)
    # Degrees of longitude are shorter than degrees of latitude by cos(latitude).
    aspect = math.cos(math.radians((south + north) / 2))
    width = 640
    scale = width / max((east - west) * aspect, 1e-9)
    height = max(200, int((north - south) * scale) + 10)

    def xy(lon: float, lat: float) -> str:
        return f"{(lon - west) * aspect * scale:.1f},{(north - lat) * scale + 5:.1f}"

    shapes = [
        f'<polygon points="{" ".join(xy(x, y) for x, y in ring)}" fill="#f4f4f0" '
        f'stroke="#888" stroke-width="0.6"/>'
        for outline in outlines
        for ring in _rings(outline)
    ]
    biggest = max((g["elderly"] for g in report.gaps), default=1) or 1
    dots = [
        f'<circle cx="{xy(g["lon"], g["lat"]).split(",")[0]}" '
        f'cy="{xy(g["lon"], g["lat"]).split(",")[1]}" '
        f'r="{1.5 + 4 * math.sqrt(g["elderly"] / biggest):.1f}" fill="#d8453b" '
        f'fill-opacity="0.7" data-gap="{escape(g["code"])}"><title>{escape(g["name"])} '
        f"{g['elderly']}</title></circle>"
        for g in report.gaps
    ]
    return (
        f'<figure><svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'role="img" aria-label="gaps" id="gap-map">{"".join(shapes)}{"".join(dots)}</svg>'
        f"<figcaption>红点：{escape(KIND_LABELS[report.worst_kind].split()[0])}道路 "
        f"{_n(report.distances[0])} 米内未覆盖的村（大小按老人数）/ Red: villages with no "
        f"{escape(KIND_LABELS[report.worst_kind].split(' ', 1)[1].lower())} within "
        f"{_n(report.distances[0])} m by road, sized by elderly ({len(report.gaps)})"
        f"</figcaption></figure>"
    )


def _coverage_table(report: AreaReport) -> str:
    heads = "".join(
        f'<th class="n">{escape(MODE_LABELS[mode])} {_n(d)} m</th>'
        for mode in ("radius", "road")
        for d in report.distances
    )
    rows = []
    for kind in report.kinds:
        cells = []
        for mode in ("radius", "road"):
            for d in report.distances:
                figures: CoverageFigures = kind.coverage[mode, d]
                cells.append(
                    _cell(f"coverage:{kind.kind}:{mode}:{d:g}", _pct(figures.share), figures.share)
                )
        rows.append(
            f"<tr><td>{escape(KIND_LABELS[kind.kind])}</td>"
            f"{_cell(f'services:{kind.kind}', _n(kind.services), kind.services)}"
            f"{''.join(cells)}</tr>"
        )
    return (
        "<table><tr><th>服务类型 Kind</th><th class='n'>数量 Services</th>"
        f"{heads}</tr>{''.join(rows)}</table>"
        "<p class='note'>覆盖率：服务可达范围内的 60 岁以上老人占比 / Share of the elderly "
        "(60+) with a service within the distance; by road = to the nearest road, along the "
        "network, and from the road to the service.</p>"
    )


def render(report: AreaReport, outlines: list[dict[str, Any] | None]) -> str:
    area, figures, capacity = report.area, report.figures, report.capacity
    elderly = int(figures["elderly"])
    per_100_beds = capacity["beds"] * 100 / elderly if elderly else 0.0
    per_100_meals = capacity["meals"] * 100 / elderly if elderly else 0.0
    title = f"{area['name']} 养老服务覆盖报告"
    worst = "".join(
        f"<tr><td>{escape(v['code'])}</td><td>{escape(v['name'])}</td>"
        + _cell("worst:" + v["code"] + ":elderly", _n(v["elderly"]), v["elderly"])
        + f"<td class='n'>{_road_text(report, v['code'])}</td></tr>"
        for v in report.worst_served
    )
    coverage_chart = _bar_chart(
        f"各乡镇{KIND_LABELS[report.worst_kind].split()[0]}道路 {_n(report.distances[0])} 米覆盖率 "
        f"/ Coverage by township, by road within {_n(report.distances[0])} m",
        [
            (t.name, t.coverage[report.worst_kind], _pct(t.coverage[report.worst_kind]))
            for t in report.townships
        ],
        "coverage-by-township",
    )
    capacity_chart = _bar_chart(
        "各乡镇每百名老人床位 / Beds per 100 elderly by township",
        [(t.name, t.per_100(t.beds), _n(t.per_100(t.beds), 1)) for t in report.townships],
        "beds-by-township",
    )
    level = LEVEL_LABELS.get(area["level"], str(area["level"]))
    return f"""<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8">
<title>{escape(title)} / Elder-service coverage report</title>
<style>{STYLE}</style></head>
<body data-area="{escape(area["code"])}">
<h1>{escape(title)} <span class="en">Elder-service coverage report</span></h1>
<p>{escape(area["name"])}（{escape(level)}，代码 code {escape(area["code"])}）·
生成日期 Made on {date.today().isoformat()}</p>

<h2>人口 <span class="en">People</span></h2>
<table><tr><th>村/居委会 Villages</th><th>户数 Households</th><th>人口 Population</th>
<th>60岁以上 Elderly 60+</th><th>80岁以上 80+</th></tr><tr>
{_cell("villages", _n(len(report.villages)), len(report.villages))}
{_cell("households", _n(figures["households"]), figures["households"])}
{_cell("population", _n(figures["population"]), figures["population"])}
{_cell("elderly", _n(elderly), elderly)}
{_cell("elderly_80", _n(figures["elderly_80"] or 0), figures["elderly_80"] or 0)}
</tr></table>
<p class="note">人口与老人数为合成数据（固定随机种子）/ Households, population and elderly
counts of the demo data are synthetic (fixed seed).</p>

<h2>服务覆盖 <span class="en">Coverage</span></h2>
{_coverage_table(report)}

<h2>供给与需求 <span class="en">Capacity against demand</span></h2>
<table><tr><th>床位 Beds</th><th>护理床位 Nursing beds</th><th>日供餐 Meals a day</th>
<th>每百名老人床位 Beds per 100 elderly</th><th>每百名老人日供餐 Meals per 100 elderly</th></tr>
<tr>{_cell("beds", _n(capacity["beds"]), capacity["beds"])}
{_cell("nursing_beds", _n(capacity["nursing_beds"]), capacity["nursing_beds"])}
{_cell("meals", _n(capacity["meals"]), capacity["meals"])}
{_cell("beds_per_100", _n(per_100_beds, 2), per_100_beds)}
{_cell("meals_per_100", _n(per_100_meals, 2), per_100_meals)}</tr></table>

<h2>服务最不足的村 <span class="en">Worst-served villages</span></h2>
<p class="note">{escape(KIND_LABELS[report.worst_kind])}：道路 {_n(report.distances[0])} 米内没有，
按老人数排列 / none within {_n(report.distances[0])} m by road, most elderly first
（共 {_cell_inline("gaps", len(report.gaps))} 个村 villages）</p>
<table><tr><th>代码 Code</th><th>名称 Name</th><th class="n">60岁以上 Elderly</th>
<th class="n">最近道路距离 Nearest by road</th></tr>{worst}</table>

<h2>缺口地图 <span class="en">Map of the gaps</span></h2>
{_gap_map(report, outlines)}

<h2>图表 <span class="en">Charts</span></h2>
{coverage_chart}
{capacity_chart}
</body></html>
"""


def _cell_inline(name: str, value: int) -> str:
    return f'<span data-figure="{escape(name)}" data-value="{value}">{_n(value)}</span>'


def _road_text(report: AreaReport, code: str) -> str:
    kind = next(k for k in report.kinds if k.kind == report.worst_kind)
    metres = kind.road_distance.get(code)
    if metres is None:
        return f"&gt; {_n(max(report.distances))} m"
    return f"{_n(metres)} m"


def report_routes(contexts: RequestContexts) -> list[Route]:
    async def area_report_page(request: Request) -> HTMLResponse:
        ctx = await contexts(request)
        kinds = kinds_param(request) if request.query_params.get("kinds") else None
        report = await area_report(
            ctx,
            request.path_params["code"],
            kinds,
            check_distances(request.query_params.get("distances")),
        )
        township_codes = [t.code for t in report.townships]
        outlines = await ctx.loaders.outline.load_many(township_codes)
        return HTMLResponse(
            render(report, [o["geometry"] if o else None for o in outlines]),
            headers={"Cache-Control": "private, no-store"},
        )

    return [Route("/reports/areas/{code}", area_report_page)]
