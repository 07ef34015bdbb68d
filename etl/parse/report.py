"""Placeholder until the parser lands: keeps the import contract stable."""

from __future__ import annotations

from etl.record import Error, Report, Source

PARSER_VERSION = "0.0.0"


def parse_text(text: str, *, source: Source) -> Report:
    """Parse one report's text (tables rendered as ``a | b`` lines) into a record."""
    return Report(source=source, status="rejected", errors=[Error("not_implemented", "parser pending")])
