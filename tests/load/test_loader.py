"""The loader against a real Postgres: loads, skips, quarantines, recovers, locks.

Records are made by hand (see ``conftest.py``) so these tests exercise the
loader alone; ``test_samples_end_to_end`` goes through the real pipeline.
"""

from __future__ import annotations

import hashlib
import signal
import subprocess
import sys
import textwrap
import threading
import time
from decimal import Decimal
from pathlib import Path

import psycopg
import pytest
from handmade import PARSER, json_parse, make_report, rejected_report

from etl.load import LoadResult, LockedError
from etl.load.runs import LOCK_KEY, last_runs, open_quarantine
from etl.record import Report
from etl.run import Files, Parser, Settings, discover_files, sample_files
from etl.run import load as run_load

REPO = Path(__file__).resolve().parents[2]


# -- tests ----------------------------------------------------------------


def load(url: str, paths: list[Path], *, conn: object = None, **settings: object) -> LoadResult:
    """A load of ``paths`` with the hand-made records' parser (``handmade.json_parse``)."""
    settings.setdefault("parser", Parser(PARSER, json_parse))
    return run_load(url, Files(discover_files(paths)), Settings(**settings), conn=conn)  # type: ignore[arg-type]


def scalar(url: str, query: str, params: tuple = ()) -> object:
    with psycopg.connect(url) as conn:
        row = conn.execute(query, params).fetchone()
        return row[0] if row else None


def test_loads_cells_values_and_raw_text(fresh_database: str, write_report, landing: Path) -> None:
    write_report("anning-2020.txt", make_report(findings=2))
    write_report("gaotai-2020.txt", make_report("高台县人民政府", granted=None))

    result = load(fresh_database, [landing])

    assert (result.files_seen, result.files_loaded, result.files_skipped, result.files_quarantined) == (
        2,
        2,
        0,
        0,
    )
    assert result.status == "completed"
    assert result.findings == 2
    with psycopg.connect(fresh_database) as conn:
        run = conn.execute(
            "select status, files_seen, files_loaded, findings, parser_version, finished_at is not null "
            "from ops.load_runs where run_id = %s",
            (result.run_id,),
        ).fetchone()
        assert run == ("completed", 2, 2, 2, PARSER, True)
        cells = conn.execute(
            "select r.agency_name, c.row_code, c.applicant, c.value, c.raw "
            "from raw.application_cells c join raw.reports r using (report_id) "
            "order by r.agency_name, c.applicant"
        ).fetchall()
        assert ("安宁市人民政府", "granted", "natural_person", Decimal(2), "2") in cells
        # a blank stays NULL with its raw text; it never becomes 0
        assert ("安宁市人民政府", "granted", "commercial", None, "-") in cells
        assert ("高台县人民政府", "granted", "natural_person", None, "None") in cells
        money = conn.execute(
            "select value from raw.active_disclosure_cells where measure = 'amount_10k_yuan' limit 1"
        ).fetchone()
        assert money == (Decimal("1732.633648"),)
        penalty = conn.execute(
            "select value, raw from raw.active_disclosure_cells where item = 'penalty' and measure = 'change' limit 1"
        ).fetchone()
        assert penalty == (Decimal(-183), "减183")
        report = conn.execute(
            "select report_year, template, published_date::text, region_code, status, source_format "
            "from raw.reports where agency_name = '安宁市人民政府'"
        ).fetchone()
        assert report == (2020, "2019", "2021-01-20", "530181", "parsed", "text")
        findings = conn.execute(
            "select rule, location, expected, actual from raw.findings order by position"
        ).fetchall()
        assert findings[0] == ("applications_balance", "applicant natural_person #0", Decimal(3), Decimal(2))
        legacy = conn.execute("select position, indicator, unit, value from raw.legacy_stats").fetchall()
        assert (1, "三.(一) 收到申请数", "件", Decimal(5)) in legacy
        docs = conn.execute("select count(*), sum(size_bytes) from raw.documents").fetchone()
        assert docs is not None and docs[0] == 2
        content = conn.execute(
            "select d.content from raw.documents d join raw.reports r using (sha256) "
            "where r.agency_name = '安宁市人民政府'"
        ).fetchone()
        assert (
            content is not None
            and Report.from_json(bytes(content[0]).decode()).agency.name == "安宁市人民政府"
        )


