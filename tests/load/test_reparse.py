"""``nianbao reparse``: stored documents parsed again, as a crash-safe run, without the files."""

from __future__ import annotations

from pathlib import Path

import psycopg
import pytest
from handmade import PARSER, json_parse, make_report, rejected_report

from etl.load import documents_to_reparse
from etl.load.store import version_key
from etl.record import Report
from etl.run import (
    Files,
    Parser,
    Settings,
    Stored,
    discover_files,
)
from etl.run import (
    load as run_load,
)


def test_version_key_orders_numerically() -> None:
    assert version_key("0.10.2") > version_key("0.9.0")
    assert version_key("1.0.0") < version_key("1.0.1") < version_key("1.1")
    assert version_key("test-2") > version_key("test-1")


def _rows(url: str) -> list[tuple]:
    with psycopg.connect(url) as conn:
        return conn.execute(
            "select r.source_path, r.parser_version, l.status from raw.reports r "
            "join ops.load_runs l using (run_id) order by r.report_id"
        ).fetchall()


def test_reparse_reads_stored_bytes_of_older_parses_only(
    fresh_database: str, write_report, landing: Path
) -> None:
    write_report("a.txt", make_report("甲县人民政府"))
    write_report("b.txt", make_report("乙县人民政府"))
    run_load(fresh_database, Files(discover_files([landing])), Settings(parser=Parser("test-1", json_parse)))
    write_report("c.txt", make_report("丙县人民政府"))
    run_load(fresh_database, Files(discover_files([landing])), Settings(parser=Parser("test-2", json_parse)))
    for f in landing.iterdir():
        f.unlink()  # the crawler rotated the files away: the stored bytes are enough

    with psycopg.connect(fresh_database) as conn:
        assert len(documents_to_reparse(conn, "test-2")) == 0  # test-2 read a and b again already
        assert len(documents_to_reparse(conn, "test-3")) == 3
        assert len(documents_to_reparse(conn, "test-1")) == 0  # never go back to an older parser
        assert len(documents_to_reparse(conn, "test-1", everything=True)) == 3

    seen: list[tuple[str, str]] = []
    result = run_load(
        fresh_database,
        Stored(),
        Settings(parser=Parser("test-3", json_parse), batch_reports=2),
        on_file=lambda path, outcome: seen.append((Path(path).name, outcome)),
    )

    assert (result.kind, result.status, result.files_seen, result.files_loaded) == (
        "reparse",
        "completed",
        3,
        3,
    )
    assert sorted(seen) == [("a.txt", "parsed"), ("b.txt", "parsed"), ("c.txt", "parsed")]
    assert [r[1] for r in _rows(fresh_database)].count("test-3") == 3
    with psycopg.connect(fresh_database) as conn:
        assert conn.execute("select command from ops.load_runs order by run_id desc").fetchone() == (
            "nianbao reparse",
        )
        # nothing left to do for this version; the documents were not stored twice
        assert documents_to_reparse(conn, "test-3") == []
        assert conn.execute("select count(*) from raw.documents").fetchone() == (3,)
    again = run_load(fresh_database, Stored(), Settings(parser=Parser("test-3", json_parse)))
    assert (again.files_seen, again.files_loaded) == (0, 0)


def test_reparse_all_writes_a_new_parse_beside_the_same_versions_old_one(
    fresh_database: str, write_report, landing: Path
) -> None:
    write_report("a.txt")
    run_load(fresh_database, Files(discover_files([landing])), Settings(parser=Parser(PARSER, json_parse)))

    result = run_load(fresh_database, Stored(everything=True), Settings(parser=Parser(PARSER, json_parse)))

    assert result.files_loaded == 1
    rows = _rows(fresh_database)
    assert [r[1] for r in rows] == [PARSER, PARSER]
    with psycopg.connect(fresh_database) as conn:
        runs = [r[0] for r in conn.execute("select run_id from raw.reports order by report_id")]
    assert runs[-1] == result.run_id and runs[0] != result.run_id


def test_a_document_the_new_parser_rejects_is_quarantined_and_keeps_its_old_parse(
    fresh_database: str, write_report, landing: Path
) -> None:
    write_report("a.txt", make_report("甲县人民政府"))
    run_load(fresh_database, Files(discover_files([landing])), Settings(parser=Parser("test-1", json_parse)))

    def stricter(data: bytes, path: str) -> Report:
        report = rejected_report("not_a_report", "the new parser finds no tables")
        report.source.path = path
        return report

    result = run_load(fresh_database, Stored(), Settings(parser=Parser("test-2", stricter)))

    assert (result.files_loaded, result.files_quarantined, result.status) == (
        0,
        1,
        "completed_with_quarantine",
    )
    assert [r[1] for r in _rows(fresh_database)] == ["test-1"]
    with psycopg.connect(fresh_database) as conn:
        # handled by test-2 (its rejection is recorded): not due again for test-2
        assert documents_to_reparse(conn, "test-2") == []
        reason = conn.execute("select reason from ops.quarantine").fetchone()[0]
    assert "a.txt" in reason and "no tables" in reason


def test_a_failed_reparse_leaves_the_old_parses_and_is_redone(
    fresh_database: str, write_report, landing: Path
) -> None:
    for i in range(4):
        write_report(f"r{i}.txt", make_report(f"第{i}县人民政府"))
    run_load(fresh_database, Files(discover_files([landing])), Settings(parser=Parser("test-1", json_parse)))

    def exploding(data: bytes, path: str) -> Report:
        if path.endswith("r3.txt"):
            raise RuntimeError("parser exploded")
        return json_parse(data, path)

    with pytest.raises(RuntimeError, match="parser exploded"):
        run_load(fresh_database, Stored(), Settings(parser=Parser("test-2", exploding), batch_reports=1))
    # its committed batches were removed: every document still has exactly its test-1 parse
    assert [r[1] for r in _rows(fresh_database)] == ["test-1"] * 4

    result = run_load(fresh_database, Stored(), Settings(parser=Parser("test-2", json_parse)))
    assert result.files_loaded == 4
    assert sorted(r[1] for r in _rows(fresh_database)) == ["test-1"] * 4 + ["test-2"] * 4
