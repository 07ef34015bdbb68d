"""Tables of the ``raw`` (documents and parsed cells) and ``ops`` (runs,
quarantine) schemas.

Cells keep the spec's codes (``docs/record.md``), the ``value``
(``numeric``; NULL where the report printed nothing) and the ``raw`` text the
report printed, so every number in a mart can be followed back to its cell.
A document is known by the SHA-256 of its bytes; a report row is one parse of
one document by one parser version, so a better parser adds rows beside the
old ones instead of overwriting them.
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Column,
    Date,
    ForeignKey,
    Identity,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    Numeric,
    Table,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.dialects.postgresql import ARRAY, JSONB, TIMESTAMP

OWNED_SCHEMAS = ("raw", "ops", "status")

metadata = MetaData(
    naming_convention={
        "pk": "%(table_name)s_pkey",
        "fk": "%(table_name)s_%(column_0_name)s_fkey",
        "uq": "%(table_name)s_%(column_0_name)s_key",
        "ix": "ix_%(table_name)s_%(column_0_name)s",
        "ck": "%(table_name)s_%(constraint_name)s_check",
    }
)

TZ = TIMESTAMP(timezone=True)

load_runs = Table(
    "load_runs",
    metadata,
    Column("run_id", BigInteger, Identity(), primary_key=True),
    Column("started_at", TZ, nullable=False, server_default=text("now()")),
    Column("finished_at", TZ),
    # running | completed | completed_with_quarantine | failed | aborted
    Column("status", Text, nullable=False, server_default=text("'running'")),
    Column("command", Text),
    Column("parser_version", Text, nullable=False),
    Column("files_seen", Integer, nullable=False, server_default=text("0")),
    Column("files_loaded", Integer, nullable=False, server_default=text("0")),
    Column("files_skipped", Integer, nullable=False, server_default=text("0")),
    Column("files_quarantined", Integer, nullable=False, server_default=text("0")),
    Column("findings", Integer, nullable=False, server_default=text("0")),
    Column("error", Text),
    # set when dbt build succeeded after this run: the marts hold every
    # completed run up to it (a quiet night may then skip dbt build)
    Column("marts_built_at", TZ),
    schema="ops",
)

quarantine = Table(
    "quarantine",
    metadata,
    Column("quarantine_id", BigInteger, Identity(), primary_key=True),
    Column("run_id", BigInteger, ForeignKey("ops.load_runs.run_id"), nullable=False),
    Column("path", Text, nullable=False),
    Column("sha256", Text),
    Column("error_code", Text, nullable=False),
    Column("reason", Text, nullable=False),
    Column("quarantined_at", TZ, nullable=False, server_default=text("now()")),
    # set when a later run loaded the file or the operator dismissed it
    Column("resolved_at", TZ),
    Column("resolved_by_run_id", BigInteger, ForeignKey("ops.load_runs.run_id")),
    schema="ops",
)

documents = Table(
    "documents",
    metadata,
    Column("sha256", Text, primary_key=True),
    Column("format", Text, nullable=False),
    Column("encoding", Text),
    Column("size_bytes", BigInteger, nullable=False),
    Column("content", LargeBinary, nullable=False),
    Column("original_path", Text, nullable=False),
    # metadata a crawler's manifest gave for this file (url, title, agency, ...)
    Column("manifest", JSONB),
    Column("first_run_id", BigInteger, ForeignKey("ops.load_runs.run_id"), nullable=False),
    Column("loaded_at", TZ, nullable=False, server_default=text("now()")),
    schema="raw",
)

reports = Table(
    "reports",
    metadata,
    Column("report_id", BigInteger, Identity(), primary_key=True),
    Column("sha256", Text, ForeignKey("raw.documents.sha256"), nullable=False),
    Column("run_id", BigInteger, ForeignKey("ops.load_runs.run_id"), nullable=False),
    Column("parser_version", Text, nullable=False),
    Column("source_path", Text, nullable=False),
    Column("source_format", Text, nullable=False),
    Column("source_encoding", Text),
    Column("status", Text, nullable=False),
    Column("errors", JSONB, nullable=False, server_default=text("'[]'::jsonb")),
    Column("agency_name", Text),
    Column("region_code", Text),
    Column("agency_level", Text),
    Column("agency_kind", Text),
    Column("agency_unit", Text),
    Column("report_year", Integer),
    Column("template", Text, nullable=False),
    Column("published_date", Date),
    Column("parsed_at", TZ, nullable=False, server_default=text("now()")),
    # fields of this row filled from the crawler's manifest, not the file
    # (agency_name, published_date, region_code): the parser found none
    Column("manifest_fields", ARRAY(Text), nullable=False, server_default=text("'{}'::text[]")),
    # SHA-256 of the parsed record without its source: identical records (a copy
    # re-encoded, a trailing space) share it and are one version (migration 0005)
    Column("record_sha256", Text),
    # one parse of a document per parser version and run: `reparse --all`
    # writes a new parse beside the old one, which stays until the run completes
    UniqueConstraint("sha256", "parser_version", "run_id", name="reports_sha256_parser_version_run_id_key"),
    schema="raw",
)
# a document an operator chose as its agency-year's latest version (`nianbao versions pin`)
version_pins = Table(
    "version_pins",
    metadata,
    Column("sha256", Text, ForeignKey("raw.documents.sha256"), primary_key=True),
    Column("pinned_at", TZ, nullable=False, server_default=text("now()")),
    Column("note", Text),
    schema="ops",
)

# each landing file's size, mtime and SHA-256 when last read: unchanged files are not read again (0008)
file_index = Table(
    "file_index",
    metadata,
    Column("path", Text, primary_key=True),
    Column("size_bytes", BigInteger, nullable=False),
    Column("mtime_ns", BigInteger, nullable=False),
    Column("sha256", Text, nullable=False),
    Column("read_at", TZ, nullable=False, server_default=text("now()")),
    schema="ops",
)

# the marts' build state, one row, readable by the reader role (migration 0006)
marts_build = Table(
    "marts_build",
    metadata,
    Column("id", Boolean, primary_key=True, server_default=text("true")),
    Column("state", Text, nullable=False),
    Column("run_id", BigInteger),
    Column("build_started_at", TZ),
    Column("built_at", TZ),
    Column("message", Text),
    # the agency mapping's fingerprint when the marts were last built (migration 0007)
    Column("keys_sha256", Text),
    CheckConstraint("id", name="marts_build_one_row"),
    schema="status",
)

Index("ix_reports_agency_year", reports.c.agency_name, reports.c.report_year)
Index("ix_reports_run_id", reports.c.run_id)


def _cell_table(name: str, *keys: Column, extra: tuple[Column, ...] = (), with_value: bool = True) -> Table:
    """A child table of ``raw.reports``: one row per cell (or finding) of one report.

    No primary or foreign key, by design (migration 0004): per-row key checks
    made the load 7x slower than COPY itself, and neither can be broken here.
    Only the loader writes these tables, in the transaction that writes the
    report row, from a record whose cells are keyed by their codes (so a
    report cannot hold a cell twice); ``runs.purge_run`` deletes children
    before their reports. dbt tests both properties on the staging views.
    ``report_id`` grows with every load, so a BRIN index finds a run's or a
    night's rows for a fraction of a B-tree's upkeep.
    """
    table = Table(
        name,
        metadata,
        Column("report_id", BigInteger, nullable=False),
        *keys,
        *extra,
        *((Column("value", Numeric), Column("raw", Text)) if with_value else ()),
        schema="raw",
    )
    Index(f"ix_{name}_report_id", table.c.report_id, postgresql_using="brin")
    return table


active_disclosure_cells = _cell_table(
    "active_disclosure_cells",
    Column("item", Text, nullable=False),
    Column("measure", Text, nullable=False),
)
application_cells = _cell_table(
    "application_cells",
    Column("row_code", Text, nullable=False),
    Column("applicant", Text, nullable=False),
)
review_litigation_cells = _cell_table(
    "review_litigation_cells",
    Column("proceeding", Text, nullable=False),
    Column("result", Text, nullable=False),
)
legacy_stats = _cell_table(
    "legacy_stats",
    Column("position", Integer, nullable=False),
    extra=(Column("indicator", Text, nullable=False), Column("unit", Text)),
)
findings = _cell_table(
    "findings",
    Column("position", Integer, nullable=False),
    extra=(
        Column("rule", Text, nullable=False),
        Column("location", Text, nullable=False),
        Column("expected", Numeric),
        Column("actual", Numeric),
    ),
    with_value=False,
)
