"""Configuration, read once from environment variables.

Every knob the registry has is named here; nothing else reads ``os.environ``.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

PROJECT_ROOT = Path(__file__).resolve().parent.parent


class SettingsError(RuntimeError):
    """An environment variable holds something the registry cannot use."""


def normalize_database_url(raw: str, variable: str = "DATABASE_URL") -> str:
    """DATABASE_URL as SQLAlchemy needs it: a bare ``postgresql://`` means psycopg2 here."""
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    try:
        url = make_url(raw)
    except ArgumentError as exc:
        raise SettingsError(
            f"{variable} is not a database URL (expected postgresql://user@host:port/dbname)"
        ) from exc
    if url.drivername in ("postgres", "postgresql"):
        url = url.set(drivername="postgresql+psycopg2")
    if url.drivername != "postgresql+psycopg2":
        raise SettingsError(f"{variable} must point at PostgreSQL, got {url.drivername!r}")
    return url.render_as_string(hide_password=False)


def socket_url(socket_dir: str | Path, port: int, user: str, database: str) -> str:
    """SQLAlchemy URL of ``database`` on a local server reached by its Unix socket."""
    host = quote(str(socket_dir), safe="")
    return f"postgresql+psycopg2://{user}@/{database}?host={host}&port={port}"


COMPILED_READS_MODES = ("on", "off", "check")
# The role the application connects as in the project-local cluster: reads and writes rows,
# nothing more (no superuser, no DDL); migrations and set-up use the cluster's superuser.
APP_ROLE = "registry_app"


