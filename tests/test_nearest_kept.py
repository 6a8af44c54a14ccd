"""The distances kept per village and kind equal the direct computation, on the demo
data and after every kind of edit: publish, move, change of kind, retire, delete, and a
village that moves."""

from __future__ import annotations

import pytest
from sqlalchemy import Connection, text

from db.queries.coverage import village_distances
from db.tables import SERVICE_KINDS


def _same_as_direct(connection: Connection, kinds: list[str], metres: float) -> None:
    kept = village_distances(connection, "3710", kinds, "radius", metres)
    direct = village_distances(connection, "3710", kinds, "radius", metres, direct=True)
    assert [r["code"] for r in kept] == [r["code"] for r in direct]
    differ = [
        (k["code"], k["distance_m"], d["distance_m"])
        for k, d in zip(kept, direct, strict=True)
        if (k["distance_m"] is None) != (d["distance_m"] is None)
        or (k["distance_m"] is not None and abs(k["distance_m"] - d["distance_m"]) > 1e-6)
    ]
    assert differ == []


@pytest.mark.parametrize("metres", [300.0, 1000.0, 5000.0, 15_000.0])
def test_kept_distances_equal_the_direct_computation(connection: Connection, metres: float) -> None:
    for kind in SERVICE_KINDS:
        _same_as_direct(connection, [kind], metres)
    _same_as_direct(connection, ["elder_dining_table", "community_elder_facility"], metres)


def _village_point(connection: Connection, offset: int) -> tuple[str, float, float]:
    code, lon, lat = connection.execute(
        text(
            "SELECT code, ST_X(rep_point), ST_Y(rep_point) FROM admin_area"
            " WHERE level = 'village' ORDER BY md5(code) OFFSET :o LIMIT 1"
        ),
        {"o": offset},
    ).one()
    return code, lon, lat


def test_kept_distances_follow_every_edit(connection: Connection) -> None:
    kind = "assistance_station"  # few of them: every edit changes many villages' nearest
    code, lon, lat = _village_point(connection, 0)
    new_id = connection.execute(
        text(
            "INSERT INTO service (kind, name, geom, area_code, source, status)"
            " VALUES (:k, '新驿站', ST_SetSRID(ST_MakePoint(:x, :y), 4326), :c, 'test', 'proposed')"
            " RETURNING id"
        ),
        {"k": kind, "x": lon + 0.001, "y": lat, "c": code},
    ).scalar_one()
    _same_as_direct(connection, [kind], 15_000.0)
    edits = [
        "UPDATE service SET status = 'published' WHERE id = :id",
        "UPDATE service SET geom = ST_Translate(geom, 0.05, 0.02) WHERE id = :id",
        "UPDATE service SET kind = 'township_elder_center' WHERE id = :id",
        "UPDATE service SET kind = 'assistance_station' WHERE id = :id",
        "UPDATE service SET status = 'retired' WHERE id = :id",
        "UPDATE service SET status = 'published' WHERE id = :id",
        "DELETE FROM service WHERE id = :id",
    ]
    for edit in edits:
        connection.execute(text(edit), {"id": new_id})
        for k in (kind, "township_elder_center"):
            _same_as_direct(connection, [k], 15_000.0)
    # An existing station retired, and a village moved next to another station.
    connection.execute(
        text(
            "UPDATE service SET status = 'retired' WHERE id ="
            " (SELECT min(id) FROM service WHERE kind = :k AND status = 'published')"
        ),
        {"k": kind},
    )
    moved, _, _ = _village_point(connection, 1)
    connection.execute(
        text(
            "UPDATE admin_area SET rep_point = (SELECT geom FROM service WHERE kind = :k"
            " AND status = 'published' ORDER BY id DESC LIMIT 1) WHERE code = :c"
        ),
        {"k": kind, "c": moved},
    )
    for k in SERVICE_KINDS:
        _same_as_direct(connection, [k], 3_000.0)
    nearest = village_distances(connection, moved[:9], [kind], "radius", 1.0)
    assert {r["code"]: r["distance_m"] for r in nearest}[moved] == pytest.approx(0.0, abs=1e-6)
