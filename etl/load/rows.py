"""The canonical record as rows of the ``raw`` tables.

One :class:`etl.record.Report` becomes one ``raw.reports`` row, one row per
cell in the cell tables (codes, ``value`` as ``numeric`` with NULL for blank,
and the ``raw`` text exactly as printed) and one row per finding. Nothing here
interprets a figure: summing, conforming templates and choosing the latest
version are dbt's work; the loader keeps the record as the parser gave it.

The column lists below are the loader's half of the contract with
``models/tables.py``; ``tests/load/test_copy.py`` checks that they match.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import pickle
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from psycopg.types.json import Jsonb

from etl.load.copy import TableRows
from etl.record import Report

DOCUMENT_COLUMNS = (
    "sha256",
    "format",
    "encoding",
    "size_bytes",
    "content",
    "original_path",
    "manifest",
    "first_run_id",
)
REPORT_COLUMNS = (
    "report_id",
    "sha256",
    "run_id",
    "parser_version",
    "source_path",
    "source_format",
    "source_encoding",
    "status",
    "errors",
    "agency_name",
    "region_code",
    "agency_level",
    "agency_kind",
    "agency_unit",
    "report_year",
    "template",
    "published_date",
    "manifest_fields",
    "record_sha256",
)
ACTIVE_DISCLOSURE_COLUMNS = ("report_id", "item", "measure", "value", "raw")
APPLICATION_COLUMNS = ("report_id", "row_code", "applicant", "value", "raw")
REVIEW_LITIGATION_COLUMNS = ("report_id", "proceeding", "result", "value", "raw")
LEGACY_STATS_COLUMNS = ("report_id", "position", "indicator", "unit", "value", "raw")
FINDINGS_COLUMNS = ("report_id", "position", "rule", "location", "expected", "actual")

# Parents before children, so foreign keys hold at every COPY.
TABLE_COLUMNS: dict[str, tuple[str, ...]] = {
    "raw.documents": DOCUMENT_COLUMNS,
    "raw.reports": REPORT_COLUMNS,
    "raw.active_disclosure_cells": ACTIVE_DISCLOSURE_COLUMNS,
    "raw.application_cells": APPLICATION_COLUMNS,
    "raw.review_litigation_cells": REVIEW_LITIGATION_COLUMNS,
    "raw.legacy_stats": LEGACY_STATS_COLUMNS,
    "raw.findings": FINDINGS_COLUMNS,
}


def text(value: str | None) -> str | None:
    """Text Postgres accepts: a NUL byte (possible in a mangled file) cannot be stored."""
    if value is None:
        return None
    if type(value) is str and "\x00" not in value:  # nearly every call: no copy
        return value
    return str(value).replace("\x00", "")


def numeric(value: Any) -> int | Decimal | None:
    """A cell value for a ``numeric`` column; ``None`` stays NULL, never 0.

    Floats (a record rebuilt from JSON by hand) go through their shortest
    repr so ``1732.633648`` arrives as exactly that, not its binary neighbour.
    """
    # None and plain int first: nearly every cell, on the loader's hot path
    if value is None or type(value) is int:
        return value
    if isinstance(value, bool):
        raise ValueError(f"a boolean is not a cell value: {value!r}")
    if isinstance(value, int | Decimal):
        return value
    if isinstance(value, float):
        return Decimal(repr(value))
    try:
        return Decimal(str(value).strip())
    except InvalidOperation as exc:
        raise ValueError(f"not a number: {value!r}") from exc


def published_date(value: str | None) -> tuple[dt.date | None, str | None]:
    """The ISO date, or ``None`` plus a note when the record holds something else.

    A bad date must not cost the report its figures (the ``date`` column would
    reject the whole batch), so it is dropped and the note kept in ``errors``.
    """
    if not value:
        return None, None
    try:
        return dt.date.fromisoformat(value), None
    except (TypeError, ValueError):
        return None, f"published_date {value!r} is not an ISO date; stored as NULL"


_DATE = re.compile(r"^\s*(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?\s*$")


def iso_date(value: str | None) -> str | None:
    """``2021-01-20``, ``2021/1/20``, ``2021.01.20`` or ``2021年1月20日`` as ISO; else ``None``."""
    if not value:
        return None
    m = _DATE.match(str(value))
    if not m:
        return None
    try:
        return dt.date(int(m[1]), int(m[2]), int(m[3])).isoformat()
    except ValueError:
        return None


def fill_values(manifest: Mapping[str, Any] | None) -> dict[str, str]:
    """The report-row values a stored manifest entry can supply, by report column.

    Works on the dict kept in ``raw.documents.manifest`` as well as on a fresh
    entry's ``stored()`` (``etl.run.manifest``), so a load and a later reparse
    fill the same gaps the same way.
    """
    if not manifest:
        return {}
    values: dict[str, str] = {}
    agency = str(manifest.get("agency") or "").strip()
    if agency:
        values["agency_name"] = agency
    date = iso_date(manifest.get("published_date"))
    if date:
        values["published_date"] = date
    region = str(manifest.get("region_code") or "").strip()
    if len(region) == 6 and region.isdigit():  # the sites file's division for the site (etl/sites.toml)
        values["region_code"] = region
    return values


@dataclass
class Document:
    """A file's bytes as the loader read them: stored once per SHA-256."""

    sha256: str
    path: str
    content: bytes
    format: str
    encoding: str | None = None
    manifest: dict[str, Any] | None = None


