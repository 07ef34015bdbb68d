"""The ``nianbao`` CLI: help, parse, db, migrate, status, and run's exit codes.

Commands that need a database get a fresh one through ``DATABASE_URL`` in
the runner's environment. ``test_make_run_path_end_to_end`` runs the real
console script as a subprocess, with ``dbt build``, on the bundled samples.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
import sqlalchemy.exc
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
        (["reparse"], "without the original files"),
        (["quarantine"], "retry them"),
        (["quarantine", "list"], "oldest first"),
        (["quarantine", "retry"], "stored bytes"),
    ],
)
def test_every_command_has_help(args: list[str], expected: str) -> None:
    result = runner.invoke(app, [*args, "--help"])
    assert result.exit_code == 0, result.output
    assert expected in " ".join(result.output.split())


@pytest.mark.parametrize("command", [["run"], ["reparse"], ["quarantine", "retry"]])
def test_loading_commands_document_every_exit_code(command: list[str]) -> None:
    text = " ".join(runner.invoke(app, [*command, "--help"]).output.split())
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


def test_a_run_that_builds_says_so_where_dashboards_read(fresh_database: str, garbage: Path) -> None:
    result = invoke(["run", str(garbage.parent)], fresh_database)
    assert result.exit_code == ExitCode.QUARANTINED, result.output
    with psycopg.connect(fresh_database) as conn:
        state, run_id = conn.execute("select state, run_id from status.marts_build").fetchone()  # type: ignore[misc]
    assert (state, run_id) == ("built", 1)
    shown = invoke(["status"], fresh_database)
    assert "marts: built" in shown.stdout


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
    assert "another nianbao run holds the writer lock" in result.stderr


def test_a_run_that_did_nothing_still_prints_a_json_summary(fresh_database: str, garbage: Path) -> None:
    """A log shipper gets one summary line whatever happened: locked, or no database."""
    with psycopg.connect(fresh_database, autocommit=True) as other:
        other.execute("select pg_advisory_lock(%s)", (LOCK_KEY,))
        locked = invoke(["run", "--no-dbt", "--log-format", "json", str(garbage)], fresh_database)
    summary = json.loads(locked.stdout)
    assert (summary["status"], summary["exit_code"]) == ("locked", 4)
    assert "writer lock" in summary["error"]

    url = "postgresql://nobody:secret@127.0.0.1:1/none"
    failed = invoke(["run", "--no-dbt", "--log-format", "json", str(garbage)], url)
    summary = json.loads(failed.stdout)
    assert (summary["status"], summary["exit_code"], failed.exit_code) == ("failed", 1, 1)
    assert "secret" not in failed.stdout


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


@pytest.mark.parametrize("command", [["status"], ["quarantine", "list"], ["migrate"]])
@pytest.mark.parametrize(
    "url", ["postgresql://nobody:secret@127.0.0.1:1/none", "mysql://nobody:secret@localhost/none"]
)
def test_a_bad_database_url_is_one_line_and_exit_1(command: list[str], url: str) -> None:
    result = invoke(command, url)
    assert result.exit_code == ExitCode.FAILED
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("error:"), result.stderr
    assert "Traceback" not in result.output and "secret" not in result.output


def test_sqlalchemy_dialect_urls_are_accepted(fresh_database: str, garbage: Path) -> None:
    """``postgresql+psycopg://`` (what SQLAlchemy and Superset write) passes migration and the load."""
    url = fresh_database.replace("postgresql://", "postgresql+psycopg://", 1)
    result = invoke(["run", "--no-dbt", str(garbage)], url)
    assert result.exit_code == ExitCode.QUARANTINED, result.output


def test_file_names_are_shown_as_named_never_as_markup(fresh_database: str, tmp_path: Path) -> None:
    landing = tmp_path / "landing"
    landing.mkdir()
    (landing / "[").mkdir()  # the path holds "[/evil]": rich's closing tag
    (landing / "[" / "evil].txt").write_text("会议纪要", encoding="utf-8")
    (landing / "[red]x.txt").write_text("会议纪要二", encoding="utf-8")
    result = invoke(["run", "--no-dbt", str(landing)], fresh_database)
    assert result.exit_code == ExitCode.QUARANTINED, result.output
    assert "[/evil].txt" in result.stdout and "[red]x.txt" in result.stdout
    for command in (["status"], ["quarantine", "list"]):
        shown = invoke(command, fresh_database)
        assert shown.exit_code == 0, shown.output
        assert "[/evil].txt" in shown.stdout
    assert invoke(["quarantine", "retry", "--no-dbt"], fresh_database).exit_code == ExitCode.QUARANTINED


