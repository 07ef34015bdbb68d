"""Comparing a parsed record with ground truth, cell by cell.

Shared by the property tests and the benchmark: both need to say, for one
report, which cells the parser got wrong, and the benchmark needs counts.
Every difference is a short line naming the cell, so a failing test reads
like a list of defects rather than a dump of two records.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

from etl.record import Report, Value

Key = tuple[str, str, str]
_FULLWIDTH = str.maketrans("０１２３４５６７８９．，－＋", "0123456789.,-+")
_WS = re.compile(r"\s+")


def squeeze(text: str) -> str:
    """Text without any whitespace (NBSP included), for substring checks across layouts."""
    return _WS.sub("", text.replace("\u00a0", " "))


def cells(report: Report) -> dict[Key, tuple[Value, str | None]]:
    """Every cell of a record as ``(section, row, column) -> (value, raw)``."""
    out: dict[Key, tuple[Value, str | None]] = {}
    for d in report.active_disclosure:
        out[("active_disclosure", d.item, d.measure)] = (d.value, d.raw)
    for a in report.applications:
        out[("applications", a.row, a.applicant)] = (a.value, a.raw)
    for r in report.review_litigation:
        out[("review_litigation", r.proceeding, r.result)] = (r.value, r.raw)
    for s in report.legacy_stats:
        out[("legacy_stats", s.indicator, "")] = (s.value, s.raw)
    return out


def units(report: Report) -> dict[str, str | None]:
    return {s.indicator: s.unit for s in report.legacy_stats}


def finding_keys(report: Report, rules: tuple[str, ...] | None = None) -> list[tuple[str, str, Value, Value]]:
    """Findings as sortable tuples, optionally only those of ``rules``.

    ``where`` is compared up to its first colon: "applications.total" names
    the place; what a parser writes after the colon only describes it.
    """
    return sorted(
        (
            (f.rule, f.where.split(":", 1)[0].strip(), f.expected, f.actual)
            for f in report.findings
            if rules is None or f.rule in rules
        ),
        key=lambda t: (t[0], t[1], str(t[2]), str(t[3])),
    )


def value_from_raw(raw: str) -> Value:
    """The number a cell's text states, read independently of the parser.

    Full-width digits, thousands separators, "增"/"减" (or "增加"/"减少"), a
    trailing unit (件, 条, 个, 次, 人次, 人, 项, %) and money in 万元 or 元
    (5000元 is 0.5 万元) are understood; text stating no number gives None.
    """
    s = squeeze(raw).translate(_FULLWIDTH).replace(",", "")
    m = re.fullmatch(r"(增加?|减少?|[+-])?(\d+(?:\.\d+)?)(万元|元|人次|件|条|个|次|人|项|%)?", s)
    if not m:
        return None
    sign, num, unit = m.groups()
    try:
        d = Decimal(num)
    except InvalidOperation:
        return None
    if sign and sign[0] in "减-":
        d = -d
    if unit == "元":
        return d / 10000
    return int(d) if "." not in num else d


def _same_raw(got: str | None, want: str | None) -> bool:
    return squeeze(got or "") == squeeze(want or "")


def diff(got: Report, want: Report, *, figures: bool = True, metadata: bool = True) -> list[str]:
    """Every way ``got`` differs from the ground truth ``want`` (empty when equal).

    ``figures``: status, template, year, every cell's presence and value, raw
    text where there is a number, legacy units, and findings. Legacy rows the
    truth has with neither value nor unit may be absent (a reader may skip an
    empty row). ``metadata``: published date and agency (name, region code,
    level, kind).
    """
    out: list[str] = []
    if metadata:
        out += _metadata_diff(got, want)
    if figures:
        out += _figures_diff(got, want)
    return out


def _metadata_diff(got: Report, want: Report) -> list[str]:
    out = []
    if got.published_date != want.published_date:
        out.append(f"published_date: got {got.published_date!r}, want {want.published_date!r}")
    for field in ("name", "region_code", "level", "kind", "unit"):
        g, w = getattr(got.agency, field), getattr(want.agency, field)
        if g != w:
            out.append(f"agency.{field}: got {g!r}, want {w!r}")
    return out


def _figures_diff(got: Report, want: Report) -> list[str]:
    out: list[str] = []
    for field in ("status", "template", "report_year"):
        if getattr(got, field) != getattr(want, field):
            out.append(f"{field}: got {getattr(got, field)!r}, want {getattr(want, field)!r}")
    gc, wc = cells(got), cells(want)
    wu, gu = units(want), units(got)
    for key, (wv, wraw) in wc.items():
        if key not in gc:
            optional = key[0] == "legacy_stats" and wv is None and wu.get(key[1]) is None
            if not optional:
                out.append(f"{'/'.join(key)}: missing, want {wv!r}")
            continue
        gv, graw = gc[key]
        if gv != wv or (gv is not None) != (wv is not None):
            out.append(f"{'/'.join(key)}: got {gv!r} (raw {graw!r}), want {wv!r} (raw {wraw!r})")
        elif wv is not None and not _same_raw(graw, wraw):
            out.append(f"{'/'.join(key)}: raw {graw!r}, want {wraw!r}")
        if key[0] == "legacy_stats" and gu.get(key[1]) != wu.get(key[1]):
            out.append(f"{key[1]}: unit {gu.get(key[1])!r}, want {wu.get(key[1])!r}")
    for key, (gv, _) in gc.items():
        if key not in wc and not (key[0] == "legacy_stats" and gv is None):
            out.append(f"{'/'.join(key)}: unexpected cell {gv!r}")
    if finding_keys(got) != finding_keys(want):
        out.append(f"findings: got {finding_keys(got)}, want {finding_keys(want)}")
    return out


def wrong_values(got: Report, want: Report) -> list[str]:
    """Cells where ``got`` states a number the truth does not: the one unforgivable error.

    A null where the truth has a number is not listed here (declining to
    guess is allowed where the text is ambiguous); a number where the truth
    has another number, or none, is.
    """
    wc = cells(want)
    out = []
    for key, (gv, graw) in cells(got).items():
        if gv is None:
            continue
        wv = wc.get(key, (None, None))[0]
        if wv is None or gv != wv:
            out.append(f"{'/'.join(key)}: got {gv!r} (raw {graw!r}), want {wv!r}")
    return out


def declined(got: Report, want: Report) -> list[Key]:
    """Cells with a number in the truth that ``got`` leaves null or leaves out."""
    gc = cells(got)
    return [k for k, (wv, _) in cells(want).items() if wv is not None and gc.get(k, (None, None))[0] is None]
