"""The browser files the endpoints serve without a CDN: GraphiQL's and the map's.

strawberry's GraphiQL page loads React and GraphiQL from unpkg.com, which a registry on a
closed network cannot reach.  The page is rewritten to load the very same files (same
package, version and path, so the page's integrity hashes still hold) from ``/assets``,
where ``python app.py assets`` puts them, taken from the npm registry with ``npm pack``.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import tarfile
import tempfile
from dataclasses import dataclass
from pathlib import Path

from strawberry.http.ides import get_graphql_ide_html

ASSETS_URL = "/assets"
_UNPKG = re.compile(r"https://unpkg\.com/((?:@[^/@\"']+/)?[^/@\"']+)@([^/\"']+)/([^\"'\s]+)")


@dataclass(frozen=True)
class Asset:
    package: str
    version: str
    path: str

    @property
    def local_path(self) -> str:
        return f"{self.package}@{self.version}/{self.path}"


def ide_template() -> str:
    return get_graphql_ide_html(graphql_ide="graphiql")


def ide_assets(template: str | None = None) -> list[Asset]:
    return [Asset(*m.groups()) for m in _UNPKG.finditer(template or ide_template())]


IDE_TITLE = "威海地名登记 GraphQL · Weihai place-name registry"
# What GraphiQL opens on: a worked example of this registry, in place of its generic
# welcome (a JavaScript template literal: no backquote and no "${" in it).
WORKED_EXAMPLE = """# 威海地名登记 GraphQL / Weihai place-name registry
#
# Ctrl-Enter 运行 / runs the query    Ctrl-Space 补全 / completes
# 左上 Docs：每个类型、字段、参数都有中英文说明 / every type, field and argument described
# 编辑需令牌：Headers 中填 {"Authorization": "Bearer …"} / staff put their token in Headers
#
# 1. 地名检索：汉字、拼音、首字母皆可 / search by characters, pinyin or initials
# 2. 地图点击处最近的三张老年餐桌（直线与沿路距离）/ the three nearest dining tables
# 3. 环翠区的乡镇（街道）与村数 / the townships of Huancui and their villages
query WorkedExample {
  searchPlaceNames(query: "huancui", first: 3) {
    standardName pinyin category
  }
  nearestServices(near: {lon: 122.12, lat: 37.51}, kinds: [ELDER_DINING_TABLE],
                  first: 3, by: BOTH) {
    distanceMeters roadDistanceMeters
    service { name address }
  }
  area(code: "371002") {
    name level population elderly
    children { code name villages: children { code } }
  }
}
"""
_TITLE = re.compile(r"<title>.*?</title>", re.S)
_EXAMPLE = re.compile(r"const EXAMPLE_QUERY = `.*?`;", re.S)


def offline_ide_html(template: str | None = None) -> str:
    """GraphiQL with its files from this server, its own title and the worked example."""
    page = _UNPKG.sub(
        lambda m: f"{ASSETS_URL}/{m.group(1)}@{m.group(2)}/{m.group(3)}", template or ide_template()
    )
    page = _TITLE.sub(
        lambda _: f'<title>{IDE_TITLE}</title><link rel="icon" href="/web/favicon.svg">', page
    )
    return _EXAMPLE.sub(lambda _: f"const EXAMPLE_QUERY = `{WORKED_EXAMPLE}`;", page)


def missing_assets(folder: Path, assets: list[Asset]) -> list[Asset]:
    return [a for a in assets if not (folder / a.local_path).is_file()]


def fetch_assets(folder: Path, assets: list[Asset]) -> list[Asset]:
    """Fetches files from the npm registry (``npm pack``); returns those it could not get."""
    needed = missing_assets(folder, assets)
    npm = shutil.which("npm")
    if not needed or npm is None:
        return needed
    packages = sorted({(a.package, a.version) for a in needed})
    with tempfile.TemporaryDirectory() as tmp:
        for package, version in packages:
            result = subprocess.run(
                [npm, "pack", f"{package}@{version}", "--silent", "--pack-destination", tmp],
                capture_output=True,
                text=True,
                check=False,
            )
            if result.returncode != 0:
                continue
            tarball = Path(tmp) / result.stdout.strip().splitlines()[-1]
            with tarfile.open(tarball) as archive:
                for asset in (a for a in needed if (a.package, a.version) == (package, version)):
                    member = archive.extractfile(f"package/{asset.path}")
                    if member is None:
                        continue
                    target = folder / asset.local_path
                    target.parent.mkdir(parents=True, exist_ok=True)
                    target.write_bytes(member.read())
    return missing_assets(folder, assets)
