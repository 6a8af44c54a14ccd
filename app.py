"""The registry's Starlette application and its command line.

python app.py serve [--host H] [--port P] [--workers N]
python app.py db setup | start | stop | status | migrate | url | replicas N | backup
python app.py db restore --to TIME [--into NAME]
python app.py demo load | export DIR
python app.py demo load --national [--database NAME] [--prefix CODE]
python app.py users add NAME --role ROLE | token NAME | revoke NAME
python app.py ha start | stop | status | env
python app.py assets
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import errno
import multiprocessing
import os
import shutil
import signal
import socket
import sys
import time
from collections.abc import AsyncIterator, Sequence
from typing import Any

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.middleware.gzip import GZipMiddleware
from starlette.routing import Mount, Route, WebSocketRoute
from starlette.staticfiles import StaticFiles

from db.engine import Database
from db.metrics import MULTIPROCESS_DIR
from db.notifications import Notifications
from db.routing import RoutedDatabase, routed_database
from db.settings import Settings, SettingsError, get_settings
from endpoints.assets import ASSETS_URL
from endpoints.attachments import attachment_routes
from endpoints.auth import RequestContexts
from endpoints.consistency import CONSISTENCY_HEADER, SERVED_BY_HEADER, Consistency
from endpoints.errors import RequestIds, exception_handlers
from endpoints.exports import export_routes
from endpoints.glyphs import glyph_routes
from endpoints.graphql import RegistryGraphQL
from endpoints.health import health_routes
from endpoints.limits import RateLimits
from endpoints.map_page import map_routes
from endpoints.observability import ACCESS_LINES, Observability, metrics_routes
from endpoints.ogc import ogc_routes
from endpoints.ogc_tiles import ogc_tile_routes
from endpoints.reports import report_routes
from endpoints.tiles import tile_routes
from schema import build_schema

# Responses shorter than this are sent as they are: compressing them gains nothing.
GZIP_MINIMUM_BYTES = 1024


def create_app(settings: Settings | None = None, database: Database | None = None) -> Starlette:
    """The ASGI application.

    ``database`` may be given (tests share one connection); otherwise the primary and its
    replicas are reached as the settings say, reads routed among them (``db.routing``).
    """
    settings = settings or get_settings()
    owns_database = database is None
    db = database if database is not None else routed_database(settings)
    notifications = Notifications(db.engine)
    contexts = RequestContexts(db, settings, notifications)
    graphql_app = RegistryGraphQL(
        build_schema(), database=db, settings=settings, notifications=notifications
    )

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        monitor = None
        if isinstance(db, RoutedDatabase) and db.replicas:
            # Routing knows every server's state before the first request is answered.
            await db.check()
            monitor = asyncio.create_task(db.monitor(settings.replica_check_ms / 1000))
        yield
        if monitor is not None:
            monitor.cancel()
        ACCESS_LINES.flush()
        await notifications.close()
        if owns_database:
            db.dispose()

    return Starlette(
        routes=[
            *health_routes(db),
            *metrics_routes(),
            Route("/graphql", graphql_app, methods=["GET", "POST"]),
            WebSocketRoute("/graphql", graphql_app),
            *tile_routes(db),
            *ogc_routes(db),
            *ogc_tile_routes(db),
            *map_routes(),
            *glyph_routes(settings),
            *export_routes(contexts),
            *attachment_routes(contexts),
            *report_routes(contexts),
            Mount(ASSETS_URL, StaticFiles(directory=settings.assets_dir, check_dir=False)),
        ],
        middleware=[
            # Every text answer over a kilobyte is compressed for clients that accept it
            # (500 geometries: 335 KB of JSON, about a fifth of that sent).
            Middleware(GZipMiddleware, minimum_size=GZIP_MINIMUM_BYTES),
            Middleware(RequestIds),
            Middleware(Consistency),
            Middleware(Observability, settings=settings, connections_in_use=db.connections_in_use),
            Middleware(RateLimits, settings=settings),
            Middleware(
                CORSMiddleware,
                allow_origins=list(settings.cors_origins),
                allow_methods=["GET", "POST", "OPTIONS"],
                allow_headers=[
                    "Authorization",
                    "Content-Type",
                    "If-None-Match",
                    "X-Request-ID",
                    CONSISTENCY_HEADER,
                ],
                expose_headers=["ETag", "X-Request-ID", CONSISTENCY_HEADER, SERVED_BY_HEADER],
                max_age=3600,
            ),
        ],
        # One error policy for every endpoint outside GraphQL (GraphQL has its own
        # transport for errors, and applies the same policy in schema.errors).
        exception_handlers=exception_handlers(),
        lifespan=lifespan,
    )


# --- command line ----------------------------------------------------------------


def default_workers() -> int:
    """One worker process per core: each runs its queries on its own event loop."""
    return max(
        1,
        len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1),
    )


def _port_in_use(host: str, port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, port))
        except OSError as exc:
            return exc.errno == errno.EADDRINUSE
    return False


APP_FACTORY = "app:create_app"


def _uvicorn_config(factory: str, host: str, port: int) -> Any:
    import uvicorn

    return uvicorn.Config(
        factory,
        factory=True,
        host=host,
        port=port,
        log_level="warning",
        access_log=False,
        # Connections and requests at once: past this uvicorn answers 503 at once, rather
        # than let a flood of idle sockets take the worker's memory and file descriptors.
        limit_concurrency=get_settings().max_connections_per_worker,
    )


def configure_logging() -> None:
    """The registry's lines on standard error: one JSON line per request
    (``registry.access``), slow requests, failures; uvicorn's own stay as they are."""
    import logging

    logger = logging.getLogger("registry")
    if not logger.handlers:
        handler = logging.StreamHandler()
        handler.setFormatter(logging.Formatter("%(message)s"))
        logger.addHandler(handler)
        logger.setLevel(logging.INFO)
        logger.propagate = False


