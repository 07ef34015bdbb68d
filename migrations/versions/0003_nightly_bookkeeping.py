"""Nightly loads: manifest provenance, the marts watermark, re-parses by the same parser.

* ``raw.reports.manifest_fields``: which of the report row's fields came from
  the crawler's manifest rather than from the file (``agency_name``,
  ``published_date``), so a figure's provenance stays visible: the parser's
  reading is never silently mixed with the crawler's.
* ``ops.load_runs.marts_built_at``: set when ``dbt build`` succeeded after
  the run. The marts then hold everything completed runs loaded up to it, so
  a night that loads nothing can skip ``dbt build`` without ever skipping a
  build an earlier run still owes (one killed after its load, or whose build
  failed).
* ``raw.reports``' uniqueness becomes (sha256, parser_version, run_id):
  ``nianbao reparse --all`` parses a document again with the same parser
  version as a new run, and the new parse must be written *beside* the old
  one, not over it, so that a reparse killed half-way leaves the old parse in
  place (downstream picks the newest parse of a completed run). The writer
  lock and the loader's skip of known files still keep ordinary loads from
  parsing a file twice.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-03 09:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column(
        "reports",
        sa.Column(
            "manifest_fields",
            postgresql.ARRAY(sa.Text()),
            server_default=sa.text("'{}'::text[]"),
            nullable=False,
        ),
        schema="raw",
    )
    op.add_column(
        "load_runs",
        sa.Column("marts_built_at", postgresql.TIMESTAMP(timezone=True), nullable=True),
        schema="ops",
    )
    op.drop_constraint("reports_sha256_key", "reports", schema="raw", type_="unique")
    op.create_unique_constraint(
        "reports_sha256_parser_version_run_id_key",
        "reports",
        ["sha256", "parser_version", "run_id"],
        schema="raw",
    )


def downgrade() -> None:
    # Keep only the newest parse per (sha256, parser_version) so the old
    # constraint can come back.
    op.execute(
        "delete from raw.reports r using raw.reports newer "
        "where newer.sha256 = r.sha256 and newer.parser_version = r.parser_version "
        "and newer.report_id > r.report_id"
    )
    op.drop_constraint("reports_sha256_parser_version_run_id_key", "reports", schema="raw", type_="unique")
    op.create_unique_constraint("reports_sha256_key", "reports", ["sha256", "parser_version"], schema="raw")
    op.drop_column("load_runs", "marts_built_at", schema="ops")
    op.drop_column("reports", "manifest_fields", schema="raw")
