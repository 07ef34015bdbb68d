"""The benchmark's code paths at a tiny size, so ``make bench`` does not rot between runs.

Nothing here is timed or compared with a target: figures on a shared test
machine mean nothing. The run must complete, every measure must be there,
and the parser must state no wrong value on the synthetic corpus.
"""

from __future__ import annotations

import json
import uuid
from pathlib import Path

import pytest

from bench import report
from bench.__main__ import main
from bench.corpus import ensure_corpus
from bench.querying import bench_queries, guide_queries, percentile


def test_corpus_is_cached_and_deterministic(tmp_path: Path) -> None:
    first = ensure_corpus(12, 5, processes=2, root=tmp_path / "a")
    again = ensure_corpus(12, 5, processes=2, root=tmp_path / "a")
    other = ensure_corpus(12, 5, processes=1, root=tmp_path / "b")
    assert first.generated_seconds is not None and again.generated_seconds is None
    names = [e.path.name for e in first.entries()]
    assert len(names) == 12 and names == sorted(names)
    assert [e.path.read_bytes() for e in first.entries()] == [e.path.read_bytes() for e in other.entries()]
    assert sum(first.mix().values()) == 12
    assert all(e.truth().report_year for e in first.entries())


def test_queries_are_read_from_the_docs_and_bench(tmp_path: Path) -> None:
    guide = tmp_path / "guide.md"
    guide.write_text(
        "# Guide\n\n## Applications by year\n\n```sql\nselect 1;\n```\n\n"
        "## Two at once\n\n```sql\nset search_path = marts;\nselect 2;\nwith a as (select 3) select * from a;\n```\n",
        encoding="utf-8",
    )
    queries = guide_queries(guide)
    assert [(q.name, q.sql) for q in queries] == [
        ("Applications by year", "select 1"),
        ("Two at once (1)", "select 2"),
        ("Two at once (2)", "with a as (select 3) select * from a"),
    ]
    dashboard = bench_queries()
    assert len(dashboard) >= 5 and all(
        q.parameterised and q.sql.lower().startswith("select") for q in dashboard
    )
    assert percentile([3.0, 1.0, 2.0, 4.0], 50) == 2.0 and percentile([1.0] * 19 + [9.0], 95) == 1.0


@pytest.mark.slow
def test_a_tiny_run_measures_everything(
    tmp_path: Path, pg_server_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("BENCH_DATABASE_URL", pg_server_url)
    doc = tmp_path / "performance.md"
    doc.write_text(
        f"# Performance\n\nhand-written\n\n{report.BEGIN}\nthe-generated-section-before\n{report.END}\n\nafter\n"
    )
    code = main(
        [
            "--sizes", "30",
            "--one-core-per-layout", "2",
            "--query-runs", "3",
            "--no-nightly-build",
            "--corpus-dir", str(tmp_path / "corpus"),
            "--work-dir", str(tmp_path / "work"),
            "--results-dir", str(tmp_path / "results"),
            "--docs", str(doc),
            "--db-prefix", f"bench_t{uuid.uuid4().hex[:8]}",  # concurrent test sessions share the server
        ]
    )  # fmt: skip
    assert code == 0
    result = json.loads((tmp_path / "results" / "latest.json").read_text())
    size = result["sizes"][0]
    assert size["reports"] == 30
    assert size["parse"]["accuracy"]["reports"] == 30
    assert size["parse"]["accuracy"]["wrong_values"] == 0, size["parse"]["wrong_examples"]
    assert size["load"]["files_loaded"] == 30 and size["load"]["rows"] > 30 * 20
    assert size["raw_copy"]["rows"] == size["load"]["rows"]
    assert size["load_end_to_end"]["rows"] == size["load"]["rows"]
    assert size["dbt_build"]["success"], size["dbt_build"]["failed"]
    assert size["queries"] and not [q for q in size["queries"] if q["error"]]
    assert size["night_nothing_new"]["files_skipped"] == 30 and size["night_nothing_new"]["rows"] == 0
    assert size["nightly"]["load"]["files_loaded"] == 1
    assert result["machine"]["cores"] and result["machine"]["postgres"]
    text = doc.read_text()
    assert text.startswith("# Performance\n\nhand-written") and text.rstrip().endswith("after")
    assert "the-generated-section-before" not in text and "### Targets" in text and "| 30 reports |" in text
