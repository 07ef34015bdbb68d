"""One run, end to end: database, migrations, lock, load, marts, counts, exit code.

Every loading command (``nianbao run``, ``reparse``, ``quarantine retry``)
and the benchmark call :func:`execute` with a source (``etl.run.sources``)
and one :class:`Settings` value, and get one :class:`RunOutcome` back that
carries everything a summary shows and the exit code a scheduler acts on.
Nothing here prints: the CLI renders the outcome.

The writer lock is held from before the load until after ``dbt build``, so a
second schedule neither loads nor builds while this one does.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from enum import IntEnum
from typing import Any

import psycopg

from etl.database import database_url, redact
from etl.load.runs import LockedError, writer_lock
from etl.load.writer import LoadResult, execute_run
from etl.run.failures import explain
from etl.run.marts import MartsOutcome, refresh_marts
from etl.run.settings import Settings
from etl.run.sources import Progress, Source
from etl.transform import MART_SCHEMA, mart_row_counts

log = logging.getLogger("etl.run")


class ExitCode(IntEnum):
    """What a run exits with; a scheduler can branch on these."""

    OK = 0
    FAILED = 1
    USAGE = 2  # bad arguments (typer/click's own code)
    QUARANTINED = 3  # loaded, but this run quarantined some files
    LOCKED = 4  # another run holds the writer lock; nothing was done
    DBT_FAILED = 5  # loaded, but dbt build failed: the marts are not up to date


@dataclass
class RunOutcome:
    """What one run did, for the summary, the log and the exit code."""

    exit_code: ExitCode
    url: str | None = None
    load: LoadResult | None = None
    marts: MartsOutcome | None = None
    # rows per table of the marts schema after the run
    rows: dict[str, int] = field(default_factory=dict)
    # why the run did nothing, or failed (exit codes 1 and 4)
    error: str | None = None


ProgressBar = Callable[[int], AbstractContextManager[Progress | None]]


@contextlib.contextmanager
def no_progress(total: int) -> Iterator[Progress | None]:
    yield None


def _ignore(path: str, outcome: str) -> None:
    pass


def load(
    url: str,
    source: Source,
    settings: Settings | None = None,
    *,
    conn: psycopg.Connection[Any] | None = None,
    on_file: Progress | None = None,
    files_seen: int = 0,
) -> LoadResult:
    """The load step of a run alone: ``source`` parsed and written as one bookkept run.

    No migration and no marts: what :func:`execute` does between the two,
    and what the benchmark times. ``conn`` is a connection that already
    holds the writer lock (``execute`` keeps it through ``dbt build``);
    without it the run takes and releases its own, waiting up to
    ``settings.wait_seconds``. ``files_seen`` is only for the first log
    line (the source counts what it handles). Raises :class:`etl.load.LockedError` before
    touching anything when another run holds the lock.
    """
    settings = settings or Settings()
    feed = on_file or _ignore
    return execute_run(
        url,
        lambda c, r, w: source.feed(c, r, w, settings, feed),
        kind=source.kind,
        files_seen=files_seen,
        parser_version=settings.parser.version,
        command=source.command,
        wait_seconds=settings.wait_seconds,
        conn=conn,
        batch_reports=settings.batch_reports,
        batch_bytes=settings.batch_bytes,
    )


def execute(
    source: Source, settings: Settings | None = None, progress: ProgressBar = no_progress
) -> RunOutcome:
    """Migrate, take the writer lock, load ``source``, refresh the marts, count their rows.

    Never raises for what can go wrong in a night (no database, a failed
    migration, a held lock, a failed load): the outcome says what happened
    and carries the exit code. ``progress(total)`` is entered around the
    load with the number of files the source will hand over and may yield a
    per-file callback (the CLI's progress bar).
    """
    settings = settings or Settings()
    try:
        url = settings.database_url or database_url()
    except Exception as exc:
        message = f"cannot reach a database: {exc}"
        log.error("%s", message)
        return RunOutcome(ExitCode.FAILED, error=message)
    log.info("database %s", redact(url))
    if settings.migrate:
        from etl.migrate import upgrade

        try:
            upgrade(url)
        except Exception as exc:
            message = f"cannot migrate {redact(url)}: {explain(exc)}"
            log.error("%s", message)
            return RunOutcome(ExitCode.FAILED, url=url, error=message)

    try:
        with writer_lock(url, settings.wait_seconds) as conn:
            total = source.total(conn, settings.parser)
            with progress(total) as on_file:
                result = load(url, source, settings, conn=conn, on_file=on_file, files_seen=total)
            marts = refresh_marts(url, conn, result, settings.dbt, quiet=settings.quiet)
    except LockedError as exc:
        hint = "" if settings.wait_seconds else "; `--wait SECONDS` queues behind it"
        log.error("%s (exit code 4%s)", exc, hint)
        return RunOutcome(ExitCode.LOCKED, url=url, error=str(exc))
    except LookupError as exc:  # the run was asked about something that is not there (a report id)
        log.error("%s", exc)
        return RunOutcome(ExitCode.FAILED, url=url, error=str(exc))
    except Exception as exc:
        message = f"load failed: {explain(exc)}"
        log.error("%s", message)
        log.debug("the failure in full", exc_info=True)  # shown with `nianbao --debug`
        return RunOutcome(ExitCode.FAILED, url=url, error=message)

    try:
        rows = mart_row_counts(url, MART_SCHEMA)
    except psycopg.Error as exc:
        log.warning("could not count mart rows: %s", exc)
        rows = {}

    code = ExitCode.OK
    if not marts.success:
        code = ExitCode.DBT_FAILED
    elif result.files_quarantined:
        code = ExitCode.QUARANTINED
    return RunOutcome(code, url=url, load=result, marts=marts, rows=rows)
