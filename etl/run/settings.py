"""What a run is told, as one value: database, parser, dbt options, workers, waits, limits."""

from __future__ import annotations

import os
from dataclasses import dataclass, field

from etl.load.writer import BATCH_BYTES, BATCH_REPORTS
from etl.pipeline import PARSER, Parser
from etl.run.files import MAX_FILE_BYTES
from etl.run.marts import DbtOptions

# A real report parses in well under a second, a long PDF in a few; a file
# that takes minutes makes a library spin, and must not stall the night.
PARSE_SECONDS = 120.0
# Address space per parser process: the largest real PDF needs a few hundred
# MB; a hostile DOCX or HTML grid asks for gigabytes.
PARSE_MEMORY_MB = 2048


def _env_number(name: str, default: float) -> float:
    value = os.environ.get(name, "").strip()
    if not value:
        return default
    try:
        return float(value)
    except ValueError:
        raise ValueError(f"{name}={value!r} is not a number") from None


@dataclass(frozen=True)
class Limits:
    """What one file may cost: bytes read, seconds and memory to parse it (0 or None: no limit).

    A file over a limit is quarantined with its own code (``too_large``,
    ``parse_timeout``, ``parse_memory``) and the run goes on. Defaults come
    from ``NIANBAO_MAX_FILE_MB``, ``NIANBAO_PARSE_SECONDS`` and
    ``NIANBAO_PARSE_MEMORY_MB`` when set (docs/operations.md).
    """

    max_file_bytes: int = field(
        default_factory=lambda: int(_env_number("NIANBAO_MAX_FILE_MB", MAX_FILE_BYTES / 2**20) * 2**20)
    )
    parse_seconds: float | None = field(
        default_factory=lambda: _env_number("NIANBAO_PARSE_SECONDS", PARSE_SECONDS) or None
    )
    parse_memory_mb: int | None = field(
        default_factory=lambda: int(_env_number("NIANBAO_PARSE_MEMORY_MB", PARSE_MEMORY_MB)) or None
    )


@dataclass(frozen=True)
class Settings:
    """Everything a run is told, as one value.

    ``database_url`` None means ``DATABASE_URL``, else the embedded server
    (started if needed). ``quiet`` keeps dbt's console output off (a JSON
    summary owns stdout). ``parser`` defaults to :data:`etl.pipeline.PARSER`,
    looked up when the settings are made (a test swaps the whole value, version
    and function together). ``migrate`` False skips ``alembic upgrade`` for a
    caller that has just migrated (the benchmark's fresh databases).
    """

    database_url: str | None = None
    parser: Parser = field(default_factory=lambda: PARSER)
    dbt: DbtOptions = field(default_factory=DbtOptions)
    workers: int | None = None
    wait_seconds: float = 0.0
    batch_reports: int = BATCH_REPORTS
    batch_bytes: int = BATCH_BYTES
    quiet: bool = False
    migrate: bool = True
    limits: Limits = field(default_factory=Limits)
    # read and hash every file, even one the file index says is as it was (ops.file_index)
    rehash: bool = False
