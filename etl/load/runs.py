"""Bookkeeping of loads: ``ops.load_runs``, the writer lock, and crash recovery.

Every load has a run row (dlt's ``_dlt_loads``): it is written ``running``
before the first batch and set to ``completed`` (or
``completed_with_quarantine``) only after the last one committed. Data of a
run that never got there is not trusted: the next run, holding the writer
lock, marks such runs ``aborted`` and deletes what they wrote, so a ``kill
-9`` at any point leaves nothing that downstream models would take as loaded,
and the next run simply does the work again.

One writer at a time is enforced by a session-level Postgres advisory lock:
it lives exactly as long as the loader's connection, so a killed loader
releases it without anyone cleaning up.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import psycopg
from psycopg import sql
from psycopg.rows import dict_row

# "nianbao" in ASCII: a fixed key every nianbao loader agrees on.
LOCK_KEY = int.from_bytes(b"nianbao", "big")

COMPLETED_STATUSES = ("completed", "completed_with_quarantine")

# raw tables whose rows belong to one report (models/tables.py ``_cell_table``)
CHILD_TABLES = (
    "active_disclosure_cells",
    "application_cells",
    "review_litigation_cells",
    "legacy_stats",
    "findings",
)


class LockedError(RuntimeError):
    """Another load holds the writer lock; this one loaded nothing."""


def try_lock(conn: psycopg.Connection[Any], wait_seconds: float = 0.0) -> None:
    """Take the writer lock on ``conn`` or raise :class:`LockedError`.

    With ``wait_seconds`` > 0 it retries until then, for a schedule that
    would rather queue behind a long run than skip a night. The error says
    which run holds the lock and how long this one waited, because that is
    what an operator reading a cron mail needs to decide anything.
    """
    started = time.monotonic()
    deadline = started + max(wait_seconds, 0.0)
    while True:
        row = conn.execute("select pg_try_advisory_lock(%s)", (LOCK_KEY,)).fetchone()
        if row and row[0]:
            return
        if time.monotonic() >= deadline:
            raise LockedError(_locked_message(conn, time.monotonic() - started if wait_seconds > 0 else None))
        time.sleep(min(0.5, max(deadline - time.monotonic(), 0.05)))


def _locked_message(conn: psycopg.Connection[Any], waited: float | None) -> str:
    holder = lock_holder(conn)
    parts = []
    try:
        running = conn.execute(
            "select run_id, command, started_at from ops.load_runs where status = 'running' "
            "order by run_id desc limit 1"
        ).fetchone()
    except psycopg.Error:  # before the first migration there is no ops.load_runs
        if conn.info.transaction_status != psycopg.pq.TransactionStatus.IDLE:
            conn.rollback()
        running = None
    if running:
        started = running[2].astimezone().strftime("%Y-%m-%d %H:%M:%S")
        parts.append(f"run {running[0]} ({running[1] or 'nianbao'}), started {started}")
    if holder:
        parts.append(f"backend pid {holder}")
    detail = f" ({'; '.join(parts)})" if parts else ""
    waited_text = f"waited {waited:.0f} s; " if waited is not None else ""
    return f"another nianbao run holds the writer lock{detail}; {waited_text}nothing was loaded"


@contextlib.contextmanager
def writer_lock(url: str, wait_seconds: float = 0.0) -> Iterator[psycopg.Connection[Any]]:
    """An autocommit connection holding the writer lock for the duration.

    ``nianbao run`` holds it across the load *and* ``dbt build``, so two
    schedules never rebuild the marts at once either. The lock is the
    connection's: a killed process releases it with its connection.
    """
    with psycopg.connect(url, autocommit=True) as conn:
        try_lock(conn, wait_seconds)
        try:
            yield conn
        finally:
            try:
                if conn.info.transaction_status != psycopg.pq.TransactionStatus.IDLE:
                    conn.rollback()
                unlock(conn)
            except psycopg.Error:
                pass  # the lock goes with the connection anyway


def unlock(conn: psycopg.Connection[Any]) -> None:
    conn.execute("select pg_advisory_unlock(%s)", (LOCK_KEY,))


def lock_holder(conn: psycopg.Connection[Any]) -> int | None:
    """The backend pid holding the writer lock, for the message an operator sees."""
    # A bigint advisory key is stored as classid (high 32 bits) and objid (low 32 bits).
    row = conn.execute(
        "select pid from pg_locks where locktype = 'advisory' and granted "
        "and classid = %s and objid = %s and objsubid = 1",
        (LOCK_KEY >> 32, LOCK_KEY & 0xFFFFFFFF),
    ).fetchone()
    return int(row[0]) if row else None


def start_run(conn: psycopg.Connection[Any], parser_version: str, command: str | None) -> int:
    """Write the ``running`` row and commit it, so a crash from here on is visible."""
    with conn.transaction():
        row = conn.execute(
            "insert into ops.load_runs (status, command, parser_version) "
            "values ('running', %s, %s) returning run_id",
            (command, parser_version),
        ).fetchone()
    assert row is not None
    return int(row[0])


@dataclass
class RunCounts:
    files_seen: int = 0
    files_loaded: int = 0
    files_skipped: int = 0
    files_quarantined: int = 0
    findings: int = 0


def finish_run(conn: psycopg.Connection[Any], run_id: int, counts: RunCounts) -> str:
    """Mark the run complete; its data becomes what downstream reads. Returns the status."""
    status = "completed_with_quarantine" if counts.files_quarantined else "completed"
    with conn.transaction():
        conn.execute(
            "update ops.load_runs set status = %s, finished_at = now(), files_seen = %s, "
            "files_loaded = %s, files_skipped = %s, files_quarantined = %s, findings = %s "
            "where run_id = %s",
            (
                status,
                counts.files_seen,
                counts.files_loaded,
                counts.files_skipped,
                counts.files_quarantined,
                counts.findings,
                run_id,
            ),
        )
    return status


def fail_run(conn: psycopg.Connection[Any], run_id: int, error: str, counts: RunCounts | None = None) -> None:
    """Undo what the run wrote and record why it failed, in one transaction."""
    counts = counts or RunCounts()
    with conn.transaction():
        purge_run(conn, run_id)
        conn.execute(
            "update ops.load_runs set status = 'failed', finished_at = now(), error = %s, "
            "files_seen = %s where run_id = %s",
            (error, counts.files_seen, run_id),
        )


def record_error(conn: psycopg.Connection[Any], run_id: int, error: str) -> None:
    """Note a problem after the load completed (a failed dbt build) without undoing the load."""
    with conn.transaction():
        conn.execute(
            "update ops.load_runs set error = concat_ws(E'\\n', error, %s::text) where run_id = %s",
            (error, run_id),
        )


def purge_run(conn: psycopg.Connection[Any], run_id: int) -> None:
    """Delete everything a run wrote: its reports with their cells and
    findings, its quarantine entries, and the documents it first stored that
    no report of another run uses. The caller owns the transaction.

    The child tables have no foreign key (migration 0004), so they are
    deleted here first, by the run's ``report_id`` range: a run's ids come
    from one sequence while it holds the writer lock, so the range holds its
    reports and, in a healthy database, nothing else; the ``exists`` keeps
    it exact anyway.
    """
    bounds = conn.execute(
        "select min(report_id), max(report_id) from raw.reports where run_id = %s", (run_id,)
    ).fetchone()
    if bounds is not None and bounds[0] is not None:
        for table in CHILD_TABLES:
            conn.execute(
                sql.SQL(
                    "delete from {} c where c.report_id between %s and %s and exists "
                    "(select 1 from raw.reports r where r.report_id = c.report_id and r.run_id = %s)"
                ).format(sql.Identifier("raw", table)),
                (bounds[0], bounds[1], run_id),
            )
    conn.execute("delete from raw.reports where run_id = %s", (run_id,))
    conn.execute(
        "update ops.quarantine set resolved_at = null, resolved_by_run_id = null "
        "where resolved_by_run_id = %s",
        (run_id,),
    )
    conn.execute("delete from ops.quarantine where run_id = %s", (run_id,))
    conn.execute(
        "delete from raw.documents d where d.first_run_id = %s "
        "and not exists (select 1 from raw.reports r where r.sha256 = d.sha256)",
        (run_id,),
    )


def recover(conn: psycopg.Connection[Any]) -> list[int]:
    """Abort runs that died and remove what they (or failed runs) left behind.

    Call only while holding the writer lock: then a ``running`` row cannot
    belong to a live loader. Returns the run ids marked ``aborted``.
    """
    with conn.transaction():
        aborted = [
            int(r[0])
            for r in conn.execute(
                "update ops.load_runs set status = 'aborted', finished_at = now(), "
                "error = coalesce(error, 'the loader stopped before the run completed; "
                "its data was removed and the next run loads it again') "
                "where status = 'running' returning run_id"
            ).fetchall()
        ]
        # Failed runs purge themselves, unless the connection died first.
        leftovers = [
            int(r[0])
            for r in conn.execute(
                "select l.run_id from ops.load_runs l where l.status not in (%s, %s) "
                "and (exists (select 1 from raw.reports r where r.run_id = l.run_id) "
                "or exists (select 1 from ops.quarantine q where q.run_id = l.run_id) "
                "or exists (select 1 from raw.documents d where d.first_run_id = l.run_id "
                "and not exists (select 1 from raw.reports r2 where r2.sha256 = d.sha256)))",
                COMPLETED_STATUSES,
            ).fetchall()
        ]
        for run_id in sorted(set(aborted) | set(leftovers)):
            purge_run(conn, run_id)
        # a build still "building" while we hold the lock was killed half-way
        conn.execute(
            "update status.marts_build set state = 'interrupted', "
            "message = 'the build of run ' || coalesce(run_id::text, '?') || ' was killed half-way: the marts "
            "may mix two loads until the next build completes' where state = 'building'"
        )
    return aborted


def file_index(conn: psycopg.Connection[Any]) -> dict[str, tuple[int, int, str]]:
    """Each landing file's (size, mtime in ns, SHA-256) when a run last read it (``ops.file_index``)."""
    if conn.execute("select to_regclass('ops.file_index')").fetchone() == (None,):
        return {}
    return {r[0]: (r[1], r[2], r[3]) for r in conn.execute("select path, size_bytes, mtime_ns, sha256 from ops.file_index")}


