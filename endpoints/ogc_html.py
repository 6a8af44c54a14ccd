"""The OGC API's documents as HTML pages (``f=html``, or a browser's ``Accept``): the same
content as the JSON, readable, with the links to walk.  Every value is escaped."""

from __future__ import annotations

from html import escape
from typing import Any

from db.queries.features import FIELD_TITLES

_STYLE = """
body{font:15px/1.5 system-ui,"Noto Sans CJK SC","Microsoft YaHei",sans-serif;margin:0;color:#222}
header{background:#1f4e79;color:#fff;padding:.6em 1.2em}header a{color:#fff}
main{padding:1em 1.2em;max-width:70em}table{border-collapse:collapse;margin:.5em 0}
td,th{border:1px solid #ccc;padding:.2em .5em;text-align:left;vertical-align:top}
th{background:#f0f4f8}code{background:#f4f4f4;padding:0 .2em}nav a{margin-right:1em}
"""


def _link_list(links: list[dict[str, str]]) -> str:
    items = "".join(
        f'<li><a href="{escape(link["href"])}">{escape(link.get("title") or link["rel"])}</a>'
        f" <small>({escape(link['rel'])}, {escape(link.get('type', ''))})</small></li>"
        for link in links
    )
    return f"<ul>{items}</ul>"


def page(title: str, body: str, json_href: str) -> str:
    return (
        '<!doctype html><html lang="zh-CN"><head><meta charset="utf-8">'
        f"<title>{escape(title)}</title>"
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        '<link rel="icon" href="/web/favicon.svg" type="image/svg+xml">'
        f"<style>{_STYLE}</style></head><body>"
        '<header><a href="/ogc?f=html">威海地名登记 OGC API</a> · '
        '<a href="/ogc/collections?f=html">集合 Collections</a> · '
        '<a href="/ogc/api.html">API</a> · <a href="/map">地图 Map</a></header>'
        f"<main><h1>{escape(title)}</h1>{body}"
        f'<p><a href="{escape(json_href)}">JSON</a></p></main></body></html>'
    )


def _with_html(href: str) -> str:
    return f"{href}{'&' if '?' in href else '?'}f=html"


def landing(doc: dict[str, Any], json_href: str) -> str:
    return page(
        doc["title"], f"<p>{escape(doc['description'])}</p>" + _link_list(doc["links"]), json_href
    )


def conformance(doc: dict[str, Any], json_href: str) -> str:
    items = "".join(f"<li><code>{escape(uri)}</code></li>" for uri in doc["conformsTo"])
    return page("符合的标准 Conformance", f"<ul>{items}</ul>", json_href)


def collections(doc: dict[str, Any], json_href: str) -> str:
    rows = "".join(
        f'<tr><td><a href="{escape(_with_html(c["links"][0]["href"]))}">'
        f"{escape(c['id'])}</a></td><td>{escape(c['title'])}</td>"
        f"<td>{escape(c['description'])}</td></tr>"
        for c in doc["collections"]
    )
    head = "<tr><th>id</th><th>名称 Title</th><th>说明 Description</th></tr>"
    table = f"<table>{head}{rows}</table>"
    return page("集合 Collections", table, json_href)


def collection(doc: dict[str, Any], json_href: str) -> str:
    west, south, east, north = doc["extent"]["spatial"]["bbox"][0]
    body = (
        f"<p>{escape(doc['description'])}</p>"
        f"<p>几何类型 Geometry: <code>{escape(doc.get('geometryType', ''))}</code>;"
        f" 范围 Extent: {west:.5f}, {south:.5f}, {east:.5f}, {north:.5f}</p>"
        + _link_list(doc["links"])
    )
    return page(doc["title"], body, json_href)


def _cell(value: Any) -> str:
    return "" if value is None else escape(str(value))


def _heading(name: str) -> str:
    zh, en = FIELD_TITLES.get(name, (name, name))
    return f'<th title="{escape(en)}">{escape(zh)}<br><code>{escape(name)}</code></th>'


def _row(feature: dict[str, Any], names: list[str], item_href: str) -> str:
    key = escape(str(feature["id"]))
    cells = "".join(f"<td>{_cell(feature['properties'].get(n))}</td>" for n in names)
    return f'<tr><td><a href="{escape(item_href)}/{key}?f=html">{key}</a></td>{cells}</tr>'


def _page_nav(links: list[dict[str, str]]) -> str:
    words = {"next": "下一页 next", "prev": "上一页 previous"}
    return "".join(
        f'<a href="{escape(_with_html(link["href"]))}">{words[link["rel"]]}</a>'
        for link in links
        if link["rel"] in words
    )


def items(
    title: str, features: list[dict[str, Any]], doc: dict[str, Any], item_href: str, json_href: str
) -> str:
    names: list[str] = []
    for feature in features:
        names += [n for n in feature["properties"] if n not in names]
    head = "".join(_heading(n) for n in names)
    rows = "".join(_row(f, names, item_href) for f in features)
    matched, returned = doc["numberMatched"], doc["numberReturned"]
    summary = f"<p>共 {matched} 个，本页 {returned} 个 / {matched} matched, {returned} here</p>"
    nav = f"<nav>{_page_nav(doc['links'])}</nav>"
    table = f"<table><tr><th>id</th>{head}</tr>{rows}</table>"
    return page(title, f"{summary}{nav}{table}{nav}", json_href)


def item(title: str, feature: dict[str, Any], json_href: str) -> str:
    rows = "".join(
        f"<tr><th>{escape(FIELD_TITLES.get(n, (n, n))[0])} <code>{escape(n)}</code></th>"
        f"<td>{_cell(v)}</td></tr>"
        for n, v in feature["properties"].items()
    )
    geometry = feature["geometry"]
    body = (
        f"<table>{rows}<tr><th>几何 geometry</th><td>{escape(geometry['type'])}</td></tr></table>"
        + _link_list(feature.get("links", []))
    )
    return page(f"{title}: {feature['id']}", body, json_href)


def _parameter_line(parameter: dict[str, Any], shared: dict[str, Any]) -> str:
    if "$ref" in parameter:
        parameter = shared[parameter["$ref"].rsplit("/", 1)[1]]
    name, description = parameter["name"], parameter.get("description", "")
    return f"<li><code>{escape(name)}</code> {escape(description)}</li>"


def api(doc: dict[str, Any], json_href: str) -> str:
    shared = doc["components"]["parameters"]
    sections = []
    for path, operations in doc["paths"].items():
        get = operations["get"]
        parameters = "".join(_parameter_line(p, shared) for p in get.get("parameters", []))
        sections.append(
            f"<h3><code>GET {escape(path)}</code></h3><p>{escape(get['summary'])}</p>"
            + (f"<ul>{parameters}</ul>" if parameters else "")
        )
    intro = f"<p>{escape(doc['info']['description'])}</p>"
    return page(doc["info"]["title"], intro + "".join(sections), json_href)
