"""Reads to healthy replicas, writes to the primary, and read-your-writes across them.

``RoutedDatabase`` has the interface of ``Database``; the application is given it instead
of the primary's ``Database``, and every request is routed by a ``Route`` kept in a
context variable (set per request by ``endpoints.consistency``):

- a request that writes (a mutation, a subscription's socket) uses the primary for
  everything, from its first statement or from its first write on;
- any other request reads from one replica, chosen round robin among those that answer,
  are in recovery, lag no more than ``replica_max_lag_ms`` and, when the request carries a
  consistency token, have replayed past it; with none such, from the primary;
- a replica that fails a read (stopped, unreachable) is marked down until its next
  successful check, and the read is sent again to the next one, and at last to the primary.

A write's consistency token is the primary's WAL insert position after its commit: a
replica whose replay position is at or past it holds the write.

The replicas' state comes from ``check``, run every ``replica_check_ms`` by ``monitor``
in each worker process.
"""

from __future__ import annotations

import asyncio
import itertools
import logging
import time
from collections import deque
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any, TypeVar

import psycopg2
from sqlalchemy import Connection, create_engine, make_url
from sqlalchemy.exc import DBAPIError

from db.engine import Database, make_read_engine
from db.error_policy import QUERY_CANCELED
from db.queries.replication import COMMITTED_POSITION, primary_position, replay_position
from db.settings import Settings
from db.statements import Row, Statement

T = TypeVar("T")
log = logging.getLogger("registry")

PRIMARY = "primary"
# The primary's positions remembered (at the default interval, the last minute).
HEAD_SAMPLES = 120
# A check that takes longer than this counts as "not answering".
CHECK_TIMEOUT_SECONDS = 2.0


class ConsistencyTokenError(ValueError):
    """A consistency token that is no WAL position."""


def parse_lsn(token: str) -> int:
    """A WAL position as PostgreSQL writes it (``16/B374D848``) as a number."""
    high, slash, low = token.strip().partition("/")
    if not slash or not high or not low or len(high) > 8 or len(low) > 8:
        raise ConsistencyTokenError(token)
    try:
        return (int(high, 16) << 32) + int(low, 16)
    except ValueError:
        raise ConsistencyTokenError(token) from None


def format_lsn(position: int) -> str:
    return f"{position >> 32:X}/{position & 0xFFFFFFFF:X}"


def is_connection_failure(error: BaseException) -> bool:
    """The server or the connection failed (not the statement): another server may answer."""
    driver: BaseException | None = error
    if isinstance(error, DBAPIError):
        if error.connection_invalidated:
            return True
        driver = error.orig
    if getattr(driver, "pgcode", None) == QUERY_CANCELED:
        return False
    return isinstance(driver, psycopg2.OperationalError | psycopg2.InterfaceError)


@dataclass
class ServerState:
    """What the last check found of one server."""

    name: str
    role: str  # what it is configured as: "primary" or "replica"
    address: str
    reachable: bool = False
    in_recovery: bool | None = None
    lsn: int | None = None  # the primary's insert position, a replica's replay position
    lag_bytes: int | None = None
    lag_seconds: float | None = None
    # A replica's answer: seconds since it replayed its last transaction.
    since_replay: float | None = None
    error: str | None = None
    # Set when a read failed on it: not used until a check finds it answering again.
    failed_at: float | None = None

    def as_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "role": self.role,
            "address": self.address,
            "reachable": self.reachable,
            "inRecovery": self.in_recovery,
            "lsn": format_lsn(self.lsn) if self.lsn is not None else None,
            "lagBytes": self.lag_bytes,
            "lagSeconds": None if self.lag_seconds is None else round(self.lag_seconds, 3),
            "error": self.error,
        }


@dataclass
class Server:
    name: str
    database: Database
    state: ServerState


@dataclass
class Route:
    """Where one request's statements go, and what it wrote."""

    # The position the caller has seen (its consistency token): no server behind it.
    min_lsn: int | None = None
    primary_only: bool = False
    target: Server | None = None
    written_lsn: int | None = None
    served_by: set[str] = field(default_factory=set)

    def pin_to_primary(self) -> None:
        self.primary_only = True

    @property
    def consistency_token(self) -> str | None:
        return format_lsn(self.written_lsn) if self.written_lsn is not None else None


ROUTE: ContextVar[Route | None] = ContextVar("route", default=None)


def current_route() -> Route:
    """The request's route; work outside a request (start-up, the CLI) gets a fresh one."""
    route = ROUTE.get()
    return route if route is not None else Route()


