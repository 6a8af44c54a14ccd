"""The demo data keeps the real division list and is reproducible."""

from __future__ import annotations

import csv
import hashlib
import json
from pathlib import Path

from sqlalchemy import Connection, text

from data.demo import build_demo_data, export_demo_data

DATA = Path(__file__).resolve().parent.parent / "data"


def _csv(name: str) -> dict[str, str]:
    with (DATA / name).open(encoding="utf-8") as handle:
        return {row["code"]: row["name"] for row in csv.DictReader(handle)}


def test_real_codes_and_names_are_kept_unchanged(connection: Connection) -> None:
    stored: dict[str, dict[str, str]] = {
        level: dict(
            connection.execute(
                text("SELECT code, name FROM admin_area WHERE level = :level"), {"level": level}
            ).all()
        )
        for level in ("county", "township", "village")
    }
    assert stored["county"] == _csv("weihai-counties.csv")
    assert stored["township"] == _csv("weihai-townships.csv")
    assert stored["village"] == _csv("weihai-villages.csv")
    assert (len(stored["county"]), len(stored["township"]), len(stored["village"])) == (7, 73, 2768)


def test_every_code_starts_with_its_parents_code(connection: Connection) -> None:
    bad = connection.execute(
        text(
            "SELECT count(*) FROM admin_area WHERE parent_code IS NOT NULL "
            "AND code NOT LIKE parent_code || '%'"
        )
    ).scalar_one()
    assert bad == 0


def test_synthetic_records_are_labelled(connection: Connection) -> None:
    unlabelled = connection.execute(
        text(
            """
        SELECT (SELECT count(*) FROM admin_area
                WHERE level IN ('township', 'village') AND geometry_source <> 'synthetic')
             + (SELECT count(*) FROM service WHERE source <> 'synthetic')
             + (SELECT count(*) FROM village_road WHERE source <> 'synthetic')
             + (SELECT count(*) FROM place_name WHERE source <> 'synthetic')
        """
        )
    ).scalar_one()
    assert unlabelled == 0


def _digest(folder: Path) -> str:
    h = hashlib.sha256()
    for path in sorted(folder.glob("*.geojson")):
        h.update(path.name.encode())
        h.update(path.read_bytes())
    return h.hexdigest()


def test_demo_data_is_deterministic(tmp_path: Path) -> None:
    export_demo_data(build_demo_data(), tmp_path / "a")
    export_demo_data(build_demo_data(), tmp_path / "b")
    assert _digest(tmp_path / "a") == _digest(tmp_path / "b")
    villages = json.loads((tmp_path / "a" / "admin_area.geojson").read_text())["features"]
    assert sum(1 for f in villages if f["properties"]["level"] == "village") == 2768


def test_a_different_seed_gives_different_positions(tmp_path: Path) -> None:
    export_demo_data(build_demo_data(seed=1), tmp_path / "a")
    export_demo_data(build_demo_data(seed=2), tmp_path / "b")
    assert _digest(tmp_path / "a") != _digest(tmp_path / "b")


def test_demo_roads_follow_the_naming_rule_edits_are_held_to(connection: Connection) -> None:
    """One road of a name per township.  (Settlement names are real, and 24 real ones do
    repeat within a county: the rule holds for new names.)"""
    repeated = connection.execute(
        text(
            "SELECT count(*) FROM (SELECT 1 FROM village_road"
            " GROUP BY left(village_code, 9), name HAVING count(*) > 1) r"
        )
    ).scalar_one()
    assert repeated == 0
