"""ops.file_index: each landing file's size, modification time and SHA-256 when last read.

A night used to read and hash every file of the landing folder to learn
that almost all of them were loaded before: at 100,000 reports, gigabytes
read to load a few hundred. With the index, a file whose path, size and
modification time (nanoseconds) are those it had when it was last read, and
whose bytes were loaded (or quarantined) before, is skipped without being
opened. ``nianbao run --rehash`` reads every file again (for a file rewritten
with its size and modification time kept, which the index cannot see).

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-07 01:40:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "file_index",
        sa.Column("path", sa.Text(), primary_key=True),
        sa.Column("size_bytes", sa.BigInteger(), nullable=False),
        sa.Column("mtime_ns", sa.BigInteger(), nullable=False),
        sa.Column("sha256", sa.Text(), nullable=False),
        sa.Column("read_at", postgresql.TIMESTAMP(timezone=True), server_default=sa.text("now()"), nullable=False),
        schema="ops",
    )


def downgrade() -> None:
    op.drop_table("file_index", schema="ops")
