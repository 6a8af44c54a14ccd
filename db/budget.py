"""The connection budget: what the application's pools may take of PostgreSQL, worked out
from the settings in one place and checked against the server at start-up.

Each worker process holds at most ``pool_size`` pooled connections and as many again of
overflow (work in threads), ``pool_size`` connections for the reads sent from its event
loop, and one LISTEN connection shared by all its subscribers.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import create_engine, text
from sqlalchemy.exc import DBAPIError

from db.settings import Settings

# Connections left free besides the superusers' reserved ones: set-up, migrations, a
# backup, an operator's psql.
ADMIN_HEADROOM = 5


def connections_per_worker(settings: Settings) -> int:
    pooled = settings.pool_size * 2  # pool_size, plus max_overflow = pool_size
    event_loop_reads = settings.pool_size
    listen = 1
    return pooled + event_loop_reads + listen


@dataclass(frozen=True)
class BudgetCheck:
    errors: list[str]
    warnings: list[str]


def check_budget(settings: Settings, workers: int, url: str) -> BudgetCheck:
    """What is wrong (the server must not start) and what is doubtful (it may)."""
    errors: list[str] = []
    warnings: list[str] = []
    needed = workers * connections_per_worker(settings)
    if needed > settings.max_app_connections:
        errors.append(
            f"{workers} worker(s) × {connections_per_worker(settings)} connections"
            f" (REGISTRY_POOL_SIZE={settings.pool_size}: pool, overflow, event-loop reads,"
            f" one LISTEN) = {needed}, more than REGISTRY_MAX_APP_CONNECTIONS="
            f"{settings.max_app_connections}; lower --workers or REGISTRY_POOL_SIZE"
        )
    engine = create_engine(url, pool_size=1, max_overflow=0)
    try:
        with engine.connect() as conn:
            row = conn.execute(
                text(
                    "SELECT current_setting('max_connections')::int AS max_connections,"
                    " current_setting('superuser_reserved_connections')::int AS reserved,"
                    " r.rolsuper AS superuser, r.rolconnlimit AS role_limit, r.rolname AS role"
                    " FROM pg_roles r WHERE r.rolname = current_user"
                )
            ).one()
    except DBAPIError:
        warnings.append("the database does not answer yet: the connection budget is unchecked")
        return BudgetCheck(errors, warnings)
    finally:
        engine.dispose()
    available = row.max_connections - row.reserved - ADMIN_HEADROOM
    if settings.max_app_connections > available:
        errors.append(
            f"REGISTRY_MAX_APP_CONNECTIONS={settings.max_app_connections} leaves PostgreSQL"
            f" (max_connections={row.max_connections}, {row.reserved} reserved for superusers)"
            f" fewer than {ADMIN_HEADROOM} for set-up and operators; lower it to {available}"
            " or raise max_connections"
        )
    if row.superuser:
        warnings.append(
            f"the application connects as {row.role}, a superuser: it may take the connections"
            " PostgreSQL keeps for administrators; give it a role of its own"
        )
    if row.role_limit < 0 or row.role_limit > settings.max_app_connections:
        warnings.append(
            f"role {row.role} has no connection limit at or under REGISTRY_MAX_APP_CONNECTIONS"
            f" (ALTER ROLE {row.role} CONNECTION LIMIT {settings.max_app_connections})"
        )
    return BudgetCheck(errors, warnings)
