"""The parser on real reports: no measure worse than the committed baseline, no silent wrong value.

The corpus (tests/corpus) is real report files with hand-labelled gold; see
bench/accuracy.py for what is counted and tests/corpus/LABELLING.md for how
the gold was written. ``make accuracy`` prints the same figures by format,
layout, template and year.
"""

from __future__ import annotations

import json

import pytest

from bench import accuracy
from etl.record import ApplicationCell, Finding, Report, Source


@pytest.fixture(scope="module")
def result() -> accuracy.Result:
    return accuracy.run()


def test_corpus_is_real_sized_and_labelled() -> None:
    files = accuracy.corpus_files()
    committed = [f for f in files if f.origin.get("via") != "fetched"]
    assert len(files) >= 150, f"{len(files)} gold-labelled files"
    assert all(f.path is not None for f in committed), [f.id for f in committed if f.path is None]
    assert all(f.origin for f in files), [f.id for f in files if not f.origin]


def test_no_measure_worse_than_the_baseline(result: accuracy.Result) -> None:
    baseline = json.loads(accuracy.BASELINE.read_text(encoding="utf-8"))
    assert accuracy.regressions(result, baseline) == []


def test_no_wrong_value_without_a_finding(result: accuracy.Result) -> None:
    silent = [m for m in result.mistakes if m.kind == "silent"]
    assert silent == []


def _report(value: int, findings: list[Finding]) -> Report:
    r = Report(source=Source("x", "x"), report_year=2020, template="2019")
    r.applications = [ApplicationCell("granted", "natural_person", value, str(value))]
    r.findings = findings
    return r


def test_scorer_counts_a_wrong_value_as_silent_unless_a_finding_names_it() -> None:
    gold = {"id": "t", "applications": {"granted.natural_person": 3, "granted.total": None}}
    silent = accuracy.score(gold, _report(4, []))
    assert (silent.tally.wrong, silent.tally.silent) == (1, 1)
    named = accuracy.score(
        gold, _report(4, [Finding("applications_row_total", 4, 5, "applications.granted: x")])
    )
    assert (named.tally.wrong, named.tally.silent) == (1, 0)
    other = accuracy.score(
        gold, _report(4, [Finding("applications_row_total", 4, 5, "applications.denied: x")])
    )
    assert other.tally.silent == 1


def test_scorer_tells_blank_junk_and_right_apart() -> None:
    gold = {"id": "t", "applications": {"granted.natural_person": None, "new_received.total": 2}}
    s = accuracy.score(gold, _report(1, []))
    assert (s.tally.cells, s.tally.right, s.tally.blank, s.tally.junk) == (2, 0, 1, 1)
