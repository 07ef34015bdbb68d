"""``kill -9`` at four points of a night, and the next night ends where an uninterrupted one does.

Each scenario runs the real ``nianbao run`` in a subprocess that stops at a
chosen point and is killed there with SIGKILL (no cleanup, no ``finally``):

* ``parse``: while parsing a file, one batch committed and two reports parsed
  but not written;
* ``between_batches``: right after the second batch committed;
* ``copy``: in the middle of a batch's COPY into ``raw.application_cells``
  (the server shows the COPY running when the kill lands);
* ``after_load``: the load completed, ``dbt build`` not started.

Then: no partial report is left (every report present has all its cells, and
only completed runs count), and a plain ``nianbao run`` over the same folder
ends with marts equal, table by table, to the uninterrupted night's
(``reference``; checksums of every mart without ids and load times, which
name a load rather than its content). The four scenarios run side by side,
each in a database of its own, so the suite pays for about one dbt build.
"""

from __future__ import annotations

import json
import shutil
import signal
import subprocess
import sys
import textwrap
import time
from dataclasses import dataclass, field
from pathlib import Path

import psycopg
import pytest
from conftest import Reference
from nightly import (
    BATCH,
    REPO,
    VOLATILE_COLUMNS,
    create_database,
    mart_checksums,
    nianbao_env,
    orphan_rows,
    report_cells,
    start_nianbao,
)

from bench.databases import drop_database

pytestmark = pytest.mark.slow

POINTS = ("parse", "between_batches", "copy", "after_load")

CHILD = textwrap.dedent(
    """
    import os, sys, time
    from pathlib import Path

    point, marker, landing, batch = sys.argv[1], Path(sys.argv[2]), sys.argv[3], sys.argv[4]
    calls = {"n": 0}

    def stop_here():
        marker.write_text(str(os.getpid()))
        time.sleep(600)  # until the SIGKILL

    if point == "parse":
        import etl.pipeline as pipeline
        real_parse_text = pipeline.parse_text

        def parse_text(text, **kwargs):
            calls["n"] += 1
            if calls["n"] == int(batch) + 3:  # one batch committed, two reports waiting in memory
                stop_here()
            return real_parse_text(text, **kwargs)

        pipeline.parse_text = parse_text
    elif point == "between_batches":
        from etl.load.writer import BatchWriter
        real_commit = BatchWriter._commit

        def _commit(self, items):
            real_commit(self, items)
            calls["n"] += 1
            if calls["n"] == 2:
                stop_here()

        BatchWriter._commit = _commit
    elif point == "copy":
        import etl.load.copy as copy_module
        real_copy_rows = copy_module.copy_rows

        def copy_rows(cur, table, columns, rows):
            rows = list(rows)
            if table == "raw.application_cells" and rows:
                calls["n"] += 1
                if calls["n"] == 2:
                    with cur.copy(copy_module.copy_statement(table, columns)) as copy:
                        for row in rows[: len(rows) // 2]:
                            copy.write_row(row)
                        stop_here()
            return real_copy_rows(cur, table, columns, rows)

        copy_module.copy_rows = copy_rows
    elif point == "after_load":
        import etl.run.marts as marts

        def build_marts(*args, **kwargs):
            stop_here()

        marts.build_marts = build_marts

    from etl.cli import app
    # the parse point patches the parser in this process: parse here, not in workers
    workers = ["--workers", "1"] if point == "parse" else []
    app(["run", landing, "--batch-size", batch, "--log-format", "json", *workers])
    """
)


@dataclass
class Crash:
    """One scenario: the database, what the kill left, and what the next run made of it."""

    point: str
    url: str
    dead_run: int = 0
    left: dict[str, tuple] = field(default_factory=dict)
    left_runs: list[tuple[int, str]] = field(default_factory=list)
    marts_after_kill: bool = False
    copy_was_running: bool = False
    # what `nianbao status` and status.marts_build said between the kill and the next night
    status_after_kill: str = ""
    marts_state_after_kill: str = ""
    marts_state_next: str = ""
    next_run: dict = field(default_factory=dict)
    next_returncode: int = -1
    next_stderr: str = ""
    orphans: dict[str, int] = field(default_factory=dict)
    checksums: dict[str, str] = field(default_factory=dict)
    cells: dict[str, tuple] = field(default_factory=dict)


def _copy_in_flight(url: str) -> bool:
    """Whether the server is in the middle of a COPY into raw.application_cells."""
    with psycopg.connect(url) as conn:
        row = conn.execute(
            "select count(*) from pg_stat_activity where datname = current_database() "
            "and state = 'active' and query ilike 'copy%%application_cells%%'"
        ).fetchone()
    return bool(row and row[0])


