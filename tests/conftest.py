"""Fixtures: a fresh test database with the demo data, and a rolled-back transaction per test.

The test database is rebuilt at the start of every run in the same PostGIS server the
registry uses (the project-local cluster, or DATABASE_URL's server).  A test whose changes
must commit (other connections, threads or processes must see them) gets a copy of its own,
made from an untouched template of the test database, so that nothing it writes is left
for the next test.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from typing import Any

import httpx2 as httpx
import pytest
from sqlalchemy import Connection, Engine, event, make_url, text
from starlette.testclient import TestClient

# Every GraphQL request the suite makes is answered both ways and compared (see
# endpoints/compiled_reads.py and the fixture below); set before any settings are read.
os.environ["REGISTRY_COMPILED_READS"] = "check"

from app import create_app
from data.demo import ensure_demo_data
from db.engine import SharedConnectionDatabase, make_engine
from db.provision import copy_database, prepare_database
from db.queries.json_reads import MARKER
from db.settings import APP_ROLE, PROJECT_ROOT, Settings, get_settings


@pytest.fixture(autouse=True)
def messages_in_english() -> Iterator[None]:
    """Tests read the English messages (requests ask for them with Accept-Language, and a
    message read outside a request is in the language set here); the Chinese ones are
    tested apart (tests/test_messages.py)."""
    from domain.errors import LANGUAGE

    token = LANGUAGE.set("en")
    yield
    LANGUAGE.reset(token)


@pytest.fixture(autouse=True)
def compiled_reads_agree() -> Iterator[None]:
    """Every query the planner took in this test gave strawberry's bytes exactly."""
    from endpoints.compiled_reads import MISMATCHES

    MISMATCHES.clear()
    yield
    found = list(MISMATCHES)
    MISMATCHES.clear()
    assert not found, "\n\n".join(
        f"query: {m.body.decode()}\ncompiled: {m.compiled.decode()[:2000]}\n"
        f"strawberry: {m.reference.decode()[:2000]}"
        for m in found
    )


@pytest.fixture(scope="session")
def settings() -> Settings:
    return get_settings()


@pytest.fixture(scope="session")
def test_database_url(settings: Settings) -> str:
    name = settings.test_database_name
    url = prepare_database(settings, name, fresh=True)
    ensure_demo_data(settings, url, name)
    copy_database(settings, name, _template_name(settings))
    return url


def _template_name(settings: Settings) -> str:
    return f"{settings.test_database_name}_template"


@pytest.fixture()
def scratch_database_url(settings: Settings, test_database_url: str) -> str:
    """A fresh copy of the test database, for one test that commits."""
    return copy_database(
        settings, _template_name(settings), f"{settings.test_database_name}_scratch"
    )


@pytest.fixture()
def scratch_engine(settings: Settings, scratch_database_url: str) -> Iterator[Engine]:
    engine = make_engine(settings, scratch_database_url)
    yield engine
    engine.dispose()


