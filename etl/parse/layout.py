"""Which text layout a table is printed in, where it changes how cells are read.

Only one question matters here: in a table printed one cell per line, is an
empty line an empty cell? When the page puts a blank line between every two
cells (sample 000), empty lines are separators and an empty cell shows as a
line of no-break spaces; when cells follow each other line by line, an
empty line is the empty cell itself.
"""

from __future__ import annotations

import re

_SEPARATED = re.compile(r"[|\t]")


def empty_lines_are_cells(region: str) -> bool:
    lines = region.split("\n")
    content = [i for i, line in enumerate(lines) if line.strip()]
    if len(content) < 20:
        return False
    single = sum(1 for i in content if len(lines[i].split()) == 1 and not _SEPARATED.search(lines[i]))
    if single < 0.7 * len(content):
        return False  # rows per line, or PDF text: empty lines carry no cells
    adjacent = sum(1 for i in content if i + 1 < len(lines) and lines[i + 1].strip())
    return adjacent >= 0.1 * len(content)
