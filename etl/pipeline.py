"""One file to one canonical record: bytes → extract → parse.

This is the only place that knows both halves: the extractors (``etl.extract``)
and the parser (``etl.parse``). It never raises for a bad file: a file that
cannot be read comes back as a ``rejected`` record whose ``errors`` say why,
so the loader can quarantine it and go on with the rest.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from etl.extract.document import ExtractError
from etl.parse import PARSER_VERSION, parse_text
from etl.record import Error, Report, Source


def sha256_of(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def parse_bytes(data: bytes, path: str) -> Report:
    """Parse one file's bytes; ``path`` names it in the record and in errors."""
    source = Source(path=path, sha256=sha256_of(data))
    try:
        from etl.extract import extract

        extracted = extract(data, path)
    except MemoryError:
        raise  # a limit of the process, not a fault of the file's format: the caller names it
    except ExtractError as exc:
        source.format = _guess_format(path)
        return Report(source=source, status="rejected", errors=[Error(exc.code, f"{path}: {exc.message}")])
    except Exception as exc:  # an extractor bug must not stop the run
        return Report(
            source=source,
            status="rejected",
            errors=[
                Error("extract_failed", f"{path}: could not read the file ({type(exc).__name__}: {exc})")
            ],
        )
    source.format = extracted.format
    source.encoding = extracted.encoding
    try:
        return parse_text(extracted.text, source=source)
    except MemoryError:
        raise
    except Exception as exc:  # the parser promises not to raise; keep the promise here too
        return Report(
            source=source,
            status="rejected",
            errors=[Error("parse_failed", f"{path}: parser error ({type(exc).__name__}: {exc})")],
        )


def parse_file(path: Path) -> Report:
    """Parse one file from disk."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        source = Source(path=str(path), sha256="")
        return Report(
            source=source, status="rejected", errors=[Error("unreadable", f"{path}: {exc.strerror}")]
        )
    return parse_bytes(data, str(path))


def _guess_format(path: str) -> str:
    suffix = Path(path).suffix.lower()
    return {
        ".html": "html",
        ".htm": "html",
        ".shtml": "html",
        ".pdf": "pdf",
        ".docx": "docx",
        ".ofd": "ofd",
        ".doc": "doc",
        ".wps": "doc",
    }.get(suffix, "text")


@dataclass(frozen=True)
class Parser:
    """A bytes-to-record function with the version it stamps on what it reads.

    The two travel together: a run records the version in ``ops.load_runs``
    and ``raw.reports``, and decides from it what to skip and what a reparse
    is due for, so a parser is never passed without its version. Tests pass
    their own (hand-made records, a bumped version); everything else uses
    :data:`PARSER`.
    """

    version: str
    parse: Callable[[bytes, str], Report]


PARSER = Parser(PARSER_VERSION, parse_bytes)
