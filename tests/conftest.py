"""One PostgreSQL for the whole test session, migrated once (pypi/warehouse's way).

``TEST_DATABASE_URL`` points the suite at an existing server (a fresh database
is created on it for the session). Otherwise the suite runs its own embedded
PostgreSQL in ``var/test-pg`` (fsync off; reused between sessions so start-up
is a second) and creates a throw-away database per session.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from hypothesis import settings

from bench.databases import create_database, drop_database, embedded_server
from etl.migrate import upgrade

SAMPLES = Path(__file__).resolve().parent.parent / "etl" / "samples"

# The property tests draw the same examples on every run of `make test` (a suite
# gives the same answer for the same code, so CI never fails on a new draw);
# `make fuzz` draws fresh ones, to find what the parser misses.
# A case it finds becomes an @example of its test.
settings.register_profile("repeatable", derandomize=True)
settings.register_profile("explore", derandomize=False)
settings.load_profile(os.environ.get("NIANBAO_HYPOTHESIS", "repeatable"))


@pytest.fixture(scope="session")
def pg_server_url() -> str:
    """URL of the server (its maintenance database), started if embedded."""
    url = os.environ.get("TEST_DATABASE_URL")
    if url:
        return url
    return embedded_server("test-pg", durable=False).start()


@pytest.fixture(scope="session")
def empty_database(pg_server_url: str) -> Iterator[str]:
    """A fresh, unmigrated database for this session; dropped at the end."""
    url = create_database(pg_server_url, prefix="nianbao_test")
    yield url
    drop_database(pg_server_url, url)


@pytest.fixture(scope="session")
def database_url(empty_database: str) -> str:
    """The session's database, migrated to head once."""
    upgrade(empty_database)
    return empty_database


@pytest.fixture()
def db(database_url: str) -> Iterator[psycopg.Connection]:
    """A connection whose work is rolled back after the test."""
    with psycopg.connect(database_url) as conn:
        yield conn
        conn.rollback()


@pytest.fixture()
def fresh_database(pg_server_url: str) -> Iterator[str]:
    """A migrated database of the test's own, for tests that commit (loads, dbt)."""
    url = create_database(pg_server_url)
    upgrade(url)
    yield url
    drop_database(pg_server_url, url)
