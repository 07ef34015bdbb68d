"""``python -m bench.accuracy`` (``make accuracy``): the parser scored on real reports.

The corpus in ``tests/corpus`` holds real report files exactly as they were
stored, with hand-labelled gold (``gold/<id>.json``, see
``tests/corpus/LABELLING.md``). Every file is parsed the way the loader parses
it (``etl.pipeline.parse_bytes``) and every gold cell is compared with the
record:

- **right**: the record holds the printed value (a printed blank is right as null);
- **blank**: the report printed a number and the record holds null;
- **wrong**: the record holds another number; **silent** when no finding of
  the record names the cell's row or column (an analyst cannot tell it from
  a good one: the number that matters most);
- **junk**: the record holds a value where the source prints none.

Files that were fetched from public repositories may not be committed; their
gold is, and they are scored when present in ``var/corpus-fetched`` (or
``NIANBAO_CORPUS_EXTRA``). The committed baseline (``tests/corpus/baseline.json``)
is what the suite holds the parser to: no measure may get worse, and silent
wrong values stay 0.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import re
import sys
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from etl.parse.normalize import normalize, squeeze
from etl.pipeline import parse_bytes
from etl.record import Finding, Report

HOME = Path(__file__).resolve().parents[1]
CORPUS = HOME / "tests" / "corpus"
FETCHED = HOME / "var" / "corpus-fetched"
BASELINE = CORPUS / "baseline.json"
SECTIONS = ("active_disclosure", "applications", "review_litigation")

# Measures where more is worse; the baseline holds each of them as a ceiling.
CEILINGS = (
    "wrong",
    "silent",
    "junk",
    "guessed",
    "junk_indicators",
    "year_wrong",
    "template_wrong",
    "region_wrong",
    "region_null_silent",
)
# Measures where more is better; the baseline holds each as a floor.
FLOORS = ("right",)


@dataclass
class Tally:
    cells: int = 0
    right: int = 0
    blank: int = 0
    wrong: int = 0
    silent: int = 0
    junk: int = 0
    guessed: int = 0  # values in cells the gold marks undeterminable (not judged; shown)
    indicators: int = 0
    indicators_right: int = 0
    junk_indicators: int = 0
    files: int = 0
    year_right: int = 0
    year_wrong: int = 0
    template_right: int = 0
    template_wrong: int = 0
    region_right: int = 0
    region_null_found: int = 0
    region_null_silent: int = 0
    region_wrong: int = 0
    names: int = 0  # files whose gold names the agency
    name_right: int = 0  # the record names it alike (normalised, spaces aside): shown, not held

    def add(self, other: Tally) -> None:
        for name, value in asdict(other).items():
            setattr(self, name, getattr(self, name) + value)

    @property
    def share_right(self) -> float:
        return self.right / self.cells if self.cells else 1.0


@dataclass
class Mistake:
    file: str
    key: str
    kind: str  # wrong | silent | blank | junk | junk_indicator | year | template | region
    gold: Any
    got: Any


@dataclass
class FileScore:
    id: str
    tally: Tally
    mistakes: list[Mistake] = field(default_factory=list)


@dataclass
class CorpusFile:
    id: str
    path: Path | None  # None: a fetched file not present on this machine
    gold: dict[str, Any]
    origin: dict[str, str]


def corpus_files(corpus: Path = CORPUS, extra: Path | None = None) -> list[CorpusFile]:
    """Every gold-labelled file of the corpus, with its origin row."""
    extra = extra or Path(os.environ.get("NIANBAO_CORPUS_EXTRA", FETCHED))
    origins = {row["id"]: row for row in _origin_rows(corpus)}
    found = []
    for gold_path in sorted((corpus / "gold").glob("*.json")):
        gold = json.loads(gold_path.read_text(encoding="utf-8"))
        origin = origins.get(gold["id"], {})
        file = origin.get("file", "")
        if origin.get("via") == "fetched":
            path: Path | None = extra / Path(file).name
        else:
            path = corpus / file.removeprefix("tests/corpus/")
        found.append(CorpusFile(gold["id"], path if path and path.is_file() else None, gold, origin))
    return found


def _origin_rows(corpus: Path) -> Iterator[dict[str, str]]:
    for path in sorted([corpus / "origins.csv", *sorted((corpus / "origins").glob("*.csv"))]):
        if path.is_file():
            with path.open(encoding="utf-8", newline="") as fh:
                yield from csv.DictReader(fh)


def score(gold: dict[str, Any], report: Report) -> FileScore:
    """One file's tally: every gold cell compared with the record."""
    t = Tally(files=1)
    out = FileScore(gold["id"], t)
    undeterminable = set(gold.get("undeterminable") or [])
    named = _named(report.findings)

    def miss(key: str, kind: str, want: Any, got: Any) -> None:
        out.mistakes.append(Mistake(gold["id"], key, kind, want, got))

    for section in SECTIONS:
        want = gold.get(section) or {}
        got = _cells(report, section)
        for key, value in want.items():
            if f"{section}.{key}" in undeterminable:
                continue
            t.cells += 1
            have = got.get(key)
            if value is None:
                if have is None:
                    t.right += 1
                else:
                    t.junk += 1
                    miss(f"{section}.{key}", "junk", None, have)
            elif have is None:
                t.blank += 1
                miss(f"{section}.{key}", "blank", value, None)
            elif _same(value, have):
                t.right += 1
            else:
                t.wrong += 1
                row, column = key.split(".", 1)
                if named.isdisjoint({(section, None), (section, row), (section, column)}):
                    t.silent += 1
                    miss(f"{section}.{key}", "silent", value, have)
                else:
                    miss(f"{section}.{key}", "wrong", value, have)
        for key, have in got.items():
            if have is None or key in want:
                continue
            if f"{section}.{key}" in undeterminable:
                t.guessed += 1
                miss(f"{section}.{key}", "guessed", "?", have)
            else:
                t.junk += 1
                miss(f"{section}.{key}", "junk", None, have)
    _score_legacy(gold, report, t, miss)
    _score_metadata(gold, report, t, miss)
    return out


