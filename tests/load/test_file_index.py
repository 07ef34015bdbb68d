"""A night opens only the files that changed: ops.file_index (path, size, mtime) before any read."""

from __future__ import annotations

import os
from pathlib import Path

import psycopg
import pytest
from handmade import PARSER, json_parse, make_report

import etl.run.sources
from etl.run import Files, Parser, Settings, discover_files
from etl.run import load as run_load


@pytest.fixture()
def reads(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The names of the files the run opened (the real read_file, counted)."""
    opened: list[str] = []
    real = etl.run.sources.read_file

    def counted(path, *args, **kwargs):  # type: ignore[no-untyped-def]
        opened.append(Path(path).name)
        return real(path, *args, **kwargs)

    monkeypatch.setattr(etl.run.sources, "read_file", counted)
    return opened


def load(url: str, landing: Path, **settings: object):  # type: ignore[no-untyped-def]
    return run_load(
        url,
        Files(discover_files([landing])),
        Settings(parser=Parser(PARSER, json_parse), **settings),  # type: ignore[arg-type]
    )


def test_a_quiet_night_opens_no_file(
    fresh_database: str, write_report, landing: Path, reads: list[str]
) -> None:  # type: ignore[no-untyped-def]
    for i in range(5):
        write_report(f"r{i}.txt", make_report(f"{i}号县人民政府"))
    write_report("bad.txt", raw=b"not a report")
    first = load(fresh_database, landing)
    assert (first.files_loaded, first.files_quarantined, len(reads)) == (5, 1, 6)

    reads.clear()
    second = load(fresh_database, landing)

    assert reads == []  # the five loaded and the one quarantined: as they were, none opened
    assert (second.files_skipped, second.files_unopened, second.files_loaded) == (6, 6, 0)
    with psycopg.connect(fresh_database) as conn:
        assert conn.execute("select count(*) from ops.file_index").fetchone() == (6,)


def test_a_changed_file_is_read_and_loaded(
    fresh_database: str, write_report, landing: Path, reads: list[str]
) -> None:  # type: ignore[no-untyped-def]
    path = write_report("r.txt", make_report("甲县人民政府", granted=2))
    load(fresh_database, landing)
    write_report("r.txt", make_report("甲县人民政府", granted=3))  # new bytes, new size or time
    os.utime(path, ns=(path.stat().st_atime_ns, path.stat().st_mtime_ns + 1_000_000_000))

    reads.clear()
    result = load(fresh_database, landing)

    assert reads == ["r.txt"] and result.files_loaded == 1


def test_a_file_rewritten_with_its_size_and_time_kept_needs_rehash(
    fresh_database: str, write_report, landing: Path, reads: list[str]
) -> None:  # type: ignore[no-untyped-def]
    """The index cannot see this (a restore that keeps times): --rehash reads every file."""
    path = write_report("r.txt", make_report("甲县人民政府", granted=2))
    load(fresh_database, landing)
    before = path.stat()
    path.write_bytes(path.read_bytes().replace(b'"value": 2', b'"value": 7', 1))
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert path.stat().st_size == before.st_size

    assert load(fresh_database, landing).files_loaded == 0
    reads.clear()
    result = load(fresh_database, landing, rehash=True)
    assert reads == ["r.txt"] and result.files_loaded == 1
