"""The ``nianbao`` CLI: help, parse, db, migrate, status, and run's exit codes.

Commands that need a database get a fresh one through ``DATABASE_URL`` in
the runner's environment. ``test_make_run_path_end_to_end`` runs the real
console script as a subprocess, with ``dbt build``, on the bundled samples.
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path

import psycopg
import pytest
from typer.testing import CliRunner

from etl.cli import ExitCode, app, redact
from etl.load.runs import LOCK_KEY
from etl.transform import DbtResult

REPO = Path(__file__).resolve().parent.parent
SAMPLES = REPO / "etl" / "samples"
ANNING = SAMPLES / "002_0494dfef68de25df.txt"

runner = CliRunner()


def invoke(args: list[str], url: str | None = None, **env: str) -> object:
    environment = {"DATABASE_URL": url} if url else {}
    environment.update(env)
    return runner.invoke(app, args, env=environment, catch_exceptions=False)


@pytest.fixture()
def garbage(tmp_path: Path) -> Path:
    path = tmp_path / "landing" / "scan-0001.txt"
    path.parent.mkdir()
    path.write_text("会议纪要：今天下午开会，讨论食堂菜单。", encoding="utf-8")
    return path


# -- help -----------------------------------------------------------------------
@pytest.mark.parametrize(
    "args, expected",
    [
        ([], "government information disclosure"),
        (["run"], "Exit codes"),
        (["parse"], "JSON Lines"),
        (["db"], "embedded PostgreSQL"),
        (["db", "start"], "Start the embedded"),
        (["db", "stop"], "Stop the embedded"),
        (["db", "url"], "BI tool"),
        (["migrate"], "Alembic"),
        (["status"], "quarantine"),
    ],
)
def test_every_command_has_help(args: list[str], expected: str) -> None:
    result = runner.invoke(app, [*args, "--help"])
    assert result.exit_code == 0, result.output
    assert expected in " ".join(result.output.split())


def test_run_help_documents_every_exit_code() -> None:
    text = " ".join(runner.invoke(app, ["run", "--help"]).output.split())
    for code in ExitCode:
        assert f"{int(code)}:" in text


def test_no_command_shows_usage() -> None:
    result = runner.invoke(app, [])
    assert "Usage" in result.output


# -- parse ----------------------------------------------------------------------
def test_parse_json_is_one_record_per_file_in_input_order(garbage: Path) -> None:
    result = invoke(["parse", "--json", str(garbage), str(ANNING)])
    assert result.exit_code == 0
    lines = result.stdout.strip().splitlines()
    assert len(lines) == 2
    records = [json.loads(line) for line in lines]
    assert [r["source"]["path"] for r in records] == [str(garbage), str(ANNING)]
    assert records[0]["status"] == "rejected" and records[0]["errors"]
    assert list(records[1]) == [
        "source",
        "status",
        "errors",
        "agency",
        "report_year",
        "template",
        "published_date",
        "active_disclosure",
        "applications",
        "review_litigation",
        "legacy_stats",
        "findings",
    ]
    assert records[1]["source"]["sha256"] == hashlib.sha256(ANNING.read_bytes()).hexdigest()


def test_parse_table_names_each_file(garbage: Path) -> None:
    result = invoke(["parse", str(garbage)])
    assert result.exit_code == 0
    assert garbage.name in result.stdout and "rejected" in result.stdout


def test_parse_a_missing_file_is_a_usage_error(tmp_path: Path) -> None:
    result = runner.invoke(app, ["parse", str(tmp_path / "nope.txt")])
    assert result.exit_code == ExitCode.USAGE


# -- db -------------------------------------------------------------------------
def test_db_commands_defer_to_database_url() -> None:
    url = "postgresql://analyst:secret@db.example:5432/nianbao"
    assert invoke(["db", "url"], url).stdout.strip() == url
    for command in ("start", "stop"):
        result = invoke(["db", command], url)
        assert result.exit_code == 0 and "DATABASE_URL is set" in result.stdout


def test_db_url_without_a_server_says_what_to_do(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("DATABASE_URL", raising=False)
    result = runner.invoke(app, ["db", "url"], env={"NIANBAO_HOME": str(tmp_path)})
    assert result.exit_code == ExitCode.FAILED
    assert "nianbao db start" in result.stderr


def test_redact_hides_the_password() -> None:
    assert redact("postgresql://u:pw@h:5432/d") == "postgresql://u:***@h:5432/d"
    assert redact("postgresql://u@h/d") == "postgresql://u@h/d"


# -- migrate and status -----------------------------------------------------------
def test_migrate_reports_the_revision(empty_database: str) -> None:
    result = invoke(["migrate"], empty_database)
    assert result.exit_code == 0, result.output
    assert "is at revision" in result.stdout


def test_status_lists_runs_and_quarantine(fresh_database: str, garbage: Path) -> None:
    assert invoke(["run", "--no-dbt", str(garbage)], fresh_database).exit_code == ExitCode.QUARANTINED
    result = invoke(["status"], fresh_database)
    assert result.exit_code == 0, result.output
    assert "completed_with_quarantine" in result.stdout
    assert garbage.name in result.stdout and "in quarantine" in result.stdout


# -- run's exit codes ----------------------------------------------------------------
def test_run_quarantines_garbage_by_name_and_exits_3(fresh_database: str, garbage: Path) -> None:
    result = invoke(["run", "--no-dbt", str(garbage)], fresh_database)
    assert result.exit_code == ExitCode.QUARANTINED, result.output
    out = " ".join(result.stdout.split())
    assert "quarantined files" in out and garbage.name in out
    assert "files seen 1" in out


def test_second_run_loads_nothing_and_exits_0(fresh_database: str, garbage: Path) -> None:
    invoke(["run", "--no-dbt", str(garbage)], fresh_database)
    result = invoke(["run", "--no-dbt", "--log-format", "json", str(garbage)], fresh_database)
    assert result.exit_code == ExitCode.OK, result.output
    summary = json.loads(result.stdout)
    assert (summary["files_seen"], summary["files_loaded"], summary["files_skipped"]) == (1, 0, 1)
    assert summary["exit_code"] == 0 and summary["dbt"]["ran"] is False


def test_run_json_logs_are_json_lines(fresh_database: str, garbage: Path) -> None:
    result = invoke(["run", "--no-dbt", "--log-format", "json", str(garbage)], fresh_database)
    summary = json.loads(result.stdout)
    assert summary["quarantined"][0]["path"] == str(garbage)
    assert summary["exit_code"] == ExitCode.QUARANTINED
    log_lines = [json.loads(line) for line in result.stderr.strip().splitlines()]
    assert any(line["level"] == "warning" and garbage.name in line["message"] for line in log_lines)


def test_run_exits_4_when_another_run_holds_the_lock(fresh_database: str, garbage: Path) -> None:
    with psycopg.connect(fresh_database, autocommit=True) as other:
        other.execute("select pg_advisory_lock(%s)", (LOCK_KEY,))
        result = invoke(["run", "--no-dbt", str(garbage)], fresh_database)
    assert result.exit_code == ExitCode.LOCKED
    assert "another nianbao load is running" in result.stderr


def test_run_exits_5_when_dbt_fails(
    fresh_database: str, garbage: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def failing_dbt(args: list[str], url: str, **kwargs: object) -> DbtResult:
        return DbtResult(command=list(args), success=False, error="Compilation Error: boom")

    monkeypatch.setattr("etl.transform.run_dbt", failing_dbt)
    result = invoke(["run", str(garbage)], fresh_database)
    assert result.exit_code == ExitCode.DBT_FAILED, result.output
    assert "boom" in result.stdout
    with psycopg.connect(fresh_database) as conn:
        error = conn.execute("select error from ops.load_runs").fetchone()
    assert error is not None and "boom" in error[0]


def test_run_exits_1_when_the_database_is_unreachable(garbage: Path) -> None:
    result = invoke(["run", "--no-dbt", str(garbage)], "postgresql://nobody@127.0.0.1:1/none")
    assert result.exit_code == ExitCode.FAILED


# -- the whole path -------------------------------------------------------------------
def _mart_checksums(url: str) -> dict[str, str]:
    with psycopg.connect(url) as conn:
        tables = [
            r[0]
            for r in conn.execute(
                "select table_name from information_schema.tables "
                "where table_schema = 'marts' and table_type = 'BASE TABLE' order by 1"
            ).fetchall()
        ]
        return {
            t: conn.execute(
                f"select md5(coalesce(string_agg(x::text, '|' order by x::text), '')) from marts.\"{t}\" x"
            ).fetchone()[0]
            for t in tables
        }


@pytest.mark.slow
def test_make_run_path_end_to_end(fresh_database: str) -> None:
    """`nianbao run` on the samples, as `make run` does: load, dbt build, queryable marts."""
    env = {**os.environ, "DATABASE_URL": fresh_database}
    nianbao = [str(Path(sys.executable).parent / "nianbao")]
    first = subprocess.run([*nianbao, "run"], cwd=REPO, env=env, capture_output=True, text=True, timeout=900)
    assert first.returncode == 0, first.stdout + first.stderr
    assert "rows per mart" in first.stdout

    with psycopg.connect(fresh_database) as conn:
        rows = conn.execute(
            "select f.applicant_code, f.outcome_code, f.value "
            "from marts.fct_application_outcomes f join marts.dim_agency a using (agency_key) "
            "where a.agency_name = '安宁市人民政府' and f.report_year = 2020 and f.is_latest "
            "and f.outcome_code = 'granted' and f.applicant_code in ('natural_person', 'total')"
        ).fetchall()
        assert sorted(rows) == [("natural_person", "granted", 2), ("total", "granted", 2)]
        penalty = conn.execute(
            "select f.value from marts.fct_disclosure_counts f join marts.dim_agency a using (agency_key) "
            "where a.agency_name = '安宁市人民政府' and f.item_code = 'penalty' and f.measure_code = 'decisions'"
        ).fetchone()
        assert penalty == (3567,)
    before = _mart_checksums(fresh_database)
    assert before

    second = subprocess.run([*nianbao, "run"], cwd=REPO, env=env, capture_output=True, text=True, timeout=900)
    assert second.returncode == 0, second.stdout + second.stderr
    assert " ".join(second.stdout.split()).count("loaded 0") == 1
    assert _mart_checksums(fresh_database) == before