def _score_legacy(gold: dict[str, Any], report: Report, t: Tally, miss: Any) -> None:
    """Pre-2019 indicators, matched by numbering path and name; unmatched ones are junk."""
    skip = set(gold.get("undeterminable") or [])
    want = {k: v for k, v in (gold.get("legacy_stats") or {}).items() if f"legacy_stats.{k}" not in skip}
    by_key = {_indicator_key(k): (k, v) for k, v in want.items()}
    matched: set[str] = set()
    for stat in report.legacy_stats:
        key = _indicator_key(stat.indicator)
        hit = by_key.get(key) or _near(key, by_key, matched)
        if hit is None:
            t.junk_indicators += 1
            miss(f"legacy_stats.{stat.indicator}", "junk_indicator", None, stat.value)
            continue
        name, value = hit
        if name in matched:
            continue
        matched.add(name)
        t.indicators += 1
        t.cells += 1
        if _same(value, stat.value) or (value is None and stat.value is None):
            t.right += 1
            t.indicators_right += 1
        elif stat.value is None:
            t.blank += 1
            miss(f"legacy_stats.{name}", "blank", value, None)
        elif value is None:
            t.junk += 1
            miss(f"legacy_stats.{name}", "junk", None, stat.value)
        else:
            t.wrong += 1
            t.silent += 1  # no finding names an indicator
            miss(f"legacy_stats.{name}", "silent", value, stat.value)
    for name, value in want.items():
        if name not in matched:
            t.cells += 1
            t.indicators += 1
            if value is None:
                t.right += 1  # a blank indicator the record does not list holds no value either
                t.indicators_right += 1
            else:
                t.blank += 1
                miss(f"legacy_stats.{name}", "blank", value, None)


def _score_metadata(gold: dict[str, Any], report: Report, t: Tally, miss: Any) -> None:
    if gold.get("report_year") is not None:
        if report.report_year == gold["report_year"]:
            t.year_right += 1
        else:
            t.year_wrong += 1
            miss("report_year", "year", gold["report_year"], report.report_year)
    if gold.get("template"):
        if report.template == gold["template"]:
            t.template_right += 1
        else:
            t.template_wrong += 1
            miss("template", "template", gold["template"], report.template)
    name = (gold.get("agency") or {}).get("name")
    if name:
        t.names += 1
        same = report.agency.name and squeeze(normalize(report.agency.name)) == squeeze(normalize(name))
        t.name_right += bool(same)
    want = (gold.get("agency") or {}).get("region_code")
    got = report.agency.region_code
    if got == want:
        t.region_right += 1
    elif got is None:
        if any(f.rule == "region_unresolved" for f in report.findings):
            t.region_null_found += 1
        else:
            t.region_null_silent += 1
            miss("agency.region_code", "region", want, None)
    else:
        t.region_wrong += 1
        miss("agency.region_code", "region", want, got)


