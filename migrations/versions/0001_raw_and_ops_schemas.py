"""raw and ops schemas: documents, parsed cells, load runs and quarantine.

Revision ID: 0001
Revises:
Create Date: 2026-12-03 08:22:40.649387
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute('create schema if not exists raw')
    op.execute('create schema if not exists ops')
    op.create_table('load_runs',
    sa.Column('run_id', sa.BigInteger(), sa.Identity(always=False), nullable=False),
    sa.Column('started_at', postgresql.TIMESTAMP(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('finished_at', postgresql.TIMESTAMP(timezone=True), nullable=True),
    sa.Column('status', sa.Text(), server_default=sa.text("'running'"), nullable=False),
    sa.Column('command', sa.Text(), nullable=True),
    sa.Column('parser_version', sa.Text(), nullable=False),
    sa.Column('files_seen', sa.Integer(), server_default=sa.text('0'), nullable=False),
    sa.Column('files_loaded', sa.Integer(), server_default=sa.text('0'), nullable=False),
    sa.Column('files_skipped', sa.Integer(), server_default=sa.text('0'), nullable=False),
    sa.Column('files_quarantined', sa.Integer(), server_default=sa.text('0'), nullable=False),
    sa.Column('findings', sa.Integer(), server_default=sa.text('0'), nullable=False),
    sa.Column('error', sa.Text(), nullable=True),
    sa.PrimaryKeyConstraint('run_id', name=op.f('load_runs_pkey')),
    schema='ops'
    )
    op.create_table('quarantine',
    sa.Column('quarantine_id', sa.BigInteger(), sa.Identity(always=False), nullable=False),
    sa.Column('run_id', sa.BigInteger(), nullable=False),
    sa.Column('path', sa.Text(), nullable=False),
    sa.Column('sha256', sa.Text(), nullable=True),
    sa.Column('error_code', sa.Text(), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('quarantined_at', postgresql.TIMESTAMP(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('resolved_at', postgresql.TIMESTAMP(timezone=True), nullable=True),
    sa.Column('resolved_by_run_id', sa.BigInteger(), nullable=True),
    sa.ForeignKeyConstraint(['resolved_by_run_id'], ['ops.load_runs.run_id'], name=op.f('quarantine_resolved_by_run_id_fkey')),
    sa.ForeignKeyConstraint(['run_id'], ['ops.load_runs.run_id'], name=op.f('quarantine_run_id_fkey')),
    sa.PrimaryKeyConstraint('quarantine_id', name=op.f('quarantine_pkey')),
    schema='ops'
    )
    op.create_table('documents',
    sa.Column('sha256', sa.Text(), nullable=False),
    sa.Column('format', sa.Text(), nullable=False),
    sa.Column('encoding', sa.Text(), nullable=True),
    sa.Column('size_bytes', sa.BigInteger(), nullable=False),
    sa.Column('content', sa.LargeBinary(), nullable=False),
    sa.Column('original_path', sa.Text(), nullable=False),
    sa.Column('manifest', postgresql.JSONB(astext_type=sa.Text()), nullable=True),
    sa.Column('first_run_id', sa.BigInteger(), nullable=False),
    sa.Column('loaded_at', postgresql.TIMESTAMP(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.ForeignKeyConstraint(['first_run_id'], ['ops.load_runs.run_id'], name=op.f('documents_first_run_id_fkey')),
    sa.PrimaryKeyConstraint('sha256', name=op.f('documents_pkey')),
    schema='raw'
    )
    op.create_table('reports',
    sa.Column('report_id', sa.BigInteger(), sa.Identity(always=False), nullable=False),
    sa.Column('sha256', sa.Text(), nullable=False),
    sa.Column('run_id', sa.BigInteger(), nullable=False),
    sa.Column('parser_version', sa.Text(), nullable=False),
    sa.Column('source_path', sa.Text(), nullable=False),
    sa.Column('source_format', sa.Text(), nullable=False),
    sa.Column('source_encoding', sa.Text(), nullable=True),
    sa.Column('status', sa.Text(), nullable=False),
    sa.Column('errors', postgresql.JSONB(astext_type=sa.Text()), server_default=sa.text("'[]'::jsonb"), nullable=False),
    sa.Column('agency_name', sa.Text(), nullable=True),
    sa.Column('region_code', sa.Text(), nullable=True),
    sa.Column('agency_level', sa.Text(), nullable=True),
    sa.Column('agency_kind', sa.Text(), nullable=True),
    sa.Column('report_year', sa.Integer(), nullable=True),
    sa.Column('template', sa.Text(), nullable=False),
    sa.Column('published_date', sa.Date(), nullable=True),
    sa.Column('parsed_at', postgresql.TIMESTAMP(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.ForeignKeyConstraint(['run_id'], ['ops.load_runs.run_id'], name=op.f('reports_run_id_fkey')),
    sa.ForeignKeyConstraint(['sha256'], ['raw.documents.sha256'], name=op.f('reports_sha256_fkey')),
    sa.PrimaryKeyConstraint('report_id', name=op.f('reports_pkey')),
    sa.UniqueConstraint('sha256', 'parser_version', name=op.f('reports_sha256_key')),
    schema='raw'
    )
    op.create_index('ix_reports_agency_year', 'reports', ['agency_name', 'report_year'], unique=False, schema='raw')
    op.create_index('ix_reports_run_id', 'reports', ['run_id'], unique=False, schema='raw')
    op.create_table('active_disclosure_cells',
    sa.Column('report_id', sa.BigInteger(), nullable=False),
    sa.Column('item', sa.Text(), nullable=False),
    sa.Column('measure', sa.Text(), nullable=False),
    sa.Column('value', sa.Numeric(), nullable=True),
    sa.Column('raw', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['report_id'], ['raw.reports.report_id'], name=op.f('active_disclosure_cells_report_id_fkey'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('report_id', 'item', 'measure', name=op.f('active_disclosure_cells_pkey')),
    schema='raw'
    )
    op.create_table('application_cells',
    sa.Column('report_id', sa.BigInteger(), nullable=False),
    sa.Column('row_code', sa.Text(), nullable=False),
    sa.Column('applicant', sa.Text(), nullable=False),
    sa.Column('value', sa.Numeric(), nullable=True),
    sa.Column('raw', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['report_id'], ['raw.reports.report_id'], name=op.f('application_cells_report_id_fkey'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('report_id', 'row_code', 'applicant', name=op.f('application_cells_pkey')),
    schema='raw'
    )
    op.create_table('findings',
    sa.Column('report_id', sa.BigInteger(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('rule', sa.Text(), nullable=False),
    sa.Column('location', sa.Text(), nullable=False),
    sa.Column('expected', sa.Numeric(), nullable=True),
    sa.Column('actual', sa.Numeric(), nullable=True),
    sa.ForeignKeyConstraint(['report_id'], ['raw.reports.report_id'], name=op.f('findings_report_id_fkey'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('report_id', 'position', name=op.f('findings_pkey')),
    schema='raw'
    )
    op.create_table('legacy_stats',
    sa.Column('report_id', sa.BigInteger(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('indicator', sa.Text(), nullable=False),
    sa.Column('unit', sa.Text(), nullable=True),
    sa.Column('value', sa.Numeric(), nullable=True),
    sa.Column('raw', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['report_id'], ['raw.reports.report_id'], name=op.f('legacy_stats_report_id_fkey'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('report_id', 'position', name=op.f('legacy_stats_pkey')),
    schema='raw'
    )
    op.create_table('review_litigation_cells',
    sa.Column('report_id', sa.BigInteger(), nullable=False),
    sa.Column('proceeding', sa.Text(), nullable=False),
    sa.Column('result', sa.Text(), nullable=False),
    sa.Column('value', sa.Numeric(), nullable=True),
    sa.Column('raw', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['report_id'], ['raw.reports.report_id'], name=op.f('review_litigation_cells_report_id_fkey'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('report_id', 'proceeding', 'result', name=op.f('review_litigation_cells_pkey')),
    schema='raw'
    )


def downgrade() -> None:
    op.drop_table('review_litigation_cells', schema='raw')
    op.drop_table('legacy_stats', schema='raw')
    op.drop_table('findings', schema='raw')
    op.drop_table('application_cells', schema='raw')
    op.drop_table('active_disclosure_cells', schema='raw')
    op.drop_index('ix_reports_run_id', table_name='reports', schema='raw')
    op.drop_index('ix_reports_agency_year', table_name='reports', schema='raw')
    op.drop_table('reports', schema='raw')
    op.drop_table('documents', schema='raw')
    op.drop_table('quarantine', schema='ops')
    op.drop_table('load_runs', schema='ops')
    # ops keeps Alembic's own version table, so only raw goes.
    op.execute('drop schema if exists raw')