def update_file_index(conn: psycopg.Connection[Any], entries: list[tuple[str, int, int, str]]) -> None:
    """Remember the files read by this run (path, size, mtime in ns, SHA-256), one statement."""
    if not entries:
        return
    with conn.transaction(), conn.cursor() as cur:
        cur.execute(
            "create temporary table if not exists file_index_now "
            "(path text, size_bytes bigint, mtime_ns bigint, sha256 text) on commit drop"
        )
        with cur.copy("copy file_index_now from stdin") as copy:
            for entry in entries:
                copy.write_row(entry)
        cur.execute(
            "insert into ops.file_index (path, size_bytes, mtime_ns, sha256) "
            "select distinct on (path) path, size_bytes, mtime_ns, sha256 from file_index_now "
            "on conflict (path) do update set size_bytes = excluded.size_bytes, "
            "mtime_ns = excluded.mtime_ns, sha256 = excluded.sha256, read_at = now()"
        )


def known_sha256(conn: psycopg.Connection[Any], parser_version: str) -> tuple[set[str], set[str]]:
    """Files this parser version already handled in completed runs.

    Returns (loaded, quarantined): SHA-256s with a report row, and SHA-256s
    still in quarantine. Both are skipped without parsing: the same bytes
    through the same parser give the same answer, and a quarantined file
    waits for ``nianbao quarantine retry`` or a new parser version.
    """
    loaded = {
        r[0]
        for r in conn.execute(
            "select r.sha256 from raw.reports r join ops.load_runs l using (run_id) "
            "where r.parser_version = %s and l.status in (%s, %s)",
            (parser_version, *COMPLETED_STATUSES),
        ).fetchall()
    }
    quarantined = {
        r[0]
        for r in conn.execute(
            "select q.sha256 from ops.quarantine q join ops.load_runs l using (run_id) "
            "where q.sha256 is not null and q.resolved_at is null "
            "and l.parser_version = %s and l.status in (%s, %s)",
            (parser_version, *COMPLETED_STATUSES),
        ).fetchall()
    }
    return loaded, quarantined - loaded


