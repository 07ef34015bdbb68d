"""``python -m bench``: measure the pipeline at one or more corpus sizes, in one run.

Examples::

    python -m bench                          # make bench: 1,000 and 10,000 reports
    python -m bench --sizes 1000,10000,100000  # make bench-full
    python -m bench --sizes 30 --no-docs     # a smoke run

Results go to ``bench/results/<timestamp>.json`` and ``bench/results/latest.json``,
and the table to ``docs/performance.md`` (between its markers). Exit code 0
when the run completed (targets met or not: they are reported, not asserted),
1 when it failed.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
from pathlib import Path
from typing import Any

from bench import report, runner
from etl.database import project_home


def _sizes(text: str) -> list[int]:
    try:
        sizes = [int(s.replace("_", "").replace("k", "000")) for s in text.split(",") if s.strip()]
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"sizes are numbers separated by commas, not {text!r}") from exc
    if not sizes or min(sizes) < 1:
        raise argparse.ArgumentTypeError("give at least one size of 1 or more")
    return sizes


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    home = project_home()
    parser = argparse.ArgumentParser(
        prog="python -m bench",
        description=(
            "Benchmark parse, load, dbt build, nightly increments and dashboard queries on synthetic "
            "corpora, against the machine's own limits (raw COPY, all cores). Uses BENCH_DATABASE_URL's "
            "server if set, else an embedded PostgreSQL in var/bench-pg (fsync on)."
        ),
    )
    parser.add_argument(
        "--sizes", type=_sizes, default=[1000, 10000], help="corpus sizes, e.g. 1000,10000,100k"
    )
    parser.add_argument(
        "--seed", type=int, default=20250101, help="corpus seed (corpora are cached per size and seed)"
    )
    parser.add_argument("--processes", type=int, default=os.cpu_count() or 1, help="parallel parse workers")
    parser.add_argument(
        "--one-core-per-layout", type=int, default=250, help="files per layout timed on one core"
    )
    parser.add_argument(
        "--end-to-end-max",
        type=int,
        default=10000,
        help="largest size at which the loader also runs with its own in-line parsing",
    )
    parser.add_argument("--query-runs", type=int, default=30, help="timed runs per query")
    parser.add_argument(
        "--keep-databases",
        action="store_true",
        help="keep the bench_<n> databases (and the embedded server running) for inspection",
    )
    parser.add_argument(
        "--no-nightly-build", action="store_true", help="skip the nightly run's dbt build (smoke runs)"
    )
    parser.add_argument(
        "--work-dir", type=Path, default=home / "var" / "bench-work", help="dbt's target/ and logs"
    )
    parser.add_argument("--results-dir", type=Path, default=home / "bench" / "results")
    parser.add_argument("--docs", type=Path, default=home / "docs" / "performance.md")
    parser.add_argument("--no-docs", action="store_true", help="do not touch docs/performance.md")
    parser.add_argument(
        "--corpus-dir", type=Path, default=None, help="corpus cache (default var/bench-corpus)"
    )
    parser.add_argument(
        "--db-prefix", default="bench", help="names of the databases created (<prefix>_<n>, ...)"
    )
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s", stream=sys.stderr)
    # the loader logs a line per batch: thousands in a 100k run, drowning the bench's own
    logging.getLogger("etl.load").setLevel(logging.WARNING)
    settings = runner.Settings(
        sizes=args.sizes,
        seed=args.seed,
        processes=args.processes,
        one_core_per_layout=args.one_core_per_layout,
        end_to_end_max=args.end_to_end_max,
        query_runs=args.query_runs,
        keep_databases=args.keep_databases,
        nightly_build=not args.no_nightly_build,
        work_dir=args.work_dir,
        corpus_dir=args.corpus_dir,
        db_prefix=args.db_prefix,
    )

    def save(result: dict[str, Any]) -> Path:
        path = report.write_json(result, args.results_dir)
        if not args.no_docs:
            report.update_doc(args.docs, report.markdown(result))
        return path

    try:
        result = runner.run(settings, on_size=save)
    except Exception:
        logging.getLogger("bench").exception("benchmark failed (finished sizes are saved)")
        return 1
    path = save(result)
    print(report.markdown(result))
    print(f"\nresults: {path}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