def test_second_run_skips_everything_without_parsing(
    fresh_database: str, write_report, landing: Path
) -> None:
    write_report("a.txt", make_report("甲县人民政府"))
    write_report("b.txt", make_report("乙县人民政府"))
    write_report("junk.bin", raw=b"\x00\x01 not a report")
    first = load(fresh_database, [landing])
    assert (first.files_loaded, first.files_quarantined) == (2, 1)

    calls: list[str] = []

    def counting_parse(data: bytes, path: str) -> Report:
        calls.append(path)
        return json_parse(data, path)

    second = load(fresh_database, [landing], parser=Parser(PARSER, counting_parse))

    assert calls == []
    assert (second.files_seen, second.files_loaded, second.files_skipped) == (3, 0, 3)
    assert second.skipped_in_quarantine == 1
    assert second.files_quarantined == 0 and second.status == "completed"
    assert scalar(fresh_database, "select count(*) from raw.reports") == 2
    assert scalar(fresh_database, "select count(*) from ops.quarantine") == 1


def test_new_parser_version_reparses_and_keeps_documents_once(
    fresh_database: str, write_report, landing: Path
) -> None:
    write_report("a.txt")
    load(fresh_database, [landing])
    again = load(fresh_database, [landing], parser=Parser("test-2", json_parse))
    assert again.files_loaded == 1
    assert scalar(fresh_database, "select count(*) from raw.reports") == 2
    assert scalar(fresh_database, "select count(*) from raw.documents") == 1


def test_rejected_file_is_quarantined_and_the_others_load(
    fresh_database: str, write_report, landing: Path
) -> None:
    write_report("good-1.txt", make_report("甲县人民政府"))
    bad = write_report("minutes.txt", rejected_report("not_a_report", "no 政府信息公开 tables found"))
    garbage = write_report("sub/garbage.pdf", raw=b"%PDF-1.4 truncated")
    write_report("sub/good-2.txt", make_report("乙县人民政府"))

    result = load(fresh_database, [landing])

    assert result.status == "completed_with_quarantine"
    assert (result.files_loaded, result.files_quarantined) == (2, 2)
    by_path = {q.path: q for q in result.quarantined}
    assert by_path[str(bad)].error_code == "not_a_report"
    assert str(bad) in by_path[str(bad)].reason and "no 政府信息公开 tables found" in by_path[str(bad)].reason
    assert by_path[str(garbage)].error_code == "not_json"
    with psycopg.connect(fresh_database) as conn:
        rows = conn.execute(
            "select path, error_code, reason, sha256 is not null from ops.quarantine"
        ).fetchall()
        assert {r[0] for r in rows} == {str(bad), str(garbage)}
        assert all(r[0] in r[2] and r[3] for r in rows)
        # the quarantined file's bytes are kept, so it can be retried without the original
        assert conn.execute("select count(*) from raw.documents").fetchone() == (4,)
        assert conn.execute("select count(*) from raw.reports").fetchone() == (2,)
        status = conn.execute("select status, files_quarantined from ops.load_runs").fetchone()
        assert status == ("completed_with_quarantine", 2)
        assert {q["path"] for q in open_quarantine(conn)} == {str(bad), str(garbage)}


def test_corrected_file_loads_as_new_version_and_settles_quarantine(
    fresh_database: str, write_report, landing: Path
) -> None:
    write_report("anning.txt", rejected_report())
    first = load(fresh_database, [landing])
    assert first.files_quarantined == 1

    write_report("anning.txt", make_report(penalty=3567))
    second = load(fresh_database, [landing])
    assert second.files_loaded == 1
    write_report("anning.txt", make_report(penalty=3568))
    third = load(fresh_database, [landing])
    assert third.files_loaded == 1

    with psycopg.connect(fresh_database) as conn:
        # both versions stay, as history; choosing the latest is dbt's job
        assert conn.execute("select count(*) from raw.reports").fetchone() == (2,)
        resolved = conn.execute("select resolved_by_run_id from ops.quarantine").fetchone()
        assert resolved == (second.run_id,)
        assert open_quarantine(conn) == []


def test_a_record_the_database_refuses_is_quarantined_alone(
    fresh_database: str, write_report, landing: Path
) -> None:
    duplicate = make_report("丙县人民政府")
    duplicate.applications.append(
        duplicate.applications[0]
    )  # the same cell twice: refused before any row is sent
    write_report("a.txt", make_report("甲县人民政府"))
    write_report("b.txt", duplicate)
    write_report("c.txt", make_report("乙县人民政府"))

    result = load(fresh_database, [landing], batch_reports=10)

    assert (result.files_loaded, result.files_quarantined) == (2, 1)
    assert result.quarantined[0].error_code == "load_failed"
    assert result.quarantined[0].path.endswith("b.txt")
    assert scalar(fresh_database, "select count(*) from raw.reports") == 2
    assert scalar(fresh_database, "select count(*) from raw.documents") == 3


def test_small_batches_load_the_same(fresh_database: str, write_report, landing: Path) -> None:
    for i in range(7):
        write_report(f"r{i}.txt", make_report(f"第{i}县人民政府"))
    result = load(fresh_database, [landing], batch_reports=2)
    assert result.files_loaded == 7
    assert scalar(fresh_database, "select count(*) from raw.application_cells") == 21


