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


def offline_ide_html(template: str | None = None) -> str:
    return _UNPKG.sub(
        lambda m: f"{ASSETS_URL}/{m.group(1)}@{m.group(2)}/{m.group(3)}", template or ide_template()
    )


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
