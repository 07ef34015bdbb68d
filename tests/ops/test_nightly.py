"""Nights as the operator will have them, against a warehouse built by a real ``dbt build``.

* a quiet night (nothing new) loads nothing, skips ``dbt build`` and leaves
  every mart byte for byte as it was, in seconds;
* a corrected re-publication replaces the old figures in the marts, keeps
  the old version as history, and rewrites only the rows of the two
  versions (the facts are incremental), ending where a full rebuild ends;
* ``nianbao reparse`` with a newer parser re-derives everything from the
  stored documents, without the files, and the marts say the same;
* ``dbt source freshness`` warns when no report arrived for too long,
  without changing the exit code.
"""

from __future__ import annotations

import copy
import datetime as dt
import json
import random
import shutil
import subprocess
import time
from decimal import Decimal
from pathlib import Path

import psycopg
import pytest
from conftest import Reference, invoke
from nightly import BATCH, REPO, VOLATILE_COLUMNS, adapt, cron_job, mart_checksums, scalar

from bench.synthetic import CorpusItem, render_text
from etl.record import ApplicationCell, Report
from etl.transform import run_dbt

pytestmark = pytest.mark.slow

# What a quiet night may cost, start to finish, as a scheduler sees it: a
# Python start, a migration check, one read and hash per file, and dbt's
# source freshness check. Measured at about 6 s on a 2-core machine.
QUIET_NIGHT_BUDGET_SECONDS = 30


def test_quiet_night_loads_nothing_and_leaves_every_mart_byte_for_byte(
    warehouse: str, landing_dir: Path, ops_home: Path, reference: Reference, tmp_path: Path
) -> None:
    """The second night over the same folder, run exactly as docs/operations.md's cron line runs it."""
    before = mart_checksums(warehouse)
    assert before == reference.checksums and len(before) >= 10

    job = cron_job()
    log_file = tmp_path / "run.jsonl"
    command = adapt(job.command, {"/opt/nianbao": str(REPO), "/var/log/nianbao/run.jsonl": str(log_file)})
    # cron's sparse environment, the cron file's variables, pointed at this test's warehouse
    env = {
        "PATH": "/usr/bin:/bin",
        "HOME": str(tmp_path),
        "LOGNAME": job.user,
        **job.environment,
        "DATABASE_URL": warehouse,
        "NIANBAO_LANDING_DIR": str(landing_dir),
        "NIANBAO_HOME": str(ops_home),
    }
    # dbt keys its partial parse on the database name: parse once for this clone,
    # as the production warehouse (one name, every night) always has
    assert run_dbt(["parse"], warehouse, work_dir=ops_home / "var" / "dbt").success
    started = time.monotonic()
    proc = subprocess.run([job.environment["SHELL"], "-c", command], env=env, cwd="/", timeout=300)
    seconds = time.monotonic() - started

    lines = [json.loads(line) for line in log_file.read_text(encoding="utf-8").splitlines()]
    assert proc.returncode == 0, lines[-5:]
    summary = lines[-1]  # everything in the log is JSON: the log lines, then the summary
    n = len(reference.cells)
    assert (summary["files_seen"], summary["files_loaded"], summary["files_skipped"]) == (n, 0, n)
    assert summary["dbt"]["ran"] is False
    assert summary["dbt"]["skipped"] == "nothing new since the marts were last built"
    assert summary["freshness"]["status"] == "pass"
    assert all({"ts", "level", "logger", "message"} <= set(line) for line in lines[:-1])
    assert mart_checksums(warehouse) == before
    print(f"\nquiet night: {seconds:.1f} s for {n} files (the cron line, start to finish)")
    assert seconds < QUIET_NIGHT_BUDGET_SECONDS


def _corrected(item: CorpusItem, extra: int) -> Report:
    """The same agency and year, published a month later, with ``extra`` more applications granted."""
    record = copy.deepcopy(item.record)
    published = dt.date.fromisoformat(record.published_date or f"{record.report_year + 1}-01-15")
    record.published_date = (published + dt.timedelta(days=30)).isoformat()
    cells = []
    for c in record.applications:
        if c.row == "granted" and c.applicant in ("natural_person", "total"):
            c = ApplicationCell(c.row, c.applicant, (c.value or 0) + extra, str((c.value or 0) + extra))
        cells.append(c)
    record.applications = cells
    return record


