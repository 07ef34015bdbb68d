"""Where a run's bytes come from: the landing folder, the store, or quarantine.

The three loading commands are one run (``etl.run.driver``) fed by three
sources; each knows how many files it will hand over (for progress) and how
to feed them, parsed, to the writer:

- :class:`Files` (``nianbao run``): files read and hashed here; bytes this
  parser version already loaded or quarantined in a completed run are
  skipped *without parsing*, so a night with nothing new costs one read per
  file. The rest go through the parse pool (``etl.run.pool``) in file order.
- :class:`Stored` (``nianbao reparse``): the documents in ``raw.documents``
  a new parser version is due to read again, without the original files.
  Nothing is overwritten: the new parse is a new ``raw.reports`` row beside
  the old one, and dbt's ``int_reports_versioned`` reads each document's
  newest parse from a completed run. A document the new parser rejects goes
  to quarantine and keeps its older parse in the marts.
- :class:`Quarantined` (``nianbao quarantine retry``): each open quarantine
  entry parsed again from its stored bytes, or, when none were stored (the
  file could not be read), from its original path if the file is still
  there. A file that now loads settles its entries (as any load does); one
  rejected again gets a fresh entry with today's reason.

Each is selected under the writer lock, so it sees every completed run and
no half-finished one.
"""

from __future__ import annotations

import dataclasses
import hashlib
import logging
import os
import stat
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

import psycopg

from etl.load import pins, runs, store
from etl.load.rows import Document
from etl.load.writer import BatchWriter, LoadResult
from etl.pipeline import Parser
from etl.record import Error, Report
from etl.run.files import VANISHED, display_name, read_file, roots_of
from etl.run.manifest import Manifest
from etl.run.pool import Job, limited_parse, parse_in_order
from etl.run.settings import Settings

log = logging.getLogger("etl.run")

Progress = Callable[[str, str], None]


class Source(Protocol):
    """What a run loads: its kind and command for the ledger, its size, its work."""

    kind: str
    command: str

    def total(self, conn: psycopg.Connection[Any], parser: Parser) -> int:
        """How many files (or documents) the run will handle, for a progress bar."""
        ...

    def feed(
        self,
        conn: psycopg.Connection[Any],
        result: LoadResult,
        writer: BatchWriter,
        settings: Settings,
        on_file: Progress,
    ) -> None:
        """Parse what is due and hand every record to ``writer``; count skips in ``result``."""
        ...


# -- the landing folder -------------------------------------------------------
@dataclass
class _FileJob:
    """What the run knows of a file before it is parsed."""

    path: Path
    name: str  # the path as stored and shown (``files.display_name``)
    sha256: str = ""
    # (code, reason) of a file that could not be read (unreadable, too_large)
    unreadable: tuple[str, str] | None = None
    in_quarantine: bool = False  # skipped, its bytes still in quarantine


