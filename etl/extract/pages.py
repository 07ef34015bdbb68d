"""What the fixed-layout formats (PDF, OFD) share: pages, not a flow of text.

A page's body may carry its own number ("- 3 -", "第 3 页"), which is no line
of the report; and a table that runs past the bottom of a page goes on at
the top of the next, often repeating its header rows there. Both readers
(:mod:`etl.extract.pdf`, :mod:`etl.extract.ofd`) drop the one and join the
other the same way.
"""

from __future__ import annotations

import re

from etl.extract.document import Grid

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
