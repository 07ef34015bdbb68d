"""Load throughput, beside the raw COPY rate of the same rows into the same database.

Three figures, each from one run on the same server:

- **loader, write path**: :func:`etl.run.load` over the corpus with
  its ``parse`` hook returning the records already parsed (by the parse
  stage's pool), so the time is the loader's own work: discover, read and
  hash each file, build rows, COPY them batch by batch and commit;
- **loader, end to end**: the same with the loader's own, in-line parsing,
  as ``nianbao run`` loads today (in a database of its own);
- **raw COPY**: the rows the loader wrote, dumped as COPY text and streamed
  back with ``copy.write`` into bare tables of the same columns and
  defaults (no index, no foreign key) in the same database, in one transaction per table: the
  fastest this server takes these rows from a client. Once more into tables
  with the same indexes shows what index maintenance costs.

rows/s counts every row written: documents, reports, every cell table,
findings and quarantine rows.
"""

from __future__ import annotations

import io
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import psycopg
from psycopg import sql

from bench.databases import drop_database, fresh_database
from etl.load.rows import TABLE_COLUMNS
from etl.record import Report
from etl.run import PARSER, Files, Parser, Settings, discover_files
from etl.run import load as run_load

COUNTED_TABLES = (*TABLE_COLUMNS, "ops.quarantine")
SCRATCH_SCHEMA = "bench_scratch"


def table_rows(url: str) -> dict[str, int]:
    """Rows in each table the loader writes."""
    with psycopg.connect(url) as conn:
        return {
            t: int(conn.execute(sql.SQL("select count(*) from {}").format(_ident(t))).fetchone()[0])  # type: ignore[index]
            for t in COUNTED_TABLES
        }


def _ident(table: str) -> sql.Identifier:
    return sql.Identifier(*table.split(".", 1))


def database_bytes(url: str) -> int:
    with psycopg.connect(url) as conn:
        row = conn.execute("select pg_database_size(current_database())").fetchone()
    return int(row[0]) if row else 0


@dataclass
class LoadMeasure:
    """One loader run: how long, how many rows."""

    seconds: float
    cpu_seconds: float  # this process's CPU time: the rest of ``seconds`` waited on the server
    files_seen: int
    files_loaded: int
    files_skipped: int
    files_quarantined: int
    rows: int

    @property
    def rows_per_second(self) -> float:
        return self.rows / self.seconds if self.seconds else 0.0

    def as_dict(self) -> dict[str, Any]:
        return {
            "seconds": round(self.seconds, 3),
            "client_cpu_seconds": round(self.cpu_seconds, 3),
            "files_seen": self.files_seen,
            "files_loaded": self.files_loaded,
            "files_skipped": self.files_skipped,
            "files_quarantined": self.files_quarantined,
            "rows": self.rows,
            "rows_per_s": round(self.rows_per_second),
            "files_per_s": round(self.files_loaded / self.seconds, 1) if self.seconds else 0.0,
        }


def run_loader(
    url: str, paths: list[Path], parse: Callable[[bytes, str], Report] | None = None
) -> LoadMeasure:
    """One ``etl.run.load`` run, timed, with the rows it added counted from the database."""
    before = sum(table_rows(url).values())
    started, cpu = time.perf_counter(), time.process_time()
    parser = Parser(PARSER.version, parse) if parse else PARSER
    result = run_load(url, Files(discover_files(paths)), Settings(parser=parser))
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    after = sum(table_rows(url).values())
    return LoadMeasure(
        seconds=seconds,
        cpu_seconds=cpu,
        files_seen=result.files_seen,
        files_loaded=result.files_loaded,
        files_skipped=result.files_skipped,
        files_quarantined=result.files_quarantined,
        rows=after - before,
    )


def prepared(records: dict[str, Report]) -> Callable[[bytes, str], Report]:
    """A ``parse`` hook for the loader that hands back records parsed beforehand."""

    def parse(data: bytes, path: str) -> Report:
        return records[path]

    return parse