def document_row(doc: Document, run_id: int) -> tuple[Any, ...]:
    return (
        doc.sha256,
        doc.format or "text",
        text(doc.encoding),
        len(doc.content),
        doc.content,
        text(doc.path) or "",
        Jsonb(doc.manifest) if doc.manifest is not None else None,
        run_id,
    )


@dataclass
class ReportRows:
    """Every row one report contributes, built before any COPY.

    Building all rows first means a record the database would refuse (a
    value that is not a number, say) is caught for that report alone, not
    halfway through a batch's COPY.
    """

    report: tuple[Any, ...]
    active_disclosure: list[tuple[Any, ...]] = field(default_factory=list)
    applications: list[tuple[Any, ...]] = field(default_factory=list)
    review_litigation: list[tuple[Any, ...]] = field(default_factory=list)
    legacy_stats: list[tuple[Any, ...]] = field(default_factory=list)
    findings: list[tuple[Any, ...]] = field(default_factory=list)
    # report fields taken from the crawler's manifest (also in the report row)
    manifest_fields: list[str] = field(default_factory=list)

    @property
    def cell_count(self) -> int:
        return (
            len(self.active_disclosure)
            + len(self.applications)
            + len(self.review_litigation)
            + len(self.legacy_stats)
        )


def report_rows(
    report: Report,
    *,
    report_id: int,
    run_id: int,
    parser_version: str,
    manifest: Mapping[str, Any] | None = None,
) -> ReportRows:
    """The rows of one parsed report; raises ``ValueError`` for a record the tables cannot hold.

    ``manifest`` (the crawler's entry for the file, as ``raw.documents``
    keeps it) fills the agency name, the published date and the region code
    (the site's, from the sites file) where the parser found none; the row's
    ``manifest_fields`` names what it filled, so the parser's reading and the
    crawler's stay told apart.
    """
    errors = [{"code": e.code, "message": text(e.message)} for e in report.errors]
    date, note = published_date(report.published_date)
    if note:
        errors.append({"code": "invalid_published_date", "message": note})
    src = report.source
    agency = report.agency
    agency_name = text(agency.name)
    filled: list[str] = []
    fill = fill_values(manifest)
    if not (agency_name or "").strip() and "agency_name" in fill:
        agency_name = text(fill["agency_name"])
        filled.append("agency_name")
    if date is None and "published_date" in fill:
        date = dt.date.fromisoformat(fill["published_date"])
        filled.append("published_date")
    region_code = text(agency.region_code)
    if region_code is None and "region_code" in fill and agency.level != "national":
        region_code = fill["region_code"]  # the site's place: a report that names none is of the site's
        filled.append("region_code")
    year = report.report_year
    if year is not None and not isinstance(year, int):
        raise ValueError(f"report_year {year!r} is not an integer")
    rows = ReportRows(
        report=(
            report_id,
            src.sha256,
            run_id,
            parser_version,
            text(src.path) or "",
            src.format or "text",
            text(src.encoding),
            report.status,
            Jsonb(errors),
            agency_name,
            region_code,
            text(agency.level),
            text(agency.kind),
            text(agency.unit),
            year,
            report.template or "unknown",
            date,
            filled,
            None,  # record_sha256, once the cells are in (below)
        ),
        manifest_fields=filled,
    )
    # what each row says, without the report id: the rows, and the record's fingerprint
    active = [(c.item, c.measure, numeric(c.value), text(c.raw)) for c in report.active_disclosure]
    applications = [(c.row, c.applicant, numeric(c.value), text(c.raw)) for c in report.applications]
    review = [(c.proceeding, c.result, numeric(c.value), text(c.raw)) for c in report.review_litigation]
    for table, cells in (
        ("raw.active_disclosure_cells", active),
        ("raw.application_cells", applications),
        ("raw.review_litigation_cells", review),
    ):
        _refuse_duplicates(table, cells)
    legacy = [
        (i, text(s.indicator), text(s.unit), numeric(s.value), text(s.raw))
        for i, s in enumerate(report.legacy_stats, start=1)
    ]
    findings = [
        (i, f.rule, text(f.where) or "", numeric(f.expected), numeric(f.actual))
        for i, f in enumerate(report.findings, start=1)
    ]
    rows.active_disclosure = [(report_id, *t) for t in active]
    rows.applications = [(report_id, *t) for t in applications]
    rows.review_litigation = [(report_id, *t) for t in review]
    rows.legacy_stats = [(report_id, *t) for t in legacy]
    rows.findings = [(report_id, *t) for t in findings]
    rows.report = (
        *rows.report[:-1],
        record_fingerprint(report, (active, applications, review, legacy, findings)),
    )
    return rows