@dataclass
class Files:
    """Report files (found by ``etl.run.files.discover_files``), with the crawler's manifest."""

    files: Sequence[Path]
    manifest: Manifest | None = None
    command: str = "nianbao run"
    kind: str = "load"
    # the folders links may point into (default: those of the files themselves)
    roots: Sequence[Path] | None = None

    def total(self, conn: psycopg.Connection[Any], parser: Parser) -> int:
        return len(self.files)

    def feed(
        self,
        conn: psycopg.Connection[Any],
        result: LoadResult,
        writer: BatchWriter,
        settings: Settings,
        on_file: Progress,
    ) -> None:
        parser, limits = settings.parser, settings.limits
        result.files_seen = len(self.files)
        loaded_before, quarantined_before = runs.known_sha256(conn, parser.version)
        unread_before = runs.open_unread(conn)
        index = {} if settings.rehash else runs.file_index(conn)
        read_now: list[tuple[str, int, int, str]] = []
        roots = roots_of(self.files) if self.roots is None else list(self.roots)
        seen_now: set[str] = set()

        def jobs() -> Iterator[Job[_FileJob]]:
            """Every file, read and hashed here unless the index says it is as it was when its
            bytes were loaded; only new bytes carry data to parse."""
            for path in self.files:
                name = display_name(path)
                try:
                    info: os.stat_result | None = os.lstat(path)
                except OSError:
                    info = None
                if info is not None and not stat.S_ISREG(info.st_mode):
                    info = None  # links, FIFOs...: read_file decides, and they are never indexed
                known = index.get(name)
                if known is not None and info is not None and known[:2] == (info.st_size, info.st_mtime_ns):
                    sha = known[2]
                    if sha in loaded_before or sha in quarantined_before:
                        result.files_unopened += 1
                        yield Job(_FileJob(path, name, sha, in_quarantine=sha in quarantined_before))
                        continue
                data, code, reason = read_file(path, roots, limits.max_file_bytes)
                if data is None:
                    yield Job(_FileJob(path, name, unreadable=(code, reason)))
                    continue
                sha = hashlib.sha256(data).hexdigest()
                if info is not None:  # the size and time before the read: a file changed since is read again
                    read_now.append((name, info.st_size, info.st_mtime_ns, sha))
                if sha in loaded_before or sha in seen_now or sha in quarantined_before:
                    yield Job(_FileJob(path, name, sha, in_quarantine=sha in quarantined_before))
                    continue
                seen_now.add(sha)
                yield Job(_FileJob(path, name, sha), data, name)

        for job, record in parse_in_order(
            jobs(), parse=parser.parse, workers=settings.workers, limits=limits
        ):
            result.files_done += 1
            item = job.item
            name = item.name
            if record is None:
                if item.unreadable is None:
                    result.files_skipped += 1
                    result.skipped_in_quarantine += item.in_quarantine
                    log.debug("skipped %s (sha256 %s already handled)", name, item.sha256[:12])
                    on_file(name, "skipped")
                elif item.unreadable[0] == VANISHED:
                    result.files_skipped += 1
                    log.warning("skipped %s", item.unreadable[1])
                    on_file(name, "skipped")
                elif (name, item.unreadable[0]) in unread_before:
                    # quarantined for the same reason by an earlier night: listed once, not every night
                    result.files_skipped += 1
                    result.skipped_in_quarantine += 1
                    on_file(name, "skipped")
                else:
                    writer.quarantine_unread(name, *item.unreadable)
                    on_file(name, "unreadable")
                continue
            assert job.data is not None
            entry = self.manifest.get(item.path) if self.manifest is not None else None
            if entry is not None:
                record = as_the_manifest_says(record, name, entry.stored())
            document = Document(
                sha256=item.sha256,
                path=name,
                content=job.data,
                format=record.source.format or "text",
                manifest=entry.stored() if entry is not None else None,
            )
            writer.add(document, record)
            on_file(name, "rejected" if record.status == "rejected" else "parsed")
        runs.update_file_index(conn, read_now)


def as_the_manifest_says(record: Report, name: str, manifest: dict[str, Any] | None) -> Report:
    """The record, unless the crawler's manifest calls the page a wrapper of the report's file:
    then never a report, whatever its text says (a load, a reparse and a retry alike).

    Where the parser settled no place and the manifest gives the site's
    (``region_code``, from the sites file), the agency gets the unit it has in
    that place (``etl.parse.agency``), so that its reports meet on one key; the
    loader fills the region itself and records that it came from the manifest.
    """
    if not manifest or str(manifest.get("kind") or "").strip() != "wrapper_page":
        return _unit_in_the_sites_place(record, manifest)
    where = manifest.get("manifest") or "its manifest entry"
    return Report(
        source=record.source,
        status="rejected",
        errors=[
            Error(
                "not_a_report",
                f"{name}: the crawler's manifest ({where}) says this page only links the report's file "
                "(kind wrapper_page); the attachment is loaded instead",
            )
        ],
    )


def _unit_in_the_sites_place(record: Report, manifest: dict[str, Any] | None) -> Report:
    from etl.load.rows import fill_values
    from etl.parse.agency import agency_unit
    from etl.parse.region import code_level

    agency = record.agency
    region = fill_values(manifest).get("region_code")
    if region is None or agency.region_code is not None or agency.unit is not None or not agency.name:
        return record
    if agency.level == "national":
        return record
    level = "township" if agency.kind == "township" else code_level(region)
    unit = agency_unit(agency.name, region, level, agency.kind)
    if unit is None:
        return record
    return dataclasses.replace(record, agency=dataclasses.replace(agency, level=level, unit=unit))


