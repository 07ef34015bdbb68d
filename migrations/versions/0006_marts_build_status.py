"""The marts' build state, where the reader role and dashboards can see it.

``dbt build`` replaces the marts one model at a time; a build that is killed
half-way leaves some marts from the new load and some from the old, and
nothing in the marts says so. ``status.marts_build`` (one row) does: the run
layer sets it to ``building`` before dbt starts, ``built`` when the build
succeeded, ``failed`` when it did not; a build killed half-way stays
``building`` until the next run, which marks it ``interrupted`` and builds.
A dashboard shows its figures as current only while the state is ``built``.
It lives in a schema of its own (``status``) that the reader may read: the
marts schema is dbt's.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-06 22:10:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

READER_ROLE = "nianbao_reader"


def upgrade() -> None:
    op.execute("create schema if not exists status")
    op.create_table(
        "marts_build",
        sa.Column("id", sa.Boolean(), server_default=sa.text("true"), primary_key=True),
        sa.Column("state", sa.Text(), nullable=False),
        sa.Column("run_id", sa.BigInteger(), nullable=True),
        sa.Column("build_started_at", postgresql.TIMESTAMP(timezone=True), nullable=True),
        sa.Column("built_at", postgresql.TIMESTAMP(timezone=True), nullable=True),
        sa.Column("message", sa.Text(), nullable=True),
        sa.CheckConstraint("id", name="marts_build_one_row"),
        schema="status",
    )
    op.execute("insert into status.marts_build (state) values ('never built')")
    op.execute(
        f"""
        do $migration$
        begin
            if exists (select from pg_roles where rolname = '{READER_ROLE}') then
                grant usage on schema status to {READER_ROLE};
                grant select on status.marts_build to {READER_ROLE};
            end if;
        end
        $migration$
        """
    )


def downgrade() -> None:
    op.drop_table("marts_build", schema="status")
    op.execute("drop schema if exists status")
