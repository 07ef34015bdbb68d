"""Where a command's log lines go: readable on a terminal, plain in a log file, JSON for shippers."""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import logging
import sys
from collections.abc import Iterator
from enum import StrEnum
from typing import Any

from rich.console import Console

# set by `nianbao --debug`: debug lines (and the tracebacks logged with them) are shown
DEBUG = False


class LogFormat(StrEnum):
    text = "text"
    json = "json"


class JsonFormatter(logging.Formatter):
    """One JSON object per line: what log shippers and ``jq`` read."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "ts": dt.datetime.fromtimestamp(record.created, dt.UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False)


@contextlib.contextmanager
def logging_to_stderr(fmt: LogFormat, console: Console | None = None) -> Iterator[None]:
    """Route the ``etl`` loggers to stderr for one command: rich on a terminal,
    plain lines in a log, or JSON lines; removed afterwards, so a command run
    in-process (tests, notebooks) leaves logging as it found it."""
    logger = logging.getLogger("etl")
    handler: logging.Handler
    if fmt is LogFormat.json:
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(JsonFormatter())
    elif console is not None and console.is_terminal:
        from rich.logging import RichHandler

        handler = RichHandler(console=console, show_path=False, markup=False, rich_tracebacks=False)
    else:
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    level = logging.DEBUG if DEBUG else logging.INFO
    handler.setLevel(level)
    previous_level, previous_propagate = logger.level, logger.propagate
    logger.addHandler(handler)
    # dbt, run in-process, puts a handler on the root logger; our lines must
    # not come out twice (nor in its format in a JSON log)
    logger.propagate = False
    if logger.getEffectiveLevel() > level:
        logger.setLevel(level)
    try:
        yield
    finally:
        logger.removeHandler(handler)
        logger.setLevel(previous_level)
        logger.propagate = previous_propagate