def address_of(url: str) -> str:
    """host:port of a URL, for /healthz: never its user or password."""
    parsed = make_url(url)
    if parsed.host:
        return f"{parsed.host}:{parsed.port or 5432}"
    hosts = parsed.query.get("host") or "local socket"
    if isinstance(hosts, tuple):  # libpq's multi-host form: host=a:1&host=b:2
        return ",".join(hosts)
    return f"{hosts}:{parsed.query.get('port') or 5432}"


class RoutedDatabase(Database):
    """The primary and its replicas, as one ``Database`` to the application."""

    def __init__(
        self,
        primary: Database,
        replicas: list[tuple[str, Database]],
        *,
        max_lag_seconds: float,
        addresses: dict[str, str] | None = None,
    ) -> None:
        # No super().__init__(): the servers' own Databases hold the pools and threads.
        addresses = addresses or {}
        self.primary = Server(
            PRIMARY, primary, ServerState(PRIMARY, "primary", addresses.get(PRIMARY, ""))
        )
        self.replicas = [
            Server(name, db, ServerState(name, "replica", addresses.get(name, "")))
            for name, db in replicas
        ]
        self.engine = primary.engine
        self.threads = primary.threads
        self.max_lag_seconds = max_lag_seconds
        self._turn = itertools.count()
        # The primary's WAL position at each check (time, position): replicas' lag in time.
        self._heads: deque[tuple[float, int]] = deque(maxlen=HEAD_SAMPLES)

    # -- choosing a server -------------------------------------------------------

    def _usable(self, server: Server, min_lsn: int | None) -> bool:
        state = server.state
        if not state.reachable or not state.in_recovery or state.failed_at is not None:
            return False
        if state.lag_seconds is None or state.lag_seconds > self.max_lag_seconds:
            return False
        return min_lsn is None or (state.lsn is not None and state.lsn >= min_lsn)

    def _choose(self, route: Route) -> Server:
        if route.primary_only or not self.replicas:
            return self.primary
        if route.target is None:
            usable = [s for s in self.replicas if self._usable(s, route.min_lsn)]
            route.target = usable[next(self._turn) % len(usable)] if usable else self.primary
        return route.target

    def _reader(self) -> Server:
        route = current_route()
        server = self._choose(route)
        route.served_by.add(server.name)
        return server

    def _failed(self, server: Server, error: BaseException) -> bool:
        """Whether the read that failed on ``server`` may be sent to another one."""
        route = current_route()
        if server is self.primary or route.primary_only or not is_connection_failure(error):
            return False
        server.state.failed_at = time.monotonic()
        server.state.error = _first_line(error)
        log.warning("replica %s failed a read; sending it elsewhere: %s", server.name, error)
        route.target = None
        return True

    # -- the Database interface --------------------------------------------------

    @contextmanager
    def connect(self) -> Iterator[Connection]:
        with self._reader().database.connect() as conn:
            yield conn

    @contextmanager
    def transaction(self) -> Iterator[Connection]:
        route = current_route()
        route.pin_to_primary()
        route.served_by.add(PRIMARY)
        with self.primary.database.engine.connect() as conn:
            conn = conn.execution_options(isolation_level="READ COMMITTED")
            with conn.begin():
                yield conn
            try:
                committed = parse_lsn(str(conn.exec_driver_sql(COMMITTED_POSITION).scalar()))
                conn.rollback()
            except DBAPIError:
                # Committed, but the position is not known: no token; the request stays
                # on the primary, which has the write.
                return
        route.written_lsn = max(route.written_lsn or 0, committed)

    async def fetch(self, statement: Statement) -> list[Row]:
        while True:
            server = self._reader()
            try:
                return await server.database.fetch(statement)
            except Exception as error:
                if not self._failed(server, error):
                    raise

    async def run(self, work: Callable[[Database], T]) -> T:
        while True:
            server = self._reader()
            try:
                return await server.database.run(lambda _database: work(self))
            except Exception as error:
                if not self._failed(server, error):
                    raise

    async def write(self, work: Callable[[Connection], T]) -> T:
        current_route().pin_to_primary()

        def in_transaction(_database: Database) -> T:
            with self.transaction() as conn:
                return work(conn)

        return await self.primary.database.run(in_transaction)

    def connections_in_use(self) -> int:
        return sum(s.database.connections_in_use() for s in self.servers())

    def dispose(self) -> None:
        for server in self.servers():
            server.database.dispose()

    def servers(self) -> list[Server]:
        return [self.primary, *self.replicas]

    # -- checks --------------------------------------------------------------------

    async def check(self) -> list[ServerState]:
        """Every server asked now; the replicas' lag is measured against the primary."""
        await _check_one(self.primary, primary_position())
        await asyncio.gather(*(_check_one(r, replay_position()) for r in self.replicas))
        head = self.primary.state.lsn if self.primary.state.reachable else None
        now = time.monotonic()
        if head is not None:
            self._heads.append((now, head))
        for replica in self.replicas:
            state = replica.state
            if not state.reachable or state.lsn is None:
                state.lag_bytes = state.lag_seconds = None
                continue
            if head is None:
                # The primary is down: nothing to measure against; what was replayed is
                # all there is to read.
                state.lag_bytes, state.lag_seconds = None, 0.0
                continue
            state.lag_bytes = max(0, head - state.lsn)
            state.lag_seconds = self._lag_seconds(state, now)
        return [s.state for s in self.servers()]

    def _lag_seconds(self, state: ServerState, now: float) -> float | None:
        """How far behind in time a replica is, at most: it holds everything the primary
        had written when it was last seen at or below the replica's replay position.
        (The time since the last replayed transaction would call a replica that missed
        only a few bytes of housekeeping as old as the last write.)"""
        if state.lag_bytes == 0:
            return 0.0
        assert state.lsn is not None
        for seen_at, head in reversed(self._heads):
            if head <= state.lsn:
                return now - seen_at
        # Behind everything seen: at least as old as the oldest sample.
        oldest = now - self._heads[0][0] if self._heads else None
        return max(x for x in (oldest, state.since_replay, 0.0) if x is not None)

    async def monitor(self, interval_seconds: float) -> None:
        """``check`` for ever, every ``interval_seconds`` (a task of the worker)."""
        while True:
            try:
                await self.check()
            except Exception:  # a check must never end the monitor
                log.exception("checking the database servers failed")
            await asyncio.sleep(interval_seconds)


