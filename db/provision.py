"""Creating the database, its extensions and its schema; loading the demo data once."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError, OperationalError

from db.settings import APP_ROLE, PROJECT_ROOT, Settings

REQUIRED_EXTENSIONS = ("postgis", "pgrouting", "pg_trgm")


class ProvisionError(RuntimeError):
    """The chosen server cannot hold the registry; the message says why."""


def _describe(url: str) -> str:
    return make_url(url).render_as_string(hide_password=True)


def _first_line(exc: DBAPIError) -> str:
    return str(exc.orig).strip().splitlines()[0]


def _database_exists(settings: Settings, name: str) -> bool:
    """Whether ``name`` exists, asked of the database itself: a user may own a database on a
    server without being allowed into the maintenance database."""
    engine = create_engine(settings.url_for(name))
    try:
        with engine.connect():
            return True
    except OperationalError as exc:
        if "does not exist" in str(exc.orig):
            return False
        raise ProvisionError(
            f"cannot reach the database at {_describe(settings.url_for(name))}: {_first_line(exc)}"
        ) from exc
    finally:
        engine.dispose()


def create_database(settings: Settings, name: str, drop_first: bool = False) -> None:
    """Creates ``name`` on the server unless it exists (or drops it first when asked)."""
    if not drop_first and _database_exists(settings, name):
        return
    engine = create_engine(settings.url_for("postgres"), isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as conn:
            if drop_first:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            exists = conn.scalar(text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name})
            if not exists:
                conn.execute(text(f'CREATE DATABASE "{name}"'))
    except DBAPIError as exc:
        raise ProvisionError(
            f"cannot create database {name} at {_describe(settings.url_for('postgres'))}: "
            f"{_first_line(exc)}"
        ) from exc
    finally:
        engine.dispose()


def drop_database(settings: Settings, name: str) -> None:
    engine = create_engine(settings.url_for("postgres"), isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    finally:
        engine.dispose()


def copy_database(settings: Settings, source: str, target: str) -> str:
    """``target`` anew as a copy of ``source`` (which nobody may be connected to); its URL."""
    engine = create_engine(settings.url_for("postgres"), isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{target}" WITH (FORCE)'))
            conn.execute(text(f'CREATE DATABASE "{target}" TEMPLATE "{source}"'))
    finally:
        engine.dispose()
    return settings.url_for(target)


def ensure_extensions(url: str) -> None:
    """Installs PostGIS, pgRouting and pg_trgm, or says plainly which one the server lacks."""
    engine = create_engine(url, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as conn:
            available = set(
                conn.scalars(
                    text("SELECT name FROM pg_available_extensions WHERE name = ANY(:names)"),
                    {"names": list(REQUIRED_EXTENSIONS)},
                )
            )
            missing = [ext for ext in REQUIRED_EXTENSIONS if ext not in available]
            if missing:
                raise ProvisionError(
                    f"the server at {_describe(url)} lacks the PostgreSQL extension(s) "
                    f"{', '.join(missing)}: install PostGIS 3, pgRouting and contrib there "
                    "(Debian/Ubuntu: postgresql-NN-postgis-3 postgresql-NN-pgrouting)"
                )
            for ext in REQUIRED_EXTENSIONS:
                try:
                    conn.execute(text(f"CREATE EXTENSION IF NOT EXISTS {ext} CASCADE"))
                except DBAPIError as exc:
                    raise ProvisionError(
                        f"cannot create extension {ext} in {_describe(url)}: {_first_line(exc)}"
                    ) from exc
    except OperationalError as exc:
        raise ProvisionError(
            f"cannot reach the database at {_describe(url)}: {_first_line(exc)}"
        ) from exc
    finally:
        engine.dispose()


def alembic_config(url: str) -> Config:
    config = Config(str(PROJECT_ROOT / "alembic.ini"))
    config.set_main_option("script_location", str(PROJECT_ROOT / "migrations"))
    # "%" would be read as interpolation by configparser.
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def migrate(url: str, revision: str = "head") -> None:
    command.upgrade(alembic_config(url), revision)


def downgrade(url: str, revision: str = "base") -> None:
    command.downgrade(alembic_config(url), revision)


def is_empty(engine: Engine) -> bool:
    with engine.connect() as conn:
        return not conn.scalar(text("SELECT EXISTS (SELECT 1 FROM admin_area)"))


def prepare_database(settings: Settings, name: str, fresh: bool = False) -> str:
    """Database ``name`` with extensions and the schema at head; returns its URL.  (The
    demo data, which sits above the database layer, is loaded by ``data.demo``.)"""
    create_database(settings, name, drop_first=fresh)
    url = settings.url_for(name)
    ensure_extensions(url)
    migrate(url)
    if not settings.database_url:
        grant_app_role(settings, url)
    return url


# Tables the application reads but never writes.
READ_ONLY_TABLES = ("spatial_ref_sys", "alembic_version")


def grant_app_role(settings: Settings, url: str) -> None:
    """The application's own role (local cluster): rows of every table, no superuser, no
    DDL, and at most ``max_app_connections`` connections — so that however it is loaded,
    the connections PostgreSQL keeps for superusers (and set-up, migrations, psql) stay
    free."""
    database = make_url(url).database
    engine = create_engine(url, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as conn:
            if not conn.scalar(text("SELECT 1 FROM pg_roles WHERE rolname = :r"), {"r": APP_ROLE}):
                conn.execute(text(f"CREATE ROLE {APP_ROLE} LOGIN"))
            conn.execute(
                text(
                    f"ALTER ROLE {APP_ROLE} LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE"
                    f" NOREPLICATION NOBYPASSRLS CONNECTION LIMIT {settings.max_app_connections:d}"
                )
            )
            conn.execute(text(f'GRANT CONNECT, TEMPORARY ON DATABASE "{database}" TO {APP_ROLE}'))
            conn.execute(text(f"GRANT USAGE ON SCHEMA public TO {APP_ROLE}"))
            conn.execute(
                text(
                    "GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public"
                    f" TO {APP_ROLE}"
                )
            )
            conn.execute(
                text(f"GRANT USAGE, SELECT, UPDATE ON ALL SEQUENCES IN SCHEMA public TO {APP_ROLE}")
            )
            for table in READ_ONLY_TABLES:
                conn.execute(text(f"REVOKE INSERT, UPDATE, DELETE ON {table} FROM {APP_ROLE}"))
    finally:
        engine.dispose()


DEMO_ROLES = ("planner", "editor", "reviewer", "admin")


def create_demo_users(engine: Engine, tokens_file: Path) -> None:
    """On a database without users: one demo user and token per role, printed once and kept
    (readable by you alone) in ``tokens_file``."""
    from db.queries.users import create_token, create_user, has_users

    with engine.begin() as conn:
        if has_users(conn):
            return
        lines = []
        for role in DEMO_ROLES:
            token = create_token(conn, create_user(conn, f"demo-{role}", role), "demo")
            lines.append(f"{role:<9} Authorization: Bearer {token}")
    tokens_file.parent.mkdir(parents=True, exist_ok=True)
    tokens_file.write_text("\n".join(lines) + "\n")
    tokens_file.chmod(0o600)
    print("demo tokens, one per role (also in " + str(tokens_file) + "):")
    for line in lines:
        print("  " + line)
