"""One PostgreSQL for the whole test session, migrated once (pypi/warehouse's way).

``TEST_DATABASE_URL`` points the suite at an existing server (a fresh database
is created on it for the session). Otherwise the suite runs its own embedded
PostgreSQL in ``var/test-pg`` (fsync off; reused between sessions so start-up
is a second) and creates a throw-away database per session.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import psycopg
import pytest
from psycopg import sql

from etl.database import EmbeddedServer, project_home
from etl.migrate import upgrade

SAMPLES = Path(__file__).resolve().parent.parent / "etl" / "samples"


def _with_dbname(url: str, dbname: str) -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path="/" + dbname))


@pytest.fixture(scope="session")
def pg_server_url() -> str:
    """URL of the server (its maintenance database), started if embedded."""
    url = os.environ.get("TEST_DATABASE_URL")
    if url:
        return url
    server = EmbeddedServer(project_home() / "var" / "test-pg", dbname="postgres", durable=False)
    return server.start()


@pytest.fixture(scope="session")
def empty_database(pg_server_url: str) -> Iterator[str]:
    """A fresh, unmigrated database for this session; dropped at the end."""
    name = f"nianbao_test_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(pg_server_url, autocommit=True) as conn:
        conn.execute(sql.SQL("create database {}").format(sql.Identifier(name)))
    yield _with_dbname(pg_server_url, name)
    with psycopg.connect(pg_server_url, autocommit=True) as conn:
        conn.execute(sql.SQL("drop database if exists {} with (force)").format(sql.Identifier(name)))


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
    name = f"nianbao_t_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(pg_server_url, autocommit=True) as conn:
        conn.execute(sql.SQL("create database {}").format(sql.Identifier(name)))
    url = _with_dbname(pg_server_url, name)
    upgrade(url)
    yield url
    with psycopg.connect(pg_server_url, autocommit=True) as conn:
        conn.execute(sql.SQL("drop database if exists {} with (force)").format(sql.Identifier(name)))
