"""Alembic environment: migrations are derived from db.tables.metadata."""

from __future__ import annotations

from alembic import context
from geoalchemy2 import alembic_helpers
from sqlalchemy import create_engine
from sqlalchemy.schema import SchemaItem

from db.settings import get_settings
from db.tables import metadata

config = context.config
target_metadata = metadata

# Tables that belong to PostGIS, pgRouting and their friends, not to the registry.
FOREIGN_TABLES = {"spatial_ref_sys", "topology", "layer", "us_gaz", "us_lex", "us_rules"}


def include_object(
    obj: SchemaItem, name: str | None, type_: str, reflected: bool, compare_to: SchemaItem | None
) -> bool:
    if type_ == "table" and name in FOREIGN_TABLES:
        return False
    keep = alembic_helpers.include_object(obj, name, type_, reflected, compare_to)  # type: ignore[no-untyped-call]
    return bool(keep)


def database_url() -> str:
    return config.get_main_option("sqlalchemy.url") or get_settings().url_for()


def run_migrations_offline() -> None:
    context.configure(
        url=database_url(),
        target_metadata=target_metadata,
        literal_binds=True,
        include_object=include_object,
        render_item=alembic_helpers.render_item,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    engine = create_engine(database_url())
    with engine.connect() as connection:
        context.configure(
            connection=connection,
            target_metadata=target_metadata,
            include_object=include_object,
            process_revision_directives=alembic_helpers.writer,
            render_item=alembic_helpers.render_item,
            transaction_per_migration=True,
        )
        with context.begin_transaction():
            context.run_migrations()
    engine.dispose()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
