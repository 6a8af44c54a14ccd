"""The registry's figures for Prometheus (served at ``/metrics``).

With several worker processes, ``app.py serve`` points ``PROMETHEUS_MULTIPROC_DIR`` at a
fresh directory before the workers start, and every worker writes its figures there:
whichever worker answers a scrape reports the sum over all of them.
"""

from __future__ import annotations

import os

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
)

MULTIPROCESS_DIR = "PROMETHEUS_MULTIPROC_DIR"

REQUESTS = Counter(
    "registry_requests_total",
    "Requests answered, by endpoint, GraphQL operation type and outcome",
    ["endpoint", "operation", "outcome"],
)
LATENCY = Histogram(
    "registry_request_duration_seconds",
    "Time from a request's arrival to its last byte, by endpoint",
    ["endpoint"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30),
)
REJECTED = Counter(
    "registry_rejected_total",
    "Requests refused by a limit (rate, body size, query depth, aliases, cost, tokens, …)",
    ["limit"],
)
STATEMENT_TIMEOUTS = Counter(
    "registry_statement_timeouts_total", "SQL statements ended by the statement timeout"
)
DATABASE_FAILURES = Counter(
    "registry_database_failures_total", "Requests that found the database not answering"
)
POOL_IN_USE = Gauge(
    "registry_pool_connections_in_use",
    "Database connections checked out of the pools",
    multiprocess_mode="livesum",
)
SUBSCRIPTIONS = Gauge(
    "registry_subscriptions",
    "GraphQL subscriptions open",
    multiprocess_mode="livesum",
)
WEBSOCKETS = Gauge("registry_websockets", "WebSockets open", multiprocess_mode="livesum")
SUPPRESSED_LOG_LINES = Counter(
    "registry_log_lines_suppressed_total",
    "Log lines not written because the same kind was written less than a second before",
    ["kind"],
)


def exposition() -> tuple[bytes, str]:
    """The text a scrape gets, and its content type."""
    if os.environ.get(MULTIPROCESS_DIR):
        from prometheus_client import multiprocess

        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)  # type: ignore[no-untyped-call]
        return generate_latest(registry), CONTENT_TYPE_LATEST
    return generate_latest(), CONTENT_TYPE_LATEST
