"""Schemathesis fuzzes the GraphQL schema against a running server, as the public and as
an editor, for a bounded time each: every request it makes, however malformed, is
answered with a code and never fails the server (hooks: tests/clients/fuzz_hooks.py)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import Engine

from db.queries.users import create_token, create_user
from tests.conftest import serving

CLIENTS = Path(__file__).resolve().parent / "clients"
# Seconds of fuzzing per role (a bounded share of the suite's time).
FUZZ_SECONDS = int(os.environ.get("REGISTRY_FUZZ_SECONDS", "60"))
# The same inputs run after run, so that the suite's verdict is the code's, not the
# draw's; REGISTRY_FUZZ_SEED=random explores new ones (and prints the seed to replay).
FUZZ_SEED = os.environ.get("REGISTRY_FUZZ_SEED", "3710")


def _schemathesis(target: str, *options: str, env: dict[str, str] | None = None) -> None:
    """``st run`` against ``target`` for FUZZ_SECONDS with the fixed seed; it must pass."""
    run = subprocess.run(
        [
            str(Path(sys.executable).parent / "st"),
            "run",
            target,
            "--max-time",
            str(FUZZ_SECONDS),
            "--no-color",
            *([] if FUZZ_SEED == "random" else ["--seed", FUZZ_SEED]),
            *options,
        ],
        cwd=CLIENTS,
        env={**os.environ, **(env or {})},
        capture_output=True,
        text=True,
        timeout=FUZZ_SECONDS + 120,
        check=False,
    )
    summary = run.stdout[-3000:]
    assert run.returncode == 0, summary
    assert " passed" in summary and "generated" in summary, summary


@pytest.mark.parametrize("role", ["public", "editor"])
def test_fuzzing_the_schema_finds_no_server_error(
    role: str, scratch_database_url: str, scratch_engine: Engine
) -> None:
    headers = []
    if role != "public":
        with scratch_engine.begin() as conn:
            token = create_token(conn, create_user(conn, f"fuzz-{role}", role))
        headers = ["-H", f"Authorization: Bearer {token}"]
    # Rates are not what this run is about: a fuzzer sends hundreds of requests a second.
    with serving(
        scratch_database_url, env={"REGISTRY_PUBLIC_RATE": "0", "REGISTRY_TOKEN_RATE": "0"}
    ) as base:
        _schemathesis(
            f"{base}/graphql",
            "--checks",
            "registry_never_fails",
            *headers,
            env={"PYTHONPATH": str(CLIENTS), "SCHEMATHESIS_HOOKS": "fuzz_hooks"},
        )


def test_fuzzing_the_ogc_api_by_its_openapi_definition(scratch_database_url: str) -> None:
    """Schemathesis reads /ogc/api and sends what it declares and what it forbids: no 5xx,
    every status, media type and body as declared, every request that breaks the
    definition refused.  (Requests the definition allows but that break a rule it cannot
    state — a box whose west lies east of its east, a filter that is no CQL2 — are 400s,
    so that check is left out.)"""
    with serving(scratch_database_url, env={"REGISTRY_PUBLIC_RATE": "0"}) as base:
        _schemathesis(
            f"{base}/ogc/api", "--checks", "all", "--exclude-checks", "positive_data_acceptance"
        )
