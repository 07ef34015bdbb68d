"""Versions that only get better: a fingerprint of each parsed record, and pinned versions.

* ``raw.reports.record_sha256``: SHA-256 of the parsed record without its
  source (path, bytes' hash, encoding) and without the messages that name the
  file. Two documents whose records are identical (a copy re-encoded, a
  trailing space, the same page saved twice) share it, and dbt's
  ``int_reports_versioned`` counts them as one version. NULL for rows loaded
  before this revision (each its own version, as before).
* ``ops.version_pins``: a document an operator chose as its agency-year's
  latest version (``nianbao versions pin``), whatever the ranking rule says.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-06 21:45:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("reports", sa.Column("record_sha256", sa.Text(), nullable=True), schema="raw")
    op.create_table(
        "version_pins",
        sa.Column("sha256", sa.Text(), sa.ForeignKey("raw.documents.sha256"), primary_key=True),
        sa.Column(
            "pinned_at", postgresql.TIMESTAMP(timezone=True), server_default=sa.text("now()"), nullable=False
        ),
        sa.Column("note", sa.Text(), nullable=True),
        schema="ops",
    )


def downgrade() -> None:
    op.drop_table("version_pins", schema="ops")
    op.drop_column("reports", "record_sha256", schema="raw")
