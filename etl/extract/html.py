"""HTML pages: the article text in reading order with its tables as grids.

Government sites wrap reports in navigation, scripts and footers, and often
in layout tables; the report's own tables use ``rowspan``/``colspan`` freely.
Page chrome is dropped, layout tables are read as ordinary blocks, and each
data table is resolved into a rectangular grid rendered in place.
"""

from __future__ import annotations

import re

import lxml.etree
import lxml.html

from etl.extract.cells import clean_cell, grid_has_text, pad_grid
from etl.extract.decode import decode_bytes
from etl.extract.document import (
    COVERED,
    Extracted,
    ExtractError,
    Grid,
    check_table_size,
    render_grid,
)

_META_CHARSET = re.compile(rb"""<meta[^>]*?charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.IGNORECASE)
_XML_ENCODING = re.compile(rb"""^\s*<\?xml[^>]*encoding\s*=\s*["']([A-Za-z0-9_.:-]+)""", re.IGNORECASE)
_XML_DECLARATION = re.compile(r"^\s*<\?xml[^>]*\?>")
_HIDDEN_STYLE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.IGNORECASE)
_WHITESPACE = re.compile(r"\s+")
_SPAN = re.compile(r"\s*(\d+)")

# Page chrome and things that are not text. <header>/<footer> inside an
# <article> or <main> belong to the report (its title), so they are kept there.
_DROP = {
    "script", "style", "nav", "noscript", "template", "iframe", "object", "embed", "svg", "button",
    "select", "textarea", "input", "head", "map", "canvas", "video", "audio",
}  # fmt: skip
_CHROME = {"header", "footer"}
_CONTENT = {"article", "main"}
_BLOCK = {
    "address", "article", "aside", "blockquote", "body", "caption", "center", "dd", "details", "dialog",
    "dir", "div", "dl", "dt", "fieldset", "figcaption", "figure", "form", "h1", "h2", "h3", "h4", "h5",
    "h6", "header", "footer", "hr", "legend", "li", "main", "menu", "ol", "p", "pre", "section",
    "summary", "tbody", "td", "tfoot", "th", "thead", "tr", "ul",
}  # fmt: skip
_MAX_COLSPAN = 1000  # the HTML standard's own limit; protects against colspan="99999"

# Headings of the application table section (templates 2019 and 2021), used
# to tell a report whose tables are pictures from a report written in prose.
_APPLICATIONS_HEADING = "收到和处理政府信息公开申请情况"
_REVIEW_HEADING = "行政复议、行政诉讼"


def extract_html(data: bytes) -> Extracted:
    """Read an HTML page into text with its tables rendered as grids.

    Raises ``image_only`` when the report's tables are pictures without text
    and ``empty`` when the page holds no text at all (content loaded by
    JavaScript, for instance).
    """
    text, encoding = decode_bytes(data, declared_charset(data))
    root = _parse(text)
    reader = _Reader()
    body = root.find("body")
    try:
        reader.walk(body if body is not None else root)
    except RecursionError:
        raise ExtractError(
            "corrupt",
            "the page nests its elements deeper than any web page does (damaged or hostile markup); "
            "save the page again from a browser, or download the report's attachment",
        ) from None
    reader.newline()
    # The <title> often names the agency and year where the body does not;
    # it leads the text unless the body already opens with it.
    title_el = root.find(".//title")
    title = _WHITESPACE.sub(" ", title_el.text_content()).strip() if title_el is not None else ""
    lines = [title, *reader.lines] if title and title not in reader.lines[:10] else reader.lines
    out = "\n".join(lines)
    if reader.images and not reader.tables and _tables_are_pictures(out):
        raise ExtractError(
            "image_only",
            f"the page shows its tables as {reader.images} image(s) with no text; "
            "OCR the images or find a text (HTML, PDF or Word) version of the report",
        )
    if not out.strip() and len(_visible_text(text)) > 20:
        raise ExtractError(
            "corrupt",
            "the page holds text its markup does not let a parser reach (elements nested deeper than "
            "any web page's, or damaged markup); save the page again from a browser, or download the "
            "report's attachment",
        )
    if not out.strip():
        raise ExtractError(
            "empty",
            "the HTML page has no text (its content may be loaded by JavaScript); "
            "save the page as the browser shows it, or download the report's attachment",
        )
    return Extracted(format="html", encoding=encoding, text=out, tables=reader.tables)


