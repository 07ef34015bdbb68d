"""Cell tables without per-row key checks: the load at COPY speed.

The bench (docs/performance.md) found the load at 14% of the raw COPY rate
of its own rows, and measured why: the foreign key of every cell and finding
row to ``raw.reports`` fires a trigger per row (two thirds of the server's
time), and the three-column text primary keys most of the rest. Neither
check can fail for rows the loader writes: it writes a report's children in
the same transaction as the report, from a record whose cells are keyed by
their codes, and ``runs.purge_run`` deletes children before their reports.
So the keys go, and a BRIN index on ``report_id`` (which only grows) finds a
run's or a night's rows for deletes and incremental models. dbt keeps
testing uniqueness and parenthood on the staging views, for the rows each
build adds.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-03 12:00:00
"""

from __future__ import annotations

from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

# table -> the columns of its old primary key after report_id
CHILD_TABLES = {
    "active_disclosure_cells": ("item", "measure"),
    "application_cells": ("row_code", "applicant"),
    "review_litigation_cells": ("proceeding", "result"),
    "legacy_stats": ("position",),
    "findings": ("position",),
}


def upgrade() -> None:
    for table in CHILD_TABLES:
        op.drop_constraint(f"{table}_report_id_fkey", table, schema="raw", type_="foreignkey")
        op.drop_constraint(f"{table}_pkey", table, schema="raw", type_="primary")
        op.create_index(f"ix_{table}_report_id", table, ["report_id"], schema="raw", postgresql_using="brin")


def downgrade() -> None:
    for table, keys in CHILD_TABLES.items():
        # children a purge left behind would stop the foreign key coming back
        op.execute(
            f"delete from raw.{table} c where not exists "
            f"(select 1 from raw.reports r where r.report_id = c.report_id)"
        )
        op.drop_index(f"ix_{table}_report_id", table, schema="raw")
        op.create_primary_key(f"{table}_pkey", table, ["report_id", *keys], schema="raw")
        op.create_foreign_key(
            f"{table}_report_id_fkey",
            table,
            "reports",
            ["report_id"],
            ["report_id"],
            source_schema="raw",
            referent_schema="raw",
            ondelete="CASCADE",
        )
