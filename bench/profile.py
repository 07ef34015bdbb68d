"""Where parse time goes: cProfile over a corpus' files of chosen layouts.

``python -m bench.profile --layouts cell,row_pipe --files 300`` parses the
first files of those layouts of the cached corpus (``--size``/``--seed``)
one after another under cProfile and prints the functions by cumulative and
by own time, plus reports per CPU second without the profiler. The loader
and dbt have their own profiles in ``docs/performance.md``.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import pstats
import time

from bench.corpus import ensure_corpus
from bench.parsing import sample
from etl.pipeline import parse_bytes


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.profile", description=__doc__)
    parser.add_argument("--size", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=20250101)
    parser.add_argument("--layouts", default="cell,cell_blank,cell_pipe,row_pipe,row_tab,row_spaces,pdf_text")
    parser.add_argument("--files", type=int, default=300, help="files per layout")
    parser.add_argument("--top", type=int, default=30)
    args = parser.parse_args(argv)

    wanted = set(args.layouts.split(","))
    entries = [e for e in ensure_corpus(args.size, args.seed).entries() if e.layout in wanted]
    files = [(e.path.read_bytes(), str(e.path)) for e in sample(entries, args.files)]
    for data, path in files[:3]:
        parse_bytes(data, path)  # warm up
    cpu = time.process_time()
    for data, path in files:
        parse_bytes(data, path)
    cpu = time.process_time() - cpu
    print(f"{len(files)} files, {len(files) / cpu:.1f} reports per CPU second (no profiler)")
    profile = cProfile.Profile()
    profile.enable()
    for data, path in files:
        parse_bytes(data, path)
    profile.disable()
    for order in ("cumulative", "tottime"):
        out = io.StringIO()
        pstats.Stats(profile, stream=out).strip_dirs().sort_stats(order).print_stats(args.top)
        print(out.getvalue())


if __name__ == "__main__":
    main()
