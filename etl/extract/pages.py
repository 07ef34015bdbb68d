"""What the fixed-layout formats (PDF, OFD) share: pages, not a flow of text.

A page's body may carry its own number ("- 3 -", "第 3 页"), which is no line
of the report; and a table that runs past the bottom of a page goes on at
the top of the next, often repeating its header rows there. Both readers
(:mod:`etl.extract.pdf`, :mod:`etl.extract.ofd`) place a page's lines and
tables as :class:`Item` s and hand the pages to :func:`join_pages`, which
drops the one and joins the other the same way for both.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from etl.extract.cells import grid_has_text
from etl.extract.document import Grid, render_grid

# Page numbers printed in the page body: "- 3 -", "—3—", "第 3 页", "第3页 共5页", "Page 3 of 5".
PAGE_NUMBER = re.compile(
    r"^\s*(?:[-－—–―~]+\s*\d{1,4}\s*[-－—–―~]+"
    r"|第\s*\d{1,4}\s*页(?:\s*[,，/]?\s*共\s*\d{1,4}\s*页)?"
    r"|共\s*\d{1,4}\s*页\s*[,，]?\s*第\s*\d{1,4}\s*页"
    r"|page\s*\d{1,4}(?:\s*of\s*\d{1,4})?)\s*$",
    re.IGNORECASE,
)
_MAX_REPEATED_HEADER_ROWS = 6


def continues(previous: Grid, grid: Grid) -> bool:
    """A table at the top of a page continues the last page's closing table of the same width."""
    return bool(previous) and bool(grid) and len(previous[0]) == len(grid[0])


def without_repeated_header(previous: Grid, grid: Grid) -> Grid:
    """Drop the header rows a continued table repeats at the top of the new page."""
    repeated = 0
    while (
        repeated < min(len(grid), len(previous), _MAX_REPEATED_HEADER_ROWS)
        and grid[repeated] == previous[repeated]
    ):
        repeated += 1
    return grid[repeated:]


@dataclass
class Item:
    """A text line or a table on a page, placed by its top edge."""

    top: float
    line: str | None = None
    grid: Grid | None = None


def join_pages(pages: Iterable[Sequence[Item]]) -> tuple[str, list[Grid]]:
    """The pages' items as the parser's text (tables rendered in place) and the tables themselves.

    A table that opens a page and has the width of the table the last page
    closed with continues it (its repeated header rows dropped); tables are
    rendered only at the end, because a later page may still extend them.
    Ruled boxes with nothing in them are no table.
    """
    parts: list[str | Grid] = []
    tables: list[Grid] = []
    last_table: Grid | None = None  # the previous page's last table, if the page ended with it
    for items in pages:
        closing: Grid | None = None  # the table this page ends with, if it ends with one
        for index, item in enumerate(items):
            if item.grid is None:
                parts.append(item.line or "")
                closing = None
            elif index == 0 and last_table is not None and continues(last_table, item.grid):
                last_table.extend(without_repeated_header(last_table, item.grid))
                closing = last_table
            elif not grid_has_text(item.grid):
                continue  # ruled boxes with nothing in them, unless they continue a table
            else:
                tables.append(item.grid)
                parts.append(item.grid)
                closing = item.grid
        last_table = closing
    return "\n".join(render_grid(part) if isinstance(part, list) else part for part in parts), tables