@pytest.fixture(scope="module")
def crashes(
    pg_server_url: str,
    migrated_template: str,
    landing_dir: Path,
    reference: Reference,
    ops_home: Path,
    tmp_path_factory: pytest.TempPathFactory,
) -> dict[str, Crash]:
    work = tmp_path_factory.mktemp("crashes")
    scenarios = {p: Crash(p, create_database(pg_server_url, migrated_template)) for p in POINTS}
    children: dict[str, subprocess.Popen[bytes]] = {}
    try:
        for point, crash in scenarios.items():
            home = work / point
            # dbt's parse of the project, reused: the recovery runs below start from it
            shutil.copytree(ops_home / "var", home / "var", dirs_exist_ok=True)
            children[point] = subprocess.Popen(
                [
                    sys.executable,
                    "-c",
                    CHILD,
                    point,
                    str(work / f"{point}.marker"),
                    str(landing_dir),
                    str(BATCH),
                ],
                cwd=REPO,
                env=nianbao_env(crash.url, home),
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
        deadline = time.monotonic() + 180
        waiting = set(POINTS)
        while waiting and time.monotonic() < deadline:
            for point in sorted(waiting):
                if (work / f"{point}.marker").exists():
                    if point == "copy":
                        scenarios[point].copy_was_running = _copy_in_flight(scenarios[point].url)
                    children[point].send_signal(signal.SIGKILL)
                    children[point].wait(timeout=30)
                    waiting.discard(point)
                else:
                    assert children[point].poll() is None, f"{point}: the run ended before the kill point"
            time.sleep(0.05)
        assert not waiting, f"never reached: {sorted(waiting)}"

        for crash in scenarios.values():
            crash.left = report_cells(crash.url)
            with psycopg.connect(crash.url) as conn:
                crash.left_runs = [tuple(r) for r in conn.execute("select run_id, status from ops.load_runs")]
                crash.marts_after_kill = bool(
                    conn.execute("select to_regclass('marts.fct_reports') is not null").fetchone()[0]
                )
                crash.marts_state_after_kill = conn.execute(
                    "select state from status.marts_build"
                ).fetchone()[0]
            crash.dead_run = crash.left_runs[0][0]
            shown = start_nianbao(["status"], crash.url, work / crash.point, COLUMNS="200")
            crash.status_after_kill = shown.communicate(timeout=120)[0]

        # the next night, for all four at once
        nights = {
            point: start_nianbao(
                ["run", str(landing_dir), "--batch-size", str(BATCH), "--log-format", "json"],
                crash.url,
                work / point,
            )
            for point, crash in scenarios.items()
        }
        for point, proc in nights.items():
            stdout, stderr = proc.communicate(timeout=600)
            crash = scenarios[point]
            crash.next_returncode, crash.next_stderr = proc.returncode, stderr
            crash.next_run = json.loads(stdout) if stdout.strip() else {}
            crash.checksums = mart_checksums(crash.url, VOLATILE_COLUMNS)
            crash.cells = report_cells(crash.url)
            crash.orphans = orphan_rows(crash.url)
            with psycopg.connect(crash.url) as conn:
                crash.marts_state_next = conn.execute("select state from status.marts_build").fetchone()[0]
        yield scenarios
    finally:
        for child in children.values():
            if child.poll() is None:
                child.kill()
        for crash in scenarios.values():
            drop_database(pg_server_url, crash.url)


@pytest.mark.parametrize("point", POINTS)
def test_a_kill_leaves_no_partial_report(point: str, crashes: dict[str, Crash], reference: Reference) -> None:
    crash = crashes[point]
    n = len(reference.cells)
    # whatever was committed is whole: every report has exactly its cells
    for sha, (_status, *counts) in crash.left.items():
        assert tuple(counts) == reference.cells[sha][1:], f"{point}: partial report {sha[:12]}"
    if point == "after_load":
        assert crash.left_runs == [(crash.dead_run, "completed")]
        assert len(crash.left) == n
        assert not crash.marts_after_kill
        # killed during dbt build: dashboards (status.marts_build) and `nianbao status` say so
        assert crash.marts_state_after_kill == "building"
        assert "marts: interrupted" in crash.status_after_kill, crash.status_after_kill
        return
    assert crash.marts_state_after_kill == "never built"
    assert "dead" in crash.status_after_kill and "running" not in crash.status_after_kill.split("dead")[0], (
        crash.status_after_kill
    )
    # a run that never completed: downstream reads nothing of it
    assert crash.left_runs == [(crash.dead_run, "running")]
    assert {status for status, *_ in crash.left.values()} == {"running"}
    assert 0 < len(crash.left) < n and len(crash.left) % BATCH == 0, len(crash.left)
    assert not crash.marts_after_kill
    if point == "copy":
        assert crash.copy_was_running, "the kill was meant to land during a COPY"


@pytest.mark.parametrize("point", POINTS)
def test_the_next_run_ends_as_an_uninterrupted_one(
    point: str, crashes: dict[str, Crash], reference: Reference
) -> None:
    crash = crashes[point]
    assert crash.next_returncode == 0, crash.next_stderr[-3000:]
    summary = crash.next_run
    n = len(reference.cells)
    assert summary["dbt"]["ran"] and summary["dbt"]["success"], summary["dbt"]
    if point == "after_load":
        # nothing to load again, but the marts the killed run owed are built now
        assert (summary["files_loaded"], summary["files_skipped"], summary["aborted_runs"]) == (0, n, [])
    else:
        assert (summary["files_loaded"], summary["aborted_runs"]) == (n, [crash.dead_run])
    assert crash.cells == reference.cells
    assert set(crash.orphans.values()) == {0}, crash.orphans
    assert crash.checksums == reference.stable_checksums
    assert crash.marts_state_next == "built"
