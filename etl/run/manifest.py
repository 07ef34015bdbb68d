"""A crawler's manifest: what it knows about the files it dropped in the landing folder.

A crawler knows things a report file may not say: the page it came from
(``url``), the title it was published under, the agency that published it and
the date. It writes them beside the files as ``manifest.csv`` (with a header
row) or ``manifest.jsonl`` (one JSON object per line), with the columns
``path, url, title, agency, published_date``; ``path`` is relative to the
manifest's own folder (or absolute). Extra columns are kept as they are.

The crawler (issue 15) writes these too, all optional, all kept in
``raw.documents.manifest`` (:data:`CRAWLER_COLUMNS`): ``kind`` (``report_page``,
``wrapper_page``: a page that only links the report's file, ``attachment``:
a file a page linked), ``parent_url`` (the page an attachment came from),
``fetched_at`` (ISO 8601), ``content_type``, ``etag``, ``last_modified``
(the HTTP validators) and ``sha256`` (of the bytes fetched). A file the
manifest calls a ``wrapper_page`` is never loaded as a report: it is
quarantined as ``not_a_report`` without being parsed, and the attachment
beside it is loaded instead.

The manifest only fills gaps: the loader takes the agency name and the
published date from it when the parser found none, records in
``raw.reports.manifest_fields`` which fields it filled, and keeps the whole
entry in ``raw.documents.manifest`` (so ``nianbao reparse`` fills the same
gaps without the manifest file). A manifest is a crawler's output and may be
sloppy: a bad line or a date that is not one is logged and skipped, never a
reason to fail the night.
"""

from __future__ import annotations

import csv
import io
import json
import logging
import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from etl.load.rows import iso_date

log = logging.getLogger("etl.run.manifest")

MANIFEST_SUFFIXES = (".csv", ".jsonl", ".json", ".ndjson")
COLUMNS = ("path", "url", "title", "agency", "published_date")
CRAWLER_COLUMNS = ("kind", "parent_url", "fetched_at", "content_type", "etag", "last_modified", "sha256")
KINDS = ("report_page", "wrapper_page", "attachment")


def is_manifest(name: str) -> bool:
    """``manifest.csv``, ``manifest.jsonl``, ``Manifest-2024.csv``...: a manifest, not a report."""
    lower = name.lower()
    return lower.startswith("manifest") and lower.endswith(MANIFEST_SUFFIXES)


@dataclass(frozen=True)
class ManifestEntry:
    """One file's line of a manifest: the fields it gives, non-empty ones only."""

    fields: Mapping[str, str]
    source: str  # "manifest.csv:12", for messages

    @property
    def agency(self) -> str | None:
        return self.fields.get("agency") or None

    @property
    def published_date(self) -> str | None:
        """The date as ISO, or ``None`` when the manifest gives none or something else."""
        return iso_date(self.fields.get("published_date"))

    def stored(self) -> dict[str, Any]:
        """What ``raw.documents.manifest`` keeps: every field as given, and where it came from."""
        return {**self.fields, "manifest": self.source}


@dataclass
class Manifest:
    """Every entry of the manifests read for a run, by the file's resolved path."""

    entries: dict[Path, ManifestEntry] = field(default_factory=dict)
    files: list[Path] = field(default_factory=list)

    def get(self, path: Path) -> ManifestEntry | None:
        if not self.entries:
            return None
        return self.entries.get(_key(path))

    def __len__(self) -> int:
        return len(self.entries)

    def add_file(self, manifest_path: Path) -> None:
        """Read one manifest; its entries override earlier ones for the same file."""
        self.files.append(manifest_path)
        base = manifest_path.parent
        for entry_path, entry in read_manifest(manifest_path):
            key = _key(entry_path if entry_path.is_absolute() else base / entry_path)
            previous = self.entries.get(key)
            if previous is not None and previous.fields != entry.fields:
                log.warning("%s: overrides %s for %s", entry.source, previous.source, key)
            self.entries[key] = entry


def _key(path: Path) -> Path:
    return Path(os.path.abspath(path))


def read_manifest(path: Path) -> list[tuple[Path, ManifestEntry]]:
    """The (path, entry) pairs of one manifest file, CSV or JSON Lines by its suffix.

    Lines without a path, and lines that do not parse, are logged and left
    out. A manifest that cannot be read at all is logged and gives nothing.
    """
    try:
        data = path.read_bytes()
    except OSError as exc:
        log.warning("%s: cannot read the manifest (%s); ignored", path, exc.strerror or exc)
        return []
    text = data.decode("utf-8-sig", errors="replace")
    rows = _csv_rows(text, path) if path.suffix.lower() == ".csv" else _jsonl_rows(text, path)
    pairs: list[tuple[Path, ManifestEntry]] = []
    for line, row in rows:
        where = f"{path}:{line}"
        fields = {
            str(k).strip().lower(): str(v).strip()
            for k, v in row.items()
            if k is not None and v is not None and str(v).strip()
        }
        file = fields.pop("path", "")
        if not file:
            log.warning("%s: no path; line ignored", where)
            continue
        date = fields.get("published_date")
        if date and iso_date(date) is None:
            log.warning("%s: published_date %r is not a date; it will not be used", where, date)
        pairs.append((Path(file), ManifestEntry(fields=fields, source=where)))
    return pairs


def _csv_rows(text: str, path: Path) -> Iterable[tuple[int, dict[str, Any]]]:
    reader = csv.DictReader(io.StringIO(text))
    if not reader.fieldnames or "path" not in {f.strip().lower() for f in reader.fieldnames if f}:
        log.warning("%s: a manifest CSV needs a header row with a 'path' column; ignored", path)
        return []
    return [(reader.line_num, row) for row in reader]


def _jsonl_rows(text: str, path: Path) -> Iterable[tuple[int, dict[str, Any]]]:
    rows: list[tuple[int, dict[str, Any]]] = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except json.JSONDecodeError as exc:
            log.warning("%s:%d: not JSON (%s); line ignored", path, number, exc.msg)
            continue
        if not isinstance(row, dict):
            log.warning("%s:%d: not a JSON object; line ignored", path, number)
            continue
        rows.append((number, row))
    return rows


def find_manifests(paths: Iterable[Path]) -> list[Path]:
    """Manifests inside the directories in ``paths`` (recursively, hidden folders skipped), sorted."""
    found: list[Path] = []
    for path in paths:
        if not path.is_dir():
            continue
        for root, dirs, files in os.walk(path):
            dirs[:] = sorted(d for d in dirs if not d.startswith("."))
            found.extend(Path(root) / f for f in sorted(files) if is_manifest(f))
    # shallower first, so a manifest deeper in the tree (closer to its files) wins
    return sorted(found, key=lambda p: (len(p.parts), str(p)))


def load_manifest(paths: Iterable[Path], explicit: Iterable[Path] = ()) -> Manifest:
    """The manifests beside the files under ``paths``, then the ``explicit`` ones (which win)."""
    manifest = Manifest()
    for file in [*find_manifests(paths), *explicit]:
        manifest.add_file(file)
    if manifest.files:
        log.info("manifest: %d entries from %d file(s)", len(manifest), len(manifest.files))
    return manifest
