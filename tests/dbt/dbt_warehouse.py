"""Raw rows for the dbt tests: hand-made records inserted as the loader would write them.

Plain SQL inserts into ``raw.*`` and ``ops.load_runs``, independent of the
loader. The records (:class:`etl.record.Report`) are chosen to exercise every
rule the marts promise: blanks stay NULL, runs that did not complete are
invisible, re-parses and re-publications resolve to one latest version,
unknown agencies map to the unknown member.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import psycopg
from psycopg.types.json import Jsonb

from etl.record import (
    Agency,
    ApplicationCell,
    DisclosureCell,
    Finding,
    Report,
    ReviewCell,
    Source,
)
from etl.transform import DbtResult


def sha(label: str) -> str:
    return hashlib.sha256(label.encode()).hexdigest()


def insert_run(conn: psycopg.Connection, status: str, parser_version: str = "0.1.0") -> int:
    row = conn.execute(
        "insert into ops.load_runs (status, parser_version, finished_at) values (%s, %s, now()) returning run_id",
        (status, parser_version),
    ).fetchone()
    assert row is not None
    return int(row[0])


def insert_report(
    conn: psycopg.Connection,
    report: Report,
    run_id: int,
    parser_version: str = "0.1.0",
    loaded_at: str = "2024-01-01T00:00:00+00:00",
) -> int:
    """The raw rows the loader would write for one record (the document once per SHA-256)."""
    src = report.source
    conn.execute(
        "insert into raw.documents (sha256, format, encoding, size_bytes, content, original_path,"
        " first_run_id, loaded_at) values (%s, %s, %s, %s, %s, %s, %s, %s)"
        " on conflict (sha256) do nothing",
        (src.sha256, src.format, src.encoding, 10, b"0123456789", src.path, run_id, loaded_at),
    )
    row = conn.execute(
        "insert into raw.reports (sha256, run_id, parser_version, source_path, source_format,"
        " source_encoding, status, errors, agency_name, region_code, agency_level, agency_kind,"
        " report_year, template, published_date)"
        " values (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s) returning report_id",
        (
            src.sha256,
            run_id,
            parser_version,
            src.path,
            src.format,
            src.encoding,
            report.status,
            Jsonb([{"code": e.code, "message": e.message} for e in report.errors]),
            report.agency.name,
            report.agency.region_code,
            report.agency.level,
            report.agency.kind,
            report.report_year,
            report.template,
            report.published_date,
        ),
    ).fetchone()
    assert row is not None
    report_id = int(row[0])
    with conn.cursor() as cur:
        cur.executemany(
            "insert into raw.application_cells (report_id, row_code, applicant, value, raw) values (%s, %s, %s, %s, %s)",
            [(report_id, c.row, c.applicant, c.value, c.raw) for c in report.applications],
        )
        cur.executemany(
            "insert into raw.review_litigation_cells (report_id, proceeding, result, value, raw)"
            " values (%s, %s, %s, %s, %s)",
            [(report_id, c.proceeding, c.result, c.value, c.raw) for c in report.review_litigation],
        )
        cur.executemany(
            "insert into raw.active_disclosure_cells (report_id, item, measure, value, raw)"
            " values (%s, %s, %s, %s, %s)",
            [(report_id, c.item, c.measure, c.value, c.raw) for c in report.active_disclosure],
        )
        cur.executemany(
            "insert into raw.legacy_stats (report_id, position, indicator, unit, value, raw)"
            " values (%s, %s, %s, %s, %s, %s)",
            [(report_id, i, s.indicator, s.unit, s.value, s.raw) for i, s in enumerate(report.legacy_stats)],
        )
        cur.executemany(
            "insert into raw.findings (report_id, position, rule, location, expected, actual)"
            " values (%s, %s, %s, %s, %s, %s)",
            [(report_id, i, f.rule, f.where, f.expected, f.actual) for i, f in enumerate(report.findings)],
        )
    return report_id


def applications(column: str, **rows: int | None) -> list[ApplicationCell]:
    return [ApplicationCell(row, column, v, "" if v is None else str(v)) for row, v in rows.items()]


def review(
    proceeding: str, upheld: int, corrected: int, other: int, pending: int, total: int
) -> list[ReviewCell]:
    values = {"upheld": upheld, "corrected": corrected, "other": other, "pending": pending, "total": total}
    return [ReviewCell(proceeding, r, v, str(v)) for r, v in values.items()]


ANNING = Agency(name="安宁市人民政府", region_code="530181", level="county", kind="government")
AERSHAN = Agency(name="阿尔山市政务服务局", region_code="152202", level="county", kind="department")


def anning_2020(label: str, published: str | None, granted: int) -> Report:
    """安宁市人民政府's 2020 report: 2 natural-person applications, all 予以公开, 3567 行政处罚."""
    return Report(
        source=Source(path=f"{label}.txt", sha256=sha(label), format="text", encoding="utf-8"),
        agency=ANNING,
        report_year=2020,
        template="2019",
        published_date=published,
        applications=[
            *applications(
                "natural_person",
                new_received=2,
                carried_over=0,
                granted=granted,
                partially_granted=0,
                other=0,
                total_processed=granted,
                carried_forward=0,
            ),
            # a blank column: "not reported" is not 0
            *applications("commercial", new_received=None, carried_over=None, granted=None),
            *applications("total", new_received=2, carried_over=0, granted=granted, total_processed=granted),
        ],
        review_litigation=[
            *review("review", 1, 1, 0, 0, 2),
            *review("litigation_direct", 0, 0, 0, 1, 1),
            *review("litigation_after_review", 0, 0, 0, 0, 0),
        ],
        active_disclosure=[
            DisclosureCell("penalty", "decisions", 3567, "3567"),
            DisclosureCell("penalty", "change", -183, "减183"),
            DisclosureCell("procurement", "amount_10k_yuan", Decimal("1732.633648"), "1732.633648万元"),
        ],
        findings=[Finding("applications_row_total", 2, 3, "granted")],
    )


@dataclass
class BuiltWarehouse:
    """The built database, the ids of the raw reports the tests look for, and dbt's result."""

    url: str
    result: DbtResult
    work_dir: Path
    ids: dict[str, int]
