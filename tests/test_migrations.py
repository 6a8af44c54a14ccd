"""Migrations upgrade to head, downgrade to base, and match the table definitions."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from alembic import command
from sqlalchemy import create_engine, inspect

from db.provision import alembic_config, create_database, drop_database, ensure_extensions, migrate
from db.provision import downgrade as downgrade_to
from db.settings import Settings
from db.tables import metadata

SCRATCH = "registry_migration_test"


@pytest.fixture()
def scratch_url(settings: Settings) -> Iterator[str]:
    create_database(settings, SCRATCH, drop_first=True)
    url = settings.url_for(SCRATCH)
    ensure_extensions(url)
    yield url
    drop_database(settings, SCRATCH)


def _registry_tables(url: str) -> set[str]:
    engine = create_engine(url)
    try:
        return set(inspect(engine).get_table_names()) & set(metadata.tables)
    finally:
        engine.dispose()


def test_upgrade_to_head_and_downgrade_to_base(scratch_url: str) -> None:
    migrate(scratch_url)
    assert _registry_tables(scratch_url) == set(metadata.tables)
    downgrade_to(scratch_url, "base")
    assert _registry_tables(scratch_url) == set()
    migrate(scratch_url)
    assert _registry_tables(scratch_url) == set(metadata.tables)


def test_migrations_match_the_table_definitions(scratch_url: str) -> None:
    """`alembic check`: autogenerate finds nothing between head and db/tables.py."""
    migrate(scratch_url)
    command.check(alembic_config(scratch_url))