_SCRIPTS = re.compile(r"<(script|style)\b.*?</\1\s*>", re.IGNORECASE | re.DOTALL)
_TAGS = re.compile(r"<[^>]*>")


def _visible_text(text: str) -> str:
    """The characters a page shows, found without a parser: tags, scripts and styles dropped."""
    return "".join(_TAGS.sub(" ", _SCRIPTS.sub(" ", text)).replace("&nbsp;", " ").split())


def declared_charset(data: bytes) -> str | None:
    """The charset a page declares in ``<meta charset>``, ``http-equiv`` or an XML declaration."""
    head = data[:8192]
    match = _XML_ENCODING.search(head) or _META_CHARSET.search(head)
    return match.group(1).decode("ascii") if match else None


def _parse(text: str) -> lxml.html.HtmlElement:
    # lxml refuses a str that carries an XML encoding declaration (XHTML pages).
    text = _XML_DECLARATION.sub("", text, count=1)
    try:
        return lxml.html.document_fromstring(text)
    except (lxml.etree.ParserError, ValueError) as exc:
        raise ExtractError("empty", f"the HTML page has no content ({exc}); check the download") from exc


def _tables_are_pictures(text: str) -> bool:
    """Whether a page with images and no table text is missing its tables.

    A page that is almost nothing but images is; so is a report whose
    application-table section carries (almost) no figures. A report written
    one cell per line in ``<p>`` elements has its figures in the text, and
    passes.
    """
    if len(_WHITESPACE.sub("", text)) < 100:
        return True
    start = text.find(_APPLICATIONS_HEADING)
    if start < 0:
        return False
    start += len(_APPLICATIONS_HEADING)
    end = text.find(_REVIEW_HEADING, start)
    section = text[start : end if end >= 0 else start + 2000]
    return len(re.findall(r"\d+", section)) < 5


def _tag(el: lxml.html.HtmlElement) -> str | None:
    """Lower-case tag name, or None for comments and processing instructions."""
    return el.tag.lower() if isinstance(el.tag, str) else None


def _hidden(el: lxml.html.HtmlElement) -> bool:
    return el.get("hidden") is not None or bool(_HIDDEN_STYLE.search(el.get("style", "")))


def _span(value: str | None) -> int:
    """A rowspan/colspan attribute as browsers read it: leading digits, else 1."""
    match = _SPAN.match(value or "")
    return int(match.group(1)) if match else 1


def _table_rows(table: lxml.html.HtmlElement) -> list[list[lxml.html.HtmlElement]]:
    """The table's own rows (not a nested table's), each as its td/th cells."""
    rows: list[lxml.html.HtmlElement] = []
    for child in table:
        tag = _tag(child)
        if tag == "tr":
            rows.append(child)
        elif tag in ("thead", "tbody", "tfoot"):
            rows.extend(tr for tr in child if _tag(tr) == "tr")
    return [[cell for cell in tr if _tag(cell) in ("td", "th")] for tr in rows]


def _caption(table: lxml.html.HtmlElement) -> str:
    for child in table:
        if _tag(child) == "caption":
            return _WHITESPACE.sub(" ", child.text_content()).strip()
    return ""