def _granted(conn: psycopg.Connection, agency: str, year: int) -> list[tuple]:
    return conn.execute(
        "select f.report_id, f.is_latest, f.value from marts.fct_application_outcomes f "
        "join marts.dim_agency a using (agency_key) "
        "where a.agency_name = %s and f.report_year = %s "
        "and f.outcome_code = 'granted' and f.applicant_code = 'natural_person' order by f.report_id",
        (agency, year),
    ).fetchall()


def test_corrected_republication_replaces_the_figures_and_keeps_history(
    warehouse: str,
    landing_dir: Path,
    synthetic_corpus: list[CorpusItem],
    ops_home: Path,
    tmp_path: Path,
) -> None:
    item = next(i for i in synthetic_corpus if i.record.template == "2021")
    agency, year = item.record.agency.name, item.record.report_year
    v1_granted = next(
        c.value for c in item.record.applications if c.row == "granted" and c.applicant == "natural_person"
    )
    landing = tmp_path / "landing"
    shutil.copytree(landing_dir, landing)
    v2 = landing / "corrections" / f"{agency}-{year}-更正.txt"
    v2.parent.mkdir()
    v2.write_text(render_text(_corrected(item, 7), "cell_blank", random.Random(5)), encoding="utf-8")

    with psycopg.connect(warehouse) as conn:
        (v1_id, _, _), *_ = _granted(conn, agency, year)
        # row versions (xmin) of every other report's facts, to show they are not rewritten
        untouched_before = conn.execute(
            "select report_id, applicant_code, outcome_code, xmin::text "
            "from marts.fct_application_outcomes where report_id <> %s order by 1, 2, 3",
            (v1_id,),
        ).fetchall()

    result = invoke(
        ["run", str(landing), "--batch-size", str(BATCH), "--log-format", "json"], warehouse, ops_home
    )
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    n = len(synthetic_corpus)
    assert (summary["files_seen"], summary["files_loaded"], summary["files_skipped"]) == (n + 1, 1, n)
    assert summary["dbt"]["ran"] and summary["dbt"]["success"]

    with psycopg.connect(warehouse) as conn:
        rows = _granted(conn, agency, year)
        assert len(rows) == 2
        (old_id, old_latest, old_value), (new_id, new_latest, new_value) = rows
        assert old_id == v1_id
        assert (old_latest, old_value) == (False, Decimal(v1_granted))
        assert (new_latest, new_value) == (True, Decimal(v1_granted + 7))
        # every row of the old version stepped back, in every fact
        for fact in ("fct_application_outcomes", "fct_review_litigation", "fct_disclosure_counts"):
            flags = conn.execute(
                f"select report_id, bool_and(is_latest), bool_or(is_latest) from marts.{fact} "
                "where report_id in (%s, %s) group by report_id order by report_id",
                (old_id, new_id),
            ).fetchall()
            assert flags == [(old_id, False, False), (new_id, True, True)], fact
        versions = conn.execute(
            "select report_id, is_latest, version_rank, version_count from marts.fct_reports "
            "where report_id in (%s, %s) order by report_id",
            (old_id, new_id),
        ).fetchall()
        assert versions == [(old_id, False, 2, 2), (new_id, True, 1, 2)]
        wide = conn.execute(
            "select r.report_id, r.granted from marts.rpt_agency_year r join marts.dim_agency a using (agency_key) "
            "where a.agency_name = %s and r.report_year = %s",
            (agency, year),
        ).fetchone()
        total = next(
            c.value for c in item.record.applications if c.row == "granted" and c.applicant == "total"
        )
        assert wide == (new_id, Decimal(total + 7))
        # incremental: the other reports' rows were left exactly where they were
        untouched_after = conn.execute(
            "select report_id, applicant_code, outcome_code, xmin::text "
            "from marts.fct_application_outcomes where report_id not in (%s, %s) order by 1, 2, 3",
            (old_id, new_id),
        ).fetchall()
        assert untouched_after == untouched_before

    # ... and ended exactly where a rebuild from scratch ends
    incremental = mart_checksums(warehouse)
    rebuilt = invoke(["run", str(landing), "--full-refresh"], warehouse, ops_home)
    assert rebuilt.exit_code == 0, rebuilt.output
    assert mart_checksums(warehouse) == incremental


