"""Backups restored, not just taken: pgBackRest with continuous WAL archiving, on a cluster
of the test's own (``db backup`` restarts its cluster once, to turn archiving on).

Edits are made and acknowledged, the time is noted, a bad bulk change follows (and more
edits); ``db restore --to`` that time makes a fresh cluster holding every edit
acknowledged before it and nothing after.
"""

from __future__ import annotations

import dataclasses
import shutil
import time
from collections.abc import Iterator

import pytest
from sqlalchemy import Engine, create_engine, text

from db.backup import Backups, RestoredCluster
from db.cluster import LocalCluster
from db.provision import prepare_database
from db.settings import Settings

pytestmark = pytest.mark.slow

EDITED = "UPDATE admin_area SET name = :name WHERE code = :code"


@pytest.fixture()
def own_cluster(settings: Settings) -> Iterator[Settings]:
    if settings.database_url:
        pytest.skip("backups are of the project-local cluster (DATABASE_URL is set)")
    own = dataclasses.replace(settings, data_dir=settings.data_dir / "bk")
    shutil.rmtree(own.data_dir, ignore_errors=True)
    LocalCluster(own).start()
    try:
        yield own
    finally:
        RestoredCluster(own, "restored").stop()
        LocalCluster(own).stop()
        shutil.rmtree(own.data_dir, ignore_errors=True)


def _areas(engine: Engine) -> dict[str, str]:
    with engine.connect() as conn:
        rows = conn.execute(text("SELECT code, name FROM admin_area ORDER BY code")).all()
    return {code: name for code, name in rows}


def test_a_restore_to_a_noted_time_keeps_every_edit_before_it_and_none_after(
    own_cluster: Settings,
) -> None:
    url = prepare_database(own_cluster, "registry")
    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO admin_area (code, name, level, geom, rep_point, names_source,"
                " geometry_source)"
                " SELECT '37' || lpad(n::text, 2, '0'), '市' || n, 'city',"
                " ST_Multi(ST_Buffer(ST_SetSRID(ST_MakePoint(122 + n / 100.0, 37), 4326),"
                " 0.001)), ST_SetSRID(ST_MakePoint(122 + n / 100.0, 37), 4326), 'test', 'test'"
                " FROM generate_series(1, 20) n"
            )
        )
    info = Backups(own_cluster).backup()  # restarts the cluster: archiving turned on
    engine.dispose()
    assert info.kind == "full"

    # Edits after the backup, each acknowledged (committed) on its own.
    acknowledged = {}
    for n in range(1, 11):
        code = f"37{n:02d}"
        with engine.begin() as conn:
            conn.execute(text(EDITED), {"name": f"改名{n}", "code": code})
        acknowledged[code] = f"改名{n}"
    time.sleep(1.1)
    with engine.connect() as conn:
        noted = conn.execute(text("SELECT now()::text")).scalar_one()
    time.sleep(1.1)
    # The bad bulk change, and an edit after it.
    with engine.begin() as conn:
        conn.execute(text("UPDATE admin_area SET name = 'XXX'"))
    with engine.begin() as conn:
        conn.execute(text("DELETE FROM admin_area WHERE code = '3720'"))
    before = _areas(engine)
    engine.dispose()
    assert set(before.values()) == {"XXX"} and len(before) == 19

    state = Backups(own_cluster).restore(noted)
    restored_url = (
        f"postgresql+psycopg2://postgres@/registry?host={state.socket_dir}&port={state.port}"
    )
    restored_engine = create_engine(restored_url)
    restored = _areas(restored_engine)
    with restored_engine.connect() as conn:
        in_recovery = conn.execute(text("SELECT pg_is_in_recovery()")).scalar_one()
    restored_engine.dispose()
    assert not in_recovery  # promoted: it takes writes
    assert len(restored) == 20  # the deletion after the noted time is not there
    for code, name in acknowledged.items():
        assert restored[code] == name
    untouched = {code: name for code, name in restored.items() if code not in acknowledged}
    assert untouched == {f"37{n:02d}": f"市{n}" for n in range(11, 21)}
    # The live cluster still has its bad change: the restore made a fresh cluster.
    assert RestoredCluster(own_cluster, "restored").pgdata != LocalCluster(own_cluster).pgdata
