"""Canonical records into the ``raw`` tables, with ``ops`` bookkeeping.

The public API is :func:`load_paths` (one run over files and directories)
and what it returns or raises; the modules below it each do one job:
``copy`` streams rows with COPY, ``records`` turns a record into rows,
``runs`` keeps ``ops.load_runs``, the writer lock and crash recovery, and
``loader`` puts them together.
"""

from etl.load.loader import (
    LoadResult,
    QuarantinedFile,
    discover_files,
    load_paths,
    sample_files,
)
from etl.load.runs import LockedError, last_runs, open_quarantine

__all__ = [
    "LoadResult",
    "LockedError",
    "QuarantinedFile",
    "discover_files",
    "last_runs",
    "load_paths",
    "open_quarantine",
    "sample_files",
]
