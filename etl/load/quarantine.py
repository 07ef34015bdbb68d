"""``nianbao quarantine retry``: give the files in quarantine another go.

A file lands in quarantine with its reason (``ops.quarantine``) and, when it
could be read, its bytes (``raw.documents``). Retrying makes sense once the
cause is gone: a parser that now reads the layout, a file whose permissions
were fixed, a database that refused a record and has since been migrated.

The retry is an ordinary run (``etl.load.loader.execute_run``): locked,
batched, crash-safe, bookkept. Each open entry is parsed again from its
stored bytes, or, when none were stored (the file could not be read), from
its original path if the file is still there. A file that now loads settles
its quarantine entries (``resolved_by_run_id``, as any load does); one
rejected again gets a fresh entry with today's reason and stays listed.
"""

from __future__ import annotations

import hashlib
import logging
from pathlib import Path
from typing import Any

import psycopg

from etl.load import runs
from etl.load.loader import (
    BATCH_BYTES,
    BATCH_REPORTS,
    BatchWriter,
    LoadResult,
    Parse,
    Progress,
    execute_run,
    read_file,
)
from etl.load.records import Document
from etl.parse import PARSER_VERSION
from etl.pipeline import parse_bytes

log = logging.getLogger("etl.load.quarantine")


def retry_quarantine(
    url: str,
    *,
    parse: Parse = parse_bytes,
    parser_version: str = PARSER_VERSION,
    command: str = "nianbao quarantine retry",
    wait_seconds: float = 0.0,
    conn: psycopg.Connection[Any] | None = None,
    batch_reports: int = BATCH_REPORTS,
    batch_bytes: int = BATCH_BYTES,
    on_file: Progress | None = None,
) -> LoadResult:
    """Parse every open quarantine entry again, as one new run; see the module's docstring."""

    def work(c: psycopg.Connection[Any], result: LoadResult, writer: BatchWriter) -> None:
        entries = runs.open_quarantine(c)
        result.files_seen = len(entries)
        log.info("quarantine retry: %d open entries", len(entries))
        loaded_before, _ = runs.known_sha256(c, result.parser_version)
        seen_now: set[str] = set()
        for entry in entries:
            result.files_done += 1
            outcome = _retry_one(c, result, writer, entry, parse, loaded_before, seen_now)
            if on_file is not None:
                on_file(entry["path"], outcome)

    return execute_run(
        url,
        work,
        kind="retry",
        parser_version=parser_version,
        command=command,
        wait_seconds=wait_seconds,
        conn=conn,
        batch_reports=batch_reports,
        batch_bytes=batch_bytes,
    )


def _retry_one(
    conn: psycopg.Connection[Any],
    result: LoadResult,
    writer: BatchWriter,
    entry: dict[str, Any],
    parse: Parse,
    loaded_before: set[str],
    seen_now: set[str],
) -> str:
    """Queue one entry's file for the writer; returns the outcome for progress."""
    path: str = entry["path"]
    document = _stored(conn, entry.get("sha256"))
    if document is None:
        data, code, reason = read_file(Path(path))
        if data is None:
            if Path(path).exists():
                writer.quarantine_unread(path, code, reason)
                return "unreadable"
            log.warning("%s: no stored bytes and the file is gone; left in quarantine", path)
            result.files_skipped += 1
            result.skipped_in_quarantine += 1
            return "skipped"
        document = Document(sha256=hashlib.sha256(data).hexdigest(), path=path, content=data, format="text")
    else:
        document.path = path
    if document.sha256 in loaded_before or document.sha256 in seen_now:
        # already loaded meanwhile (another path with the same bytes): settle the entry only
        with conn.transaction():
            conn.execute(
                "update ops.quarantine set resolved_at = now(), resolved_by_run_id = %s "
                "where resolved_at is null and (sha256 = %s or path = %s)",
                (result.run_id, document.sha256, path),
            )
        result.files_skipped += 1
        return "skipped"
    seen_now.add(document.sha256)
    record = parse(document.content, path)
    document.format = record.source.format or document.format
    writer.add(document, record)
    return "rejected" if record.status == "rejected" else "parsed"


def _stored(conn: psycopg.Connection[Any], sha256: str | None) -> Document | None:
    if not sha256:
        return None
    row = conn.execute(
        "select sha256, original_path, format, encoding, content, manifest from raw.documents where sha256 = %s",
        (sha256,),
    ).fetchone()
    if row is None:
        return None
    return Document(
        sha256=row[0], path=row[1], content=bytes(row[4]), format=row[2], encoding=row[3], manifest=row[5]
    )
