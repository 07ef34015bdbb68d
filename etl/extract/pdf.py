"""PDF reports: page text in reading order with ruled tables as grids.

``extract_text()`` on a report PDF scrambles its tables (a row's numbers
printed before its wrapped label, vertical labels one character per line).
Reading the ruled tables as cell grids and placing them among the text lines
by vertical position gives the parser the same "row per line with |" layout
as every other format. A table that runs onto the next page is joined into
one grid, so the parser sees one table.
"""

from __future__ import annotations

import io

import pdfplumber
from pdfminer.pdfdocument import PDFEncryptionError, PDFPasswordIncorrect
from pdfplumber.page import Page
from pdfplumber.table import Table

from etl.extract.cells import clean_cell, pad_grid
from etl.extract.document import COVERED, Extracted, ExtractError, Grid
from etl.extract.pages import PAGE_NUMBER, Item, join_pages


def extract_pdf(data: bytes) -> Extracted:
    """Read a PDF into text lines and table grids, page after page.

    Raises ``encrypted`` for a PDF that needs a password to open,
    ``scanned_pdf`` when no page has a text layer, and ``corrupt`` when the
    file cannot be parsed.
    """
    try:
        with pdfplumber.open(io.BytesIO(data)) as pdf:
            pages = [_page_items(page) for page in pdf.pages]
    except ExtractError:
        raise
    except Exception as exc:  # pdfminer raises many kinds; all of them mean "cannot read this file"
        raise _open_error(exc) from exc
    if not pages:
        raise ExtractError(
            "corrupt",
            "the PDF has no page that can be read (a broken or looping page tree); "
            "download it again, or repair it (e.g. `qpdf in.pdf out.pdf`)",
        )
    if not any(has_text for _, has_text in pages):
        raise ExtractError(
            "scanned_pdf",
            "the PDF has no text layer (scanned pages or images); OCR it first "
            "(e.g. `ocrmypdf -l chi_sim in.pdf out.pdf`) and load the OCR'd file",
        )
    text, tables = join_pages(items for items, _ in pages)
    return Extracted(format="pdf", encoding=None, text=text, tables=tables)


def _open_error(exc: Exception) -> ExtractError:
    cause = exc.args[0] if exc.args and isinstance(exc.args[0], Exception) else exc
    if isinstance(cause, PDFPasswordIncorrect | PDFEncryptionError):
        return ExtractError(
            "encrypted",
            "the PDF is encrypted and needs a password to open; get an unprotected copy "
            "(or decrypt it with `qpdf --password=PASS --decrypt in.pdf out.pdf`)",
        )
    return ExtractError(
        "corrupt",
        f"the PDF cannot be parsed ({type(cause).__name__}: {cause}); "
        "download it again, or repair it (e.g. `qpdf in.pdf out.pdf`)",
    )


def _page_items(page: Page) -> tuple[list[Item], bool]:
    """A page's text lines and tables in reading order, and whether it has any text at all."""
    has_text = any(char["text"].strip() for char in page.chars)
    if not has_text:
        return [], False
    page = page.dedupe_chars()  # fake-bold text is often printed twice, offset by a hair
    found = [(table, _grid(table)) for table in page.find_tables()]
    # A "table" of one column is a boxed paragraph (some PDFs put white
    # rectangles behind text); read it as text. A table without any text is
    # kept for now: it may be the blank last row of the last page's table.
    found = [(table, grid) for table, grid in found if grid and len(grid[0]) >= 2]
    boxes = [table.bbox for table, _ in found]

    def outside_tables(obj: dict) -> bool:
        if obj.get("object_type") != "char":
            return True
        x = (obj["x0"] + obj["x1"]) / 2
        y = (obj["top"] + obj["bottom"]) / 2
        return not any(x0 <= x <= x1 and top <= y <= bottom for x0, top, x1, bottom in boxes)

    items = [Item(top=table.bbox[1], grid=grid) for table, grid in found]
    for line in page.filter(outside_tables).extract_text_lines(return_chars=True):
        text = _without_page_number(line)
        if text:
            items.append(Item(top=line["top"], line=text))
    items.sort(key=lambda item: item.top)
    return items, True


def _without_page_number(line: dict) -> str:
    """A text line without the page number printed on it.

    A page number shares a line with other text when something else stands
    at the same height ("果 - 1 -": the last character of a vertical label
    beside the footer), so besides a line that is nothing but a page number,
    a page number standing apart at either end of a line is dropped. The
    pieces of a line are its runs of characters split at gaps wider than
    three characters.
    """
    text = line["text"].strip()
    if PAGE_NUMBER.match(text):
        return ""
    pieces = _pieces(line["chars"])
    if len(pieces) < 2:
        return text
    if PAGE_NUMBER.match(pieces[-1]):
        return _drop_chars(text[::-1], len(pieces[-1].replace(" ", "")))[::-1].strip()
    if PAGE_NUMBER.match(pieces[0]):
        return _drop_chars(text, len(pieces[0].replace(" ", ""))).strip()
    return text


def _pieces(chars: list[dict]) -> list[str]:
    """A line's characters as runs split at horizontal gaps wider than three character sizes."""
    pieces: list[str] = []
    current = ""
    previous: dict | None = None
    for char in chars:
        if previous is not None:
            gap = char["x0"] - previous["x1"]
            if gap > 3 * max(char.get("size") or 0, previous.get("size") or 0, 1):
                pieces.append(current)
                current = ""
            elif gap > 0.5 * (char.get("size") or 0):
                current += " "
        current += char["text"]
        previous = char
    pieces.append(current)
    return [piece.strip() for piece in pieces if piece.strip()]


def _drop_chars(text: str, count: int) -> str:
    """``text`` without its first ``count`` non-space characters."""
    i = 0
    while i < len(text) and count:
        if not text[i].isspace():
            count -= 1
        i += 1
    return text[i:]


def _grid(table: Table) -> Grid:
    """pdfplumber's rows as a grid: merged positions (None) become :data:`COVERED`.

    A row of nothing but merged positions (a rule that does not cross the
    whole table) goes; a row of empty cells stays: it is a row the report
    prints blank (section 四 with no cases), and blank is a fact to keep.
    """
    rows = [row for row in table.extract() if any(cell is not None for cell in row)]
    return pad_grid([[COVERED if cell is None else clean_cell(cell) for cell in row] for row in rows])
