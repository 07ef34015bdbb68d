"""The single writer: canonical records into the ``raw`` tables, with the ``ops`` ledger.

The loader only writes. It takes records (``etl.record``) and never reads a
file or parses one: the run layer (``etl.run``) finds the bytes, parses them
and hands the records here. The modules each do one job: ``rows`` turns a
record into rows (pure, no database), ``copy`` streams rows with COPY,
``writer`` writes batches, one transaction each, inside one bookkept run
(:func:`execute_run`), ``runs`` keeps the ledger (``ops.load_runs``), the
writer lock, crash recovery and the marts' watermark, and ``store`` reads
back the stored documents a reparse or a quarantine retry parses again.
"""

from etl.load.rows import Document
from etl.load.runs import LockedError, last_runs, open_quarantine, writer_lock
from etl.load.store import documents_to_reparse
from etl.load.writer import BatchWriter, LoadResult, QuarantinedFile, execute_run

__all__ = [
    "BatchWriter",
    "Document",
    "LoadResult",
    "LockedError",
    "QuarantinedFile",
    "documents_to_reparse",
    "execute_run",
    "last_runs",
    "open_quarantine",
    "writer_lock",
]
