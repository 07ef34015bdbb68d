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


def test_the_migrations_build_exactly_the_tables_the_models_describe(empty_database: str) -> None:
    """No drift: alembic's autogenerate finds nothing between models/tables.py and the migrated database."""
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext
    from sqlalchemy import create_engine

    from etl.database import sqlalchemy_url
    from models.tables import OWNED_SCHEMAS, metadata

    def include_name(name: str | None, type_: str, parent_names: dict) -> bool:
        if type_ == "schema":
            return name in OWNED_SCHEMAS
        return name != "alembic_version"

    upgrade(empty_database)
    engine = create_engine(sqlalchemy_url(empty_database))
    try:
        with engine.connect() as conn:
            context = MigrationContext.configure(
                conn, opts={"include_schemas": True, "include_name": include_name, "compare_type": True}
            )
            assert compare_metadata(context, metadata) == []
    finally:
        engine.dispose()


def test_child_tables_are_every_table_keyed_by_report(empty_database: str) -> None:
    """``runs.purge_run`` deletes children from ``CHILD_TABLES``: a new child table must be in it."""
    from etl.load.runs import CHILD_TABLES
    from models.tables import metadata

    children = {t.name for t in metadata.tables.values() if "report_id" in t.c and t.name != "reports"}
    assert children == set(CHILD_TABLES)