def _serve_worker(factory: str, host: str, port: int) -> None:
    """One worker: its own listening socket on the shared port (SO_REUSEPORT), so that the
    kernel spreads connections evenly over the workers instead of letting whichever wakes
    first take them all."""
    import uvicorn

    configure_logging()
    sock = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    sock.bind((host, port))
    sock.set_inheritable(True)
    uvicorn.Server(_uvicorn_config(factory, host, port)).run(sockets=[sock])


def serve(factory: str, host: str, port: int, workers: int) -> None:
    """Serves the ASGI app that ``factory`` ("module:function") makes, in ``workers`` processes."""
    import uvicorn

    if workers == 1:
        configure_logging()
        uvicorn.Server(_uvicorn_config(factory, host, port)).run()
        return
    context = multiprocessing.get_context("spawn")
    worker_args = (factory, host, port)
    processes = [
        context.Process(target=_serve_worker, args=worker_args, daemon=True) for _ in range(workers)
    ]
    for process in processes:
        process.start()

    def stop(signum: int, frame: object) -> None:
        for process in processes:
            process.terminate()
        for process in processes:
            process.join(timeout=10)
        sys.exit(0)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    while True:
        for i, process in enumerate(processes):
            if not process.is_alive():  # a crashed worker is replaced
                _forget_worker(process.pid)
                processes[i] = context.Process(target=_serve_worker, args=worker_args, daemon=True)
                processes[i].start()
        time.sleep(1)


def _forget_worker(pid: int | None) -> None:
    """A dead worker's live figures (open sockets, connections in use) no longer count."""
    if pid is not None and os.environ.get(MULTIPROCESS_DIR):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(pid)  # type: ignore[no-untyped-call]


