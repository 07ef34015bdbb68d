"""``nianbao quarantine retry``: quarantined files parsed again, as a run of their own."""

from __future__ import annotations

import os
from pathlib import Path

import psycopg
import pytest
from handmade import PARSER, json_parse, make_report, rejected_report

from etl.load import open_quarantine
from etl.record import Report
from etl.run import (
    Files,
    Limits,
    Parser,
    Quarantined,
    Settings,
    discover_files,
)
from etl.run import (
    load as run_load,
)


def _open(url: str) -> list[str]:
    with psycopg.connect(url) as conn:
        return sorted(Path(q["path"]).name for q in open_quarantine(conn))


def test_retry_loads_what_a_better_parser_reads_and_requarantines_the_rest(
    fresh_database: str, write_report, landing: Path
) -> None:
    write_report("good.txt", make_report("甲县人民政府"))
    fixable = write_report("fixable.txt", raw=b"FIXABLE")
    write_report("hopeless.txt", raw=b"\x00\x01 garbage")
    first = run_load(
        fresh_database, Files(discover_files([landing])), Settings(parser=Parser(PARSER, json_parse))
    )
    assert first.files_quarantined == 2
    fixable.unlink()  # retried from the stored bytes, not the file

    def better(data: bytes, path: str) -> Report:
        if data == b"FIXABLE":
            report = make_report("乙县人民政府")
            report.source.path = path
            return report
        return json_parse(data, path)

    seen: list[str] = []
    result = run_load(
        fresh_database,
        Quarantined(),
        Settings(parser=Parser(PARSER, better)),
        on_file=lambda path, outcome: seen.append(f"{Path(path).name}:{outcome}"),
    )

    assert (result.kind, result.files_seen, result.files_loaded, result.files_quarantined) == (
        "retry",
        2,
        1,
        1,
    )
    assert sorted(seen) == ["fixable.txt:parsed", "hopeless.txt:rejected"]
    assert _open(fresh_database) == ["hopeless.txt"]
    with psycopg.connect(fresh_database) as conn:
        resolved = conn.execute(
            "select path, resolved_by_run_id from ops.quarantine where resolved_at is not null"
        ).fetchall()
        assert [(Path(p).name, r) for p, r in resolved] == [("fixable.txt", result.run_id)]
        agencies = {r[0] for r in conn.execute("select agency_name from raw.reports")}
        assert agencies == {"甲县人民政府", "乙县人民政府"}
        assert conn.execute("select count(*) from raw.documents").fetchone() == (3,)


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads files whatever their permissions")
def test_retry_reads_an_unreadable_file_again_from_its_path(
    fresh_database: str, write_report, landing: Path
) -> None:
    locked = write_report("locked.txt", make_report("丙县人民政府"))
    locked.chmod(0)
    first = run_load(
        fresh_database, Files(discover_files([landing])), Settings(parser=Parser(PARSER, json_parse))
    )
    assert first.quarantined[0].error_code == "unreadable"
    locked.chmod(0o644)
    assert (
        run_load(fresh_database, Quarantined(), Settings(parser=Parser(PARSER, json_parse))).files_loaded == 1
    )
    assert _open(fresh_database) == []


def test_retry_reads_a_too_large_file_again_from_its_path(
    fresh_database: str, write_report, landing: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A file quarantined with no bytes stored is read from where it was, if it still is."""
    big = write_report("big.txt", make_report("丁县人民政府"))
    gone = write_report("gone.txt", make_report("戊县人民政府"))
    small = Settings(parser=Parser(PARSER, json_parse), limits=Limits(max_file_bytes=10))
    first = run_load(fresh_database, Files(discover_files([landing])), small)
    assert {q.error_code for q in first.quarantined} == {"too_large"}
    assert "more than the 10 bytes" in first.quarantined[0].reason
    # the next night, with the same limit: the same files are not quarantined (nor exit 3) again
    again = run_load(fresh_database, Files(discover_files([landing])), small)
    assert (again.files_quarantined, again.skipped_in_quarantine) == (0, 2)
    gone.unlink()

    result = run_load(fresh_database, Quarantined(), Settings(parser=Parser(PARSER, json_parse)))

    assert (result.files_loaded, result.files_skipped, result.skipped_in_quarantine) == (1, 1, 1)
    assert _open(fresh_database) == ["gone.txt"]
    with psycopg.connect(fresh_database) as conn:
        assert conn.execute("select original_path from raw.documents").fetchall() == [(str(big),)]


def test_retry_of_an_empty_quarantine_is_a_quiet_run(fresh_database: str) -> None:
    result = run_load(fresh_database, Quarantined(), Settings(parser=Parser(PARSER, json_parse)))
    assert (result.status, result.files_seen, result.files_loaded) == ("completed", 0, 0)


def test_rejected_again_stays_listed_once_with_todays_reason(
    fresh_database: str, write_report, landing: Path
) -> None:
    write_report("bad.txt", rejected_report("not_a_report", "old reason"))
    run_load(fresh_database, Files(discover_files([landing])), Settings(parser=Parser(PARSER, json_parse)))

    def newer(data: bytes, path: str) -> Report:
        report = rejected_report("no_tables", "new reason")
        report.source.path = path
        return report

    run_load(fresh_database, Quarantined(), Settings(parser=Parser(PARSER, newer)))
    with psycopg.connect(fresh_database) as conn:
        entries = open_quarantine(conn)
    assert len(entries) == 1 and entries[0]["error_code"] == "no_tables"