@dataclass
class CopyMeasure:
    """The raw COPY of the loader's rows into one kind of target table."""

    target: str  # bare | indexed | schema
    seconds: float = 0.0
    rows: int = 0
    bytes: int = 0
    by_table: dict[str, float] = field(default_factory=dict)

    @property
    def rows_per_second(self) -> float:
        return self.rows / self.seconds if self.seconds else 0.0

    def as_dict(self) -> dict[str, Any]:
        return {
            "target": self.target,
            "seconds": round(self.seconds, 3),
            "rows": self.rows,
            "megabytes": round(self.bytes / 1e6, 1),
            "rows_per_s": round(self.rows_per_second),
            "seconds_by_table": {k: round(v, 3) for k, v in self.by_table.items()},
        }


def loaded_tables() -> list[str]:
    """The tables a load writes, parents before children (the loader's own order)."""
    return [*TABLE_COLUMNS, "ops.quarantine"]


def dump(url: str, table: str) -> bytes:
    """Every row of a table as COPY text (all columns, as stored)."""
    buf = io.BytesIO()
    with psycopg.connect(url) as conn, conn.cursor() as cur:
        with cur.copy(sql.SQL("copy {} to stdout").format(_ident(table))) as copy:
            for block in copy:
                buf.write(block)
    return buf.getvalue()


def _stream(conn: psycopg.Connection[Any], target: sql.Composable, data: bytes, block: int) -> float:
    """COPY ``data`` into ``target`` in ``block``-byte writes and commit; the seconds it took."""
    started = time.perf_counter()
    with conn.transaction(), conn.cursor() as cur:
        with cur.copy(sql.SQL("copy {} from stdin").format(target)) as copy:
            view = memoryview(data)
            for start in range(0, len(data), block):
                copy.write(view[start : start + block])
    return time.perf_counter() - started


def raw_copy(
    url: str, *, target: str = "bare", server: str | None = None, block: int = 1 << 20
) -> CopyMeasure:
    """COPY the rows the loader wrote at ``url`` again, as fast as a client can; timed.

    ``target``:

    - ``bare``: scratch tables in the same database, same columns and
      defaults, no index and no constraint but NOT NULL;
    - ``indexed``: the same plus the same indexes (primary keys, unique keys);
    - ``schema``: the real ``raw``/``ops`` tables of a freshly migrated
      database on the same server (``server``: its maintenance URL), with
      every index, foreign key and trigger the loader's COPY meets.

    Each table is dumped first (not timed), then streamed back with
    ``copy.write`` and committed, one transaction per table (timed, commit
    included: the server is as durable as for the loader).
    """
    measure = CopyMeasure(target=target)
    if target == "schema":
        if server is None:
            raise ValueError("target='schema' needs the server's URL")
        return _copy_into_schema(url, server, measure, block)
    schema = sql.Identifier(SCRATCH_SCHEMA)
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(sql.SQL("drop schema if exists {} cascade").format(schema))
        conn.execute(sql.SQL("create schema {}").format(schema))
        try:
            for table in loaded_tables():
                scratch = sql.Identifier(SCRATCH_SCHEMA, table.replace(".", "__"))
                like = "including defaults" + (" including indexes" if target == "indexed" else "")
                conn.execute(
                    sql.SQL("create table {} (like {} {})").format(scratch, _ident(table), sql.SQL(like))
                )
                data = dump(url, table)
                measure.by_table[table] = _stream(conn, scratch, data, block)
                measure.seconds += measure.by_table[table]
                measure.rows += data.count(b"\n")
                measure.bytes += len(data)
        finally:
            conn.execute(sql.SQL("drop schema if exists {} cascade").format(schema))
    return measure


def _copy_into_schema(url: str, server: str, measure: CopyMeasure, block: int) -> CopyMeasure:
    name = f"{psycopg.conninfo.conninfo_to_dict(url).get('dbname', 'bench')}_copy"
    target_url = fresh_database(server, name)
    try:
        with psycopg.connect(target_url, autocommit=True) as conn:
            _stream(
                conn, _ident("ops.load_runs"), dump(url, "ops.load_runs"), block
            )  # the runs rows point at
            for table in loaded_tables():
                data = dump(url, table)
                measure.by_table[table] = _stream(conn, _ident(table), data, block)
                measure.seconds += measure.by_table[table]
                measure.rows += data.count(b"\n")
                measure.bytes += len(data)
    finally:
        drop_database(server, name)
    return measure
