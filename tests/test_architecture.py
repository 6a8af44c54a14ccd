"""The import contracts script/test checks do catch an import that points up a layer,
function-level imports included."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from db.settings import PROJECT_ROOT

PACKAGES = ("endpoints", "schema", "resolvers", "data", "db", "gis", "domain")


def _lint_imports(root: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(PROJECT_ROOT / ".venv/bin/lint-imports"), "--no-cache"],
        cwd=root,
        env={**os.environ, "PYTHONPATH": str(root)},
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.fixture()
def copy_of_the_project(tmp_path: Path) -> Path:
    for package in PACKAGES:
        shutil.copytree(
            PROJECT_ROOT / package, tmp_path / package, ignore=shutil.ignore_patterns("*.pyc")
        )
    shutil.copy(PROJECT_ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    return tmp_path


def test_the_project_keeps_its_contracts(copy_of_the_project: Path) -> None:
    kept = _lint_imports(copy_of_the_project)
    assert kept.returncode == 0, kept.stdout


@pytest.mark.parametrize(
    ("module", "back_edge", "says"),
    [
        ("resolvers/areas.py", "from schema.area import AdminArea\n", "resolvers is not allowed"),
        (
            "gis/geojson.py",
            "def _dodge() -> None:\n    from resolvers.pages import Page  # noqa\n",
            "gis is not allowed",
        ),
        ("domain/codes.py", "import sqlalchemy\n", "sqlalchemy"),
        ("db/engine.py", "import app\n", "app"),
    ],
)
def test_an_import_up_a_layer_breaks_the_build(
    copy_of_the_project: Path, module: str, back_edge: str, says: str
) -> None:
    path = copy_of_the_project / module
    path.write_text(path.read_text() + "\n\n" + back_edge)
    broken = _lint_imports(copy_of_the_project)
    assert broken.returncode != 0
    assert "BROKEN" in broken.stdout and says in broken.stdout, broken.stdout
