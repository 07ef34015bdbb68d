"""Parse throughput (one core, all cores) and accuracy against the corpus' ground truth.

Throughput is timed around :func:`etl.pipeline.parse_bytes` (extract + parse:
what the loader calls per file), per text layout and per format. One core:
the files are parsed one after another in this process. All cores: a
``multiprocessing`` pool over the whole corpus, timed wall clock from the
first file read to the last record back in this process (so reading files,
pickling records and the pool's overhead all count).

Accuracy compares every parsed record with its truth, cell by cell
(:mod:`bench.synthetic.compare`): a cell is *right* when its value (or its
blank) is the truth's; *wrong* when the parser states a number the truth
does not (the error that must never happen); *declined* when the truth has a
number and the parser left the cell null, which is allowed only where the
text is ambiguous and the parser says so with a finding.
"""

from __future__ import annotations

import multiprocessing
import os
import time
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass, field
from typing import Any

from bench.corpus import Corpus, Entry
from bench.synthetic.compare import cells, declined, diff, wrong_values
from etl.pipeline import parse_bytes
from etl.record import Report

DECLINE_RULES = frozenset({"ambiguous_cells", "unplaced_row"})


@dataclass
class Accuracy:
    """Cell and report counts of one group (a layout, a format, or everything)."""

    reports: int = 0
    reports_exact: int = 0  # every figure, the template, year, status and findings right
    metadata_exact: int = 0  # agency name, region, level, kind and published date right
    rejected: int = 0
    cells: int = 0  # cells in the truth
    cells_right: int = 0
    wrong_values: int = 0
    declined: int = 0
    declined_with_finding: int = 0  # declined in a report whose findings say where it declined

    def add(self, other: Accuracy) -> None:
        for name, value in asdict(other).items():
            setattr(self, name, getattr(self, name) + value)

    @property
    def cell_share(self) -> float:
        return self.cells_right / self.cells if self.cells else 1.0

    def as_dict(self) -> dict[str, Any]:
        return {**asdict(self), "cell_share": round(self.cell_share, 6)}


def score(got: Report, want: Report) -> tuple[Accuracy, list[str]]:
    """How ``got`` compares with the truth ``want``; the wrong values' descriptions beside."""
    acc = Accuracy(reports=1, rejected=int(got.status == "rejected"))
    acc.reports_exact = int(not diff(got, want, metadata=False))
    acc.metadata_exact = int(not diff(got, want, figures=False))
    truth, parsed = cells(want), cells(got)
    acc.cells = len(truth)
    for key, (value, _) in truth.items():
        g = parsed.get(key)
        if g is not None and g[0] == value and (g[0] is None) == (value is None):
            acc.cells_right += 1
    wrong = wrong_values(got, want)
    acc.wrong_values = len(wrong)
    acc.declined = len(declined(got, want))
    if acc.declined and any(f.rule in DECLINE_RULES for f in got.findings):
        acc.declined_with_finding = acc.declined
    return acc, wrong


def _parse_only(entry: Entry) -> tuple[str, Report]:
    """A pool worker's unit of work: read and parse one file."""
    return str(entry.path), parse_bytes(entry.path.read_bytes(), str(entry.path))


# Set in the parent before the scoring pool forks, so workers see the records
# without having them pickled to them.
_SCORING: tuple[list[Entry], dict[str, Report]] | None = None


def _score_index(i: int) -> tuple[str, str, Accuracy, list[str]]:
    assert _SCORING is not None
    entries, records = _SCORING
    entry = entries[i]
    accuracy, wrong = score(records[str(entry.path)], entry.truth())
    return entry.layout, entry.format, accuracy, wrong


@dataclass
class Throughput:
    """Reports per second of one group on one core: ``count / sum(parse CPU seconds)``.

    CPU time of this process, not wall time: on a machine shared with other
    work the wall clock counts their time too. Both are kept.
    """

    count: int = 0
    seconds: float = 0.0
    wall_seconds: float = 0.0

    @property
    def per_second(self) -> float:
        return self.count / self.seconds if self.seconds else 0.0


@dataclass
class ParseResult:
    """Everything the parse stage measured for one corpus."""

    one_core_files: int
    by_layout: dict[str, Throughput]
    by_format: dict[str, Throughput]
    one_core_mix_rate: float  # reports/s on one core for the corpus' own mix of layouts
    pool_processes: int
    pool_seconds: float
    pool_workers_cpu_seconds: float  # CPU time the workers got
    pool_parent_cpu_seconds: float  # this process: receiving (unpickling) the records
    pool_rate: float
    speedup: float
    accuracy_by_layout: dict[str, Accuracy]
    accuracy_by_format: dict[str, Accuracy]
    accuracy: Accuracy
    wrong_examples: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "one_core_files": self.one_core_files,
            "one_core_reports_per_s_by_layout": {
                k: round(v.per_second, 1) for k, v in self.by_layout.items()
            },
            "one_core_reports_per_s_by_format": {
                k: round(v.per_second, 1) for k, v in self.by_format.items()
            },
            "one_core_counts_by_layout": {k: v.count for k, v in self.by_layout.items()},
            "one_core_wall_reports_per_s_by_format": {
                k: round(v.count / v.wall_seconds, 1) if v.wall_seconds else 0.0
                for k, v in self.by_format.items()
            },
            "one_core_reports_per_s_mix": round(self.one_core_mix_rate, 1),
            "pool_processes": self.pool_processes,
            "pool_seconds": round(self.pool_seconds, 2),
            "pool_workers_cpu_seconds": round(self.pool_workers_cpu_seconds, 1),
            "pool_parent_cpu_seconds": round(self.pool_parent_cpu_seconds, 1),
            # cores the pool actually got: below ``pool_processes`` when other work shared the machine
            "pool_cores_obtained": round(
                (self.pool_workers_cpu_seconds + self.pool_parent_cpu_seconds) / self.pool_seconds, 2
            )
            if self.pool_seconds
            else None,
            "pool_reports_per_s": round(self.pool_rate, 1),
            "pool_speedup": round(self.speedup, 2),
            "accuracy": self.accuracy.as_dict(),
            "accuracy_by_layout": {k: v.as_dict() for k, v in self.accuracy_by_layout.items()},
            "accuracy_by_format": {k: v.as_dict() for k, v in self.accuracy_by_format.items()},
            "wrong_examples": self.wrong_examples[:20],
        }


