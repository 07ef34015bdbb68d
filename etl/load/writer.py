"""The single writer: parsed records into the ``raw`` tables, one transaction per batch.

What makes a run crash-safe lives here and in ``etl.load.runs`` (the
ledger): :func:`execute_run` takes the writer lock (or uses the caller's),
cleans up after any run that died, writes the run's ``running`` row, lets
the run layer (``etl.run``) feed it parsed files through a
:class:`BatchWriter`, and marks the run completed. Until then, downstream
treats nothing of the run as loaded, and a crash leaves data the next run
removes before redoing it.

A batch the database refuses (a record the tables cannot hold) is retried
report by report, so one bad record is quarantined as ``load_failed``
instead of costing its neighbours their load or stopping the run.

This module knows records and rows, never files or parsing: where the bytes
come from and how they become records is the run layer's business.
"""

from __future__ import annotations

import contextlib
import dataclasses
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import psycopg
from psycopg.types.json import Jsonb

from etl.load import runs
from etl.load.copy import TableRows, copy_rows, copy_tables
from etl.load.rows import Batch, Document, ReportRows, report_rows, text
from etl.record import Report

log = logging.getLogger("etl.load")

BATCH_REPORTS = 500
BATCH_BYTES = 64 * 1024 * 1024
Progress = Callable[[str, str], None]


# -- results ----------------------------------------------------------------
@dataclass
class QuarantinedFile:
    path: str
    sha256: str | None
    error_code: str
    reason: str


@dataclass
class LoadResult:
    """What a load did, for the summary, the exit code and the run row."""

    run_id: int
    status: str
    parser_version: str
    # load | reparse | retry: which command's run this was
    kind: str = "load"
    files_seen: int = 0
    files_loaded: int = 0
    files_skipped: int = 0
    files_quarantined: int = 0
    findings: int = 0
    # of files_skipped: files still in quarantine from an earlier run
    skipped_in_quarantine: int = 0
    # of files_skipped: files not even opened (ops.file_index: as they were when last read)
    files_unopened: int = 0
    cells: int = 0
    # reports with a field filled from the crawler's manifest
    manifest_filled: int = 0
    # files handled so far (loaded, skipped or quarantined), for progress lines
    files_done: int = 0
    quarantined: list[QuarantinedFile] = field(default_factory=list)
    aborted_runs: list[int] = field(default_factory=list)
    seconds: float = 0.0

    def counts(self) -> runs.RunCounts:
        return runs.RunCounts(
            files_seen=self.files_seen,
            files_loaded=self.files_loaded,
            files_skipped=self.files_skipped,
            files_quarantined=self.files_quarantined,
            findings=self.findings,
        )


# -- writing ----------------------------------------------------------------
@dataclass
class _Pending:
    document: Document | None
    report: Report | None
    rejection: QuarantinedFile | None = None


def _reason(report: Report, path: str) -> QuarantinedFile:
    """Why a rejected record is quarantined, always naming the file."""
    code = report.errors[0].code if report.errors else "rejected"
    messages = [e.message for e in report.errors] or ["the parser rejected the file without a reason"]
    reason = "; ".join(messages)
    if path not in reason:
        reason = f"{path}: {reason}"
    return QuarantinedFile(path=path, sha256=report.source.sha256 or None, error_code=code, reason=reason)


QUARANTINE_COLUMNS = ("run_id", "path", "sha256", "error_code", "reason")


@dataclass
class _Written:
    """What one transaction wrote, counted into the result after it commits."""

    loaded: int
    findings: int
    cells: int
    rejected: list[QuarantinedFile]
    manifest_filled: int = 0


