"""Databases for the benchmark and the tests: one home for creating, copying and dropping them.

Both need throw-away databases on one PostgreSQL server (the embedded one in
``var/test-pg`` or ``var/bench-pg``, or a server named by
``TEST_DATABASE_URL`` / ``BENCH_DATABASE_URL``). The product never creates
databases (an operator gives it one), so these helpers live here, beside the
other test-side code, and ``tests/`` imports them from ``bench``.
"""

from __future__ import annotations

import uuid
from urllib.parse import urlsplit, urlunsplit

import psycopg
from psycopg import sql

from etl.database import EmbeddedServer, project_home
from etl.migrate import upgrade


def embedded_server(name: str, *, durable: bool) -> EmbeddedServer:
    """An embedded PostgreSQL of its own in ``var/<name>`` (``test-pg``: fsync off; ``bench-pg``: on)."""
    return EmbeddedServer(project_home() / "var" / name, dbname="postgres", durable=durable)


def with_dbname(url: str, name: str) -> str:
    """``url`` pointing at database ``name`` on the same server."""
    return urlunsplit(urlsplit(url)._replace(path="/" + name))


def dbname(url: str) -> str:
    """The database a URL names."""
    return urlsplit(url).path.lstrip("/")


def create_database(
    server_url: str, name: str | None = None, *, prefix: str = "nianbao_t", template_url: str | None = None
) -> str:
    """A new database on the server (a random name after ``prefix`` unless ``name``), empty or a
    copy of ``template_url``'s; its URL."""
    name = name or f"{prefix}_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(server_url, autocommit=True) as conn:
        if template_url is None:
            conn.execute(sql.SQL("create database {}").format(sql.Identifier(name)))
        else:
            template = dbname(template_url)
            # a template must have no other sessions (dbt may leave one idle)
            conn.execute(
                "select pg_terminate_backend(pid) from pg_stat_activity "
                "where datname = %s and pid <> pg_backend_pid()",
                (template,),
            )
            conn.execute(
                sql.SQL("create database {} template {}").format(
                    sql.Identifier(name), sql.Identifier(template)
                )
            )
    return with_dbname(server_url, name)


def drop_database(server_url: str, database: str) -> None:
    """Drop a database (by name or URL), closing its sessions; nothing if it does not exist."""
    name = dbname(database) if "://" in database else database
    with psycopg.connect(server_url, autocommit=True) as conn:
        conn.execute(sql.SQL("drop database if exists {} with (force)").format(sql.Identifier(name)))


def fresh_database(server_url: str, name: str) -> str:
    """Drop and create ``name`` on the server and migrate it to head; its URL."""
    drop_database(server_url, name)
    url = create_database(server_url, name)
    upgrade(url)
    return url
