"""Synthetic annual reports with ground truth: the records a parser should return.

:func:`generate_report` draws one report's figures the way real ones are
distributed (most agencies receive a handful of applications or none, a few
receive thousands; most cells are 0), decides how each figure is printed
(``raw``: "增3", "1,234", full-width digits, "92.8050万元", "/" for a blank),
and returns the canonical record a correct parser must produce from any
rendering of it, findings included. :func:`generate_corpus` pairs records with
renderings in every layout and format for tests and the benchmark.

Everything is drawn from the ``random.Random`` passed in, so a seed fixes the
whole corpus.
"""

from __future__ import annotations

import hashlib
import random
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import NamedTuple

from bench.synthetic.labels import labels, measure_codes
from bench.synthetic.legacy import table_rows
from bench.synthetic.places import random_agency
from bench.synthetic.reconcile import APPLICANT_PARTS, PROCEEDINGS, REVIEW_PARTS, findings_for
from etl.record import (
    Agency,
    ApplicationCell,
    DisclosureCell,
    LegacyStat,
    Report,
    ReviewCell,
    Source,
    Value,
)

TEMPLATE_YEARS: dict[str, tuple[int, int]] = {
    "2021": (2021, 2025),
    "2019": (2019, 2020),
    "pre2019": (2008, 2018),
}
BLANK_TOKENS = ("", "/", "-", "——", "无")
_FULLWIDTH = str.maketrans("0123456789", "０１２３４５６７８９")

# Relative frequency of each outcome row among processed applications.
_OUTCOME_WEIGHTS = {
    "granted": 45,
    "partially_granted": 8,
    "denied_state_secret": 0.5,
    "denied_law_forbidden": 0.5,
    "denied_safety_stability": 0.5,
    "denied_third_party": 1.5,
    "denied_internal_affairs": 1,
    "denied_process_info": 1.5,
    "denied_enforcement_file": 0.5,
    "denied_admin_query": 1,
    "unable_not_held": 20,
    "unable_needs_creation": 2,
    "unable_unclear": 2,
    "not_processed_petition": 3,
    "not_processed_repeat": 2,
    "not_processed_publication": 0.5,
    "not_processed_excessive": 0.5,
    "not_processed_confirmation": 0.5,
    "other": 5,
    "other_no_correction": 3,
    "other_unpaid_fee": 0.3,
    "other_other": 2,
}
_APPLICANT_WEIGHTS = (80, 10, 0.5, 1, 3.5, 5)


@dataclass(frozen=True)
class Options:
    """Shares of the realistic irregularities a corpus carries.

    Defaults follow the brief: about 5% of reports with a deliberately broken
    total, blanks in a share of reports, a few with full-width digits,
    thousands separators, or a 2021 report still printing the 2019
    single "(六)其他处理" row.
    """

    broken_total: float = 0.05
    blanks: float = 0.15
    fullwidth: float = 0.03
    thousands: float = 0.10
    mixed_other_row: float = 0.03
    no_date: float = 0.10


class CorpusItem(NamedTuple):
    """One generated report: its ground truth and one rendering of it."""

    record: Report
    content: str | bytes
    layout: str
    format: str


def _spread(rng: random.Random, n: int, weights: Sequence[float]) -> list[int]:
    """Split ``n`` into ``len(weights)`` non-negative parts, roughly by weight.

    Small counts are drawn one by one (so a rare category is really rare);
    large ones by perturbed proportions, which is fast for thousands.
    """
    k = len(weights)
    if n <= 0:
        return [0] * k
    if n <= 40:
        out = [0] * k
        for i in rng.choices(range(k), weights=weights, k=n):
            out[i] += 1
        return out
    shares = [rng.gammavariate(max(w, 0.01) * 4, 1.0) for w in weights]
    total = sum(shares)
    out = [int(n * s / total) for s in shares]
    out[max(range(k), key=lambda i: shares[i])] += n - sum(out)
    return out