class BatchWriter:
    """Collects parsed files and writes them in batches, one transaction each."""

    def __init__(
        self,
        conn: psycopg.Connection[Any],
        result: LoadResult,
        *,
        batch_reports: int = BATCH_REPORTS,
        batch_bytes: int = BATCH_BYTES,
    ) -> None:
        self.conn = conn
        self.result = result
        self.batch_reports = batch_reports
        self.batch_bytes = batch_bytes
        self.pending: list[_Pending] = []
        self.pending_bytes = 0
        self._sequence: str | None = None

    def add(self, document: Document, report: Report) -> None:
        """Queue one parsed file: loaded if parsed or partial, quarantined if rejected."""
        # The loader's own hash of the bytes it stores is the key, whatever the record says.
        if report.source.sha256 != document.sha256:
            report = dataclasses.replace(
                report, source=dataclasses.replace(report.source, sha256=document.sha256)
            )
        document.format = report.source.format or document.format
        document.encoding = report.source.encoding
        rejection = _reason(report, document.path) if report.status == "rejected" else None
        self.pending.append(_Pending(document, None if rejection else report, rejection))
        self.pending_bytes += len(document.content)
        if len(self.pending) >= self.batch_reports or self.pending_bytes >= self.batch_bytes:
            self.flush()

    def quarantine_unread(self, path: str, code: str, reason: str) -> None:
        """A file with no bytes to store (unreadable, too large): only its quarantine row."""
        self.pending.append(_Pending(None, None, QuarantinedFile(path, None, code, reason)))

    def flush(self) -> None:
        """Write the queued files in one transaction; on refusal, one by one."""
        items, self.pending, self.pending_bytes = self.pending, [], 0
        if not items:
            return
        try:
            self._commit(items)
        except (psycopg.DataError, psycopg.IntegrityError, ValueError) as exc:
            if len(items) == 1:
                self._write_failed(items[0], exc)
                return
            log.warning("batch of %d files refused (%s); retrying file by file", len(items), exc)
            for item in items:
                try:
                    self._commit([item])
                except (psycopg.DataError, psycopg.IntegrityError, ValueError) as item_exc:
                    self._write_failed(item, item_exc)

    # -- internals --
    def _write_failed(self, item: _Pending, exc: Exception) -> None:
        """Quarantine a file whose record the database refused; keep its bytes."""
        if item.document is None:  # a bare quarantine row cannot be refused for its data
            raise exc
        path = item.document.path
        detail = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        failed = _Pending(
            item.document,
            None,
            QuarantinedFile(
                path,
                item.document.sha256,
                "load_failed",
                f"{path}: the database refused the record ({detail})",
            ),
        )
        self._commit([failed])

    def _commit(self, items: list[_Pending]) -> None:
        """One transaction for ``items``; the result counts them only once it committed."""
        with self.conn.transaction():
            written = self._write(items)
        r = self.result
        r.files_loaded += written.loaded
        r.findings += written.findings
        r.cells += written.cells
        r.files_quarantined += len(written.rejected)
        r.manifest_filled += written.manifest_filled
        r.quarantined.extend(written.rejected)
        for q in written.rejected:
            log.warning("quarantined %s [%s]: %s", q.path, q.error_code, q.reason)
        log.info(
            "batch committed: %d reports, %d cells, %d quarantined (%d of %d files done)",
            written.loaded,
            written.cells,
            len(written.rejected),
            r.files_done,
            r.files_seen,
        )

    def _report_ids(self, n: int) -> list[int]:
        if self._sequence is None:
            row = self.conn.execute("select pg_get_serial_sequence('raw.reports', 'report_id')").fetchone()
            assert row is not None and row[0]
            self._sequence = str(row[0])
        rows = self.conn.execute(
            "select nextval(%s::regclass) from generate_series(1, %s)", (self._sequence, n)
        ).fetchall()
        return [int(r[0]) for r in rows]

    def _write(self, items: list[_Pending]) -> _Written:
        """All rows of ``items``; the caller's transaction makes them one commit."""
        run_id = self.result.run_id
        parser_version = self.result.parser_version
        docs = [i.document for i in items if i.document is not None]
        stored = {
            r[0]
            for r in self.conn.execute(
                "select sha256 from raw.documents where sha256 = any(%s)", ([d.sha256 for d in docs],)
            ).fetchall()
        }
        batch = Batch()
        known_manifests: list[tuple[Jsonb, str]] = []
        for doc in docs:
            if doc.sha256 not in stored:
                stored.add(doc.sha256)
                batch.add_document(doc, run_id)
            elif doc.manifest is not None:
                known_manifests.append((Jsonb(doc.manifest), doc.sha256))

        loaded = [i for i in items if i.report is not None]
        built: list[ReportRows] = []
        for item, report_id in zip(loaded, self._report_ids(len(loaded)) if loaded else [], strict=True):
            assert item.report is not None
            rows = report_rows(
                item.report,
                report_id=report_id,
                run_id=run_id,
                parser_version=parser_version,
                manifest=item.document.manifest if item.document else None,
            )
            batch.add_report(rows)
            built.append(rows)

        quarantine = TableRows("ops.quarantine", QUARANTINE_COLUMNS)
        rejected = [i.rejection for i in items if i.rejection is not None]
        for q in rejected:
            quarantine.add((run_id, text(q.path), q.sha256, q.error_code, text(q.reason)))

        with self.conn.cursor() as cur:
            if known_manifests:
                # a file stored before its manifest arrived: keep what the crawler says now
                cur.executemany(
                    "update raw.documents set manifest = %s where sha256 = %s and manifest is null",
                    known_manifests,
                )
            copy_tables(cur, batch.ordered())
            copy_rows(cur, quarantine.table, quarantine.columns, quarantine.rows)
            if loaded:
                # A file that loads now settles its earlier quarantine entries
                # (the same bytes, or a corrected file at the same path).
                cur.execute(
                    "update ops.quarantine set resolved_at = now(), resolved_by_run_id = %s "
                    "where resolved_at is null and run_id <> %s and (sha256 = any(%s) or path = any(%s))",
                    (
                        run_id,
                        run_id,
                        [i.report.source.sha256 for i in loaded if i.report],
                        [i.document.path for i in loaded if i.document],
                    ),
                )

        return _Written(
            loaded=len(loaded),
            findings=sum(len(r.findings) for r in built),
            cells=sum(r.cell_count for r in built),
            rejected=rejected,
            manifest_filled=sum(1 for r in built if r.manifest_fields),
        )