def open_unread(conn: psycopg.Connection[Any]) -> set[tuple[str, str]]:
    """(path, code) of files in quarantine without bytes (unreadable, too large, not a file).

    A night that finds the same file refused for the same reason skips it
    instead of quarantining it again (and exiting 3) every night.
    """
    return {
        (r[0], r[1])
        for r in conn.execute(
            "select q.path, q.error_code from ops.quarantine q join ops.load_runs l using (run_id) "
            "where q.sha256 is null and q.resolved_at is null and l.status in (%s, %s)",
            COMPLETED_STATUSES,
        ).fetchall()
    }


def last_runs(conn: psycopg.Connection[Any], limit: int = 10) -> list[dict[str, Any]]:
    """The latest runs, newest first, for ``nianbao status``."""
    with conn.cursor(row_factory=dict_row) as cur:
        return cur.execute(
            "select run_id, started_at, finished_at, status, command, parser_version, files_seen, "
            "files_loaded, files_skipped, files_quarantined, findings, error, marts_built_at "
            "from ops.load_runs order by run_id desc limit %s",
            (limit,),
        ).fetchall()


# -- the marts' watermark ---------------------------------------------------------
def marts_exist(conn: psycopg.Connection[Any], schema: str = "marts") -> bool:
    """Whether dbt has built the marts here at all (their central fact table exists)."""
    row = conn.execute("select to_regclass(%s) is not null", (f"{schema}.fct_reports",)).fetchone()
    return bool(row and row[0])


