"""A record as plain text, in every table layout real reports come in.

Layouts (the sample each one imitates in ``shared/samples``):

- ``cell_blank``: one cell per line, blank lines between (000)
- ``cell``: one cell per line, no blank lines (001)
- ``cell_pipe``: one cell per line, each followed by " |", covered cells as a
  run of "|" (004)
- ``row_pipe``: one table row per line, cells separated by "|", ragged
  trailing "||" (002)
- ``row_tab``: one row per line, tab-separated
- ``row_spaces``: one row per line, cells separated by runs of spaces
- ``pdf_text``: what pdfplumber's ``extract_text`` gives for a PDF table:
  wrapped labels with the row's figures on their first line, alone between
  their lines (before the rest of the label) or on a middle line, the
  tall "三、本年度办理结果" label one character per line, "- 3 -" page numbers
  (huaian-city-2024.pdf)
- ``glued``: a crawled page's innerText, every separator lost
  (pingtan-2021-glued.txt); figures run together, so a reader can only split
  some of them
- ``markdown``: a PDF-to-Markdown converter's output (corpus r003, s002,
  s003): ``#`` headings, ``|---|`` delimiter rows, merged cells as empty
  cells, sometimes a made-up header row ("数据1 | 数据2"), an extra empty
  column on every row, section 四 as three 5-column tables, and no clean 五
  heading after it
- ``markdown_fragments``: the same with the application table broken into
  pieces whose rows lose their labels to loose lines printed before the
  piece, out of the template's order (s002, s003); only the table's order
  and identities place those rows, so a reader can place them only when the
  report's totals hold

Where a layout cannot show an empty cell (spaces, PDF text, glued), a blank
prints as "/", one of the blank marks the spec lists; its value stays null.
"""

from __future__ import annotations

import random
import re
from collections.abc import Callable

from bench.synthetic.compose import Block, Cell, Document, Para, Style, Table, compose, grid_positions
from etl.record import Report

TEXT_LAYOUTS = (
    "cell_blank",
    "cell",
    "cell_pipe",
    "row_pipe",
    "row_tab",
    "row_spaces",
    "pdf_text",
    "markdown",
    "glued",
    "markdown_fragments",
)
# Layouts where a reader can recover every cell; ``glued`` loses separators and
# ``markdown_fragments`` the labels of some rows.
EXACT_LAYOUTS = TEXT_LAYOUTS[:-2]
_NO_INNER_SPACES = {"row_spaces", "pdf_text", "glued"}
_NBSP = "\u00a0"


def render_text(
    record: Report, layout: str, rng: random.Random | None = None, *, style: Style | None = None
) -> str:
    """The record rendered as one report's text in ``layout``.

    ``rng`` drives every presentational choice (title form, brackets, page
    breaks, ...); the same seed gives the same text.
    """
    if layout not in _WRITERS:
        raise ValueError(f"unknown layout {layout!r}; expected one of {TEXT_LAYOUTS}")
    rng = rng or random.Random(0)
    doc = compose(record, rng, style=style, inner_spaces=layout not in _NO_INNER_SPACES)
    text = _WRITERS[layout](doc, rng)
    if layout != "glued" and rng.random() < 0.05:
        text = text.replace("\n", "\r\n")  # saved on Windows
    return text


def _value(cell: Cell, blank: str) -> str:
    """A cell's text, with an empty figure (or unit) shown as ``blank``."""
    if cell.role in ("value", "unit", "cumulative") and not cell.text.strip():
        return blank
    return cell.text


def _one_line(text: str) -> str:
    """A cell's text on one line: a wrapped label's continuation joins without its indent."""
    return re.sub(r"\n\s*", "", text) if "\n" in text else text


def _shown(row: list[Cell]) -> list[Cell]:
    """The cells a space-separated or PDF line shows: an empty unit leaves no trace."""
    return [c for c in row if not (c.role == "unit" and not c.text.strip())]


def _paras(doc: Document, table: Callable[[Table], list[str]]) -> list[str]:
    out: list[str] = []
    for block in doc.blocks:
        out.extend(table(block) if isinstance(block, Table) else [block.text])
    return out


# -- one cell per line ---------------------------------------------------------------


def _cell_blank(doc: Document, rng: random.Random) -> str:
    def table(t: Table) -> list[str]:
        # A wrapped header may come out with a blank line inside it ("本年新\n\n制作数量", sample 000).
        return [
            _value(c, _NBSP).replace("\n", "\n" * rng.choice([1, 2]) if c.role == "head" else "\n")
            for row in t.rows
            for c in row
        ]

    return "\n\n".join(_paras(doc, table)) + "\n"


def _cell(doc: Document, rng: random.Random) -> str:
    def table(t: Table) -> list[str]:
        return [_value(c, "") for row in t.rows for c in row]

    return "\n".join(_paras(doc, table)) + "\n"


