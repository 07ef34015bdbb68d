"""Canonical records into the ``raw`` tables, with ``ops`` bookkeeping.

The public API is :func:`load_paths` (one run over files and directories),
:func:`reparse_documents` (``nianbao reparse``), :func:`retry_quarantine`
(``nianbao quarantine retry``) and what they return or raise; the modules
below them each do one job: ``copy`` streams rows with COPY, ``records``
turns a record into rows, ``manifest`` reads a crawler's manifest, ``runs``
keeps ``ops.load_runs``, the writer lock, crash recovery and the marts'
watermark, ``loader`` runs a load, and ``reparse`` and ``quarantine`` feed
the same machinery from stored documents.
"""

from etl.load.loader import (
    LoadResult,
    QuarantinedFile,
    discover_files,
    execute_run,
    load_paths,
    sample_files,
)
from etl.load.manifest import Manifest, load_manifest
from etl.load.quarantine import retry_quarantine
from etl.load.reparse import documents_to_reparse, reparse_documents
from etl.load.runs import LockedError, last_runs, open_quarantine, writer_lock

__all__ = [
    "LoadResult",
    "LockedError",
    "Manifest",
    "QuarantinedFile",
    "discover_files",
    "documents_to_reparse",
    "execute_run",
    "last_runs",
    "load_manifest",
    "load_paths",
    "open_quarantine",
    "reparse_documents",
    "retry_quarantine",
    "sample_files",
    "writer_lock",
]
