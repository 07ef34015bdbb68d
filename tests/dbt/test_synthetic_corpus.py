"""``dbt build`` passes on a synthetic corpus of thousands of reports across every template.

Two thousand reports from :func:`bench.synthetic.generate_corpus` (plain-text
layouts of the 2019, 2021 and pre-2019 templates, with the inconsistencies,
blanks and glued digits real reports have) go through the real loader into a
fresh database, then one ``dbt build``: every error-severity test must pass,
every loaded cell must reach its fact, and the reconciliation warn tests must
list exactly the report columns the parser flagged.

About 80 seconds: generating takes ~6, loading ~25, the build ~45.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from datetime import date
from pathlib import Path

import psycopg
import pytest

from bench.synthetic import generate_corpus
from etl.run import (
    Files,
    discover_files,
)
from etl.run import (
    load as run_load,
)
from etl.transform import dbt_build

pytestmark = pytest.mark.slow

CORPUS_SIZE = 2000
SEED = 20260605

# dbt's reconciliation tests: the rule each one checks, and the column of its
# failing rows that names the failing column or row (as the parser's location does)
RECONCILIATION_TESTS = {
    "assert_applications_balance": ("applications_balance", "applicant_code"),
    "assert_applications_outcome_sum": ("applications_outcome_sum", "applicant_code"),
    "assert_applications_row_total": ("applications_row_total", "outcome_code"),
    "assert_review_litigation_total": ("review_litigation_total", "proceeding_code"),
}


def count(conn: psycopg.Connection, query: str) -> int:
    row = conn.execute(query).fetchone()
    assert row is not None, query
    return int(row[0])


def test_dbt_build_passes_on_a_synthetic_corpus(fresh_database: str, tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    templates: Counter[str] = Counter()
    for i, item in enumerate(generate_corpus(CORPUS_SIZE, SEED, formats={"text": 1})):
        assert isinstance(item.content, str)
        (corpus / f"{i:05d}.txt").write_text(item.content, encoding="utf-8")
        templates[item.record.template] += 1
    assert set(templates) == {"2019", "2021", "pre2019"}

    load = run_load(fresh_database, Files(discover_files([corpus])))
    assert load.status == "completed"
    assert load.counts().files_loaded == CORPUS_SIZE

    result = dbt_build(fresh_database, work_dir=tmp_path / "dbt")
    assert result.error is None
    assert result.success, [(n.name, n.message) for n in result.failed]
    assert result.failed == []
    tests = [n for n in result.nodes if n.resource_type == "test"]
    assert len(tests) > 100
    warned = {n.name for n in result.warnings}
    assert warned <= {*RECONCILIATION_TESTS, "assert_carried_forward_matches_next_year"}, warned

    with psycopg.connect(fresh_database) as conn:
        # one report version per loaded file, each with the template it was written in
        assert count(conn, "select count(*) from marts.fct_reports") == CORPUS_SIZE
        by_template = dict(conn.execute("select template, count(*) from marts.fct_reports group by template"))
        assert by_template == dict(templates)
        # every loaded cell reaches its fact (one completed run, one parse per document)
        for raw, fact in (
            ("raw.application_cells", "marts.fct_application_outcomes"),
            ("raw.review_litigation_cells", "marts.fct_review_litigation"),
            ("raw.active_disclosure_cells", "marts.fct_disclosure_counts"),
            ("raw.legacy_stats", "marts.fct_legacy_stats"),
            ("raw.findings", "marts.fct_reconciliation_findings"),
        ):
            assert count(conn, f"select count(*) from {fact}") == count(
                conn, f"select count(*) from {raw}"
            ), fact
        assert count(conn, "select count(*) from marts.fct_legacy_stats") > 0
        # one dashboard row per latest version of a known agency and year
        assert count(conn, "select count(*) from marts.rpt_agency_year") == count(
            conn,
            "select count(*) from marts.fct_reports"
            " where is_latest and agency_key <> 'unknown' and report_year <> -1",
        )
        assert count(conn, "select count(*) from marts.dim_agency where not is_unknown") == count(
            conn, "select count(distinct agency_key) from marts.fct_reports where agency_key <> 'unknown'"
        )
        # the province roll-up holds every agency of a known province, once
        assert count(
            conn,
            "select coalesce(sum(applications_received), 0) from marts.rpt_region_year where region_level = 'province'",
        ) == count(
            conn,
            "select coalesce(sum(r.applications_received), 0) from marts.rpt_agency_year r"
            " join marts.dim_agency a using (agency_key) where a.province_code is not null",
        )
        levels = {r[0] for r in conn.execute("select distinct region_level from marts.rpt_region_year")}
        assert levels == {"national", "province", "prefecture", "county"}
        # the national row holds every agency-year once
        assert count(
            conn,
            "select coalesce(sum(agency_count), 0) from marts.rpt_region_year where region_level = 'national'",
        ) == count(conn, "select count(*) from marts.rpt_agency_year")
        _check_coverage(conn)

        # the warn tests list exactly the report columns whose totals the parser found broken
        for test, (rule, column) in RECONCILIATION_TESTS.items():
            listed = set(conn.execute(f"select report_id, {column} from audit.{test}"))
            flagged = set(
                conn.execute(
                    "select report_id, split_part(split_part(location, ':', 1), '.', 2)"
                    " from marts.fct_reconciliation_findings where rule_code = %s",
                    (rule,),
                )
            )
            assert listed == flagged, test
            assert (test in warned) == bool(listed), test


def _deadline(kind: str, level: str, year: int) -> date | None:
    """The legal deadline as the regulations say it (docs/agencies.md), written again here."""
    if year <= 2018:
        return date(year + 1, 3, 31)
    if kind == "government" and level in ("province", "prefecture", "county"):
        return date(year + 1, 3, 31)
    if kind in ("department", "government_office"):
        return date(year + 1, 1, 31)
    return None


def _check_coverage(conn: psycopg.Connection) -> None:
    """Who published, who did not, who was late: rpt_publication_coverage against the facts."""
    covered = conn.execute(
        "select agency_key, report_year, has_report, is_in_division_list, agency_kind, agency_level,"
        " published_on, deadline, timeliness, days_late from marts.rpt_publication_coverage"
    ).fetchall()
    published = {(r[0], r[1]) for r in covered if r[2]}
    latest = set(
        conn.execute(
            "select agency_key, report_year from marts.fct_reports"
            " where is_latest and agency_key <> 'unknown' and report_year <> -1"
        )
    )
    assert published == latest  # every agency-year the warehouse holds, and no other, has a report
    codes = conn.execute(
        "select r.code from seeds.region_codes r left join seeds.region_codes p"
        " on p.code = substr(r.code, 1, 2) || '0000' where r.level in ('province', 'prefecture', 'county')"
        " and substr(r.code, 1, 2) not in ('71', '81', '82') and not (r.level = 'prefecture' and r.name = p.name)"
    ).fetchall()
    created = dict(
        conn.execute(
            "select new_code, min(year) from seeds.region_changes where kind = 'split' and new_code not in"
            " (select new_code from seeds.region_changes where kind <> 'split') group by new_code"
        ).fetchall()
    )
    first_report = dict(
        conn.execute(
            "select agency_key, first_report_year from marts.dim_agency where first_report_year is not null"
        )
    )
    first, last = conn.execute(
        "select min(report_year), max(report_year) from marts.fct_reports where report_year <> -1"
    ).fetchone()
    expected_rows = 0
    for (code,) in codes:  # every government of the list, every year; one created by a split since: from then
        key = hashlib.md5(f"{code}|人民政府".encode()).hexdigest()  # noqa: S324 - the marts' key
        since = min(created.get(code, first), first_report.get(key, 9999))
        expected_rows += last - max(first, since) + 1
    in_list = [r for r in covered if r[3]]
    assert len(in_list) == expected_rows
    assert sum(1 for r in in_list if not r[2]) > 0.9 * len(in_list)  # 2,000 reports cover few of them
    timeliness = Counter()
    for _key, year, has_report, _listed, kind, level, published_on, deadline, status, late in covered:
        assert deadline == _deadline(kind, level, year), (kind, level, year, deadline)
        if not has_report:
            expected = "no_report_loaded"
        elif deadline is None:
            expected = "published_no_deadline"
        elif published_on is None:
            expected = "published_date_unknown"
        else:
            expected = "on_time" if published_on <= deadline else "late"
            assert late == max((published_on - deadline).days, 0)
        assert status == expected
        timeliness[status] += 1
    # the generator publishes in January to March: departments are late after 31 January
    assert timeliness["late"] > 50 and timeliness["on_time"] > 50, timeliness
