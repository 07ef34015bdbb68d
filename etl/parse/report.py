"""Assemble the canonical record from the section readers.

The order of work: clean the text, decide whether it is an annual report at
all, read metadata, find the application table (the most reliable anchor),
then section 二 before it and section 四 after it, or the pre-2019 统计表;
decide the template from what the tables show; check the reconciliation
rules. Nothing raises: a failure inside becomes a ``rejected`` record whose
error names the cause.
"""

from __future__ import annotations

import re

from etl.parse.agency import agency_unit
from etl.parse.applications import SECTION_HEADING, Applications, parse_applications
from etl.parse.disclosure import Disclosure, parse_disclosure
from etl.parse.kind import reads_as_report
from etl.parse.legacy import parse_legacy
from etl.parse.metadata import read_metadata
from etl.parse.prepare import prepare
from etl.parse.reconcile import reconcile
from etl.parse.region import agency_kind, resolve
from etl.parse.review import parse_review
from etl.parse.stream import Stream
from etl.parse.values import MAX_NUMBER_CHARS
from etl.record import Agency, Error, Finding, Report, Source

# Bump when parsing changes what a record holds: `nianbao reparse` re-derives
# the parsed tables of stored documents whose records came from older versions.
PARSER_VERSION = "1.4.0"

_GARBAGE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffd]")
_REPORT_WORDS = re.compile(r"信息公开")
_SECTION2 = re.compile(r"第二十条第?\(一\)项|第二十条|信息内容")
_SECTION4 = re.compile(r"政府信息公开行政复议|行政复议[、,]?行政诉讼")


def parse_text(text: str, *, source: Source) -> Report:
    """Parse one report's text (tables rendered as ``a | b`` lines) into a record."""
    try:
        return _parse(text, source)
    except Exception as exc:  # a parser bug must not stop a night's load
        return Report(
            source=source,
            status="rejected",
            errors=[Error("parser_error", f"{source.path}: the parser failed ({type(exc).__name__}: {exc})")],
        )


def _parse(text: str, source: Source) -> Report:
    report = Report(source=source)
    text = prepare(text)
    if not text.strip():
        return _reject(report, "empty", f"{source.path}: the file holds no text")
    if _mostly_garbage(text):
        return _reject(
            report,
            "binary",
            f"{source.path}: the text is mostly control or replacement characters "
            "(a binary file, or a wrong encoding)",
        )
    stream = Stream(text)
    if not _REPORT_WORDS.search(stream.squeezed):
        return _reject(
            report,
            "not_a_report",
            f"{source.path}: no 信息公开 anywhere in the text; this is not a government "
            "information disclosure annual report",
        )

    meta = read_metadata(text, stream)
    report.report_year = meta.report_year
    report.published_date = meta.published_date
    place = resolve(meta.agency_name, text)
    kind = agency_kind(meta.agency_name)
    unit = agency_unit(meta.agency_name, place.code, place.level, kind)
    report.agency = Agency(meta.agency_name, place.code, place.level, kind, unit)
    if place.problem:
        report.findings.append(
            Finding("region_unresolved", None, None, f"agency.region_code: {place.problem}")
        )

    apps = parse_applications(stream)
    table_start = apps.start if apps.start is not None else len(text)
    s2 = stream.find(_SECTION2, 0, table_start)
    # section 二 ends at section 三's heading after it, whatever follows (the opening
    # paragraph names the sections too, so only a heading after 二's table counts)
    heading3 = stream.find(SECTION_HEADING, s2.end, table_start) if s2 else None
    if heading3 is not None:
        table_start = heading3.start
    if apps.start is None and s2 is None:
        disclosure = Disclosure()  # no 2019/2021 table at all: a pre-2019 统计表 uses these words too
    else:
        disclosure = parse_disclosure(
            stream,
            s2.start if s2 else 0,
            table_start,
            apps.template,
            empty_lines_are_cells=apps.empty_lines_are_cells,
        )
    review_start = apps.end
    if review_start is None:
        heading = stream.find(_SECTION4)
        review_start = heading.start if heading else None
    review = (
        parse_review(stream, review_start, empty_lines_are_cells=apps.empty_lines_are_cells)
        if review_start is not None
        else None
    )

    if _phantom(meta.report_year, apps):
        # a report under the 2008 regulation whose prose names 规范性文件, 行政许可 or
        # 行政复议: words, not the 2019/2021 tables; its figures are in the 统计表
        apps, disclosure, review = Applications(), Disclosure(), None

    report.active_disclosure = disclosure.cells
    report.applications = apps.cells
    report.review_litigation = review.cells if review else []
    report.findings += apps.findings + disclosure.findings + (review.findings if review else [])

    has_new_tables = bool(apps.cells or disclosure.cells or report.review_litigation)
    if not has_new_tables:
        legacy = parse_legacy(text)
        report.legacy_stats = legacy.stats
        if legacy.ambiguous:
            report.findings.append(
                Finding(
                    "ambiguous_cells",
                    None,
                    None,
                    "legacy_stats: a 本年度 | 历年累计 row shows one number, which splits more than one "
                    f"way or may be either column's, for {'、'.join(legacy.ambiguous)}; values left empty",
                )
            )
        if legacy.glued and legacy.stats:
            report.status = "partial"
            report.errors.append(
                Error(
                    "glued_table",
                    f"{source.path}: the statistics table lost its line breaks; indicators without "
                    "their own number whose value cell was empty may be merged into the next",
                )
            )
    report.template = _template(
        disclosure.template, apps.template, bool(report.legacy_stats), meta.report_year
    )
    mismatch = _mismatch(report.template, meta.report_year, has_new_tables or bool(report.legacy_stats))
    if mismatch:
        report.findings.append(Finding("template_year_mismatch", None, meta.report_year, mismatch))
    report.findings += _unreadable_numbers(report)
    report.findings += reconcile(report.applications, report.review_litigation)

    if has_new_tables:
        missing = [
            name
            for name, cells in (
                ("二 (主动公开 active disclosure)", disclosure.cells),
                ("三 (申请 applications)", apps.cells),
                ("四 (行政复议、行政诉讼 review and litigation)", report.review_litigation),
            )
            if not cells
        ]
        if missing:
            report.status = "partial"
            report.errors.append(
                Error(
                    "section_missing",
                    f"{source.path}: table of section {', '.join(missing)} not found "
                    "(truncated file, or a table published as an image)",
                )
            )
    elif not report.legacy_stats:
        why = reads_as_report(text, meta.report_year)
        if why:
            return _reject(
                Report(source=source, agency=report.agency, report_year=meta.report_year),
                "not_a_report",
                f"{source.path}: no statistics table, and {why}",
            )
        report.status = "partial"
        report.errors.append(
            Error(
                "no_tables",
                f"{source.path}: no statistics table found; only the report's metadata was read",
            )
        )
    if report.report_year is None:
        report.status = "partial" if report.status == "parsed" else report.status
        report.errors.append(Error("year_unknown", f"{source.path}: the report year could not be read"))
    return report


