"""What a landing folder may hold besides reports, and what one file may cost: no entry stops a night.

Each case puts one hostile entry beside a good report and checks three
things: the run finishes, the entry is quarantined (or skipped) with a true
reason that names it, and the good report is loaded. Limits are tested by
setting them small (``Limits``), never by timing.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import psycopg
import pytest
from handmade import PARSER, deaf_parse, greedy_parse, json_parse, make_report, spinning_parse

from etl.run import Files, Limits, Parser, Settings, discover_files
from etl.run import load as run_load
from etl.run.files import VANISHED, read_file

REPO = Path(__file__).resolve().parents[2]


def load(url: str, landing: Path, **settings: object):  # type: ignore[no-untyped-def]
    settings.setdefault("parser", Parser(PARSER, json_parse))
    return run_load(url, Files(discover_files([landing])), Settings(**settings))  # type: ignore[arg-type]


def stored_paths(url: str) -> list[str]:
    with psycopg.connect(url) as conn:
        return sorted(r[0] for r in conn.execute("select original_path from raw.documents"))


@pytest.fixture()
def good(write_report) -> Path:  # type: ignore[no-untyped-def]
    return write_report("good.txt", make_report("甲县人民政府"))


def test_a_name_that_is_not_utf8_loads_under_its_escaped_bytes(
    fresh_database: str, landing: Path, good: Path
) -> None:
    gbk = os.fsdecode(bytes(landing) + b"/" + "年报".encode("gbk") + b".txt")
    Path(gbk).write_text(make_report("乙县人民政府").to_json(), encoding="utf-8")

    result = load(fresh_database, landing)

    assert (result.status, result.files_loaded, result.files_quarantined) == ("completed", 2, 0)
    names = stored_paths(fresh_database)
    assert str(good) in names
    # the bytes that are not UTF-8 escaped (c4), the rest as UTF-8 reads them: the same every night
    escaped = "年报".encode("gbk").decode("utf-8", "backslashreplace") + ".txt"
    assert escaped.startswith("\\xc4")
    assert str(landing / escaped) in names, names


def test_a_fifo_is_refused_unopened(fresh_database: str, landing: Path, good: Path) -> None:
    os.mkfifo(landing / "pipe.txt")

    result = load(fresh_database, landing)

    assert result.files_loaded == 1
    [q] = result.quarantined
    assert (Path(q.path).name, q.error_code) == ("pipe.txt", "not_a_file")
    assert "pipe.txt" in q.reason


def test_links_are_followed_only_inside_the_folder(
    fresh_database: str, landing: Path, good: Path, tmp_path: Path
) -> None:
    outside = tmp_path / "outside.txt"
    outside.write_text(make_report("丙县人民政府").to_json(), encoding="utf-8")
    (landing / "to-outside.txt").symlink_to(outside)
    (landing / "to-zero.txt").symlink_to("/dev/zero")
    (landing / "to-good.txt").symlink_to(good)  # the same file twice: loaded once
    (landing / "dangling.txt").symlink_to(landing / "nothing-here.txt")
    (landing / "loop-a.txt").symlink_to(landing / "loop-b.txt")
    (landing / "loop-b.txt").symlink_to(landing / "loop-a.txt")

    result = load(fresh_database, landing)

    assert result.status == "completed_with_quarantine"
    codes = {Path(q.path).name: q.error_code for q in result.quarantined}
    assert codes == {
        "to-outside.txt": "link_outside",
        "to-zero.txt": "link_outside",
        "dangling.txt": "broken_link",
        "loop-a.txt": "broken_link",
        "loop-b.txt": "broken_link",
    }
    assert stored_paths(fresh_database) == [str(good)]


def test_a_file_that_vanished_is_skipped_with_a_reason(
    fresh_database: str, landing: Path, good: Path, caplog
) -> None:  # type: ignore[no-untyped-def]
    assert read_file(landing / "gone.txt")[1] == VANISHED
    result = run_load(
        fresh_database,
        Files([good, landing / "gone.txt"]),
        Settings(parser=Parser(PARSER, json_parse)),
    )
    assert (result.files_loaded, result.files_skipped, result.files_quarantined) == (1, 1, 0)
    assert any("gone.txt: removed before it could be read" in r.getMessage() for r in caplog.records)


def test_the_size_limit_counts_bytes_read_not_what_stat_says(landing: Path) -> None:
    data, code, reason = read_file(Path("/dev/zero"), max_bytes=1000)
    assert (data, code) == (None, "not_a_file")
    grown = landing / "grown.txt"
    grown.write_bytes(b"x" * 1001)
    assert read_file(grown, max_bytes=1000)[1] == "too_large"
    assert read_file(grown, max_bytes=1001)[0] == b"x" * 1001


def good_files_to_start_the_pool(write_report) -> None:  # type: ignore[no-untyped-def]
    """17 good reports: more than MIN_PARALLEL, so a load with workers parses in the pool."""
    for i in range(17):
        write_report(f"good-{i:02}.txt", make_report(f"{i}号县人民政府"))


@pytest.mark.parametrize("workers", [1, 2])
def test_a_parse_over_its_time_limit_is_quarantined_and_the_night_goes_on(
    fresh_database: str, write_report, landing: Path, workers: int
) -> None:  # type: ignore[no-untyped-def]
    # 17 good files start the pool (MIN_PARALLEL) when there are workers
    good_files_to_start_the_pool(write_report)
    write_report("spin.txt", raw=b"SPIN")

    result = load(
        fresh_database,
        landing,
        parser=Parser(PARSER, spinning_parse),
        workers=workers,
        limits=Limits(parse_seconds=0.5),
    )

    assert (result.files_loaded, result.files_quarantined) == (17, 1)
    [q] = result.quarantined
    assert (Path(q.path).name, q.error_code) == ("spin.txt", "parse_timeout")
    assert "0.5 s" in q.reason


def test_a_parse_deaf_to_its_alarm_is_killed(fresh_database: str, write_report, landing: Path) -> None:  # type: ignore[no-untyped-def]
    good_files_to_start_the_pool(write_report)
    write_report("spin.txt", raw=b"SPIN")

    result = load(
        fresh_database,
        landing,
        parser=Parser(PARSER, deaf_parse),
        workers=2,
        limits=Limits(parse_seconds=0.5),
    )

    assert (result.files_loaded, result.files_quarantined) == (17, 1)
    assert result.quarantined[0].error_code == "parse_timeout"


def test_a_parse_over_its_memory_limit_is_quarantined(
    fresh_database: str, write_report, landing: Path
) -> None:  # type: ignore[no-untyped-def]
    good_files_to_start_the_pool(write_report)
    write_report("greedy.txt", raw=b"GREEDY")

    result = load(
        fresh_database,
        landing,
        parser=Parser(PARSER, greedy_parse),
        workers=2,
        limits=Limits(parse_memory_mb=1024),
    )

    assert (result.files_loaded, result.files_quarantined) == (17, 1)
    assert result.quarantined[0].error_code == "parse_memory"


KILLED_RUN = textwrap.dedent(
    """
    import sys
    from handmade import sleepy_parse
    from etl.run.pool import Job, parse_in_order
    jobs = [Job(i, b"{}", f"f{i}") for i in range(20)]
    for _ in parse_in_order(jobs, parse=sleepy_parse, workers=2):
        pass
    """
)


def _descendants(pid: int) -> set[int]:
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            children.setdefault(ppid, []).append(int(entry.name))
    found: set[int] = set()
    todo = [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            if child not in found:
                found.add(child)
                todo.append(child)
    return found


def _alive(pid: int) -> bool:
    try:
        state = (Path("/proc") / str(pid) / "stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


@pytest.mark.skipif(not Path("/proc").exists(), reason="reads the process tree from /proc")
def test_parser_processes_die_with_the_run() -> None:
    """A run killed with SIGKILL while its workers parse leaves no process behind."""
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(REPO), str(REPO / "tests" / "load")])}
    run = subprocess.Popen([sys.executable, "-c", KILLED_RUN], env=env, cwd=REPO)
    try:
        deadline = time.monotonic() + 60
        family: set[int] = set()
        while time.monotonic() < deadline:  # the forkserver, its two workers, a resource tracker
            family = _descendants(run.pid)
            if len(family) >= 3:
                break
            time.sleep(0.2)
        assert len(family) >= 3, family
    finally:
        run.send_signal(signal.SIGKILL)
        run.wait()
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and any(_alive(p) for p in family):
        time.sleep(0.2)
    assert [p for p in family if _alive(p)] == []