async def _check_one(server: Server, statement: Statement) -> None:
    state = server.state
    try:
        rows = await asyncio.wait_for(server.database.fetch(statement), CHECK_TIMEOUT_SECONDS)
    except Exception as error:
        state.reachable, state.in_recovery, state.lsn = False, None, None
        state.error = (
            "no answer within 2 s" if isinstance(error, TimeoutError) else _first_line(error)
        )
        return
    row = rows[0]
    state.reachable, state.error, state.failed_at = True, None, None
    state.in_recovery = bool(row["in_recovery"])
    state.lsn = parse_lsn(row["lsn"]) if row["lsn"] else None
    since = row.get("since_replay")
    state.since_replay = float(since) if since is not None else None


def _first_line(error: BaseException) -> str:
    lines = str(error).strip().splitlines()
    return lines[0] if lines else type(error).__name__


def routed_database(settings: Settings) -> RoutedDatabase:
    """The primary (DATABASE_URL or the local cluster) and every replica of the settings."""
    primary_url = settings.app_url_for()
    primary = Database(make_read_engine(settings, primary_url))
    replica_urls = settings.replica_urls()
    replicas = [(name, Database(make_read_engine(settings, url))) for name, url in replica_urls]
    addresses = {PRIMARY: address_of(primary_url)}
    addresses.update({name: address_of(url) for name, url in replica_urls})
    return RoutedDatabase(
        primary,
        replicas,
        max_lag_seconds=settings.replica_max_lag_ms / 1000,
        addresses=addresses,
    )


def misplaced_servers(settings: Settings) -> list[str]:
    """A line for each server that is not what the settings call it (a "replica" that is a
    primary, a primary in recovery): the application must not start on them."""
    problems = []
    named = [(PRIMARY, settings.url_for(), False)] + [
        (name, url, True) for name, url in settings.replica_urls()
    ]
    for name, url, should_recover in named:
        engine = create_engine(url, pool_size=1, max_overflow=0)
        try:
            with engine.connect() as conn:
                in_recovery = bool(conn.execute(primary_position().sql).one().in_recovery)
        except DBAPIError:
            continue  # not answering: reported by /healthz, reads go elsewhere
        finally:
            engine.dispose()
        if in_recovery and not should_recover:
            problems.append(
                f"the primary ({address_of(url)}) is a replica in recovery: point DATABASE_URL"
                " at the primary (or list every node with target_session_attrs=read-write)"
            )
        elif should_recover and not in_recovery:
            problems.append(
                f"{name} ({address_of(url)}) is not a replica but a primary: remove it from"
                " DATABASE_REPLICA_URLS"
            )
    return problems
