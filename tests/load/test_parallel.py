"""Parallel parsing: the same records as in-line, in file order; a crashing parser costs one file."""

from __future__ import annotations

import os
import random
import signal
from pathlib import Path

import psycopg
import pytest

from bench.synthetic import EXACT_LAYOUTS, generate_report, random_template_year, render_text
from etl.pipeline import parse_bytes
from etl.run import (
    Files,
    Settings,
    discover_files,
)
from etl.run import (
    load as run_load,
)
from etl.run.pool import MIN_PARALLEL, Job, default_workers, parse_in_order

FILES = MIN_PARALLEL + 9


def killing_parse(data: bytes, path: str):  # noqa: ANN201 - a parse function, pickled by name
    """The real parser, except that a file named ``*crash*`` kills its process, like a segfault."""
    if "crash" in path:
        os.kill(os.getpid(), signal.SIGKILL)
    return parse_bytes(data, path)


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    """Synthetic reports in every exact text layout, more than enough to start the pool."""
    folder = tmp_path_factory.mktemp("parallel")
    rng = random.Random(20261203)
    paths = []
    for i in range(FILES):
        template, year = random_template_year(rng)
        record = generate_report(rng, template=template, year=year)
        layout = EXACT_LAYOUTS[i % len(EXACT_LAYOUTS)]
        path = folder / f"{i:03d}.txt"
        path.write_text(render_text(record, layout, rng), encoding="utf-8")
        paths.append(path)
    return paths


def _jobs(paths: list[Path], skip_every: int = 0) -> list[Job[str]]:
    return [
        Job(p.name) if skip_every and i % skip_every == 0 else Job(p.name, p.read_bytes(), str(p))
        for i, p in enumerate(paths)
    ]


def test_the_pool_gives_the_in_line_records_in_file_order(corpus: list[Path]) -> None:
    in_line = [(j.item, r.to_json() if r else None) for j, r in parse_in_order(_jobs(corpus, 4), workers=1)]
    pooled = [(j.item, r.to_json() if r else None) for j, r in parse_in_order(_jobs(corpus, 4), workers=2)]
    assert [name for name, _ in pooled] == [p.name for p in corpus]
    assert pooled == in_line
    # jobs without data pass through untouched, the others all parsed
    assert sum(r is None for _, r in pooled) == len(range(0, FILES, 4))
    assert all(r is not None and '"status": "rejected"' not in r for _, r in pooled[1:4])


def test_a_parser_that_kills_its_process_costs_only_its_file(corpus: list[Path], tmp_path: Path) -> None:
    crash = tmp_path / "crash.txt"
    crash.write_bytes(corpus[0].read_bytes())
    paths = [*corpus[:10], crash, *corpus[10:]]
    jobs = [Job(p.name, p.read_bytes(), str(p)) for p in paths]

    out = list(parse_in_order(jobs, parse=killing_parse, workers=2))

    assert [j.item for j, _ in out] == [p.name for p in paths]
    by_name = {j.item: r for j, r in out}
    dead = by_name["crash.txt"]
    assert dead is not None and dead.status == "rejected"
    assert dead.errors[0].code == "parser_crashed" and str(crash) in dead.errors[0].message
    expected = {p.name: parse_bytes(p.read_bytes(), str(p)).to_json() for p in corpus}
    assert {n: r.to_json() for n, r in by_name.items() if n != "crash.txt" and r} == expected


def test_a_small_load_does_not_start_the_pool(corpus: list[Path], monkeypatch: pytest.MonkeyPatch) -> None:
    import etl.run.pool as parallel

    def no_pool(workers: int) -> None:
        raise AssertionError("a pool was started for a few files")

    monkeypatch.setattr(parallel, "_pool", no_pool)
    few = _jobs(corpus[: MIN_PARALLEL - 1])
    assert all(r is not None for _, r in parse_in_order(few, workers=2))


def test_workers_setting(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NIANBAO_WORKERS", "3")
    assert default_workers() == 3
    monkeypatch.setenv("NIANBAO_WORKERS", "many")
    with pytest.raises(ValueError, match="NIANBAO_WORKERS"):
        default_workers()
    monkeypatch.delenv("NIANBAO_WORKERS")
    assert default_workers() >= 1


def _cells(url: str) -> list[tuple]:
    with psycopg.connect(url) as conn:
        return conn.execute(
            "select r.report_id, r.source_path, c.row_code, c.applicant, c.value, c.raw "
            "from raw.reports r join raw.application_cells c using (report_id) order by 1, 3, 4"
        ).fetchall()


def test_a_parallel_load_writes_what_an_in_line_load_writes(corpus: list[Path], fresh_database: str) -> None:
    in_line = run_load(fresh_database, Files(discover_files([corpus[0].parent])), Settings(workers=1))
    first = _cells(fresh_database)
    with psycopg.connect(fresh_database) as conn:
        conn.execute(
            "truncate raw.documents, raw.reports, raw.application_cells, raw.review_litigation_cells, "
            "raw.active_disclosure_cells, raw.legacy_stats, raw.findings, ops.quarantine, ops.load_runs, "
            "ops.version_pins "
            "restart identity"
        )
    pooled = run_load(fresh_database, Files(discover_files([corpus[0].parent])), Settings(workers=2))

    assert pooled.files_loaded == in_line.files_loaded == FILES
    assert pooled.files_quarantined == in_line.files_quarantined == 0
    # same report ids for the same files, same cells
    assert _cells(fresh_database) == first
    assert len(first) > FILES * 10
