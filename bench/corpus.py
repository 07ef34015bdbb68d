"""Synthetic corpora on disk, generated once and reused: files plus their ground truth.

A corpus of ``n`` reports for ``seed`` lives in ``var/bench-corpus/<n>-<seed>/``:

- ``files/``: one file per report (``000123.txt``, ``.html``, ``.docx``,
  ``.pdf``), exactly the bytes a crawler would have saved; this folder is
  what the loader is pointed at;
- ``truth.jsonl``: one line per file, in file order, with its relative path,
  text layout, format and the canonical record a correct parser returns;
- ``index.tsv``: path, layout and format per file, the same order, so a run
  can list the corpus without reading every record;
- ``corpus.json``: written last, so a generation that was interrupted is
  never mistaken for a finished one.

Generating is the slow part (a few hundred reports a second per core, PDF and
DOCX much slower), so it runs in chunks across all cores. Chunk ``k`` is
``generate_corpus(chunk, seed=derive(seed, k))``: the corpus for a seed is
the same whatever the number of cores.
"""

from __future__ import annotations

import json
import multiprocessing
import os
import shutil
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

from etl.database import project_home
from etl.record import Report

CHUNK = 250
# Bump when the generator's output for a seed changes, so old caches are not reused.
CORPUS_VERSION = 1
FORMAT_EXTENSIONS = {"text": "txt", "html": "html", "docx": "docx", "pdf": "pdf"}


def corpus_root() -> Path:
    """Where corpora are cached: ``$BENCH_CORPUS_DIR`` or ``var/bench-corpus``."""
    env = os.environ.get("BENCH_CORPUS_DIR")
    return Path(env) if env else project_home() / "var" / "bench-corpus"


def derive(seed: int, chunk: int) -> int:
    """The seed of one chunk: distinct for every (seed, chunk), stable across runs."""
    return seed * 1_000_003 + chunk


@dataclass(frozen=True)
class Entry:
    """One file of a corpus and where to find its truth."""

    path: Path
    layout: str
    format: str
    truth_line: str  # the JSON of the whole truth.jsonl line, parsed lazily

    def truth(self) -> Report:
        return Report.from_dict(json.loads(self.truth_line)["record"])


@dataclass(frozen=True)
class Corpus:
    """A generated corpus on disk."""

    root: Path
    n: int
    seed: int
    generated_seconds: float | None  # None when reused from the cache

    @property
    def files_dir(self) -> Path:
        return self.root / "files"

    def entries(self) -> Iterator[Entry]:
        """The files in order, each with its layout, format and truth line."""
        with (
            open(self.root / "index.tsv", encoding="utf-8") as index,
            open(self.root / "truth.jsonl", encoding="utf-8") as truth,
        ):
            for head, line in zip(index, truth, strict=True):
                path, layout, fmt = head.rstrip("\n").split("\t")
                yield Entry(self.files_dir / path, layout, fmt, line)

    def mix(self) -> dict[str, int]:
        """How many files of each layout (text layouts, ``html``, ``html-gbk``, ``docx``, ``pdf``)."""
        meta = json.loads((self.root / "corpus.json").read_text())
        return dict(meta["layouts"])


def _generate_chunk(args: tuple[Path, int, int, int, int]) -> tuple[list[str], list[str]]:
    """Write one chunk's files; return its index and truth lines (in order)."""
    from bench.synthetic import generate_corpus

    files_dir, seed, chunk, start, count = args
    index, lines = [], []
    for i, item in enumerate(generate_corpus(count, derive(seed, chunk))):
        name = f"{start + i:07d}.{FORMAT_EXTENSIONS[item.format]}"
        data = item.content.encode("utf-8") if isinstance(item.content, str) else item.content
        (files_dir / name).write_bytes(data)
        record = item.record
        record.source.path = name
        index.append(f"{name}\t{item.layout}\t{item.format}")
        lines.append(
            json.dumps(
                {
                    "path": name,
                    "layout": item.layout,
                    "format": item.format,
                    "record": json.loads(record.to_json()),
                },
                ensure_ascii=False,
            )
        )
    return index, lines


def ensure_corpus(n: int, seed: int, *, processes: int | None = None, root: Path | None = None) -> Corpus:
    """The corpus of ``n`` reports for ``seed``: from the cache, or generated now (all cores)."""
    base = (root or corpus_root()) / f"{n}-{seed}"
    marker = base / "corpus.json"
    if marker.exists():
        meta = json.loads(marker.read_text())
        if meta.get("version") == CORPUS_VERSION and meta.get("n") == n:
            return Corpus(base, n, seed, None)
    if base.exists():
        shutil.rmtree(base)
    files_dir = base / "files"
    files_dir.mkdir(parents=True)
    started = time.perf_counter()
    jobs = [(files_dir, seed, k, start, min(CHUNK, n - start)) for k, start in enumerate(range(0, n, CHUNK))]
    processes = processes or os.cpu_count() or 1
    layouts: dict[str, int] = {}
    with (
        open(base / "index.tsv", "w", encoding="utf-8") as index,
        open(base / "truth.jsonl", "w", encoding="utf-8") as truth,
    ):
        if processes == 1 or len(jobs) == 1:
            for heads, lines in map(_generate_chunk, jobs):
                _write(heads, lines, index, truth, layouts)
        else:
            with multiprocessing.get_context("fork").Pool(processes) as pool:
                for heads, lines in pool.imap(_generate_chunk, jobs):
                    _write(heads, lines, index, truth, layouts)
    seconds = time.perf_counter() - started
    marker.write_text(
        json.dumps(
            {
                "version": CORPUS_VERSION,
                "n": n,
                "seed": seed,
                "seconds": round(seconds, 1),
                "layouts": layouts,
            },
            indent=1,
        )
    )
    return Corpus(base, n, seed, seconds)


def _write(heads: list[str], lines: list[str], index: TextIO, truth: TextIO, layouts: dict[str, int]) -> None:
    for head, line in zip(heads, lines, strict=True):
        index.write(head + "\n")
        truth.write(line + "\n")
        layout = head.split("\t")[1]
        layouts[layout] = layouts.get(layout, 0) + 1