def _env_int(name: str, default: int, least: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise SettingsError(f"{name} must be a whole number, got {raw!r}") from None
    if value < least:
        raise SettingsError(f"{name} must be at least {least}, got {value}")
    return value


@dataclass(frozen=True)
class QueryLimits:
    """What one GraphQL operation may ask for (see ``schema.limits`` for the cost rule)."""

    depth: int
    aliases: int
    cost: int


def _query_limits(prefix: str, depth: int, aliases: int, cost: int) -> QueryLimits:
    return QueryLimits(
        depth=_env_int(f"REGISTRY_{prefix}_MAX_DEPTH", depth, 1),
        aliases=_env_int(f"REGISTRY_{prefix}_MAX_ALIASES", aliases, 0),
        cost=_env_int(f"REGISTRY_{prefix}_MAX_COST", cost, 1),
    )


@dataclass(frozen=True)
class Settings:
    """What the application needs to know about its environment."""

    # Explicit server chosen by the user; when unset the project-local cluster is used.
    database_url: str | None = field(default_factory=lambda: os.environ.get("DATABASE_URL") or None)
    data_dir: Path = field(
        default_factory=lambda: Path(os.environ.get("REGISTRY_DATA_DIR", PROJECT_ROOT / ".data"))
    )
    local_database_name: str = field(
        default_factory=lambda: os.environ.get("REGISTRY_DB", "registry")
    )
    test_database_name: str = field(
        default_factory=lambda: os.environ.get("REGISTRY_TEST_DB", "registry_test")
    )
    pool_size: int = field(default_factory=lambda: _env_int("REGISTRY_POOL_SIZE", 5, 1))
    # A runaway query ends with an error instead of holding a connection forever.
    statement_timeout_ms: int = field(
        default_factory=lambda: _env_int("REGISTRY_STATEMENT_TIMEOUT_MS", 30_000, 0)
    )

    # --- what one client may take (issue: no request can take the registry down) ------
    # Request bodies larger than this are refused with 413 before they are read whole.
    max_body_bytes: int = field(
        default_factory=lambda: _env_int("REGISTRY_MAX_BODY_BYTES", 10 * 1024 * 1024, 1024)
    )
    # A multipart request (GraphQL multipart request spec: files staff import or attach)
    # may be this large in all, and hold at most this many files.
    max_upload_bytes: int = field(
        default_factory=lambda: _env_int("REGISTRY_MAX_UPLOAD_BYTES", 64 * 1024 * 1024, 1024)
    )
    max_upload_files: int = field(
        default_factory=lambda: _env_int("REGISTRY_MAX_UPLOAD_FILES", 10, 1)
    )
    # One document attached to an approval case (a PDF, a scan, an OFD) at most this large.
    max_attachment_bytes: int = field(
        default_factory=lambda: _env_int("REGISTRY_MAX_ATTACHMENT_BYTES", 16 * 1024 * 1024, 1)
    )
    # A body must arrive whole within this time (a client sending it a byte at a time
    # holds a worker's socket no longer): 408 otherwise.
    body_read_timeout_ms: int = field(
        default_factory=lambda: _env_int("REGISTRY_BODY_READ_TIMEOUT_MS", 30_000, 1)
    )
    # Connections and requests one worker holds at once (uvicorn answers 503 beyond).
    max_connections_per_worker: int = field(
        default_factory=lambda: _env_int("REGISTRY_MAX_CONNECTIONS_PER_WORKER", 1_000, 1)
    )
    # A query's answer larger than this is refused (QUERY_TOO_COMPLEX) instead of sent.
    max_response_bytes: int = field(
        default_factory=lambda: _env_int("REGISTRY_MAX_RESPONSE_BYTES", 16 * 1024 * 1024, 1024)
    )
    # All the statements of one GraphQL query together (the statement timeout bounds each).
    request_deadline_ms: int = field(
        default_factory=lambda: _env_int("REGISTRY_REQUEST_DEADLINE_MS", 30_000, 1)
    )
    # Tokens of one GraphQL document, counted while parsing (before anything else runs).
    max_query_tokens: int = field(
        default_factory=lambda: _env_int("REGISTRY_MAX_QUERY_TOKENS", 5_000, 100)
    )
    # Depth, aliases and estimated cost of one operation: for the public (no token), and
    # for signed-in staff of every role.
    public_limits: QueryLimits = field(
        default_factory=lambda: _query_limits("PUBLIC", depth=12, aliases=30, cost=50_000)
    )
    staff_limits: QueryLimits = field(
        default_factory=lambda: _query_limits("STAFF", depth=20, aliases=200, cost=200_000)
    )
    # Operations in flight on one WebSocket, and WebSockets open from one client address.
    max_subscriptions_per_socket: int = field(
        default_factory=lambda: _env_int("REGISTRY_MAX_SUBSCRIPTIONS_PER_SOCKET", 100, 1)
    )
    max_sockets_per_address: int = field(
        default_factory=lambda: _env_int("REGISTRY_MAX_SOCKETS_PER_ADDRESS", 20, 1)
    )
    # Requests per second (token bucket; bursts of ``rate_burst_seconds`` worth) per client
    # address without a token, and per token; 0 turns the limit off.
    public_rate: int = field(default_factory=lambda: _env_int("REGISTRY_PUBLIC_RATE", 50, 0))
    token_rate: int = field(default_factory=lambda: _env_int("REGISTRY_TOKEN_RATE", 200, 0))
    rate_burst_seconds: int = field(
        default_factory=lambda: _env_int("REGISTRY_RATE_BURST_SECONDS", 10, 1)
    )
    # Requests slower than this are logged as slow (with their operation).
    slow_request_ms: int = field(
        default_factory=lambda: _env_int("REGISTRY_SLOW_REQUEST_MS", 1_000, 0)
    )
    # Connections PostgreSQL may give the application, across all its worker processes;
    # checked at start-up against the pools (see db.budget).
    max_app_connections: int = field(
        default_factory=lambda: _env_int("REGISTRY_MAX_APP_CONNECTIONS", 60, 2)
    )

    # --- replicas and failover ----------------------------------------------------------
    # Streaming replicas elsewhere (comma-separated URLs) that reads are sent to; without
    # DATABASE_URL, the local replicas started by ``script/server --replicas N``.
    replica_urls_given: tuple[str, ...] = field(
        default_factory=lambda: tuple(
            u.strip() for u in os.environ.get("DATABASE_REPLICA_URLS", "").split(",") if u.strip()
        )
    )
    # A replica further behind the primary than this is skipped until it catches up.
    replica_max_lag_ms: int = field(
        default_factory=lambda: _env_int("REGISTRY_REPLICA_MAX_LAG_MS", 5_000, 0)
    )
    # How often each worker asks every server its role, position and lag.
    replica_check_ms: int = field(
        default_factory=lambda: _env_int("REGISTRY_REPLICA_CHECK_MS", 500, 50)
    )
    # 1: a commit is acknowledged once a replica has applied it (synchronous_commit =
    # remote_apply): no acknowledged write is lost when the primary is.
    synchronous: bool = field(default_factory=lambda: _env_int("REGISTRY_SYNCHRONOUS", 0, 0) > 0)

    # Queries the compiler can plan are answered by one SQL statement that returns the
    # response's JSON ("on"); "off": strawberry answers every query; "check": both answer,
    # strawberry's answer is sent, and any difference is logged and kept (the test suite
    # runs so).
    compiled_reads: str = field(
        default_factory=lambda: os.environ.get("REGISTRY_COMPILED_READS", "on").strip() or "on"
    )

    # Words a new place name may not contain (comma-separated in the environment).
    disallowed_name_words: tuple[str, ...] = field(
        default_factory=lambda: tuple(
            w.strip()
            for w in os.environ.get(
                "REGISTRY_DISALLOWED_NAME_WORDS", "世界,环球,国际,中华,中央,至尊,皇家,帝王"
            ).split(",")
            if w.strip()
        )
    )

    # The font map labels are drawn in (glyphs made from it on first use, then kept): a CJK
    # font from the package registry (Debian: fonts-wqy-microhei).
    glyph_font: Path = field(
        default_factory=lambda: Path(
            os.environ.get("REGISTRY_GLYPH_FONT", "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc")
        )
    )

    # Web origins whose pages may call the API from the browser (comma-separated; "*": any).
    # Tokens travel in the Authorization header, never in cookies, so "*" lends no
    # credentials to another site.
    cors_origins: tuple[str, ...] = field(
        default_factory=lambda: tuple(
            o.strip() for o in os.environ.get("REGISTRY_CORS_ORIGINS", "*").split(",") if o.strip()
        )
    )

    def __post_init__(self) -> None:
        # Checked once, when the settings are made: a bad one is one clear message at
        # start-up, never a traceback in the middle of a request.
        if self.database_url:
            normalize_database_url(self.database_url)
        for replica in self.replica_urls_given:
            normalize_database_url(replica, "DATABASE_REPLICA_URLS")
        if self.compiled_reads not in COMPILED_READS_MODES:
            raise SettingsError(
                f"REGISTRY_COMPILED_READS must be one of {', '.join(COMPILED_READS_MODES)},"
                f" got {self.compiled_reads!r}"
            )
        if not self.cors_origins:
            raise SettingsError("REGISTRY_CORS_ORIGINS names no origin (use * for any)")

    def query_limits(self, role: str) -> QueryLimits:
        return self.public_limits if role == "public" else self.staff_limits

    @property
    def database_name(self) -> str:
        """The registry's database: DATABASE_URL's, or REGISTRY_DB in the local cluster."""
        if self.database_url:
            from sqlalchemy.engine import make_url

            return make_url(self.database_url).database or self.local_database_name
        return self.local_database_name

    @property
    def cluster_dir(self) -> Path:
        return self.data_dir / "postgres"

    @property
    def assets_dir(self) -> Path:
        """Browser files (GraphiQL) fetched from the npm registry at set-up."""
        return self.data_dir / "assets"

    @property
    def glyphs_dir(self) -> Path:
        """Map label glyphs made from ``glyph_font``, a file per range of characters."""
        return self.data_dir / "glyphs"

    @property
    def backup_dir(self) -> Path:
        """pgBackRest's configuration, repository and logs for the local cluster."""
        return self.data_dir / "backup"

    def replica_urls(self) -> list[tuple[str, str]]:
        """(name, URL) of each replica the application reads from: DATABASE_REPLICA_URLS,
        or the local replicas running now (as the application's role)."""

        if self.replica_urls_given:
            return [
                (f"replica{n}", normalize_database_url(u, "DATABASE_REPLICA_URLS"))
                for n, u in enumerate(self.replica_urls_given, start=1)
            ]
        if self.database_url:
            return []
        found = []
        for state_file in sorted(self.data_dir.glob("replica*.json")):
            state = json.loads(state_file.read_text())
            url = socket_url(state["socket_dir"], state["port"], APP_ROLE, self.database_name)
            found.append((state_file.stem, url))
        return found

    @property
    def cluster_state_file(self) -> Path:
        """Where the running local cluster records its port and socket directory."""
        return self.data_dir / "cluster.json"

    def local_cluster_url(self, database: str) -> str:
        state = json.loads(self.cluster_state_file.read_text())
        return socket_url(state["socket_dir"], state["port"], state["user"], database)

    def app_url_for(self, database: str | None = None) -> str:
        """The URL the application serves from: in the local cluster as ``APP_ROLE``; with
        DATABASE_URL, that URL's user (the operator chooses its privileges)."""
        if self.database_url:
            return self.url_for(database)
        from sqlalchemy.engine import make_url

        url = make_url(self.url_for(database)).set(username=APP_ROLE)
        return url.render_as_string(hide_password=False)

    def url_for(self, database: str | None = None) -> str:
        """SQLAlchemy URL of ``database`` (default: the registry's own) on the chosen server."""
        if self.database_url:
            from sqlalchemy.engine import make_url

            url = normalize_database_url(self.database_url)
            if database is None:
                return url
            return make_url(url).set(database=database).render_as_string(hide_password=False)
        return self.local_cluster_url(database or self.database_name)


def get_settings() -> Settings:
    """The settings of this process's environment; raises ``SettingsError``."""
    return Settings()