def _cell_pipe(doc: Document, rng: random.Random) -> str:
    def table(t: Table) -> list[str]:
        lines = []
        for row in t.rows:
            lines += [_one_line(_value(c, "")) + " |" for c in row]
            if len(row) < t.ncols:
                lines.append("|" * (t.ncols - len(row)))
        return lines

    return "\n".join(_paras(doc, table))


# -- one row per line ----------------------------------------------------------------


def _row_writer(sep: Callable[[random.Random], str], blank: str, tail: Callable[[int], str]) -> Callable:
    def write(doc: Document, rng: random.Random) -> str:
        def table(t: Table) -> list[str]:
            lines = []
            for row in t.rows:
                cells = [_one_line(_value(c, blank)) for c in (_shown(row) if blank else row)]
                line = cells[0]
                for c in cells[1:]:
                    line += sep(rng) + c
                lines.append(line + tail(t.ncols - len(row)))
            return lines

        return "\n".join(_paras(doc, table)) + "\n"

    return write


_row_pipe = _row_writer(lambda r: " | ", "", lambda missing: " |" + "|" * missing)
_row_tab = _row_writer(lambda r: "\t", "", lambda missing: "\t" * missing)
_row_spaces = _row_writer(lambda r: " " * r.randint(2, 6), "/", lambda missing: "")


# -- PDF text ------------------------------------------------------------------------


def _chunks(text: str, width: int) -> list[str]:
    return [text[i : i + width] for i in range(0, len(text), width)] or [""]


def _fragments(cell: Cell) -> list[str]:
    """How a tall merged label comes out of a PDF: a character or a few at a time."""
    text = _one_line(cell.text)
    if cell.role == "vertical":
        head = text[:2] if text[1:2] == "、" else text[:1]
        return [head, *text[len(head) :]]
    cut = (len(text) + 1) // 2
    return [text[:cut], text[cut:]]