def record_fingerprint(report: Report, cells: tuple[list[tuple[Any, ...]], ...]) -> str:
    """SHA-256 of what the record says, without where it came from.

    The source (path, the bytes' hash, encoding, format) and the error
    messages (which name the file) are left out; error codes stay. Two
    documents with the same fingerprint say the same thing (a copy
    re-encoded, a trailing space, one page saved twice), and dbt counts them
    as one version of their agency-year. ``cells`` are the rows' contents
    without the report id; hashed as a pickle, which costs the writer a
    tenth of what a text rendering of every cell would.
    """
    agency = report.agency
    head = (
        report.status,
        sorted(e.code for e in report.errors),
        agency.name,
        agency.region_code,
        agency.level,
        agency.kind,
        agency.unit,
        report.report_year,
        report.template,
        report.published_date,
    )
    return hashlib.sha256(pickle.dumps((head, cells), protocol=5)).hexdigest()


def _refuse_duplicates(table: str, cells: list[tuple[Any, ...]]) -> None:
    """A report holds each cell once: the check the cell tables' key no longer makes.

    The tables have no primary key (migration 0004, for load speed), so a
    record naming one cell twice is refused here, before any row is sent,
    and quarantined as ``load_failed`` like any record the database refuses.
    """
    keys = [c[:2] for c in cells]
    if len(set(keys)) != len(keys):
        seen: set[tuple[Any, ...]] = set()
        twice = next(k for k in keys if k in seen or seen.add(k))
        raise ValueError(f"{table}: the record holds cell {'/'.join(map(str, twice))} twice")


@dataclass
class Batch:
    """The rows of one transaction, table by table, in foreign-key order."""

    tables: dict[str, TableRows] = field(
        default_factory=lambda: {name: TableRows(name, cols) for name, cols in TABLE_COLUMNS.items()}
    )

    def add_document(self, doc: Document, run_id: int) -> None:
        self.tables["raw.documents"].add(document_row(doc, run_id))

    def add_report(self, rows: ReportRows) -> None:
        self.tables["raw.reports"].add(rows.report)
        self.tables["raw.active_disclosure_cells"].rows.extend(rows.active_disclosure)
        self.tables["raw.application_cells"].rows.extend(rows.applications)
        self.tables["raw.review_litigation_cells"].rows.extend(rows.review_litigation)
        self.tables["raw.legacy_stats"].rows.extend(rows.legacy_stats)
        self.tables["raw.findings"].rows.extend(rows.findings)

    def ordered(self) -> list[TableRows]:
        return list(self.tables.values())