def cmd_serve(args: argparse.Namespace) -> int:
    if args.workers < 1:
        print("error: --workers must be at least 1", file=sys.stderr)
        return 2
    if _port_in_use(args.host, args.port):
        print(
            f"error: port {args.port} on {args.host} is already in use; "
            f"stop what holds it or choose another with --port",
            file=sys.stderr,
        )
        return 1
    from db.budget import check_budget
    from db.routing import misplaced_servers

    settings = get_settings()
    budget = check_budget(settings, args.workers, settings.app_url_for())
    for warning in budget.warnings:
        print(f"warning: {warning}", file=sys.stderr)
    errors = budget.errors + misplaced_servers(settings)
    for error in errors:
        print(f"error: {error}", file=sys.stderr)
    if errors:
        return 2
    if args.workers > 1:
        # Every worker writes its figures here; whichever answers a scrape sums them.
        metrics_dir = settings.data_dir / "metrics" / str(args.port)
        shutil.rmtree(metrics_dir, ignore_errors=True)
        metrics_dir.mkdir(parents=True)
        os.environ[MULTIPROCESS_DIR] = str(metrics_dir)
    base = f"http://{args.host}:{args.port}"
    print(
        f"serving with {args.workers} worker(s):\n"
        f"  GraphQL (GraphiQL in a browser)  {base}/graphql\n"
        f"  demo map                         {base}/map\n"
        f"  vector tiles                     {base}/tiles\n"
        f"  OGC API - Features (QGIS, GDAL)  {base}/ogc",
        flush=True,
    )
    serve(APP_FACTORY, args.host, args.port, args.workers)
    return 0