# -- one run ----------------------------------------------------------------
Work = Callable[[psycopg.Connection[Any], LoadResult, BatchWriter], None]


def execute_run(
    url: str,
    work: Work,
    *,
    kind: str = "load",
    files_seen: int = 0,
    parser_version: str,
    command: str | None = None,
    wait_seconds: float = 0.0,
    conn: psycopg.Connection[Any] | None = None,
    batch_reports: int = BATCH_REPORTS,
    batch_bytes: int = BATCH_BYTES,
) -> LoadResult:
    """One bookkept, crash-safe run: lock, recover, ``running`` row, ``work``, completed.

    ``work(conn, result, writer)`` feeds parsed files to ``writer``; whatever
    it raises fails the run, whose committed batches are then removed (or, if
    the process dies, removed by the next run's recovery). ``conn`` is a
    connection that already holds the writer lock (``runs.writer_lock``), for
    a caller that keeps the lock beyond the load (``nianbao run`` holds it
    through ``dbt build``); without it the run takes and releases its own.
    Raises :class:`etl.load.runs.LockedError` before touching anything when
    another run holds the lock.
    """
    started = time.monotonic()
    with contextlib.ExitStack() as stack:
        if conn is None:
            conn = stack.enter_context(runs.writer_lock(url, wait_seconds))
        aborted = runs.recover(conn)
        for run_id in aborted:
            log.warning("run %d had not completed: marked aborted and its partial data removed", run_id)
        run_id = runs.start_run(conn, parser_version, command)
        result = LoadResult(
            run_id=run_id,
            status="running",
            parser_version=parser_version,
            kind=kind,
            files_seen=files_seen,
            aborted_runs=aborted,
        )
        log.info("run %d (%s): %d files, parser %s", run_id, kind, files_seen, parser_version)
        writer = BatchWriter(conn, result, batch_reports=batch_reports, batch_bytes=batch_bytes)
        try:
            work(conn, result, writer)
            writer.flush()
            result.status = runs.finish_run(conn, run_id, result.counts())
        except BaseException as exc:
            _fail(conn, result, exc)
            raise
    result.seconds = time.monotonic() - started
    log.info(
        "run %d %s: %d seen, %d loaded, %d skipped, %d quarantined, %d findings in %.1fs",
        result.run_id,
        result.status,
        result.files_seen,
        result.files_loaded,
        result.files_skipped,
        result.files_quarantined,
        result.findings,
        result.seconds,
    )
    return result


def _fail(conn: psycopg.Connection[Any], result: LoadResult, exc: BaseException) -> None:
    """Undo the failed run's data now; if even that fails, the next run's recovery will."""
    message = f"{type(exc).__name__}: {exc}".strip()
    result.status = "failed"
    try:
        if conn.info.transaction_status != psycopg.pq.TransactionStatus.IDLE:
            conn.rollback()
        runs.fail_run(conn, result.run_id, message, result.counts())
    except Exception as cleanup_exc:  # the original error is the one to report
        log.error("run %d failed and could not clean up (%s); the next run will", result.run_id, cleanup_exc)
