"""raw.reports.agency_unit, and the fingerprint of the files that key agencies.

``raw.reports.agency_unit``: the agency's own part of its name, for one key per real agency.

Parser 1.4.0 adds ``agency.unit`` to the record (``etl.parse.agency``): the
name with its division's names taken off its front and its suffix forms
made one, so that 淮安市洪泽区人民政府 and 洪泽区人民政府 meet. dbt keys
agencies by (region, unit). Reports parsed before 1.4.0 have no unit until
``nianbao reparse`` parses them again (the marts fall back to the printed
name for them, as before).

``status.marts_build.keys_sha256``: the SHA-256 of the files an agency's
key is made from (``dbt_project/seeds/agency_names.csv`` and the division
changes) when the marts were last built. A change to them re-keys history,
which incremental marts cannot do row by row: the run layer compares and, on
a change, rebuilds every mart (``dbt build --full-refresh``).

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-07 00:10:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("reports", sa.Column("agency_unit", sa.Text(), nullable=True), schema="raw")
    op.add_column("marts_build", sa.Column("keys_sha256", sa.Text(), nullable=True), schema="status")


def downgrade() -> None:
    op.drop_column("marts_build", "keys_sha256", schema="status")
    op.drop_column("reports", "agency_unit", schema="raw")