def marts_pending(conn: psycopg.Connection[Any]) -> list[int]:
    """Completed runs that changed the data after the last successful ``dbt build``.

    A run that loaded nothing may skip dbt only when this is empty: a run
    killed between its load and its build, or whose build failed, still owes
    the marts its data, and the next quiet night pays that debt.
    """
    rows = conn.execute(
        "select run_id from ops.load_runs where status in (%s, %s) and files_loaded > 0 "
        "and run_id > coalesce((select max(run_id) from ops.load_runs where marts_built_at is not null), 0) "
        "order by run_id",
        COMPLETED_STATUSES,
    ).fetchall()
    return [int(r[0]) for r in rows]


def latest_completed_run(conn: psycopg.Connection[Any]) -> int:
    """The newest completed run's id (0 when none completed yet)."""
    row = conn.execute(
        "select max(run_id) from ops.load_runs where status in (%s, %s)", COMPLETED_STATUSES
    ).fetchone()
    return int(row[0]) if row and row[0] is not None else 0


def mark_marts_built(conn: psycopg.Connection[Any], run_id: int, keys_sha256: str | None = None) -> None:
    """Record that ``dbt build`` succeeded after ``run_id``: the marts hold every completed run up to it,
    keyed by the agency mapping whose fingerprint is ``keys_sha256``."""
    with conn.transaction():
        conn.execute("update ops.load_runs set marts_built_at = now() where run_id = %s", (run_id,))
        conn.execute(
            "update status.marts_build set state = 'built', run_id = %s, built_at = now(), message = null, "
            "keys_sha256 = coalesce(%s, keys_sha256)",
            (run_id, keys_sha256),
        )


def marts_keys_sha256(conn: psycopg.Connection[Any]) -> str | None:
    """The fingerprint of the agency mapping the marts were last built with (None: never recorded)."""
    row = conn.execute("select keys_sha256 from status.marts_build").fetchone()
    return row[0] if row else None


def mark_marts_building(conn: psycopg.Connection[Any], run_id: int) -> None:
    """Say, where dashboards read it, that the marts are being rebuilt: until ``built``, they may
    mix the last load and the one before (dbt replaces them one model at a time)."""
    with conn.transaction():
        conn.execute(
            "update status.marts_build set state = 'building', run_id = %s, build_started_at = now(), "
            "message = null",
            (run_id,),
        )


def mark_marts_failed(conn: psycopg.Connection[Any], run_id: int, message: str) -> None:
    """The build after ``run_id`` failed: the marts may mix loads until a build succeeds."""
    with conn.transaction():
        conn.execute(
            "update status.marts_build set state = 'failed', run_id = %s, message = %s",
            (run_id, message[:2000]),
        )


def marts_status(conn: psycopg.Connection[Any]) -> dict[str, Any] | None:
    """The marts' build state (``status.marts_build``), or None on a database before migration 0006."""
    if conn.execute("select to_regclass('status.marts_build')").fetchone() == (None,):
        return None
    with conn.cursor(row_factory=dict_row) as cur:
        return cur.execute(
            "select state, run_id, build_started_at, built_at, message from status.marts_build"
        ).fetchone()


def open_quarantine(conn: psycopg.Connection[Any]) -> list[dict[str, Any]]:
    """Files in quarantine that no later run loaded, oldest first.

    A file quarantined again (by a newer parser version) is listed once,
    with its latest reason.
    """
    with conn.cursor(row_factory=dict_row) as cur:
        return cur.execute(
            "select * from (select distinct on (coalesce(q.sha256, q.path)) q.quarantine_id, q.run_id, "
            "q.path, q.sha256, q.error_code, q.reason, q.quarantined_at "
            "from ops.quarantine q join ops.load_runs l using (run_id) "
            "where q.resolved_at is null and l.status in (%s, %s) "
            "order by coalesce(q.sha256, q.path), q.quarantine_id desc) latest order by quarantine_id",
            COMPLETED_STATUSES,
        ).fetchall()
