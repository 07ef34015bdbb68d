"""What every extractor hands to the parser: text plus tables.

An extractor turns file bytes (HTML, PDF, DOCX, plain text) into one
:class:`Extracted`. ``text`` is the whole document as text in reading order,
with each table rendered in place, one grid row per line, cells joined by
``" | "`` (the "row per line with |" layout the parser already reads), so a
single parser serves every format. ``tables`` keeps the same grids as lists
of rows for callers that want cells (tests, diagnostics).

Merged cells are resolved into a rectangular grid: a cell's text stands at
its top-left (origin) position and the positions it covers hold
:data:`COVERED`, never ``""``: an empty cell is a blank the report prints,
a covered position is no cell at all, and a parser that took one for the
other would read every number beside it one column off.
"""

from __future__ import annotations

from dataclasses import dataclass, field

Grid = list[list[str]]

# A position a merged cell covers (U+2063 INVISIBLE SEPARATOR): no cell of its own.
COVERED = "\u2063"

# The largest grid a table may resolve to. A report's tables have a few
# hundred cells; a 963-byte DOCX with gridSpan="100000000", or an HTML table of
# large rowspan x colspan, asks for gigabytes before anything reads it.
MAX_TABLE_COLUMNS = 1000  # the HTML standard's own colspan limit
MAX_TABLE_CELLS = 200_000
# the XML of a Word/ODT document, unzipped: real reports' are under 10 MiB
MAX_UNZIPPED_MARKUP = 256 * 2**20


@dataclass
class Extracted:
    format: str  # text | html | pdf | docx | ofd
    encoding: str | None
    text: str
    tables: list[Grid] = field(default_factory=list)


class ExtractError(Exception):
    """A file that cannot be read as a report, with a reason a person can act on.

    ``code`` is a stable identifier (``empty``, ``binary``, ``unknown_format``,
    ``encrypted``, ``image_only``, ``scanned_pdf``, ``needs_conversion``,
    ``corrupt``, ``encoding``, ``table_too_large``, ``unzips_too_large``); ``message`` says what is wrong and what to do.
    """

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def check_table_size(rows: int, columns: int, where: str, cells: int | None = None) -> None:
    """Refuse a grid no report's table comes near, before it is built (``table_too_large``).

    ``cells`` is the area the table's spans claim where it can exceed
    ``rows x columns`` (overlapping HTML spans); by default the rectangle.
    """
    if columns > MAX_TABLE_COLUMNS or max(rows * columns, cells or 0) > MAX_TABLE_CELLS:
        raise ExtractError(
            "table_too_large",
            f"a table of {rows} rows x {columns} columns ({where}): more than any report's table "
            f"(at most {MAX_TABLE_COLUMNS} columns and {MAX_TABLE_CELLS} cells); the file is damaged or hostile",
        )


def render_grid(grid: Grid) -> str:
    """A grid as text lines in the ``a | b | c`` layout the parser reads."""
    return "\n".join(" | ".join(cell.replace("\n", " ").strip() for cell in row) for row in grid)
