"""A real landing folder, the real pipeline: bad files among good ones, and two schedules at once."""

from __future__ import annotations

import json
import random
import time
from pathlib import Path

import psycopg
import pytest
from nightly import BATCH, corpus, scalar, start_nianbao, write_corpus

from bench.synthetic import EXACT_LAYOUTS, generate_corpus, render_docx, render_pdf
from etl.run import (
    Files,
    Settings,
    discover_files,
)
from etl.run import (
    load as run_load,
)


def test_bad_files_are_quarantined_with_reasons_and_every_good_one_loads(
    empty_warehouse: str, tmp_path: Path
) -> None:
    landing = tmp_path / "landing"
    good = list(
        generate_corpus(
            # seed 2 draws all four formats from this layout pool
            8,
            2,
            formats={"text": 0.4, "html": 0.2, "docx": 0.2, "pdf": 0.2},
            layouts=EXACT_LAYOUTS,
        )
    )
    good_paths = {}
    for n, item in enumerate(good):
        path = landing / "good" / f"{n:02d}.{ {'text': 'txt'}.get(item.format, item.format) }"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(item.content if isinstance(item.content, bytes) else item.content.encode("utf-8"))
        good_paths[str(path)] = item.record
    assert {i.format for i in good} >= {"text", "pdf", "docx", "html"}

    template = good[0].record
    text = next(i.content for i in good if i.format == "text")
    pdf, docx = render_pdf(template, random.Random(1)), render_docx(template, random.Random(1))
    bad_files = {
        "garbage.pdf": (random.Random(3).randbytes(4096), "binary"),
        "empty.txt": (b"", "empty"),
        "truncated.pdf": (pdf[: len(pdf) // 3], "corrupt"),
        "truncated.docx": (docx[: len(docx) // 2], "corrupt"),
        # UTF-8 read as Latin-1 and saved again: the classic mojibake
        "wrongly-encoded.txt": (text.encode("utf-8").decode("latin-1").encode("utf-8"), "not_a_report"),
    }
    for name, (data, _) in bad_files.items():
        (landing / "bad" / name).parent.mkdir(parents=True, exist_ok=True)
        (landing / "bad" / name).write_bytes(data)

    result = run_load(empty_warehouse, Files(discover_files([landing])), Settings(batch_reports=BATCH))

    assert (result.files_seen, result.files_loaded, result.files_quarantined) == (13, 8, 5)
    assert result.status == "completed_with_quarantine"
    by_name = {Path(q.path).name: q for q in result.quarantined}
    assert set(by_name) == set(bad_files)
    for name, (_, code) in bad_files.items():
        q = by_name[name]
        assert q.error_code == code, (name, q.reason)
        assert name in q.reason and len(q.reason) > len(q.path) + 20  # a reason, not just a code
    with psycopg.connect(empty_warehouse) as conn:
        loaded = dict(conn.execute("select source_path, agency_name from raw.reports").fetchall())
        stored = conn.execute(
            "select count(*) from ops.quarantine q join raw.documents d using (sha256)"
        ).fetchone()
    assert loaded == {path: record.agency.name for path, record in good_paths.items()}
    assert stored == (5,)  # the bad files' bytes are kept for `nianbao quarantine retry`


@pytest.mark.slow
def test_two_runs_started_together_load_each_file_once(empty_warehouse: str, tmp_path: Path) -> None:
    landing = tmp_path / "landing"
    files = write_corpus(landing, corpus(12, seed=7))

    procs = [
        start_nianbao(
            ["run", str(landing), "--no-dbt", "--wait", "120", "--batch-size", "2", "--log-format", "json"],
            empty_warehouse,
            tmp_path / f"home{i}",
        )
        for i in range(2)
    ]
    outcomes = []
    for proc in procs:
        stdout, stderr = proc.communicate(timeout=300)
        assert proc.returncode == 0, stderr
        outcomes.append(json.loads(stdout))

    assert sorted((o["files_loaded"], o["files_skipped"]) for o in outcomes) == [
        (0, len(files)),
        (len(files), 0),
    ]
    assert scalar(empty_warehouse, "select count(*) from raw.reports") == len(files)
    assert scalar(empty_warehouse, "select count(distinct sha256) from raw.reports") == len(files)
    with psycopg.connect(empty_warehouse) as conn:
        runs = conn.execute("select started_at, finished_at from ops.load_runs order by run_id").fetchall()
    # one after the other: the second started its run only once the first had finished
    assert len(runs) == 2 and runs[1][0] >= runs[0][1]


def test_wait_gives_up_with_exit_code_4_and_says_who_holds_the_lock(
    empty_warehouse: str, tmp_path: Path
) -> None:
    from etl.load.runs import LOCK_KEY

    landing = tmp_path / "landing"
    write_corpus(landing, corpus(2, seed=7))
    with psycopg.connect(empty_warehouse, autocommit=True) as other:
        other.execute("select pg_advisory_lock(%s)", (LOCK_KEY,))
        other.execute(
            "insert into ops.load_runs (status, command, parser_version) values ('running', 'nianbao run /srv/x', '1')"
        )
        started = time.monotonic()
        proc = start_nianbao(
            ["run", str(landing), "--no-dbt", "--wait", "2"], empty_warehouse, tmp_path / "home"
        )
        stdout, stderr = proc.communicate(timeout=120)
        waited = time.monotonic() - started

    assert proc.returncode == 4, stderr
    assert waited >= 2
    message = " ".join(stderr.split())
    assert "another nianbao run holds the writer lock" in message
    assert "nianbao run /srv/x" in message and "waited 2 s" in message and "nothing was loaded" in message
    assert scalar(empty_warehouse, "select count(*) from raw.reports") == 0