def _cells(report: Report, section: str) -> dict[str, Any]:
    if section == "active_disclosure":
        return {f"{c.item}.{c.measure}": c.value for c in report.active_disclosure}
    if section == "applications":
        return {f"{c.row}.{c.applicant}": c.value for c in report.applications}
    return {f"{c.proceeding}.{c.result}": c.value for c in report.review_litigation}


_WHERE = re.compile(r"^(active_disclosure|applications|review_litigation|legacy_stats)(?:\.([a-z_]+))?")


def _named(findings: Iterable[Finding]) -> set[tuple[str, str | None]]:
    """(section, row-or-column code) pairs the findings name; (section, None) names the whole section."""
    named: set[tuple[str, str | None]] = set()
    for f in findings:
        for part in f.where.split(";"):
            m = _WHERE.match(part.strip())
            if m:
                named.add((m.group(1), m.group(2)))
    return named


def _same(want: Any, got: Any) -> bool:
    if want is None or got is None:
        return False
    try:
        return Decimal(str(want)) == Decimal(str(got))
    except ArithmeticError:
        return False


_NOTE = re.compile(r"[(（][^()（）]*[)）]")
_PUNCT = re.compile(r"[\s:：,，、.。;；\"'“”]")


def _indicator_key(indicator: str) -> str:
    text = normalize(indicator)
    path, _, name = text.partition(" ")
    name = _PUNCT.sub("", _NOTE.sub("", squeeze(name))) or squeeze(name)
    return f"{path}|{name}"


def _near(key: str, by_key: dict[str, tuple[str, Any]], matched: set[str]) -> tuple[str, Any] | None:
    """A gold indicator with the same path whose name starts the other's (a wrapped or cut name)."""
    path, name = key.split("|", 1)
    for other, hit in by_key.items():
        other_path, other_name = other.split("|", 1)
        if hit[0] in matched or other_path != path or min(len(name), len(other_name)) < 3:
            continue
        if name.startswith(other_name) or other_name.startswith(name):
            return hit
    return None


# ---------------------------------------------------------------- the whole corpus


@dataclass
class Result:
    total: Tally
    committed: Tally  # the files in the repository: what CI scores and the baseline holds
    by: dict[str, dict[str, Tally]]
    mistakes: list[Mistake]
    missing: list[str]  # fetched files not on this machine


def run(files: list[CorpusFile] | None = None) -> Result:
    files = corpus_files() if files is None else files
    total, committed = Tally(), Tally()
    by: dict[str, dict[str, Tally]] = defaultdict(lambda: defaultdict(Tally))
    mistakes: list[Mistake] = []
    missing = []
    for f in files:
        if f.path is None:
            missing.append(f.id)
            continue
        report = parse_bytes(
            f.path.read_bytes(), str(f.path.relative_to(HOME) if f.path.is_relative_to(HOME) else f.path)
        )
        s = score(f.gold, report)
        total.add(s.tally)
        if f.origin.get("via") != "fetched":
            committed.add(s.tally)
        mistakes.extend(s.mistakes)
        for dimension, value in _dimensions(f).items():
            by[dimension][value].add(s.tally)
    return Result(total, committed, {k: dict(v) for k, v in by.items()}, mistakes, missing)


def _dimensions(f: CorpusFile) -> dict[str, str]:
    year = f.gold.get("report_year")
    return {
        "format": f.origin.get("format") or "?",
        "layout": f.origin.get("layout") or "?",
        "template": f.gold.get("template") or "?",
        "years": _era(year),
        "via": f.origin.get("via") or "?",
        "partial": "partial" if f.gold.get("partial") else "whole",
    }


def _era(year: int | None) -> str:
    if year is None:
        return "?"
    if year <= 2012:
        return "2008-2012"
    if year <= 2018:
        return "2013-2018"
    if year <= 2020:
        return "2019-2020"
    return "2021-"


