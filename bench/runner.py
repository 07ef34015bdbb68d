"""One benchmark run: every measure at every corpus size, on one machine, in one process.

For each size ``n`` the order is the pipeline's own: generate (or reuse) the
corpus; parse it (one core on a sample of each layout, then everything on all
cores, then score against the truth); load the parsed records into a fresh
database and COPY the same rows raw beside them; load once more end to end
(the loader parsing in-line, as ``nianbao run`` does today) into a second
database; ``dbt build``; time the dashboard queries; then a night with
nothing new, and a night that adds 1% new reports followed by ``dbt build``.
"""

from __future__ import annotations

import datetime as dt
import gc
import logging
import os
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bench import building, corpus, databases, loading, machine, parsing, querying
from etl.database import EmbeddedServer, project_home

log = logging.getLogger("bench")


@dataclass
class Settings:
    """What one run measures and where; defaults are ``make bench``'s."""

    sizes: list[int] = field(default_factory=lambda: [1000, 10000])
    seed: int = 20250101
    processes: int = field(default_factory=lambda: os.cpu_count() or 1)
    one_core_per_layout: int = 250
    end_to_end_max: int = 10000  # the in-line-parsing load is skipped above this size
    nightly_share: float = 0.01
    query_runs: int = 30
    keep_databases: bool = False
    nightly_build: bool = True  # the smoke test skips the nightly run's second dbt build
    work_dir: Path = field(default_factory=lambda: project_home() / "var" / "bench-work")
    corpus_dir: Path | None = None
    db_prefix: str = "bench"  # databases <prefix>_<n>, <prefix>_<n>_e2e, <prefix>_<n>_copy


def embedded_server() -> EmbeddedServer:
    """The benchmark's own PostgreSQL: ``var/bench-pg``, durable (fsync on) like a real server."""
    return databases.embedded_server("bench-pg", durable=True)


def server_url() -> tuple[str, Path | None]:
    """The maintenance URL of the server to benchmark on, and its data directory if ours.

    ``BENCH_DATABASE_URL`` names a server (any database on it; the benchmark
    creates and drops databases of its own there). Otherwise an embedded
    PostgreSQL in ``var/bench-pg``, with default durability (fsync on), so
    load figures are what a real server would give.
    """
    url = os.environ.get("BENCH_DATABASE_URL")
    if url:
        return databases.with_dbname(url, "postgres"), None
    server = embedded_server()
    return server.start(), server.pgdata


def _stage(name: str, started: float) -> None:
    log.info("%s: %.1fs (load average %s)", name, time.perf_counter() - started, machine.load_average())