def _heavy_count(rng: random.Random) -> int:
    """An agency's yearly count: 0 often, a handful usually, thousands rarely."""
    r = rng.random()
    if r < 0.35:
        return 0
    if r < 0.80:
        return rng.randint(1, 20)
    if r < 0.95:
        return rng.randint(21, 300)
    return rng.randint(301, 6000)


@dataclass
class _Printer:
    """How one report prints its figures: decided once per report, like a real author."""

    rng: random.Random
    fullwidth: bool
    thousands: bool
    money_suffix: bool
    blank_token: str

    def count(self, v: int) -> str:
        s = f"{v:,}" if self.thousands and abs(v) >= 1000 else str(v)
        return s.translate(_FULLWIDTH) if self.fullwidth else s

    def change(self, v: int) -> str:
        if v == 0:
            return self.count(0)
        if self.rng.random() < 0.85:
            return ("增" if v > 0 else "减") + self.count(abs(v))
        return ("+" if v > 0 else "-") + self.count(abs(v))

    def money(self, v: Decimal) -> str:
        s = str(v)
        if self.fullwidth:
            s = s.translate(_FULLWIDTH)
        return s + "万元" if self.money_suffix and v != 0 else s


def _money(rng: random.Random, scale: float) -> Decimal:
    if rng.random() < 0.4:
        return Decimal(0)
    places = rng.choice([0, 1, 2, 2, 4, 6])
    v = round(rng.lognormvariate(0, 2) * scale, places)
    return Decimal(f"{v:.{places}f}")


def _active_disclosure(rng: random.Random, template: str, p: _Printer, blanks: bool) -> list[DisclosureCell]:
    cells: list[DisclosureCell] = []
    for item, measures in measure_codes(template).items():
        for m in measures:
            raw: str
            value: Value
            if m == "amount_10k_yuan":
                value = _money(rng, 30 if item == "fees" else 200)
                raw = p.money(value)
            elif m == "change":
                value = rng.choice([0, 0, 0, rng.randint(-30, 30), rng.randint(-300, 300)])
                raw = p.change(value)
            elif item == "regulations":
                value = rng.choice([0, 0, 0, 0, rng.randint(0, 5)])
                raw = p.count(value)
            else:
                value = (
                    _heavy_count(rng)
                    if item in ("licensing", "penalty")
                    else rng.choice([0, 0, rng.randint(0, 40)])
                )
                raw = p.count(value)
            if blanks and rng.random() < 0.15:
                value, raw = None, p.blank_token
            cells.append(DisclosureCell(item=item, measure=m, value=value, raw=raw))
    return cells


