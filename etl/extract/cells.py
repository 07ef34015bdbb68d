"""Table cell text, the same way for every format.

A label wrapped inside a cell ("本年新收政府信\\n息公开申请数量") is one label, so
a line break inside a cell is removed. Two numbers (or Latin words) on
separate lines of one cell stay apart ("3001 53"), never one ("300153").
Spaces are collapsed but kept: "结 果" or "商业 企业" is what the document
prints, and matching such labels is the parser's job.
"""

from __future__ import annotations

import re

from etl.extract.document import COVERED, Grid

_WHITESPACE = re.compile(r"[^\S\n]+")  # any whitespace but newline, incl. NBSP and U+3000


def clean_cell(text: str | None) -> str:
    """A cell's text as one whitespace-collapsed line; ``None`` (a merged position) is ``""``."""
    if not text:
        return ""
    lines = [line.strip() for line in _WHITESPACE.sub(" ", text).split("\n")]
    joined = ""
    for line in lines:
        if not line:
            continue
        if joined and _keeps_apart(joined[-1], line[0]):
            joined += " "
        joined += line
    return joined


def _keeps_apart(left: str, right: str) -> bool:
    """Whether a line break between two characters must stay a space (numbers, Latin words)."""
    return _is_alnum(left) and _is_alnum(right)


def _is_alnum(ch: str) -> bool:
    return (ch.isascii() and ch.isalnum()) or "\uff10" <= ch <= "\uff19" or ch in ".%"


def pad_grid(grid: Grid) -> Grid:
    """Make a grid rectangular: ragged rows are filled with ``""`` on the right (cells the row lacks)."""
    width = max((len(row) for row in grid), default=0)
    return [row + [""] * (width - len(row)) for row in grid]


def grid_has_text(grid: Grid) -> bool:
    return any(cell and cell != COVERED for row in grid for cell in row)