def run_size(n: int, server: str, settings: Settings) -> dict[str, Any]:
    """Every measure for a corpus of ``n`` reports."""
    out: dict[str, Any] = {"reports": n, "load_average": {}}
    loads = out["load_average"]
    t = time.perf_counter()
    main = corpus.ensure_corpus(n, settings.seed, processes=settings.processes, root=settings.corpus_dir)
    nightly_n = max(1, round(n * settings.nightly_share))
    extra = corpus.ensure_corpus(
        nightly_n, settings.seed + 1, processes=settings.processes, root=settings.corpus_dir
    )
    out["corpus"] = {
        "path": str(main.root),
        "generated_seconds": None if main.generated_seconds is None else round(main.generated_seconds, 1),
        "mix": main.mix(),
        "nightly_reports": nightly_n,
    }
    _stage(f"[{n}] corpus", t)

    t = time.perf_counter()
    loads["parse"] = machine.load_average()
    parse_result, records = parsing.measure_parse(
        main, processes=settings.processes, one_core_per_layout=settings.one_core_per_layout
    )
    gc.freeze()  # millions of record objects: keep the collector from walking them again and again
    out["parse"] = parse_result.as_dict()
    _stage(f"[{n}] parse", t)

    db = f"{settings.db_prefix}_{n}"
    t = time.perf_counter()
    url = databases.fresh_database(server, db)
    out["migrate_seconds"] = round(time.perf_counter() - t, 2)
    try:
        t = time.perf_counter()
        loads["load"] = machine.load_average()
        write = loading.run_loader(url, [main.files_dir], parse=loading.prepared(records))
        records.clear()
        gc.unfreeze()
        gc.collect()
        out["load"] = write.as_dict()
        _stage(f"[{n}] load (write path)", t)

        t = time.perf_counter()
        bare = loading.raw_copy(url)
        out["raw_copy"] = bare.as_dict()
        out["raw_copy_indexed"] = loading.raw_copy(url, target="indexed").as_dict()
        out["raw_copy_schema"] = loading.raw_copy(url, target="schema", server=server).as_dict()
        out["load_vs_raw_copy"] = (
            round(write.rows_per_second / bare.rows_per_second, 4) if bare.rows else None
        )
        _stage(f"[{n}] raw copy", t)

        if n <= settings.end_to_end_max:
            t = time.perf_counter()
            loads["load_end_to_end"] = machine.load_average()
            e2e_db = f"{db}_e2e"
            e2e_url = databases.fresh_database(server, e2e_db)
            try:
                out["load_end_to_end"] = loading.run_loader(e2e_url, [main.files_dir]).as_dict()
            finally:
                databases.drop_database(server, e2e_db)
            _stage(f"[{n}] load (end to end)", t)

        t = time.perf_counter()
        loads["dbt_build"] = machine.load_average()
        full = building.build(url, settings.work_dir / "dbt")
        out["dbt_build"] = full.as_dict()
        out["database_megabytes"] = round(loading.database_bytes(url) / 1e6, 1)
        _stage(f"[{n}] dbt build", t)

        t = time.perf_counter()
        out["analyze_marts_seconds"] = round(querying.analyze_marts(url), 2)
        out["queries"] = [q.as_dict() for q in querying.measure_queries(url, runs=settings.query_runs)]
        _stage(f"[{n}] queries", t)

        t = time.perf_counter()
        out["night_nothing_new"] = loading.run_loader(url, [main.files_dir]).as_dict()
        _stage(f"[{n}] night with nothing new", t)

        t = time.perf_counter()
        loads["nightly"] = machine.load_average()
        night_load = loading.run_loader(url, [main.files_dir, extra.files_dir])
        night_build = building.build(url, settings.work_dir / "dbt") if settings.nightly_build else None
        night_seconds = night_load.seconds + (night_build.seconds if night_build else 0.0)
        out["nightly"] = {
            "new_reports": nightly_n,
            "load": night_load.as_dict(),
            "dbt_build": night_build.as_dict() if night_build else None,
            "seconds": round(night_seconds, 2),
            "share_of_full_build": (
                round(night_seconds / full.seconds, 4) if full.seconds and night_build else None
            ),
        }
        _stage(f"[{n}] nightly 1%", t)
    finally:
        if not settings.keep_databases:
            databases.drop_database(server, db)

    files_to_marts = out["parse"]["pool_seconds"] + write.seconds + full.seconds
    out["files_to_marts"] = {
        "parallel_parse_then_load_then_build_seconds": round(files_to_marts, 1),
        "end_to_end_load_then_build_seconds": (
            round(out["load_end_to_end"]["seconds"] + full.seconds, 1) if "load_end_to_end" in out else None
        ),
    }
    return out


def run(settings: Settings, on_size: Callable[[dict[str, Any]], None] | None = None) -> dict[str, Any]:
    """The whole benchmark: machine description, then every size in order.

    ``on_size(result)`` is called after each size with the result so far, so
    a long run leaves its finished sizes behind even if a later one fails.
    """
    started = dt.datetime.now(dt.UTC)
    server, data_dir = server_url()
    result: dict[str, Any] = {
        "started_at": started.isoformat(timespec="seconds"),
        "settings": {
            "sizes": settings.sizes,
            "seed": settings.seed,
            "processes": settings.processes,
            "one_core_per_layout": settings.one_core_per_layout,
            "end_to_end_max": settings.end_to_end_max,
            "nightly_share": settings.nightly_share,
        },
        "machine": machine.describe(server, data_dir),
        "sizes": [],
    }
    clock = time.perf_counter()
    try:
        for n in settings.sizes:
            result["sizes"].append(run_size(n, server, settings))
            result["seconds"] = round(time.perf_counter() - clock, 1)
            result["machine"]["load_average_at_end"] = machine.load_average()
            if on_size is not None:
                on_size(result)
    finally:
        if data_dir is not None and not settings.keep_databases:
            embedded_server().stop()  # started for this run: leave no server behind
    result["seconds"] = round(time.perf_counter() - clock, 1)
    result["machine"]["load_average_at_end"] = machine.load_average()
    return result