def _applications(rng: random.Random, rows: list[str]) -> dict[tuple[str, str], int]:
    """A consistent application table: every reconciliation identity holds."""
    outcome_rows = [r for r in rows if r in _OUTCOME_WEIGHTS]
    new = _spread(rng, _heavy_count(rng), _APPLICANT_WEIGHTS)
    grid: dict[tuple[str, str], int] = {}
    for col, n_new in zip(APPLICANT_PARTS, new, strict=True):
        carried = 0 if rng.random() < 0.75 else rng.randint(0, max(1, n_new // 5))
        pending = 0 if rng.random() < 0.7 else rng.randint(0, (n_new + carried) // 4)
        processed = n_new + carried - pending
        outcomes = _spread(rng, processed, [_OUTCOME_WEIGHTS[r] for r in outcome_rows])
        grid[("new_received", col)] = n_new
        grid[("carried_over", col)] = carried
        grid.update({(r, col): v for r, v in zip(outcome_rows, outcomes, strict=True)})
        grid[("total_processed", col)] = processed
        grid[("carried_forward", col)] = pending
    for r in rows:
        grid[(r, "total")] = sum(grid[(r, c)] for c in APPLICANT_PARTS)
    return grid


def _review(rng: random.Random) -> dict[tuple[str, str], int]:
    grid: dict[tuple[str, str], int] = {}
    active = rng.random() < 0.25
    for proc in PROCEEDINGS:
        for res in REVIEW_PARTS:
            grid[(proc, res)] = rng.choice([0, 0, 0, rng.randint(0, 4), rng.randint(0, 40)]) if active else 0
        grid[(proc, "total")] = sum(grid[(proc, r)] for r in REVIEW_PARTS)
    return grid


def _break_a_total(
    rng: random.Random, apps: dict[tuple[str, str], int], review: dict[tuple[str, str], int]
) -> None:
    """Change one printed total, as a typing error in the original would."""
    delta = rng.choice([-3, -2, -1, 1, 1, 2, 3, 10])
    choice = rng.random()
    if choice < 0.4:
        key = (rng.choice(sorted({r for r, _ in apps})), "total")
        target = apps
    elif choice < 0.75:
        key = ("total_processed", rng.choice([*APPLICANT_PARTS, "total"]))
        target = apps
    else:
        key = (rng.choice(PROCEEDINGS), "total")
        target = review
    target[key] = target[key] + delta if target[key] + delta >= 0 else target[key] + abs(delta)


def _blank_zeros(rng: random.Random, values: dict[tuple[str, str], int]) -> set[tuple[str, str]]:
    """Cells printed as blank: either every zero of the table, or some of them."""
    zeros = [k for k, v in values.items() if v == 0]
    if rng.random() < 0.5:
        return set(zeros)
    return {k for k in zeros if rng.random() < 0.2}


def _legacy_stats(rng: random.Random, year: int, p: _Printer) -> list[LegacyStat]:
    sparse_units = rng.random() < 0.5  # like sample 003: only 万元 and 人次 printed
    fill = rng.choice([0.3, 0.6, 0.95])
    stats: list[LegacyStat] = []
    for row in table_rows(year):
        unit = row.unit
        if sparse_units and unit not in ("万元", "人次"):
            unit = None
        value: Value
        if rng.random() > fill:
            value, raw = None, rng.choice(["", "", "", "/", "-"])
        elif row.money:
            value = _money(rng, 2)
            raw = p.money(value)
        else:
            value = _heavy_count(rng) if row.depth <= 1 else rng.choice([0, rng.randint(0, 30)])
            raw = p.count(value)
        stats.append(LegacyStat(indicator=row.indicator, unit=unit, value=value, raw=raw))
    return stats


def _published(rng: random.Random, year: int) -> str:
    return f"{year + 1}-{rng.randint(1, 3):02d}-{rng.randint(1, 28):02d}"


def generate_report(
    rng: random.Random,
    *,
    template: str,
    year: int,
    agency: Agency | None = None,
    options: Options = Options(),  # noqa: B008 - frozen, never mutated
) -> Report:
    """One synthetic report's ground truth: what a parser must return for it.

    ``template`` is ``2021``, ``2019`` or ``pre2019``; ``year`` the year the
    report covers; ``agency`` a real-place agency drawn from the adcode table
    when not given. ``findings`` are the spec's reconciliation findings of the
    values as printed (so a deliberately broken total appears there).
    """
    if template not in TEMPLATE_YEARS:
        raise ValueError(f"unknown template {template!r}")
    agency = agency or random_agency(rng, year=year)
    printer = _Printer(
        rng=rng,
        fullwidth=rng.random() < options.fullwidth,
        thousands=rng.random() < options.thousands,
        money_suffix=rng.random() < 0.3,
        blank_token=rng.choice(BLANK_TOKENS),
    )
    record = Report(
        source=Source(path="", sha256="", format="text", encoding="utf-8"),
        agency=agency,
        report_year=year,
        template=template,
        published_date=None if rng.random() < options.no_date else _published(rng, year),
    )
    if template == "pre2019":
        record.legacy_stats = _legacy_stats(rng, year, printer)
        return record

    blanks = rng.random() < options.blanks
    broken = rng.random() < options.broken_total
    record.active_disclosure = _active_disclosure(rng, template, printer, blanks)
    row_template = "2019" if template == "2021" and rng.random() < options.mixed_other_row else template
    rows = [lab.code for lab in labels("row", row_template)]
    apps, review = _applications(rng, rows), _review(rng)
    blank_cells: set[tuple[str, str]] = set()
    if broken:
        _break_a_total(rng, apps, review)
    elif blanks:
        blank_cells = _blank_zeros(rng, apps) | _blank_zeros(rng, review)

    def cell(key: tuple[str, str], v: int) -> tuple[Value, str]:
        return (None, printer.blank_token) if key in blank_cells else (v, printer.count(v))

    columns = [*APPLICANT_PARTS, "total"]
    record.applications = [
        ApplicationCell(row, col, *cell((row, col), apps[(row, col)])) for row in rows for col in columns
    ]
    record.review_litigation = [
        ReviewCell(proc, res, *cell((proc, res), review[(proc, res)]))
        for proc in PROCEEDINGS
        for res in (*REVIEW_PARTS, "total")
    ]
    record.findings = findings_for(record.applications, record.review_litigation)
    return record


def random_template_year(rng: random.Random, weights: dict[str, float] | None = None) -> tuple[str, int]:
    """A template and a year it covers; by default most reports are recent."""
    weights = weights or {"2021": 0.55, "2019": 0.25, "pre2019": 0.20}
    template = rng.choices(list(weights), weights=list(weights.values()))[0]
    lo, hi = TEMPLATE_YEARS[template]
    return template, rng.randint(lo, hi)


def _with_source(record: Report, content: str | bytes, fmt: str, encoding: str | None, n: int) -> None:
    data = content.encode("utf-8") if isinstance(content, str) else content
    ext = {"text": "txt"}.get(fmt, fmt)
    record.source = Source(
        path=f"synthetic/{n:06d}.{ext}",
        sha256=hashlib.sha256(data).hexdigest(),
        format=fmt,
        encoding=encoding,
    )


DEFAULT_FORMATS: dict[str, float] = {"text": 0.85, "html": 0.09, "docx": 0.03, "pdf": 0.03}


def generate_corpus(
    n: int,
    seed: int,
    *,
    formats: dict[str, float] | None = None,
    layouts: Sequence[str] | None = None,
    options: Options = Options(),  # noqa: B008 - frozen, never mutated
) -> Iterator[CorpusItem]:
    """``n`` reports across templates, layouts and formats, deterministic for ``seed``.

    ``formats`` weighs ``text``, ``html``, ``docx`` and ``pdf`` (default
    :data:`DEFAULT_FORMATS`; pass ``{"text": 1}`` for text only, the fast
    path); ``layouts`` restricts the text layouts (default: all of
    :data:`bench.synthetic.render.TEXT_LAYOUTS`). Each item's ``record.source``
    carries the rendering's sha256, format and encoding.
    """
    from bench.synthetic import formats as fmt_mod
    from bench.synthetic.render import TEXT_LAYOUTS, render_text

    weights = formats or DEFAULT_FORMATS
    layout_pool = list(layouts or TEXT_LAYOUTS)
    rng = random.Random(seed)
    for i in range(n):
        template, year = random_template_year(rng)
        record = generate_report(rng, template=template, year=year, options=options)
        fmt = rng.choices(list(weights), weights=list(weights.values()))[0]
        content: str | bytes
        if fmt == "text":
            layout = rng.choice(layout_pool)
            content, encoding = render_text(record, layout, rng), "utf-8"
        elif fmt == "html":
            gbk = rng.random() < 0.3
            layout = "html-gbk" if gbk else "html"
            content, encoding = (
                fmt_mod.render_html(record, rng, encoding="gbk" if gbk else "utf-8"),
                ("gbk" if gbk else "utf-8"),
            )
        elif fmt == "docx":
            layout, content, encoding = "docx", fmt_mod.render_docx(record, rng), None
        elif fmt == "pdf":
            layout, content, encoding = "pdf", fmt_mod.render_pdf(record, rng), None
        else:
            raise ValueError(f"unknown format {fmt!r}")
        _with_source(record, content, fmt, encoding, i)
        yield CorpusItem(record, content, layout, fmt)