def sample(entries: list[Entry], per_layout: int) -> list[Entry]:
    """The first ``per_layout`` files of each layout, in corpus order."""
    taken: dict[str, int] = defaultdict(int)
    out = []
    for e in entries:
        if taken[e.layout] < per_layout:
            taken[e.layout] += 1
            out.append(e)
    return out


def one_core(entries: Iterable[Entry]) -> tuple[dict[str, Throughput], dict[str, Throughput]]:
    """Parse one after another in this process; reports per CPU second by layout and by format."""
    by_layout: dict[str, Throughput] = defaultdict(Throughput)
    by_format: dict[str, Throughput] = defaultdict(Throughput)
    for entry in entries:
        data = entry.path.read_bytes()
        wall, cpu = time.perf_counter(), time.process_time()
        parse_bytes(data, str(entry.path))
        cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
        for group in (by_layout[entry.layout], by_format[entry.format]):
            group.count += 1
            group.seconds += cpu
            group.wall_seconds += wall
    return dict(sorted(by_layout.items())), dict(sorted(by_format.items()))


def pool_parse(entries: list[Entry], processes: int) -> Iterator[tuple[str, Report]]:
    """Read and parse every file with ``processes`` workers; records in corpus order."""
    if processes <= 1:
        yield from map(_parse_only, entries)
        return
    with multiprocessing.get_context("fork").Pool(processes) as pool:
        yield from pool.imap(_parse_only, entries, chunksize=8)


def score_all(
    entries: list[Entry], records: dict[str, Report], processes: int
) -> Iterator[tuple[str, str, Accuracy, list[str]]]:
    """Score every record against its truth, on all cores (not timed: it is not the parser's work)."""
    global _SCORING
    _SCORING = (entries, records)
    try:
        if processes <= 1:
            yield from map(_score_index, range(len(entries)))
            return
        with multiprocessing.get_context("fork").Pool(processes) as pool:
            yield from pool.imap(_score_index, range(len(entries)), chunksize=32)
    finally:
        _SCORING = None


def measure_parse(
    corpus: Corpus,
    *,
    processes: int | None = None,
    one_core_per_layout: int = 250,
    keep_records: bool = True,
) -> tuple[ParseResult, dict[str, Report]]:
    """One-core throughput on a sample of each layout, then the whole corpus on all cores.

    Returns the measures and, when ``keep_records``, the parsed records by
    path (the load stage writes exactly these). Scoring against the truth
    runs after the timed pool, on all cores, and is not part of any timing.
    """
    processes = processes or os.cpu_count() or 1
    entries = list(corpus.entries())
    # warm up: imports, label tables, compiled regexes
    for e in sample(entries, 1)[:3]:
        parse_bytes(e.path.read_bytes(), str(e.path))
    subset = sample(entries, one_core_per_layout)
    by_layout, by_format = one_core(subset)
    mix: dict[str, int] = defaultdict(int)
    for e in entries:
        mix[e.layout] += 1
    serial_seconds = sum(count / by_layout[layout].per_second for layout, count in mix.items())
    mix_rate = len(entries) / serial_seconds if serial_seconds else 0.0

    records: dict[str, Report] = {}
    before = os.times()
    started = time.perf_counter()
    for path, record in pool_parse(entries, processes):
        records[path] = record
    pool_seconds = time.perf_counter() - started
    after = os.times()  # the pool's workers have been reaped: their CPU time is counted now
    pool_cpu = (after.children_user - before.children_user) + (after.children_system - before.children_system)
    parent_cpu = (after.user - before.user) + (after.system - before.system)
    pool_rate = len(entries) / pool_seconds if pool_seconds else 0.0

    acc_layout: dict[str, Accuracy] = defaultdict(Accuracy)
    acc_format: dict[str, Accuracy] = defaultdict(Accuracy)
    total = Accuracy()
    wrong_examples: list[str] = []
    for (layout, fmt, accuracy, wrong), entry in zip(
        score_all(entries, records, processes), entries, strict=True
    ):
        acc_layout[layout].add(accuracy)
        acc_format[fmt].add(accuracy)
        total.add(accuracy)
        wrong_examples.extend(f"{entry.path.name} ({layout}): {w}" for w in wrong[:3])
    if not keep_records:
        records = {}
    result = ParseResult(
        one_core_files=len(subset),
        by_layout=by_layout,
        by_format=by_format,
        one_core_mix_rate=mix_rate,
        pool_processes=processes,
        pool_seconds=pool_seconds,
        pool_workers_cpu_seconds=pool_cpu,
        pool_parent_cpu_seconds=parent_cpu,
        pool_rate=pool_rate,
        speedup=(serial_seconds / pool_seconds) if pool_seconds else 0.0,
        accuracy_by_layout=dict(sorted(acc_layout.items())),
        accuracy_by_format=dict(sorted(acc_format.items())),
        accuracy=total,
        wrong_examples=wrong_examples,
    )
    return result, records