def test_run_exits_1_when_the_database_is_unreachable(garbage: Path) -> None:
    result = invoke(["run", "--no-dbt", str(garbage)], "postgresql://nobody@127.0.0.1:1/none")
    assert result.exit_code == ExitCode.FAILED


# -- failures a night can bring: one line, the cause and what to do -----------------------
def _full_disk(*args: object, **kwargs: object) -> None:
    raise psycopg.errors.DiskFull('could not extend file "base/16384/16390": No space left on device')


def test_a_full_disk_is_one_line_saying_what_to_do(
    fresh_database: str, garbage: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("etl.load.writer.copy_tables", _full_disk)
    result = invoke(["run", "--no-dbt", str(garbage.parent)], fresh_database)
    assert result.exit_code == ExitCode.FAILED, result.output
    assert "Traceback" not in result.output
    failure = [line for line in result.stderr.splitlines() if "load failed" in line]
    assert len(failure) == 1, result.stderr
    assert "disk is full" in failure[0] and "free space" in failure[0], failure
    with psycopg.connect(fresh_database) as conn:
        assert conn.execute("select count(*) from raw.reports").fetchone() == (0,)
        assert conn.execute("select status from ops.load_runs").fetchone() == ("failed",)

    debug = invoke(["--debug", "run", "--no-dbt", str(garbage.parent)], fresh_database)
    assert debug.exit_code == ExitCode.FAILED
    assert "Traceback" in debug.stderr and "DiskFull" in debug.stderr


def test_a_missing_dbt_profile_says_where_it_belongs(
    fresh_database: str, garbage: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    project = tmp_path / "dbt_project"
    shutil.copytree(REPO / "dbt_project", project, ignore=shutil.ignore_patterns("profiles.yml"))
    monkeypatch.setattr("etl.transform.DBT_PROJECT_DIR", project)
    result = invoke(["run", str(garbage)], fresh_database)
    assert result.exit_code == ExitCode.DBT_FAILED, result.output
    assert "Traceback" not in result.output
    shown = " ".join(result.stdout.split())  # rich wraps at the terminal's width
    assert "dbt's profile 'nianbao' is missing" in shown
    assert "git checkout -- dbt_project/profiles.yml" in shown


def test_a_folder_that_cannot_be_listed_is_named_and_the_rest_loads(
    fresh_database: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """As root a chmod does not lock a folder, so the refusal is the file system's answer, patched."""
    landing = tmp_path / "landing"
    (landing / "locked").mkdir(parents=True)
    (landing / "locked" / "inside.txt").write_text("not read", encoding="utf-8")
    shutil.copy(ANNING, landing / ANNING.name)
    real_scandir = os.scandir

    def scandir(path=".", *args, **kwargs):  # type: ignore[no-untyped-def]
        if Path(path).name == "locked":
            raise PermissionError(13, "Permission denied", str(path))
        return real_scandir(path, *args, **kwargs)

    monkeypatch.setattr(os, "scandir", scandir)
    result = invoke(["run", "--no-dbt", "--log-format", "json", str(landing)], fresh_database)
    assert result.exit_code == ExitCode.QUARANTINED, result.output
    summary = json.loads(result.stdout)
    assert summary["files_loaded"] == 1
    [locked] = summary["quarantined"]
    assert locked["path"] == str(landing / "locked") and locked["error_code"] == "unreadable"
    assert "cannot be listed (Permission denied)" in locked["reason"]


@pytest.mark.parametrize(
    "exc, expected",
    [
        (OSError(28, "No space left on device", "/srv/var/dbt/logs/dbt.log"), "no space left on the disk"),
        (OSError(30, "Read-only file system", "/srv/var/dbt"), "read-only file system"),
        (PermissionError(13, "Permission denied", "/srv/landing"), "permission denied: /srv/landing"),
        (psycopg.OperationalError("server closed the connection unexpectedly"), "lost the database"),
        (
            psycopg.OperationalError('connection failed: connection to server at "127.0.0.1", port 1 failed'),
            "cannot connect to the database",
        ),
        (  # Alembic's migrations raise SQLAlchemy's wrapper around the driver's error
            sqlalchemy.exc.OperationalError(
                "select 1", {}, psycopg.errors.DiskFull("No space left on device")
            ),
            "the database server's disk is full",
        ),
        (ValueError("odd\nvalue"), "ValueError: odd value"),
    ],
)
def test_every_known_failure_has_its_cause_and_next_step(exc: BaseException, expected: str) -> None:
    from etl.run.failures import explain

    line = explain(exc)
    assert expected in line and "\n" not in line


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


# -- the landing folder, the loading commands, quarantine -------------------------------
def test_run_takes_the_landing_folder_from_the_environment(fresh_database: str, garbage: Path) -> None:
    result = invoke(
        ["run", "--no-dbt", "--log-format", "json"], fresh_database, NIANBAO_LANDING_DIR=str(garbage.parent)
    )
    assert result.exit_code == ExitCode.QUARANTINED, result.output
    summary = json.loads(result.stdout)
    assert summary["files_seen"] == 1 and summary["quarantined"][0]["path"] == str(garbage)
    with psycopg.connect(fresh_database) as conn:
        assert conn.execute("select command from ops.load_runs").fetchone() == (
            f"nianbao run {garbage.parent}",
        )


def test_a_missing_landing_folder_is_a_usage_error(fresh_database: str, tmp_path: Path) -> None:
    result = invoke(["run", "--no-dbt"], fresh_database, NIANBAO_LANDING_DIR=str(tmp_path / "not-mounted"))
    assert result.exit_code == ExitCode.USAGE
    assert "not-mounted" in result.output and "does not exist" in result.output


def test_quarantine_list_and_retry(fresh_database: str, garbage: Path) -> None:
    assert invoke(["run", "--no-dbt", str(garbage)], fresh_database).exit_code == ExitCode.QUARANTINED

    listed = invoke(["quarantine", "list"], fresh_database)
    assert listed.exit_code == 0 and garbage.name in listed.stdout and "not_a_report" in listed.stdout
    entries = [
        json.loads(line)
        for line in invoke(["quarantine", "list", "--json"], fresh_database).stdout.splitlines()
    ]
    assert [(e["path"], e["error_code"]) for e in entries] == [(str(garbage), "not_a_report")]
    assert entries[0]["quarantined_at"].startswith("20")

    # the same bytes through the same parser: still rejected, still listed, exit 3
    retried = invoke(["quarantine", "retry", "--no-dbt", "--log-format", "json"], fresh_database)
    assert retried.exit_code == ExitCode.QUARANTINED, retried.output
    summary = json.loads(retried.stdout)
    assert (summary["kind"], summary["files_seen"], summary["files_quarantined"]) == ("retry", 1, 1)
    assert "quarantine retry" in invoke(["status"], fresh_database).stdout


def test_reparse_with_nothing_due_is_a_quiet_run(fresh_database: str) -> None:
    result = invoke(["reparse", "--no-dbt", "--log-format", "json"], fresh_database)
    assert result.exit_code == ExitCode.OK, result.output
    summary = json.loads(result.stdout)
    assert (summary["kind"], summary["files_seen"], summary["files_loaded"]) == ("reparse", 0, 0)


# -- observability: a bar on a terminal, lines in a log --------------------------------------
@pytest.fixture()
def etl_loggers_as_in_a_fresh_process() -> Iterator[None]:
    """Loggers below ``etl`` at their default level, whatever earlier tests in this process set."""
    names = [n for n in logging.root.manager.loggerDict if n.startswith("etl.")]
    saved = {n: logging.getLogger(n).level for n in names}
    for n in names:
        logging.getLogger(n).setLevel(logging.NOTSET)
    yield
    for n, level in saved.items():
        logging.getLogger(n).setLevel(level)


@pytest.mark.usefixtures("etl_loggers_as_in_a_fresh_process")
def test_plain_log_lines_when_not_on_a_terminal(fresh_database: str, tmp_path: Path) -> None:
    landing = tmp_path / "landing"
    landing.mkdir()
    for i in range(3):
        shutil.copy(ANNING, landing / f"copy-{i}.txt")
    (landing / "copy-0.txt").write_text("会议纪要", encoding="utf-8")
    result = invoke(["run", "--no-dbt", "--batch-size", "1", str(landing)], fresh_database)
    lines = result.stderr.splitlines()
    assert any(" INFO etl.load: run 1 (load): 3 files" in line for line in lines), lines
    assert any("batch committed: 1 reports" in line and "of 3 files done" in line for line in lines), lines
    assert any(" WARNING etl.load: quarantined " in line and "copy-0.txt" in line for line in lines), lines
    assert "\x1b[" not in result.stderr and "━" not in result.stderr  # no escapes, no bar


def test_progress_bar_on_a_terminal(fresh_database: str, tmp_path: Path) -> None:
    """The real command with its stderr on a pseudo-terminal, as an operator running it by hand."""
    import pty

    landing = tmp_path / "landing"
    landing.mkdir()
    for i in range(6):
        (landing / f"r{i}.txt").write_bytes(ANNING.read_bytes() + f"\n{i}".encode())
    master, slave = pty.openpty()
    env = {**os.environ, "DATABASE_URL": fresh_database, "COLUMNS": "120"}
    env.pop("FORCE_COLOR", None)
    proc = subprocess.Popen(
        [str(Path(sys.executable).parent / "nianbao"), "run", "--no-dbt", str(landing)],
        stdout=subprocess.PIPE,
        stderr=slave,
        env=env,
        cwd=REPO,
    )
    os.close(slave)
    chunks: list[bytes] = []
    while True:
        try:
            data = os.read(master, 65536)
        except OSError:  # EIO: the command closed the terminal
            break
        if not data:
            break
        chunks.append(data)
    os.close(master)
    stdout, _ = proc.communicate(timeout=120)
    terminal = b"".join(chunks).decode("utf-8", errors="replace")

    assert proc.returncode == ExitCode.OK, terminal
    assert "loading" in terminal and "━" in terminal and "/6" in terminal  # the bar, with its count
    assert "\x1b[" in terminal  # drawn with escape codes
    assert "━" not in stdout.decode()  # the summary, on stdout, is plain


# -- when dbt runs ---------------------------------------------------------------------
def test_dbt_build_runs_when_the_marts_lack_something_and_only_then(
    fresh_database: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The quiet-night rule, with dbt stood in for: build after a load, after a failed
    build, and when the marts are missing; skip when nothing changed since the last build."""
    from etl.run import marts

    builds: list[bool] = []
    outcome = {"ok": True}

    def fake_build(
        url: str, *, quiet: bool = False, full_refresh: bool = False, **_: object
    ) -> tuple[DbtResult, str]:
        builds.append(full_refresh)
        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute("create schema if not exists marts")
            conn.execute("create table if not exists marts.fct_reports (report_id bigint)")
        result = DbtResult(command=["build"], success=outcome["ok"])
        return result, "dbt build: ok (fake)" if outcome["ok"] else "dbt build: FAILED (fake)"

    monkeypatch.setattr(marts, "build_marts", fake_build)
    monkeypatch.setattr(marts, "check_freshness", lambda url: marts.Freshness("pass", "fresh (fake)"))
    landing = tmp_path / "landing"
    landing.mkdir()
    shutil.copy(ANNING, landing / "a.txt")

    def night() -> dict:
        result = invoke(["run", str(landing), "--log-format", "json"], fresh_database)
        return {**json.loads(result.stdout), "code": result.exit_code}

    assert night()["dbt"]["ran"] and builds == [False]  # loaded: build
    quiet = night()
    assert not quiet["dbt"]["ran"] and quiet["dbt"]["skipped"] and len(builds) == 1  # quiet: skip
    assert quiet["freshness"] == {"status": "pass", "message": "fresh (fake)"}

    shutil.copy(SAMPLES / "001_b46b09af154a8c88.txt", landing / "b.txt")
    outcome["ok"] = False
    assert night()["code"] == ExitCode.DBT_FAILED and len(builds) == 2
    outcome["ok"] = True
    owed = night()  # nothing new, but the marts still lack b.txt: build
    assert owed["dbt"]["ran"] and owed["code"] == 0 and len(builds) == 3
    assert not night()["dbt"]["ran"] and len(builds) == 3

    with psycopg.connect(fresh_database, autocommit=True) as conn:
        conn.execute("drop schema marts cascade")  # someone dropped the marts
    assert night()["dbt"]["ran"] and len(builds) == 4
    forced = invoke(["run", str(landing), "--force-dbt", "--log-format", "json"], fresh_database)
    assert json.loads(forced.stdout)["dbt"]["ran"] and len(builds) == 5
    refreshed = invoke(["run", str(landing), "--full-refresh", "--log-format", "json"], fresh_database)
    assert json.loads(refreshed.stdout)["dbt"]["ran"] and builds[-1] is True
    assert invoke(["run", str(landing), "--no-dbt"], fresh_database).exit_code == 0 and len(builds) == 6
    with psycopg.connect(fresh_database) as conn:
        built = conn.execute(
            "select count(*) filter (where marts_built_at is not null), count(*) from ops.load_runs"
        ).fetchone()
    assert built == (5, 9)  # every successful build is bookkept on its run


# -- versions ----------------------------------------------------------------------
@pytest.mark.slow
def test_copies_are_one_version_and_an_operator_can_pin_one(fresh_database: str, tmp_path: Path) -> None:
    """A GBK copy of a page is the same version; a later re-publication is latest until an operator
    pins the first; unpinning gives the choice back to the rule; the cell facts follow."""
    landing = tmp_path / "landing"
    landing.mkdir()
    text = ANNING.read_text(encoding="utf-8")
    (landing / "a-original.txt").write_text(text, encoding="utf-8")
    (landing / "b-copy-gbk.txt").write_bytes(text.encode("gb18030"))
    (landing / "c-republished.txt").write_text(text.replace("2021年2月2日", "2021年3月5日"), encoding="utf-8")
    assert invoke(["run", str(landing)], fresh_database).exit_code == 0

    def versions() -> dict[str, tuple]:
        with psycopg.connect(fresh_database) as conn:
            rows = conn.execute(
                "select source_path, report_id, is_latest, version_count, version_rule, copy_of_report_id "
                "from marts.fct_reports where agency_name = '安宁市人民政府' and report_year = 2020"
            ).fetchall()
        return {Path(r[0]).name: r[1:] for r in rows}

    def latest_cells() -> set[int]:
        with psycopg.connect(fresh_database) as conn:
            return {
                r[0]
                for r in conn.execute(
                    "select distinct report_id from marts.fct_application_outcomes where is_latest "
                    "and report_id in (select report_id from marts.fct_reports where agency_name = '安宁市人民政府')"
                )
            }

    v = versions()
    original, copy, republished = v["a-original.txt"], v["b-copy-gbk.txt"], v["c-republished.txt"]
    assert copy[4] == original[0] and not copy[1]  # a copy of the original, never latest
    assert republished[1:4] == (True, 2, "latest published")
    assert latest_cells() == {republished[0]}

    pinned = invoke(
        ["versions", "pin", str(original[0]), "--note", "the March page misprints 三"], fresh_database
    )
    assert pinned.exit_code == 0, pinned.output
    assert versions()["a-original.txt"][1:4] == (True, 2, "pinned")
    assert latest_cells() == {original[0]}

    assert invoke(["versions", "unpin", str(original[0])], fresh_database).exit_code == 0
    assert versions()["c-republished.txt"][1:4] == (True, 2, "latest published")
    assert latest_cells() == {republished[0]}

    missing = invoke(["versions", "pin", "999999"], fresh_database)
    assert missing.exit_code == ExitCode.FAILED
    assert "no report 999999" in missing.stderr and "Traceback" not in missing.stderr