def summary(t: Tally) -> dict[str, Any]:
    return {
        "files": t.files,
        "cells": t.cells,
        "right": t.right,
        "right_share": round(t.share_right, 4),
        "blank": t.blank,
        "wrong": t.wrong,
        "silent": t.silent,
        "junk": t.junk,
        "guessed": t.guessed,
        "junk_indicators": t.junk_indicators,
        "year_wrong": t.year_wrong,
        "template_wrong": t.template_wrong,
        "region_wrong": t.region_wrong,
        "region_null_silent": t.region_null_silent,
        "agency_name_right": f"{t.name_right}/{t.names}",
    }


def table(result: Result) -> str:
    """The Markdown table docs/parser.md shows."""
    head = (
        "| slice | files | cells | right | blank | wrong | silent wrong | junk | undeterminable given a value "
        "| junk indicators | year wrong | template wrong | region wrong / null without finding "
        "| agency name as printed |\n"
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n"
    )
    lines = [_row("**all**", result.total)]
    if result.committed.files != result.total.files:
        lines.append(_row("**in the repository** (what CI scores)", result.committed))
    for dimension in ("format", "layout", "template", "years", "partial"):
        for value, t in sorted(result.by.get(dimension, {}).items()):
            lines.append(_row(f"{dimension}: {value}", t))
    return head + "\n".join(lines)


def _row(name: str, t: Tally) -> str:
    return (
        f"| {name} | {t.files} | {t.cells} | {t.right} ({100 * t.share_right:.1f}%) | {t.blank} | {t.wrong} "
        f"| {t.silent} | {t.junk} | {t.guessed} | {t.junk_indicators} | {t.year_wrong} | {t.template_wrong} "
        f"| {t.region_wrong} / {t.region_null_silent} | {t.name_right}/{t.names} |"
    )


def regressions(result: Result, baseline: dict[str, Any]) -> list[str]:
    """What got worse than the committed baseline (and silent wrong values, which must stay 0)."""
    now = summary(result.committed)
    problems = []
    for name in CEILINGS:
        if now[name] > baseline.get(name, 0):
            problems.append(f"{name}: {now[name]} (baseline {baseline.get(name, 0)})")
    for name in FLOORS:
        if now[name] < baseline.get(name, 0):
            problems.append(f"{name}: {now[name]} (baseline {baseline.get(name, 0)})")
    if result.total.silent:
        problems.append(f"silent wrong values: {result.total.silent} (must be 0)")
    return problems


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.accuracy", description=__doc__.split("\n\n")[0])
    parser.add_argument("--mistakes", action="store_true", help="list every cell that is not right")
    parser.add_argument("--file", action="append", help="score only these corpus ids")
    parser.add_argument("--json", action="store_true", help="print the totals as JSON")
    parser.add_argument("--write-baseline", action="store_true", help=f"store the totals as {BASELINE.name}")
    args = parser.parse_args(argv)
    files = corpus_files()
    if args.file:
        files = [f for f in files if f.id in set(args.file)]
    result = run(files)
    if args.mistakes:
        for m in result.mistakes:
            print(f"{m.file}\t{m.kind}\t{m.key}\tgold={m.gold!r}\tgot={m.got!r}")
    if args.json:
        print(json.dumps(summary(result.total), ensure_ascii=False, indent=2))
    else:
        print(table(result))
    if result.missing:
        print(
            f"\n{len(result.missing)} fetched file(s) not on this machine, not scored "
            f"(put them in {FETCHED.relative_to(HOME)}): {', '.join(result.missing)}"
        )
    if args.write_baseline:
        BASELINE.write_text(
            json.dumps(summary(result.committed), ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
        )
        print(f"\nbaseline written to {BASELINE.relative_to(HOME)}")
        return 0
    if BASELINE.exists() and not args.file:  # the baseline is of the whole corpus
        problems = regressions(result, json.loads(BASELINE.read_text(encoding="utf-8")))
        t = result.total
        print(
            f"\ncells right {t.right}/{t.cells} ({100 * t.share_right:.1f}%), wrong {t.wrong}, "
            f"silent wrong {t.silent}, junk {t.junk}, junk indicators {t.junk_indicators}"
        )
        if problems:
            print("worse than the baseline: " + "; ".join(problems))
            return 1
        print("no measure worse than the baseline")
    return 0


if __name__ == "__main__":
    sys.exit(main())