@pytest.fixture(scope="session")
def engine(settings: Settings, test_database_url: str) -> Iterator[Engine]:
    engine = make_engine(settings, test_database_url)
    yield engine
    engine.dispose()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_until_healthy(base: str, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            time.sleep(0.2)
    pytest.fail(f"the server at {base} did not come up within {seconds:g} s")


@contextlib.contextmanager
def serving(database_url: str, *options: str, env: dict[str, str] | None = None) -> Iterator[str]:
    """`app.py serve` (with ``options``) as its own process on ``database_url``; its base URL.

    In the project-local cluster the server connects as the application's own role, as
    script/server runs it (``database_url`` is the superuser's, for the test's set-up)."""
    port = free_port()
    if not get_settings().database_url:
        database_url = make_url(database_url).set(username=APP_ROLE).render_as_string(False)
    python = str(PROJECT_ROOT / ".venv" / "bin" / "python")
    process = subprocess.Popen(
        [python, "app.py", "serve", "--port", str(port), *options],
        cwd=PROJECT_ROOT,
        env={**os.environ, **(env or {}), "DATABASE_URL": database_url},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until_healthy(base)
        yield base
    finally:
        process.terminate()
        process.wait(timeout=10)


@pytest.fixture(scope="module")
def reading_server(test_database_url: str) -> Iterator[str]:
    """`app.py serve` on the test database itself, for a module's tests that only read
    (clients such as GDAL and OWSLib): one start-up for them all."""
    with serving(test_database_url) as base:
        yield base


@pytest.fixture()
def running_server(scratch_database_url: str) -> Iterator[str]:
    """`app.py serve` as its own process, on a copy of the test database."""
    with serving(scratch_database_url) as base:
        yield base


@pytest.fixture()
def connection(engine: Engine) -> Iterator[Connection]:
    """A connection inside a transaction that is rolled back after the test."""
    with engine.connect() as conn:
        transaction = conn.begin()
        try:
            yield conn
        finally:
            transaction.rollback()


@pytest.fixture()
def client(settings: Settings, connection: Connection) -> Iterator[TestClient]:
    app = create_app(settings, database=SharedConnectionDatabase(connection))
    # Tests read the English messages; the Chinese ones (the default) are tested apart
    # (tests/test_messages.py), by asking for them.
    with TestClient(app, headers={"Accept-Language": "en"}) as test_client:
        yield test_client


@pytest.fixture()
def token_for(connection: Connection) -> Any:
    """Makes a user of a role with a token, inside the test's transaction."""
    from db.queries.users import create_token, create_user

    def make(role: str) -> str:
        return create_token(connection, create_user(connection, f"test-{role}", role))

    return make


@pytest.fixture()
def planner(client: TestClient, token_for: Any) -> TestClient:
    """The test client, signed in as a planner."""
    client.headers["Authorization"] = f"Bearer {token_for('planner')}"
    return client


class StatementCounter:
    """The statements strawberry's path runs (the compiled answer that the suite's check
    mode also makes is counted apart, in ``compiled``)."""

    def __init__(self) -> None:
        self.statements: list[str] = []
        self.compiled: list[str] = []

    def __call__(self, conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        if statement.startswith(MARKER):
            self.compiled.append(statement)
        else:
            self.statements.append(statement)


@pytest.fixture()
def count_statements(engine: Engine) -> Iterator[StatementCounter]:
    counter = StatementCounter()
    event.listen(engine, "before_cursor_execute", counter)
    yield counter
    event.remove(engine, "before_cursor_execute", counter)


def graphql(
    client: TestClient, query: str, variables: dict[str, Any] | None = None
) -> dict[str, Any]:
    response = client.post("/graphql", json={"query": query, "variables": variables or {}})
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def city_stats_behind_a_lock(
    client: TestClient, connection: Connection, engine: Engine, statement_timeout: str
) -> Any:
    """The answer to a query whose statement waits on a lock another connection holds on
    the services (``statement_timeout`` set for the test's connection meanwhile)."""
    with engine.connect() as other:
        other.begin()
        other.execute(text("LOCK TABLE service IN ACCESS EXCLUSIVE MODE"))
        connection.execute(text(f"SET LOCAL statement_timeout = '{statement_timeout}'"))
        response = client.post("/graphql", json={"query": "{ cityStats { beds } }"})
        other.rollback()
    return response


def graphql_data(client: TestClient, query: str, variables: dict[str, Any] | None = None) -> Any:
    body = graphql(client, query, variables)
    assert "errors" not in body, body["errors"]
    return body["data"]


def signed_in(client: TestClient, token: str) -> TestClient:
    """The client, sending ``token`` from now on."""
    client.headers["Authorization"] = f"Bearer {token}"
    return client


def signed_out(client: TestClient) -> TestClient:
    client.headers.pop("Authorization", None)
    return client


_WRITTEN = (
    "SELECT (SELECT count(*) FROM place_name), (SELECT count(*) FROM village_road),"
    " (SELECT count(*) FROM service), (SELECT count(*) FROM revision),"
    " (SELECT count(*) FROM search_name)"
)


def refused(
    client: TestClient, connection: Connection, query: str, variables: dict[str, Any]
) -> dict[str, Any]:
    """The one BAD_USER_INPUT error a mutation gets, having checked it wrote nothing."""
    before = tuple(connection.execute(text(_WRITTEN)).one())
    (error,) = graphql(client, query, variables)["errors"]
    assert error["extensions"]["code"] == "BAD_USER_INPUT", error
    assert tuple(connection.execute(text(_WRITTEN)).one()) == before
    return dict(error)


@pytest.fixture()
def browser() -> Iterator[Any]:
    chromium, driver_path = shutil.which("chromium"), shutil.which("chromedriver")
    if chromium is None or driver_path is None:
        pytest.skip(
            "Chromium or its driver is not installed (Debian packages chromium and "
            "chromium-driver; script/test installs them where apt-get can)"
        )
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    os.environ["SE_OFFLINE"] = "true"  # never let Selenium look for drivers online
    options = webdriver.ChromeOptions()
    options.binary_location = chromium
    for flag in (
        "--headless=new",
        "--no-sandbox",
        "--disable-dev-shm-usage",
        "--disable-gpu",
        "--window-size=1400,900",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--lang=zh-CN",
    ):
        options.add_argument(flag)
    driver = webdriver.Chrome(service=Service(executable_path=driver_path), options=options)
    try:
        yield driver
    finally:
        driver.quit()


# The approving authority's decision, as approve mutations in tests give it.
APPROVAL = {
    "authority": "威海市人民政府",
    "documentNumber": "威政地名〔2026〕7号",
    "date": "2026-11-20",
}
_CASE = """query ($id: ID!) { node(id: $id) { ... on Reviewable { version
  reviewCase { nextStage consultationOpen } } } }"""
_STAGE = """mutation ($type: ID!, $version: Int!, $stage: ApprovalStage!,
  $details: StageDetailsInput!) {{ recordStage{0}(id: $type, version: $version, stage: $stage,
  details: $details) {{ version }} }}"""
_STAGE_DETAILS = {
    "ASSESSMENT": {"summary": "综合评估：名称规范，无重名"},
    "EXPERT_REVIEW": {"summary": "专家论证同意", "experts": ["王教授", "李研究员"]},
    "CONSULTATION": {"start": "2026-10-01", "end": "2026-10-31"},
}


def through_stages(client: TestClient, type_name: str, record_id: str) -> int:
    """Records, as an editor would, every stage the record's case needs before approval
    (a consultation opened over a past month, then closed); returns the version then."""
    from resolvers.nodes import global_id

    while True:
        found = graphql_data(client, _CASE, {"id": global_id(type_name, record_id)})["node"]
        case, version = found["reviewCase"], found["version"]
        stage = case["nextStage"]
        if stage in (None, "APPROVAL", "ANNOUNCEMENT") and not case["consultationOpen"]:
            return int(version)
        details = (
            {"commentsReceived": 3, "summary": "意见已采纳"}
            if case["consultationOpen"]
            else _STAGE_DETAILS[stage]
        )
        graphql_data(
            client,
            _STAGE.format(type_name),
            {
                "type": record_id,
                "version": version,
                "stage": "CONSULTATION" if case["consultationOpen"] else stage,
                "details": details,
            },
        )
