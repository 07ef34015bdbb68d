"""Report text to the canonical record. Pure: no files, no database.

Entry point: :func:`parse_text`. Everything under ``etl/parse`` works on
strings and returns :class:`etl.record.Report`; it never raises on bad input
(a report it cannot read comes back ``rejected`` with a reason).
"""

from etl.parse.report import PARSER_VERSION, parse_text

__all__ = ["PARSER_VERSION", "parse_text"]
