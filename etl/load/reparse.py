"""``nianbao reparse``: parse stored documents again when the parser has improved.

Every file's bytes are kept in ``raw.documents``, so a better parser (a new
``PARSER_VERSION``) can re-derive the parsed tables without the original
files, which the crawler may long have rotated away. A reparse is an ordinary
run (``etl.load.loader.execute_run``): under the writer lock, in batches of
one transaction each, bookkept in ``ops.load_runs``; killed half-way, the next
run removes what it wrote and the documents are simply still due.

Nothing is overwritten: the new parse is a new ``raw.reports`` row beside the
old one, and dbt's ``int_reports_versioned`` reads each document's newest
parse from a completed run. A document the new parser rejects goes to
quarantine and keeps its older parse in the marts.

Which documents: by default those whose newest handling (a report, or a
rejection, in a completed run) is by an older parser version; with
``everything``, every stored document, even those the current version
already parsed (a parser fixed without a version bump).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator, Sequence
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
)
from etl.load.parallel import Job, parse_in_order
from etl.load.records import Document
from etl.parse import PARSER_VERSION
from etl.pipeline import parse_bytes

log = logging.getLogger("etl.load.reparse")

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


def _documents(conn: psycopg.Connection[Any], shas: Sequence[str]) -> Iterator[Document]:
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


def reparse_documents(
    url: str,
    *,
    everything: bool = False,
    parse: Parse = parse_bytes,
    parser_version: str = PARSER_VERSION,
    command: str | None = None,
    wait_seconds: float = 0.0,
    conn: psycopg.Connection[Any] | None = None,
    batch_reports: int = BATCH_REPORTS,
    batch_bytes: int = BATCH_BYTES,
    on_file: Progress | None = None,
    workers: int | None = None,
) -> LoadResult:
    """Parse the due stored documents again, as one new run; see the module's docstring.

    The selection is made under the writer lock, so it sees every completed
    run and no half-finished one. ``workers`` parser processes parse in
    parallel, as in a load (``etl.load.parallel``).
    """

    def work(c: psycopg.Connection[Any], result: LoadResult, writer: BatchWriter) -> None:
        shas = documents_to_reparse(c, result.parser_version, everything=everything)
        result.files_seen = len(shas)
        log.info("reparse: %d stored documents to parse with parser %s", len(shas), result.parser_version)
        jobs = (Job(d, d.content, d.path) for d in _documents(c, shas))
        for job, record in parse_in_order(jobs, parse=parse, workers=workers):
            assert record is not None
            document = job.item
            result.files_done += 1
            writer.add(document, record)
            if on_file is not None:
                on_file(document.path, "rejected" if record.status == "rejected" else "parsed")

    return execute_run(
        url,
        work,
        kind="reparse",
        parser_version=parser_version,
        command=command or ("nianbao reparse --all" if everything else "nianbao reparse"),
        wait_seconds=wait_seconds,
        conn=conn,
        batch_reports=batch_reports,
        batch_bytes=batch_bytes,
    )
