"""Every benchmark script, run in its quick mode against a copy of the test database: a
bench that breaks (a renamed function, a role it lacks, a changed query) fails the suite.
The figures are not judged here; bench/README.md holds the full runs."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys

import pytest
from sqlalchemy.engine import make_url

from db.settings import PROJECT_ROOT, Settings

pytestmark = pytest.mark.slow

BENCHES = [
    "search",
    "tiles",
    "coverage",
    "nearest",
    "lists",
    "abuse",
    "imports",
    "ogc",
    "tile_sizes",
    "national_reads",
    "replicas",
]


def _env(settings: Settings, database_url: str) -> dict[str, str]:
    """The environment that points a bench at the copy rather than the registry."""
    if settings.database_url:
        return {**os.environ, "DATABASE_URL": database_url}
    name = make_url(database_url).database
    assert name is not None
    return {**os.environ, "REGISTRY_DB": name}


@pytest.mark.parametrize("bench", BENCHES)
def test_the_bench_runs_in_its_quick_mode(
    settings: Settings, scratch_database_url: str, bench: str
) -> None:
    if bench in ("nearest", "lists", "abuse", "replicas") and shutil.which("npm") is None:
        pytest.skip("npm is needed for autocannon and PostGraphile (apt-get install npm)")
    result = subprocess.run(
        [sys.executable, "-m", f"bench.{bench}", "--quick"],
        cwd=PROJECT_ROOT,
        env=_env(settings, scratch_database_url),
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-3000:]
    assert "target" in result.stdout