def cmd_db(args: argparse.Namespace) -> int:
    from db.cluster import ClusterError, LocalCluster, local_replicas, start_replicas
    from db.provision import ProvisionError, grant_app_role, migrate, prepare_database

    settings = get_settings()
    try:
        if args.action == "stop":
            if settings.database_url:
                print("DATABASE_URL is set: the registry does not manage that server")
                return 0
            for replica in local_replicas(settings):
                if replica.stop():
                    print(f"{replica.name} stopped")
            stopped = LocalCluster(settings).stop()
            print("database cluster stopped" if stopped else "database cluster was not running")
            return 0
        if args.action == "status":
            if settings.database_url:
                print("using DATABASE_URL")
                return 0
            pid = LocalCluster(settings).running_pid()
            print(f"running (pid {pid})" if pid else "not running")
            return 0 if pid else 3
        if not settings.database_url:
            state = LocalCluster(settings).start()
            print(f"database cluster ready: socket in {state.socket_dir}, 127.0.0.1:{state.port}")
        if args.action == "start":
            return 0
        if args.action == "replicas":
            if settings.database_url:
                print("error: with DATABASE_URL, name replicas in DATABASE_REPLICA_URLS")
                return 2
            for number, state in enumerate(start_replicas(settings, args.count), start=1):
                print(f"replica{number} streaming: 127.0.0.1:{state.port}")
            return 0
        if args.action == "url":
            print(settings.url_for())
            return 0
        if args.action in ("backup", "restore"):
            from db.backup import Backups

            if settings.database_url:
                print("error: DATABASE_URL is set: back that server up with its own pgBackRest")
                return 2
            if args.action == "backup":
                info = Backups(settings).backup()
                print(f"{info.kind} backup taken: {info.label}")
                return 0
            if not args.to:
                print("error: restore needs --to TIME (e.g. '2026-11-30 10:15:00+08')")
                return 2
            restored = Backups(settings).restore(args.to, args.into)
            print(
                f"restored as of {args.to}: cluster in {settings.data_dir / args.into},"
                f" 127.0.0.1:{restored.port} (socket in {restored.socket_dir})"
            )
            return 0
        if args.action == "migrate":
            migrate(settings.url_for())
            if not settings.database_url:
                grant_app_role(settings, settings.url_for())
            return 0
        url = prepare_database(settings, settings.database_name)
        if not args.no_demo:
            from data.demo import ensure_demo_data
            from db.engine import make_engine
            from db.provision import create_demo_users

            ensure_demo_data(settings, url, settings.database_name)
            engine = make_engine(settings, pool_size=1)
            try:
                create_demo_users(engine, settings.data_dir / "demo-tokens.txt")
            finally:
                engine.dispose()
        print(f"database {settings.database_name} is at the newest schema")
        return 0
    except (ClusterError, ProvisionError, SettingsError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1


def cmd_demo(args: argparse.Namespace) -> int:
    from data.demo import build_demo_data, export_demo_data, load_demo_data
    from db.engine import make_engine
    from db.provision import is_empty

    settings = get_settings()
    if args.national:
        if args.action != "load":
            print("error: --national goes with load", file=sys.stderr)
            return 2
        from data.national import NATIONAL_DB, build_national

        name = args.database or NATIONAL_DB
        started = time.monotonic()
        print(f"loading the whole country into {name} (replaced if it exists) …", flush=True)
        build_national(settings, name, prefix=args.prefix)
        print(
            f"{name} loaded in {time.monotonic() - started:.0f} s; serve it with"
            f" REGISTRY_DB={name} script/server"
        )
        return 0
    if args.action == "export":
        export_demo_data(build_demo_data(), args.out)
        print(f"demo data written to {args.out}")
        return 0
    engine = make_engine(settings)
    try:
        if not is_empty(engine) and not args.replace:
            print("the database already holds data; pass --replace to load the demo over it")
            return 1
        load_demo_data(engine, replace=args.replace)
    finally:
        engine.dispose()
    print("demo data loaded")
    return 0


def prepare_ha_database(settings: Settings, group: Any) -> Settings:
    """The registry's database in the Patroni group (schema, role, demo data and users);
    the settings the application then runs with: the primary and the replica by libpq's
    multi-host URLs."""
    import dataclasses

    from data.demo import ensure_demo_data
    from db.engine import make_engine
    from db.provision import create_demo_users, grant_app_role, prepare_database
    from db.settings import APP_ROLE

    name = settings.local_database_name
    admin = dataclasses.replace(settings, database_url=group.url(name), replica_urls_given=())
    url = prepare_database(admin, name)
    grant_app_role(admin, url)
    ensure_demo_data(admin, url, name)
    engine = make_engine(admin, url, pool_size=1)
    try:
        create_demo_users(engine, group.root / "demo-tokens.txt")
    finally:
        engine.dispose()
    return dataclasses.replace(
        settings,
        database_url=group.url(name, APP_ROLE),
        replica_urls_given=(group.url(name, APP_ROLE, "standby"),),
    )


def cmd_ha(args: argparse.Namespace) -> int:
    from db.cluster import ClusterError
    from db.ha import PatroniGroup
    from db.provision import ProvisionError

    settings = get_settings()
    group = PatroniGroup(settings)
    try:
        if args.action == "stop":
            print("Patroni group stopped" if group.stop() else "Patroni group was not running")
            return 0
        if args.action == "status":
            for member in group.members():
                name, role, state = member["name"], member["role"], member["state"]
                print(f"{name}: {role} ({state}) port {member['port']}")
            return 0 if group.leader() else 3
        # With "env" the output is for a shell's eval: progress goes to stderr.
        with contextlib.redirect_stdout(sys.stderr if args.action == "env" else sys.stdout):
            group.start()
            ha = prepare_ha_database(settings, group)
        if args.action == "env":
            # For a shell: eval "$(app.py ha env)".
            print(f"export DATABASE_URL='{ha.database_url}'")
            print(f"export DATABASE_REPLICA_URLS='{ha.replica_urls_given[0]}'")
        else:
            print(f"Patroni group ready: leader {group.leader()}, replica(s) {group.streaming()}")
        return 0
    except (ClusterError, ProvisionError, SettingsError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1


def cmd_assets(args: argparse.Namespace) -> int:
    from endpoints.assets import fetch_assets, ide_assets
    from endpoints.map_page import MAP_ASSETS

    folder = get_settings().assets_dir
    missing = fetch_assets(folder, ide_assets() + MAP_ASSETS)
    if missing:
        names = ", ".join(sorted({f"{a.package}@{a.version}" for a in missing}))
        print(
            f"warning: some browser files could not be fetched ({names}); the API works, "
            "but GraphiQL or the map page stays blank until `npm` can reach its registry",
            file=sys.stderr,
        )
        return 1
    print(f"GraphiQL and map files are in {folder}")
    return 0


def cmd_users(args: argparse.Namespace) -> int:
    from db.engine import make_engine
    from db.queries.users import create_token, create_user, revoke_tokens, user_id_by_name
    from domain.roles import ROLE_ORDER

    engine = make_engine(get_settings())
    try:
        with engine.begin() as conn:
            if args.action == "add":
                if args.role not in ROLE_ORDER[1:]:
                    print(f"error: --role is one of {', '.join(ROLE_ORDER[1:])}", file=sys.stderr)
                    return 2
                if user_id_by_name(conn, args.name) is not None:
                    print(f"error: a user named {args.name} exists", file=sys.stderr)
                    return 1
                create_user(conn, args.name, args.role)
                print(
                    f"user {args.name} ({args.role}) created; make a token with: "
                    f"app.py users token {args.name}"
                )
                return 0
            user_id = user_id_by_name(conn, args.name)
            if user_id is None:
                print(f"error: no user named {args.name}", file=sys.stderr)
                return 1
            if args.action == "token":
                token = create_token(conn, user_id, args.label)
                print(f"Authorization: Bearer {token}")
                print("(shown once: only its hash is kept)", file=sys.stderr)
            else:
                print(f"{revoke_tokens(conn, user_id)} token(s) of {args.name} revoked")
    finally:
        engine.dispose()
    return 0


def parse_args(argv: Sequence[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="app.py", description="Weihai place-name registry")
    sub = parser.add_subparsers(dest="command", required=True)

    serve = sub.add_parser("serve", help="serve GraphQL over HTTP")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument(
        "--workers", type=int, default=default_workers(), help="default: one per core"
    )
    serve.set_defaults(func=cmd_serve)

    db = sub.add_parser("db", help="the database: local cluster, schema, demo data")
    db.add_argument(
        "action",
        choices=[
            "setup",
            "start",
            "stop",
            "status",
            "migrate",
            "url",
            "replicas",
            "backup",
            "restore",
        ],
    )
    db.add_argument("--to", help="with restore: the moment to restore to")
    db.add_argument(
        "--into", default="restored", help="with restore: the new cluster's folder in .data/"
    )
    db.add_argument("count", nargs="?", type=int, default=0, help="with replicas: how many to run")
    db.add_argument("--no-demo", action="store_true", help="with setup: do not load the demo data")
    db.set_defaults(func=cmd_db)

    demo = sub.add_parser("demo", help="the Weihai demo data set, or the whole country")
    demo.add_argument("action", choices=["load", "export"])
    demo.add_argument("out", nargs="?", default=".data/demo", help="with export: a folder")
    demo.add_argument("--replace", action="store_true", help="with load: replace existing data")
    demo.add_argument(
        "--national",
        action="store_true",
        help="with load: every village of China (real names, synthetic positions)",
    )
    demo.add_argument("--database", help="with --national: default registry_national")
    demo.add_argument(
        "--prefix", default="", help="with --national: only codes starting so (e.g. 37)"
    )
    demo.set_defaults(func=cmd_demo)

    users = sub.add_parser("users", help="users and their API tokens")
    users.add_argument("action", choices=["add", "token", "revoke"])
    users.add_argument("name")
    users.add_argument("--role", help="with add: planner, editor, reviewer or admin")
    users.add_argument("--label", help="with token: what the token is for")
    users.set_defaults(func=cmd_users)

    ha = sub.add_parser("ha", help="a Patroni group here: etcd, a primary and a replica")
    ha.add_argument("action", choices=["start", "stop", "status", "env"])
    ha.set_defaults(func=cmd_ha)

    assets = sub.add_parser("assets", help="fetch GraphiQL's files from the npm registry")
    assets.set_defaults(func=cmd_assets)
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(sys.argv[1:] if argv is None else argv)
    try:
        get_settings()  # checked once, before anything starts
        return int(args.func(args))
    except SettingsError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
