"""Word (.docx) reports: body paragraphs and tables in document order.

python-docx's ``table.rows[i].cells`` repeats one cell object across a merge,
so a merged label would appear in every position it covers (and a merged
number would be counted several times). The grid is built from the ``w:tc``
elements instead: ``gridSpan`` gives the columns a cell covers, ``vMerge``
says whether it starts a vertical merge or continues the one above.
"""

from __future__ import annotations

import io

import docx
from docx.oxml.ns import qn
from lxml import etree

from etl.extract.cells import clean_cell, grid_has_text, pad_grid
from etl.extract.document import COVERED, Extracted, ExtractError, Grid, check_table_size, render_grid

_P, _TBL, _TR, _TC, _SDT = qn("w:p"), qn("w:tbl"), qn("w:tr"), qn("w:tc"), qn("w:sdt")
_SDT_CONTENT, _CUSTOM_XML = qn("w:sdtContent"), qn("w:customXml")
_T, _TAB, _BR, _CR = qn("w:t"), qn("w:tab"), qn("w:br"), qn("w:cr")
_NO_BREAK_HYPHEN = qn("w:noBreakHyphen")
_FALLBACK = "{http://schemas.openxmlformats.org/markup-compatibility/2006}Fallback"
_VAL = qn("w:val")


def extract_docx(data: bytes) -> Extracted:
    """Read a .docx into text (paragraphs one per line) with its tables rendered in place.

    Raises ``corrupt`` when the package or its XML cannot be read.
    """
    try:
        document = docx.Document(io.BytesIO(data))
    except Exception as exc:  # python-docx fails on damaged packages in many ways; all mean "unreadable"
        raise ExtractError(
            "corrupt",
            f"the Word file cannot be opened ({type(exc).__name__}: {exc}); "
            "download it again, or open and re-save it in Word/LibreOffice",
        ) from exc
    lines: list[str] = []
    tables: list[Grid] = []
    _read_blocks(document.element.body, lines, tables)
    return Extracted(format="docx", encoding=None, text="\n".join(lines), tables=tables)


def _read_blocks(parent: etree._Element, lines: list[str], tables: list[Grid]) -> None:
    """Paragraphs and tables of a body (or content control) in document order."""
    for child in parent:
        if child.tag == _P:
            text = _paragraph_text(child).strip()
            if text:
                lines.extend(part for part in (p.strip() for p in text.split("\n")) if part)
        elif child.tag == _TBL:
            grid = table_grid(child)
            if grid_has_text(grid):
                tables.append(grid)
                lines.extend(render_grid(grid).split("\n"))
        elif child.tag in (_SDT, _SDT_CONTENT, _CUSTOM_XML):
            _read_blocks(child, lines, tables)


def _paragraph_text(paragraph: etree._Element) -> str:
    """A paragraph's visible text: runs, hyperlinks, tracked insertions; not deleted text.

    Deleted text is stored as ``w:delText``, so collecting ``w:t`` leaves it
    out. ``mc:Fallback`` repeats a text box's content for old Word versions
    and is skipped so the text is not read twice.
    """
    parts: list[str] = []

    def walk(el: etree._Element) -> None:
        for child in el:
            tag = child.tag
            if tag == _T:
                parts.append(child.text or "")
            elif tag == _TAB:
                parts.append("\t")
            elif tag in (_BR, _CR):
                parts.append("\n")
            elif tag == _NO_BREAK_HYPHEN:
                parts.append("-")
            elif tag != _FALLBACK:
                walk(child)

    walk(paragraph)
    return "".join(parts)


def table_grid(table: etree._Element) -> Grid:
    """Resolve a ``w:tbl`` into a rectangular grid, text at merge origins only.

    Columns are positions in the table's ``w:tblGrid``: a row may start
    later (``w:gridBefore``), a cell may span columns (``w:gridSpan``). A
    cell with ``w:vMerge`` and no value (or ``continue``) belongs to the cell
    above it and is :data:`COVERED`, as are the columns a span covers.
    """
    grid: Grid = []
    rows = _children(table, _TR)
    widths = [
        max(_row_int(row, "w:gridBefore"), 0)
        + sum(max(_cell_int(c, "w:gridSpan"), 1) for c in _children(row, _TC))
        for row in rows
    ]
    check_table_size(len(rows), max(widths, default=0), "w:gridSpan/w:gridBefore")
    for row in rows:
        cells: list[str] = [""] * max(_row_int(row, "w:gridBefore"), 0)
        for cell in _children(row, _TC):
            span = max(_cell_int(cell, "w:gridSpan"), 1)
            text = COVERED if _continues_merge(cell) else _cell_text(cell)
            cells.append(text)
            cells.extend([COVERED] * (span - 1))
        grid.append(cells)
    return pad_grid(grid)


def _children(parent: etree._Element, tag: str) -> list[etree._Element]:
    """Direct children with this tag, looking through content controls and custom XML wrappers."""
    found: list[etree._Element] = []
    for child in parent:
        if child.tag == tag:
            found.append(child)
        elif child.tag in (_SDT, _SDT_CONTENT, _CUSTOM_XML):
            found.extend(_children(child, tag))
    return found


def _row_int(row: etree._Element, name: str) -> int:
    el = row.find(f"{qn('w:trPr')}/{qn(name)}")
    return _int(el.get(_VAL) if el is not None else None, 0)


def _cell_int(cell: etree._Element, name: str) -> int:
    el = cell.find(f"{qn('w:tcPr')}/{qn(name)}")
    return _int(el.get(_VAL) if el is not None else None, 1)


def _int(value: str | None, default: int) -> int:
    try:
        return int(value) if value is not None else default
    except ValueError:
        return default


def _continues_merge(cell: etree._Element) -> bool:
    merge = cell.find(f"{qn('w:tcPr')}/{qn('w:vMerge')}")
    return merge is not None and merge.get(_VAL, "continue") == "continue"


def _cell_text(cell: etree._Element) -> str:
    """A cell's paragraphs joined (a wrapped label is one label); a nested table's cells spaced."""
    parts: list[str] = []
    for child in cell:
        if child.tag == _P:
            parts.append(_paragraph_text(child))
        elif child.tag == _TBL:
            nested = table_grid(child)
            parts.append(" " + " ".join(c for row in nested for c in row if c) + " ")
        elif child.tag in (_SDT, _SDT_CONTENT, _CUSTOM_XML):
            parts.append(_cell_text(child))
    return clean_cell("\n".join(parts))