class _Reader:
    """Walks the element tree, collecting lines of text and table grids."""

    def __init__(self) -> None:
        self.lines: list[str] = []
        self.tables: list[Grid] = []
        self.images = 0
        self._parts: list[str] = []
        self._content_depth = 0

    # text outside tables

    def inline(self, text: str | None) -> None:
        if text:
            self._parts.append(text)

    def newline(self) -> None:
        line = _WHITESPACE.sub(" ", "".join(self._parts)).strip()
        self._parts = []
        if line:
            self.lines.append(line)

    def walk(self, el: lxml.html.HtmlElement) -> None:
        self.inline(el.text)
        for child in el:
            self._element(child)
            self.inline(child.tail)

    def _element(self, el: lxml.html.HtmlElement) -> None:
        tag = _tag(el)
        if tag is None or tag in _DROP or _hidden(el):
            return
        if tag in _CHROME and not self._content_depth:
            return
        if tag == "br":
            self.newline()
        elif tag == "img":
            self.images += 1
        elif tag == "table":
            self._table(el)
        elif tag in _BLOCK:
            self.newline()
            self._content_depth += tag in _CONTENT
            self.walk(el)
            self._content_depth -= tag in _CONTENT
            self.newline()
        else:
            self.walk(el)

    # tables

    def _table(self, table: lxml.html.HtmlElement) -> None:
        rows = _table_rows(table)
        self.newline()
        if _is_layout(table, rows):
            # A page-layout table: its cells are blocks of the page, and any
            # report tables nested in them are read as tables of their own.
            for child in table:
                self._element(child)
                self.inline(child.tail)
            self.newline()
            return
        caption = _caption(table)
        if caption:
            self.lines.append(caption)
        grid = self._grid(rows)
        if grid_has_text(grid):
            self.tables.append(grid)
            self.lines.extend(render_grid(grid).split("\n"))

    def _grid(self, rows: list[list[lxml.html.HtmlElement]]) -> Grid:
        """Resolve rowspan/colspan into a rectangular grid.

        Each cell goes to the first column of its row not already covered by
        a rowspan from above; its text stands at that origin and the
        positions it spans are :data:`COVERED`. A rowspan past the last row (or
        ``rowspan="0"``) stops at the last row, as in browsers.
        """
        height = len(rows)
        # the area the spans claim, checked before a single position is placed
        area = 0
        for r, cells in enumerate(rows):
            for cell in cells:
                rowspan = _span(cell.get("rowspan"))
                rowspan = height - r if rowspan == 0 else min(rowspan, height - r)
                area += max(rowspan, 1) * min(max(_span(cell.get("colspan")), 1), _MAX_COLSPAN)
        width = max(
            (sum(min(max(_span(c.get("colspan")), 1), _MAX_COLSPAN) for c in cells) for cells in rows),
            default=0,
        )
        check_table_size(height, width, "rowspan/colspan", cells=area)
        placed: dict[tuple[int, int], str] = {}
        for r, cells in enumerate(rows):
            c = 0
            for cell in cells:
                while (r, c) in placed:
                    c += 1
                rowspan = _span(cell.get("rowspan"))
                rowspan = height - r if rowspan == 0 else min(rowspan, height - r)
                colspan = min(max(_span(cell.get("colspan")), 1), _MAX_COLSPAN)
                text = self._cell_text(cell)
                for i in range(rowspan):
                    for j in range(colspan):
                        # setdefault: overlapping spans in broken HTML never erase an origin's text
                        placed.setdefault((r + i, c + j), text if i == j == 0 else COVERED)
                c += colspan
        width = max((c for _, c in placed), default=-1) + 1
        check_table_size(height, width, "rowspan/colspan")  # the rectangle the spans pushed out
        grid = [[placed.get((r, c), "") for c in range(width)] for r in range(height)]
        # A row without a single cell of its own (<tr></tr>, or one wholly covered
        # by rowspans from above) holds no text: it is markup noise.
        return pad_grid([row for row, cells in zip(grid, rows, strict=True) if cells])

    def _cell_text(self, cell: lxml.html.HtmlElement) -> str:
        """A cell's text: line breaks inside it joined (wrapped labels), nested tables flattened."""
        parts: list[str] = []

        def walk(el: lxml.html.HtmlElement) -> None:
            if el.text:
                parts.append(el.text)
            for child in el:
                tag = _tag(child)
                if tag is None or tag in _DROP or _hidden(child):
                    pass
                elif tag == "br":
                    parts.append("\n")
                elif tag == "img":
                    self.images += 1
                elif tag == "table":
                    nested = self._grid(_table_rows(child))
                    parts.append(" " + " ".join(c for row in nested for c in row if c) + " ")
                elif tag in _BLOCK:
                    parts.append("\n")
                    walk(child)
                    parts.append("\n")
                else:
                    walk(child)
                if child.tail:
                    parts.append(child.tail)

        walk(cell)
        return clean_cell("".join(parts))


def _is_layout(table: lxml.html.HtmlElement, rows: list[list[lxml.html.HtmlElement]]) -> bool:
    """Whether a table lays out the page rather than holding data.

    One column is layout; so is a table with a data-sized table (3x3 or
    more) nested in one of its cells: the nested one is the report's table.
    """
    width = max(
        (sum(min(max(_span(c.get("colspan")), 1), _MAX_COLSPAN) for c in row) for row in rows), default=0
    )
    if width <= 1:
        return True
    for nested in table.iterdescendants("table"):
        nested_rows = _table_rows(nested)
        if len(nested_rows) >= 3 and max(len(row) for row in nested_rows) >= 3:
            return True
    return False