def test_identical_bytes_under_two_names_load_once(fresh_database: str, write_report, landing: Path) -> None:
    write_report("a.txt")
    write_report("copy-of-a.txt")
    result = load(fresh_database, [landing])
    assert (result.files_loaded, result.files_skipped) == (1, 1)


def _insert_leftover_run(url: str, sha: str, content: bytes) -> int:
    """What a loader killed between two batches leaves: a running run with committed data."""
    with psycopg.connect(url) as conn:
        run_id = conn.execute(
            "insert into ops.load_runs (status, parser_version) values ('running', %s) returning run_id",
            (PARSER,),
        ).fetchone()[0]
        conn.execute(
            "insert into raw.documents (sha256, format, size_bytes, content, original_path, first_run_id) "
            "values (%s, 'text', %s, %s, 'x.txt', %s)",
            (sha, len(content), content, run_id),
        )
        report_id = conn.execute(
            "insert into raw.reports (sha256, run_id, parser_version, source_path, source_format, status, template) "
            "values (%s, %s, %s, 'x.txt', 'text', 'parsed', '2019') returning report_id",
            (sha, run_id, PARSER),
        ).fetchone()[0]
        conn.execute(
            "insert into raw.application_cells (report_id, row_code, applicant, value, raw) "
            "values (%s, 'granted', 'total', 1, '1')",
            (report_id,),
        )
        conn.execute(
            "insert into raw.documents (sha256, format, size_bytes, content, original_path, first_run_id) "
            "values ('orphan', 'text', 1, 'x', 'gone.txt', %s)",
            (run_id,),
        )
        conn.execute(
            "insert into ops.quarantine (run_id, path, sha256, error_code, reason) "
            "values (%s, 'gone.txt', 'orphan', 'x', 'gone.txt: x')",
            (run_id,),
        )
        conn.commit()
    return int(run_id)


def test_killed_run_is_aborted_cleaned_and_redone(fresh_database: str, write_report, landing: Path) -> None:
    path = write_report("a.txt")
    content = path.read_bytes()
    sha = hashlib.sha256(content).hexdigest()
    dead = _insert_leftover_run(fresh_database, sha, content)

    result = load(fresh_database, [landing])

    assert result.aborted_runs == [dead]
    # the dead run's report counted for nothing: the file is loaded again, not skipped
    assert (result.files_loaded, result.files_skipped) == (1, 0)
    with psycopg.connect(fresh_database) as conn:
        assert conn.execute("select status from ops.load_runs where run_id = %s", (dead,)).fetchone() == (
            "aborted",
        )
        assert conn.execute("select run_id from raw.reports").fetchall() == [(result.run_id,)]
        assert conn.execute("select count(*) from raw.application_cells").fetchone() == (3,)
        assert conn.execute("select count(*) from raw.documents where sha256 = 'orphan'").fetchone() == (0,)
        assert conn.execute("select count(*) from ops.quarantine").fetchone() == (0,)
        # the dead run's document went with it, and the new run stored it again
        assert conn.execute("select first_run_id from raw.documents").fetchall() == [(result.run_id,)]
        assert [r["status"] for r in last_runs(conn)] == ["completed", "aborted"]


def test_a_run_that_fails_removes_its_committed_batches(
    fresh_database: str, write_report, landing: Path
) -> None:
    for i in range(4):
        write_report(f"r{i}.txt", make_report(f"第{i}县人民政府"))

    def failing_parse(data: bytes, path: str) -> Report:
        if path.endswith("r3.txt"):
            raise RuntimeError("parser exploded")
        return json_parse(data, path)

    with pytest.raises(RuntimeError, match="parser exploded"):
        load(fresh_database, [landing], parser=Parser(PARSER, failing_parse), batch_reports=1)
    with psycopg.connect(fresh_database) as conn:
        assert conn.execute("select status, error from ops.load_runs").fetchone() == (
            "failed",
            "RuntimeError: parser exploded",
        )
        assert conn.execute("select count(*) from raw.reports").fetchone() == (0,)
        assert conn.execute("select count(*) from raw.documents").fetchone() == (0,)

    result = load(fresh_database, [landing])
    assert result.files_loaded == 4


def test_lock_held_by_another_connection_raises_locked(
    fresh_database: str, write_report, landing: Path
) -> None:
    write_report("a.txt")
    with psycopg.connect(fresh_database, autocommit=True) as other:
        other.execute("select pg_advisory_lock(%s)", (LOCK_KEY,))
        with pytest.raises(LockedError, match="another nianbao run holds the writer lock"):
            load(fresh_database, [landing])
        started = time.monotonic()
        with pytest.raises(LockedError):
            load(fresh_database, [landing], wait_seconds=1.2)
        assert time.monotonic() - started >= 1.0
    # nothing was written by the refused runs, and the lock is free again
    assert scalar(fresh_database, "select count(*) from ops.load_runs") == 0
    assert load(fresh_database, [landing]).files_loaded == 1