# -- the store ----------------------------------------------------------------
@dataclass
class Stored:
    """The stored documents a reparse by this parser is due to read (all with ``everything``)."""

    everything: bool = False
    kind: str = "reparse"
    command: str = field(default="")

    def __post_init__(self) -> None:
        if not self.command:
            self.command = "nianbao reparse --all" if self.everything else "nianbao reparse"

    def total(self, conn: psycopg.Connection[Any], parser: Parser) -> int:
        return len(store.documents_to_reparse(conn, parser.version, everything=self.everything))

    def feed(
        self,
        conn: psycopg.Connection[Any],
        result: LoadResult,
        writer: BatchWriter,
        settings: Settings,
        on_file: Progress,
    ) -> None:
        parser = settings.parser
        shas = store.documents_to_reparse(conn, parser.version, everything=self.everything)
        result.files_seen = len(shas)
        log.info("reparse: %d stored documents to parse with parser %s", len(shas), parser.version)
        jobs = (Job(d, d.content, d.path) for d in store.stored_documents(conn, shas))
        for job, record in parse_in_order(
            jobs, parse=parser.parse, workers=settings.workers, limits=settings.limits
        ):
            assert record is not None
            document = job.item
            result.files_done += 1
            record = as_the_manifest_says(record, document.path, document.manifest)
            writer.add(document, record)
            on_file(document.path, "rejected" if record.status == "rejected" else "parsed")


# -- quarantine -----------------------------------------------------------------
@dataclass
class Quarantined:
    """Every open quarantine entry, parsed again in-line (a handful of files, not a night's)."""

    kind: str = "retry"
    command: str = "nianbao quarantine retry"

    def total(self, conn: psycopg.Connection[Any], parser: Parser) -> int:
        return len(runs.open_quarantine(conn))

    def feed(
        self,
        conn: psycopg.Connection[Any],
        result: LoadResult,
        writer: BatchWriter,
        settings: Settings,
        on_file: Progress,
    ) -> None:
        entries = runs.open_quarantine(conn)
        result.files_seen = len(entries)
        log.info("quarantine retry: %d open entries", len(entries))
        loaded_before, _ = runs.known_sha256(conn, settings.parser.version)
        seen_now: set[str] = set()
        for entry in entries:
            result.files_done += 1
            outcome = _retry_one(conn, result, writer, entry, settings, loaded_before, seen_now)
            on_file(entry["path"], outcome)


def _retry_one(
    conn: psycopg.Connection[Any],
    result: LoadResult,
    writer: BatchWriter,
    entry: dict[str, Any],
    settings: Settings,
    loaded_before: set[str],
    seen_now: set[str],
) -> str:
    """Queue one entry's file for the writer; returns the outcome for progress."""
    path: str = entry["path"]
    document = store.stored_document(conn, entry.get("sha256"))
    if document is None:
        data, code, reason = read_file(Path(path), max_bytes=settings.limits.max_file_bytes)
        if data is None:
            if code != VANISHED:
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
        store.settle_quarantine(conn, result.run_id, document.sha256, path)
        result.files_skipped += 1
        return "skipped"
    seen_now.add(document.sha256)
    record = limited_parse(settings.parser.parse, document.content, path, settings.limits.parse_seconds)
    record = as_the_manifest_says(record, path, document.manifest)
    document.format = record.source.format or document.format
    writer.add(document, record)
    return "rejected" if record.status == "rejected" else "parsed"


# -- a pin ------------------------------------------------------------------------
@dataclass
class Pin:
    """No files: pin (or unpin) a version under the writer lock, so the run's build shows it."""

    report_id: int
    note: str | None = None
    unpin: bool = False
    kind: str = "pin"
    command: str = ""

    def __post_init__(self) -> None:
        if not self.command:
            verb = "unpin" if self.unpin else "pin"
            self.command = f"nianbao versions {verb} {self.report_id}"

    def total(self, conn: psycopg.Connection[Any], parser: Parser) -> int:
        return 0

    def feed(
        self,
        conn: psycopg.Connection[Any],
        result: LoadResult,
        writer: BatchWriter,
        settings: Settings,
        on_file: Progress,
    ) -> None:
        if self.unpin:
            if not pins.unpin(conn, self.report_id):
                log.warning("report %d's document was not pinned", self.report_id)
            else:
                log.info("report %d's document unpinned", self.report_id)
            return
        sha = pins.pin(conn, self.report_id, self.note)
        log.info(
            "report %d pinned as its agency-year's latest version (document %s)", self.report_id, sha[:12]
        )
