"""Hand-made canonical records for the loader tests, and the ``parse`` that reads them back.

A test file holds its own canonical record as JSON (``Report.to_json``);
:func:`json_parse` is the ``parse`` handed to the loader and turns the bytes
back into that record. Distinct records give distinct bytes, hence distinct
SHA-256s, as real files would; anything else comes back ``rejected``, as the
real pipeline does with garbage. This tests the loader alone, without the
extractors and the parser.
"""

from __future__ import annotations

import json
from decimal import Decimal

from etl.record import (
    Agency,
    ApplicationCell,
    DisclosureCell,
    Error,
    Finding,
    LegacyStat,
    Report,
    ReviewCell,
    Source,
)

PARSER = "test-1"


def make_report(
    agency: str = "安宁市人民政府",
    year: int = 2020,
    *,
    granted: int | None = 2,
    penalty: int | None = 3567,
    findings: int = 0,
    status: str = "parsed",
) -> Report:
    """A small 2019-template record with one blank cell and one money cell."""
    report = Report(
        source=Source(path="", sha256="", format="text", encoding="utf-8"),
        status=status,
        agency=Agency(name=agency, region_code="530181", level="county", kind="government"),
        report_year=year,
        template="2019",
        published_date=f"{year + 1}-01-20",
        active_disclosure=[
            DisclosureCell("penalty", "decisions", penalty, str(penalty) if penalty is not None else ""),
            DisclosureCell("penalty", "change", -183, "减183"),
            DisclosureCell("procurement", "amount_10k_yuan", Decimal("1732.633648"), "1732.633648万元"),
        ],
        applications=[
            ApplicationCell("granted", "natural_person", granted, str(granted)),
            ApplicationCell("granted", "commercial", None, "-"),
            ApplicationCell("granted", "total", granted, str(granted)),
        ],
        review_litigation=[ReviewCell("review", "upheld", 0, "0")],
        legacy_stats=[LegacyStat("三.(一) 收到申请数", "件", 5, "5")],
        findings=[
            Finding("applications_balance", 3, 2, f"applicant natural_person #{i}") for i in range(findings)
        ],
    )
    return report


def rejected_report(code: str = "not_a_report", message: str = "no annual report tables found") -> Report:
    return Report(source=Source(path="", sha256=""), status="rejected", errors=[Error(code, message)])


def json_parse(data: bytes, path: str) -> Report:
    """The loader's ``parse`` for test files: the record stored in the file, or a rejection."""
    try:
        report = Report.from_json(data.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError, KeyError, TypeError) as exc:
        return Report(
            source=Source(path=path, sha256=""),
            status="rejected",
            errors=[Error("not_json", f"{path}: not a test record ({type(exc).__name__})")],
        )
    report.source.path = path
    if report.status == "rejected":
        report.errors = [Error(e.code, f"{path}: {e.message}") for e in report.errors]
    return report


# -- parsers that misbehave, for the limits (importable by name: pool workers run them) --------
def spinning_parse(data: bytes, path: str) -> Report:
    """``json_parse``, except that a file holding ``SPIN`` never finishes (a pure-Python loop)."""
    while b"SPIN" in data:
        pass
    return json_parse(data, path)


def deaf_parse(data: bytes, path: str) -> Report:
    """Spins on ``SPIN`` with the alarm ignored, as C code that never returns to Python would."""
    import signal

    if b"SPIN" in data:
        signal.signal(signal.SIGALRM, signal.SIG_IGN)
        while True:
            pass
    return json_parse(data, path)


def greedy_parse(data: bytes, path: str) -> Report:
    """Asks for 4 GiB on ``GREEDY`` (a 963-byte DOCX with a huge gridSpan did)."""
    if b"GREEDY" in data:
        hoard = bytearray(4 * 2**30)
        return json_parse(bytes(hoard[:0]), path)
    return json_parse(data, path)


def sleepy_parse(data: bytes, path: str) -> Report:
    """Takes a minute over every file: a run to kill while its workers are busy."""
    import time

    time.sleep(60)
    return json_parse(data, path)
