"""COPY helpers and record-to-row conversion, against the migrated schema."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import psycopg
import pytest
from psycopg.types.json import Jsonb

from etl.load.copy import TableRows, copy_rows, copy_statement, copy_tables
from etl.load.rows import (
    TABLE_COLUMNS,
    Batch,
    Document,
    numeric,
    published_date,
    report_rows,
    text,
)
from etl.record import ApplicationCell, Report, Source
from models import metadata


def test_column_lists_match_the_alembic_tables() -> None:
    """The loader writes every column it must and none that do not exist."""
    for name, columns in TABLE_COLUMNS.items():
        table = metadata.tables[name]
        assert set(columns) <= set(table.columns.keys()), name
        required = {
            c.name
            for c in table.columns
            if not c.nullable and c.server_default is None and c.identity is None
        }
        assert required <= set(columns), (name, required - set(columns))


def test_copy_statement_quotes_names() -> None:
    stmt = copy_statement("raw.reports", ["report_id", "sha256"])
    assert stmt.as_string(None) == 'COPY "raw"."reports" ("report_id", "sha256") FROM STDIN'


def test_copy_rows_round_trips_python_values(db: psycopg.Connection) -> None:
    run_id = db.execute(
        "insert into ops.load_runs (parser_version) values ('t') returning run_id"
    ).fetchone()[0]
    content = b"\x00\xff binary \xe4\xb8\xad"
    with db.cursor() as cur:
        n = copy_rows(
            cur,
            "raw.documents",
            (
                "sha256",
                "format",
                "encoding",
                "size_bytes",
                "content",
                "original_path",
                "manifest",
                "first_run_id",
            ),
            [("abc", "pdf", None, len(content), content, "a/b 名.pdf", Jsonb({"url": "http://x"}), run_id)],
        )
    assert n == 1
    row = db.execute(
        "select content, encoding, original_path, manifest from raw.documents where sha256 = 'abc'"
    ).fetchone()
    assert row == (content, None, "a/b 名.pdf", {"url": "http://x"})


def test_copy_rows_writes_nothing_for_no_rows(db: psycopg.Connection) -> None:
    with db.cursor() as cur:
        assert copy_rows(cur, "raw.reports", ("report_id",), []) == 0


def test_table_rows_checks_width() -> None:
    rows = TableRows("raw.findings", ("a", "b"))
    with pytest.raises(ValueError, match="2 columns"):
        rows.add((1,))


def test_numeric_never_turns_blank_into_zero() -> None:
    assert numeric(None) is None
    assert numeric(0) == 0
    assert numeric(Decimal("1732.633648")) == Decimal("1732.633648")
    assert numeric(1732.633648) == Decimal("1732.633648")
    assert numeric("-183") == Decimal(-183)
    with pytest.raises(ValueError):
        numeric("增三")
    with pytest.raises(ValueError):
        numeric(True)


def test_text_drops_nul_and_dates_are_checked() -> None:
    assert text("a\x00b") == "ab"
    assert text(None) is None
    assert published_date("2021-01-20") == (dt.date(2021, 1, 20), None)
    date, note = published_date("2021年1月20日")
    assert date is None and note and "2021年1月20日" in note


def test_report_rows_and_batch_copy(db: psycopg.Connection) -> None:
    run_id = db.execute(
        "insert into ops.load_runs (parser_version) values ('t') returning run_id"
    ).fetchone()[0]
    report = Report(
        source=Source(path="x.txt", sha256="s1", format="text", encoding="gb18030"),
        report_year=2020,
        template="2019",
        published_date="not a date",
        applications=[ApplicationCell("granted", "total", None, "/")],
    )
    rows = report_rows(report, report_id=10_000, run_id=run_id, parser_version="t")
    assert rows.cell_count == 1
    batch = Batch()
    batch.add_document(Document(sha256="s1", path="x.txt", content=b"abc", format="text"), run_id)
    batch.add_report(rows)
    with db.cursor() as cur:
        written = copy_tables(cur, batch.ordered())
    assert written["raw.reports"] == 1 and written["raw.application_cells"] == 1
    errors, date, encoding = db.execute(
        "select errors, published_date, source_encoding from raw.reports where report_id = 10000"
    ).fetchone()
    assert date is None and encoding == "gb18030"
    assert errors == [{"code": "invalid_published_date", "message": errors[0]["message"]}]
    assert db.execute("select value, raw from raw.application_cells where report_id = 10000").fetchone() == (
        None,
        "/",
    )