def _unreadable_numbers(report: Report) -> list[Finding]:
    """A finding for each cell whose figure is too long to be one (its value was left null)."""
    where = [
        *(f"active_disclosure.{c.item}.{c.measure}" for c in report.active_disclosure if _too_long(c.raw)),
        *(f"applications.{c.row}.{c.applicant}" for c in report.applications if _too_long(c.raw)),
        *(
            f"review_litigation.{c.proceeding}.{c.result}"
            for c in report.review_litigation
            if _too_long(c.raw)
        ),
        *(f"legacy_stats.{c.indicator}" for c in report.legacy_stats if _too_long(c.raw)),
    ]
    return [
        Finding(
            "unreadable_number",
            None,
            None,
            f"{w}: a figure of more than {MAX_NUMBER_CHARS} digits, longer than any real one; left empty",
        )
        for w in where
    ]


def _too_long(raw: str | None) -> bool:
    return raw is not None and sum(ch.isdigit() for ch in raw) > MAX_NUMBER_CHARS


def _template(disclosure: str | None, applications: str | None, legacy: bool, year: int | None) -> str:
    """The format the tables are in; the year decides only when no table says."""
    if disclosure == "2021" or applications == "2021":
        return "2021"
    if disclosure == "2019" or applications == "2019":
        return "2019"
    if legacy:
        return "pre2019"
    if year is None:
        return "unknown"
    if year <= 2018:
        return "pre2019"
    return "2019" if year <= 2020 else "2021"


# a real application table has most of its 26 rows; prose that names a few row labels has not
_REAL_TABLE_ROWS = 10


def _phantom(year: int | None, apps: Applications) -> bool:
    """Whether a report for 2018 or earlier shows only words of the new templates, not their tables."""
    return year is not None and year <= 2018 and len({c.row for c in apps.cells}) < _REAL_TABLE_ROWS


def _mismatch(template: str, year: int | None, from_tables: bool) -> str | None:
    """Why the tables' template contradicts the report year, or None."""
    if year is None or not from_tables:
        return None
    expected = "pre2019" if year <= 2018 else "2019" if year <= 2020 else "2021"
    if template == expected or template == "unknown":
        return None
    return (
        f"template: the tables are in the {template} format, but a report for {year} would use the "
        f"{expected} format; the tables decide"
    )


def _mostly_garbage(text: str) -> bool:
    sample = text[:20000]
    bad = len(_GARBAGE.findall(sample))
    return bad > max(20, len(sample) // 10)


def _reject(report: Report, code: str, message: str) -> Report:
    report.status = "rejected"
    report.errors.append(Error(code, message))
    return report