def test_reparse_with_a_newer_parser_rederives_the_marts_without_the_files(
    warehouse: str, reference: Reference, ops_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from etl.pipeline import Parser, parse_bytes

    monkeypatch.setattr("etl.run.settings.PARSER", Parser("99.0.0", parse_bytes))
    n = len(reference.cells)

    result = invoke(["reparse", "--log-format", "json"], warehouse, ops_home)

    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    assert (summary["kind"], summary["files_seen"], summary["files_loaded"]) == ("reparse", n, n)
    assert summary["dbt"]["ran"] and summary["dbt"]["success"]
    assert scalar(warehouse, "select count(*) from raw.reports") == 2 * n
    assert scalar(warehouse, "select count(distinct parser_version) from marts.fct_reports") == 1
    assert scalar(warehouse, "select min(parser_version) from marts.fct_reports") == "99.0.0"
    # the superseded parses left the incremental facts: the same figures, once each
    ignore = VOLATILE_COLUMNS | {"parser_version", "parse_count"}
    assert mart_checksums(warehouse, ignore) == mart_checksums(reference.url, ignore)

    again = invoke(["reparse", "--log-format", "json"], warehouse, ops_home)
    assert json.loads(again.stdout)["files_seen"] == 0


def test_freshness_warns_when_no_report_arrived_for_too_long(
    warehouse: str, landing_dir: Path, ops_home: Path
) -> None:
    with psycopg.connect(warehouse) as conn:
        conn.execute("update raw.reports set parsed_at = now() - interval '100 days'")

    result = invoke(["run", str(landing_dir), "--log-format", "json"], warehouse, ops_home)

    assert result.exit_code == 0, result.output  # news for the operator, not a failure
    summary = json.loads(result.stdout)
    assert summary["dbt"]["ran"] is False
    freshness = summary["freshness"]
    assert freshness["status"] == "warn"
    assert "raw.reports" in freshness["message"] and "100 days ago" in freshness["message"]
    logged = [json.loads(line) for line in result.stderr.splitlines()]
    assert any(e["level"] == "warning" and "freshness" in e["message"] for e in logged)


def test_a_night_tests_the_rows_of_its_new_reports_and_not_the_history_again(
    warehouse: str, ops_home: Path, synthetic_corpus: list[CorpusItem], tmp_path: Path
) -> None:
    """macros/tests_of_new_reports.sql: a nightly build's generic tests read only reports newer than the last build."""
    from etl.transform import dbt_build, newest_built_report

    before = newest_built_report(warehouse)
    assert before == scalar(warehouse, "select max(report_id) from raw.reports")

    new_item = copy.deepcopy(next(i.record for i in synthetic_corpus if i.record.applications))
    new_item.agency.name = "测试新增县人民政府"
    landing = tmp_path / "new"
    landing.mkdir()
    (landing / "new.txt").write_text(render_text(new_item, "cell", random.Random(7)), encoding="utf-8")
    result = invoke(["run", str(landing), "--no-dbt", "--log-format", "json"], warehouse, ops_home)
    assert result.exit_code == 0, result.output
    new_report = scalar(warehouse, "select max(report_id) from raw.reports")
    assert new_report > before

    # the same cell twice, once in an old report and once in the new one
    with psycopg.connect(warehouse) as conn:
        for report_id in (before, new_report):
            conn.execute(
                "insert into raw.application_cells "
                "select * from raw.application_cells where report_id = %s limit 1",
                (report_id,),
            )

    build = dbt_build(warehouse, work_dir=ops_home / "var" / "dbt")
    unique = next(n for n in build.nodes if n.name.startswith("unique_stg_raw__application_cells"))
    # found in the new report; the old one, tested the night it arrived, is not read again
    assert (unique.status, unique.failures) == ("fail", 1)

    # a full build (no watermark) reads every row and finds both
    full = run_dbt(["test", "--select", unique.name], warehouse, work_dir=ops_home / "var" / "dbt")
    assert [(n.status, n.failures) for n in full.nodes if n.resource_type == "test"] == [("fail", 2)]
