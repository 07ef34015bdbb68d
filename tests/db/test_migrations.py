"""Alembic owns raw and ops: up, down and up again leaves the same tables."""

from __future__ import annotations

import psycopg

from etl.migrate import downgrade, upgrade


def _tables(url: str) -> set[tuple[str, str]]:
    with psycopg.connect(url) as conn:
        rows = conn.execute(
            "select table_schema, table_name from information_schema.tables "
            "where table_schema in ('raw', 'ops') and table_name <> 'alembic_version'"
        ).fetchall()
    return set(rows)


def test_upgrade_downgrade_upgrade(empty_database: str) -> None:
    upgrade(empty_database)
    first = _tables(empty_database)
    assert ("raw", "application_cells") in first
    assert ("ops", "load_runs") in first
    downgrade(empty_database)
    assert _tables(empty_database) == set()
    upgrade(empty_database)
    assert _tables(empty_database) == first
