"""What the store holds: the documents (and their bytes) a later run reads again.

Every file's bytes are kept in ``raw.documents``, so a better parser (a new
``PARSER_VERSION``) can re-derive the parsed tables without the original
files (``nianbao reparse``), and a quarantined file can be tried again from
its stored bytes (``nianbao quarantine retry``). Which documents are due and
how to fetch them a few at a time is this module; parsing them is the run
layer's (``etl.run.sources``).

Which documents a reparse reads: by default those whose newest handling (a
report, or a rejection, in a completed run) is by an older parser version;
with ``everything``, every stored document, even those the current version
already parsed (a parser fixed without a version bump).
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from typing import Any

import psycopg

from etl.load import runs
from etl.load.rows import Document

# Documents fetched per query: their bytes are held in memory until parsed.
FETCH_DOCUMENTS = 100


def version_key(version: str) -> tuple[int, ...]:
    """``0.10.2`` after ``0.9.0``: the numeric parts, as dbt's ``int_reports_versioned`` orders them."""
    return tuple(int(part) for part in re.findall(r"\d+", version))


def documents_to_reparse(
    conn: psycopg.Connection[Any], parser_version: str, *, everything: bool = False
) -> list[str]:
    """SHA-256s of the stored documents a reparse by ``parser_version`` should read, oldest first."""
    rows = conn.execute(
        "select d.sha256, "
        "array(select distinct r.parser_version from raw.reports r join ops.load_runs l using (run_id) "
        "      where r.sha256 = d.sha256 and l.status in (%s, %s)) "
        "|| array(select distinct l.parser_version from ops.quarantine q join ops.load_runs l using (run_id) "
        "      where q.sha256 = d.sha256 and l.status in (%s, %s)) "
        "from raw.documents d order by d.loaded_at, d.sha256",
        (*runs.COMPLETED_STATUSES, *runs.COMPLETED_STATUSES),
    ).fetchall()
    if everything:
        return [r[0] for r in rows]
    current = version_key(parser_version)
    due: list[str] = []
    for sha, versions in rows:
        if not versions:
            continue  # no completed run handled it: nothing to redo
        if max(version_key(v) for v in versions) < current:
            due.append(sha)
    return due


def stored_documents(conn: psycopg.Connection[Any], shas: Sequence[str]) -> Iterator[Document]:
    """The stored documents, fetched a few at a time so memory stays bounded."""
    for start in range(0, len(shas), FETCH_DOCUMENTS):
        chunk = list(shas[start : start + FETCH_DOCUMENTS])
        rows = conn.execute(
            "select sha256, original_path, format, encoding, content, manifest "
            "from raw.documents where sha256 = any(%s)",
            (chunk,),
        ).fetchall()
        by_sha = {r[0]: r for r in rows}
        for sha in chunk:
            row = by_sha.get(sha)
            if row is None:  # removed meanwhile; nothing to parse
                continue
            yield Document(
                sha256=row[0],
                path=row[1],
                content=bytes(row[4]),
                format=row[2],
                encoding=row[3],
                manifest=row[5],
            )


def stored_document(conn: psycopg.Connection[Any], sha256: str | None) -> Document | None:
    """One stored document by its SHA-256, or ``None`` (no hash, or not stored)."""
    return next(stored_documents(conn, [sha256]), None) if sha256 else None


def settle_quarantine(conn: psycopg.Connection[Any], run_id: int, sha256: str, path: str) -> None:
    """Mark a file's open quarantine entries resolved by ``run_id`` (its bytes loaded meanwhile)."""
    with conn.transaction():
        conn.execute(
            "update ops.quarantine set resolved_at = now(), resolved_by_run_id = %s "
            "where resolved_at is null and (sha256 = %s or path = %s)",
            (run_id, sha256, path),
        )