def _pdf_table(t: Table, rng: random.Random, width: int) -> list[str]:
    lines: list[str] = []
    pending: list[tuple[int, list[str]]] = []  # (rows left, fragments) of tall labels
    for row in t.rows:
        if all(c.role == "head" for c in row):
            first: list[str] = []
            rest: list[str] = []
            for c in row:
                text = _one_line(c.text).replace("第二十条第", "第二十条 第")
                parts = _chunks(text, width + 4)
                first.append(parts[0])
                rest += parts[1:]
            lines += [" ".join(first), *rest]
            continue
        prefix: list[str] = []
        after: list[str] = []
        still: list[tuple[int, list[str]]] = []
        for left, frags in pending:
            if frags and (left <= len(frags) or rng.random() < 0.5):
                prefix.append(frags.pop(0))
                if frags and rng.random() < 0.4:
                    after.append(frags.pop(0))
            if left > 1:
                still.append((left - 1, frags))
            else:
                after.extend(frags)
        pending = still
        for c in row:
            if c.role in ("vertical", "group") and c.rowspan > 1:
                frags = _fragments(c)
                lines.append(frags.pop(0))
                pending.append((c.rowspan - 1, frags))
        label = "".join(
            _one_line(c.text).strip() for c in row if c.role in ("label", "head", "group") and c.rowspan == 1
        )
        values = " ".join(_value(c, "/") for c in _shown(row) if c.role in ("value", "unit", "cumulative"))
        lead = " ".join(prefix)
        chunks = _chunks(label, width) if label else []
        # The figures sit where the row's vertical middle is, as in extracted
        # PDF text: on the label's first line, alone between its lines, or on
        # a middle line; never before the label's first line, so each figure
        # line follows the start of its own label.
        mode = rng.choice(["inline", "middle_alone", "middle_inline"]) if len(chunks) > 1 else "inline"
        mid = max(1, len(chunks) // 2)
        if not chunks:
            lines.append(" ".join(x for x in (lead, values) if x))
        elif mode == "inline":
            lines.append(" ".join(x for x in (lead, chunks[0], values) if x))
            lines += chunks[1:]
        elif mode == "middle_alone":
            lines.append(" ".join(x for x in (lead, chunks[0]) if x))
            lines += [*chunks[1:mid], values, *chunks[mid:]]
        else:
            lines.append(" ".join(x for x in (lead, chunks[0]) if x))
            lines += [*chunks[1:mid], f"{chunks[mid]} {values}", *chunks[mid + 1 :]]
        lines += after
    for _, frags in pending:
        lines.extend(frags)
    return lines


def _pdf_text(doc: Document, rng: random.Random) -> str:
    width = rng.randint(12, 20)
    lines: list[str] = []
    for block in doc.blocks:
        if isinstance(block, Table):
            # The statistics table's label column is most of the page wide.
            lines += _pdf_table(block, rng, width * 2 if block.kind == "legacy" else width)
        else:
            text = block.text.replace("第二十条第", "第二十条 第") if block.kind == "heading" else block.text
            lines += _chunks(text, 38) if block.kind == "para" else [text]
    out, page, next_break = [], 1, rng.randint(25, 45)
    for i, line in enumerate(lines):
        out.append(line)
        if i == next_break:
            out.append(f"- {page} -")
            page += 1
            next_break += rng.randint(30, 45)
    out.append(f"- {page} -")
    return "\n".join(out) + "\n"


# -- glued ---------------------------------------------------------------------------


def _glued(doc: Document, rng: random.Random) -> str:
    head = [b.text for b in doc.blocks if isinstance(b, Para) and b.kind == "meta"]
    body: list[str] = []
    for block in doc.blocks:
        if isinstance(block, Table):
            body.append("".join(_one_line(_value(c, "/")).strip() for row in block.rows for c in _shown(row)))
        elif block.kind != "meta":
            body.append(block.text)
    glue = "".join(x + (" " if rng.random() < 0.2 else "") for x in body)
    return "\n".join([*head, glue]) + "\n"


# -- PDF-to-Markdown converters -------------------------------------------------------

_PLACEHOLDERS = ("数据{}", "列{}", "Column{}")
_REVIEW_TITLES = ("行政复议", "行政诉讼（未经复议直接起诉）", "行政诉讼（复议后起诉）")


def _grid(t: Table) -> list[list[str]]:
    """The table as a rectangle; positions a merged cell covers are empty, as converters leave them."""
    cells = grid_positions(t)
    height = max(r for r, _, _ in cells) + 1
    grid = [[""] * t.ncols for _ in range(height)]
    for r, c, cell in cells:
        grid[r][c] = _one_line(_value(cell, ""))
    return grid


def _md_rows(rows: list[list[str]], rng: random.Random, trailing: bool, placeholder: bool) -> list[str]:
    """Markdown table lines: a header (the first row, or a made-up one), its delimiter, the rest."""
    width = max(len(r) for r in rows) + trailing
    line = lambda cells: "| " + " | ".join(cells + [""] * (width - len(cells))) + " |"  # noqa: E731
    delimiter = "|" + "---|" * width
    if placeholder:
        head = rng.choice(_PLACEHOLDERS)
        return [line([head.format(i + 1) for i in range(width)]), delimiter, *(line(r) for r in rows)]
    return [line(rows[0]), delimiter, *(line(r) for r in rows[1:])]


def _md_table(t: Table, rng: random.Random, fragments: bool) -> list[str]:
    trailing, placeholder = rng.random() < 0.3, rng.random() < 0.3
    grid = _grid(t)
    if t.kind == "review" and rng.random() < 0.5:
        values = grid[-1]
        out = []
        for n, title in enumerate(_REVIEW_TITLES):
            heads = [_one_line(c.text) for c in t.rows[2][:5]]
            out += ["", f"### {title}", *_md_rows([heads, values[n * 5 : n * 5 + 5]], rng, trailing, False)]
        return out
    if t.kind == "applications" and fragments:
        return _md_fragments(grid, rng)
    return ["", *_md_rows(grid, rng, trailing, placeholder), ""]


def _md_fragments(grid: list[list[str]], rng: random.Random) -> list[str]:
    """The application table in pieces; some rows' labels go to loose lines above their piece."""
    header, body = grid[:3], grid[3:]
    out = ["", *_md_rows(header, rng, False, False)]
    i = 0
    while i < len(body):
        piece = body[i : i + rng.randint(3, 6)]
        i += len(piece)
        loose, rows = [], []
        for row in piece:
            label = [c for c in row[:3] if c]
            values = row[3:]
            if label and rng.random() < 0.35:
                loose.append(label[-1])
                rows.append(values)
            else:
                rows.append(label[-1:] + values)
        rng.shuffle(loose)
        out += ["", *loose, *_md_rows(rows, rng, False, False)]
    return [*out, ""]


def _md_writer(fragments: bool) -> Callable[[Document, random.Random], str]:
    def write(doc: Document, rng: random.Random) -> str:
        no_fifth = rng.random() < 0.3  # the converter lost 五's heading: "（一）主要问题" follows 四
        out: list[str] = []
        for block in doc.blocks:
            if isinstance(block, Table):
                out += _md_table(block, rng, fragments)
            elif block.kind == "title":
                out.append("# " + block.text)
            elif block.kind == "heading":
                if no_fifth and block.text.lstrip().startswith("五"):
                    out.append("（一）主要问题")
                else:
                    out.append("## " + block.text)
            else:
                out.append(block.text)
        return "\n".join(out) + "\n"

    return write


_WRITERS: dict[str, Callable[[Document, random.Random], str]] = {
    "cell_blank": _cell_blank,
    "cell": _cell,
    "cell_pipe": _cell_pipe,
    "row_pipe": _row_pipe,
    "row_tab": _row_tab,
    "row_spaces": _row_spaces,
    "pdf_text": _pdf_text,
    "markdown": _md_writer(fragments=False),
    "glued": _glued,
    "markdown_fragments": _md_writer(fragments=True),
}


def table_blocks(doc: Document) -> list[Block]:
    """The document's tables, for renderers and tests that look at cells only."""
    return [b for b in doc.blocks if isinstance(b, Table)]