def test_two_runs_started_together_load_each_file_once(
    fresh_database: str, write_report, landing: Path
) -> None:
    for i in range(6):
        write_report(f"r{i}.txt", make_report(f"第{i}县人民政府"))

    def slow_parse(data: bytes, path: str) -> Report:
        time.sleep(0.05)
        return json_parse(data, path)

    results: list[object] = []

    def one_run() -> None:
        try:
            results.append(
                load(fresh_database, [landing], parser=Parser(PARSER, slow_parse), wait_seconds=60)
            )
        except Exception as exc:  # surfaced by the assertion below
            results.append(exc)

    threads = [threading.Thread(target=one_run) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)

    assert sorted((r.files_loaded, r.files_skipped) for r in results) == [(0, 6), (6, 0)], results
    assert scalar(fresh_database, "select count(*) from raw.reports") == 6


KILLABLE = textwrap.dedent(
    """
    import sys, time
    from pathlib import Path
    from etl.run import Files, Parser, Settings, discover_files
    from etl.run import load as run_load
    from etl.record import Report

    def slow_parse(data, path):
        time.sleep(0.3)
        report = Report.from_json(data.decode())
        report.source.path = path
        return report

    run_load(sys.argv[1], Files(discover_files([Path(sys.argv[2])])), Settings(parser=Parser("test-1", slow_parse), batch_reports=1))
    """
)


@pytest.mark.slow
def test_sigkill_mid_load_then_next_run_completes(fresh_database: str, write_report, landing: Path) -> None:
    for i in range(12):
        write_report(f"r{i:02}.txt", make_report(f"第{i}县人民政府"))
    proc = subprocess.Popen(
        [sys.executable, "-c", KILLABLE, fresh_database, str(landing)],
        cwd=REPO,
    )
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if (scalar(fresh_database, "select count(*) from raw.reports") or 0) >= 3:
                break
            assert proc.poll() is None, "the loader ended before it could be killed"
            time.sleep(0.05)
        else:
            pytest.fail("the loader loaded nothing within 60 s")
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=10)
    finally:
        if proc.poll() is None:
            proc.kill()

    assert scalar(fresh_database, "select status from ops.load_runs order by run_id limit 1") == "running"
    result = load(fresh_database, [landing])
    assert result.files_loaded == 12 and result.aborted_runs
    with psycopg.connect(fresh_database) as conn:
        assert conn.execute("select count(distinct run_id), count(*) from raw.reports").fetchone() == (1, 12)
        assert conn.execute("select count(*) from raw.application_cells").fetchone() == (36,)


def test_discover_files_skips_hidden_and_manifests(tmp_path: Path) -> None:
    for name in [
        "b.txt",
        "a.html",
        ".hidden.txt",
        "manifest.csv",
        "Manifest.jsonl",
        "~$draft.docx",
        "sub/c.pdf",
    ]:
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text("x")
    (tmp_path / ".git").mkdir()
    (tmp_path / ".git" / "x.txt").write_text("x")
    explicit = tmp_path / ".hidden.txt"

    found = discover_files([tmp_path, explicit, tmp_path / "b.txt"])

    assert [p.relative_to(tmp_path).as_posix() for p in found] == [
        "a.html",
        "b.txt",
        "sub/c.pdf",
        ".hidden.txt",
    ]
    with pytest.raises(FileNotFoundError):
        discover_files([tmp_path / "missing"])


def test_sample_files_are_the_bundled_reports() -> None:
    names = [p.name for p in sample_files()]
    assert "README.md" not in names
    assert "002_0494dfef68de25df.txt" in names and "huaian-city-2024.pdf" in names


def test_samples_end_to_end(fresh_database: str) -> None:
    """The real pipeline on the shipped samples: needs the extractors and the parser."""
    result = run_load(fresh_database, Files(discover_files(sample_files())))
    quarantined = {Path(q.path).name: q.reason for q in result.quarantined}
    for name in [f"00{i}" for i in range(5)]:
        assert not any(k.startswith(name) for k in quarantined), quarantined
    with psycopg.connect(fresh_database) as conn:
        granted = conn.execute(
            "select c.value from raw.application_cells c join raw.reports r using (report_id) "
            "where r.agency_name = '安宁市人民政府' and r.report_year = 2020 "
            "and c.row_code = 'granted' and c.applicant = 'natural_person'"
        ).fetchone()
        assert granted == (Decimal(2),)
        penalty = conn.execute(
            "select c.value from raw.active_disclosure_cells c join raw.reports r using (report_id) "
            "where r.agency_name = '安宁市人民政府' and c.item = 'penalty' and c.measure = 'decisions'"
        ).fetchone()
        assert penalty == (Decimal(3567),)
