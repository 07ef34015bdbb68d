"""The corpus's manifest (make run's demo data) is a fresh generation, and every line names a file."""

from __future__ import annotations

import json

from bench import demo
from etl.run import load_manifest


def test_the_committed_manifest_equals_a_fresh_generation() -> None:
    assert demo.MANIFEST.read_text(encoding="utf-8").splitlines() == demo.manifest_lines(), (
        "run `python -m bench.demo`"
    )


def test_every_corpus_file_has_its_provenance() -> None:
    entries = [json.loads(line) for line in demo.MANIFEST.read_text(encoding="utf-8").splitlines()]
    files = {p.name for p in demo.MANIFEST.parent.iterdir() if p.name != demo.MANIFEST.name}
    assert {e["path"] for e in entries} == files
    assert all("url" in e or "source" in e for e in entries)
    assert sum("url" in e for e in entries) > 0.9 * len(entries)
    manifest = load_manifest([demo.MANIFEST.parent])  # the loader reads it as a crawler's
    pingtan = manifest.get(str(demo.MANIFEST.parent / "t001.txt"))
    assert pingtan is not None and pingtan.stored()["url"].startswith("https://www.pingtan.gov.cn/")
