"""A record as the files real reports come in: HTML pages, Word and PDF documents.

These renderers feed the extractor tests and the benchmark: each writes the
same :class:`~bench.synthetic.compose.Document` the text layouts write, with its
tables as real tables (HTML ``rowspan``/``colspan``, Word merged cells, PDF
ruled grids), so an extractor has to resolve the merges itself.
"""

from __future__ import annotations

import datetime
import html
import io
import random
import zipfile

from bench.synthetic.compose import Cell, Para, Table, compose, grid_positions
from etl.record import Report


def render_html(record: Report, rng: random.Random | None = None, *, encoding: str = "utf-8") -> bytes:
    """An HTML page as a government portal serves it, encoded as ``encoding``.

    ``encoding="gbk"`` gives a GBK page declaring its charset in a ``<meta>``
    tag, as many county sites still do. Empty cells are ``&nbsp;``.
    """
    rng = rng or random.Random(0)
    doc = compose(record, rng)
    title = "".join(b.text for b in doc.blocks if isinstance(b, Para) and b.kind == "title")
    meta = (
        f'<meta http-equiv="Content-Type" content="text/html; charset={encoding}">'
        if rng.random() < 0.6
        else f'<meta charset="{encoding}">'
    )
    parts = [
        "<!DOCTYPE html>",
        f"<html><head>{meta}<title>{html.escape(title)}</title></head><body>",
        '<div class="nav">首页 &gt; 政务公开 &gt; 政府信息公开年报</div>',
        '<div class="article">',
    ]
    for block in doc.blocks:
        if isinstance(block, Table):
            parts.append(_html_table(block))
        elif block.kind == "title":
            parts.append(f"<h1>{html.escape(block.text)}</h1>")
        elif block.kind == "heading":
            parts.append(f"<p><strong>{html.escape(block.text)}</strong></p>")
        else:
            parts.append(f"<p>{html.escape(block.text)}</p>")
    parts += ["</div>", '<div class="footer">版权所有 网站标识码</div>', "</body></html>"]
    return "\n".join(parts).encode(encoding, errors="xmlcharrefreplace")


def _html_cell(cell: Cell) -> str:
    span = (f' rowspan="{cell.rowspan}"' if cell.rowspan > 1 else "") + (
        f' colspan="{cell.colspan}"' if cell.colspan > 1 else ""
    )
    text = "<br>".join(html.escape(line) for line in cell.text.split("\n")) if cell.text.strip() else "&nbsp;"
    return f"<td{span}><p>{text}</p></td>"


def _html_table(table: Table) -> str:
    rows = "".join("<tr>" + "".join(_html_cell(c) for c in row) + "</tr>" for row in table.rows)
    return f'<table border="1" cellspacing="0" cellpadding="0"><tbody>{rows}</tbody></table>'


def render_docx(record: Report, rng: random.Random | None = None) -> bytes:
    """A Word document whose tables have the template's merged cells."""
    import docx

    rng = rng or random.Random(0)
    doc = compose(record, rng)
    out = docx.Document()
    for block in doc.blocks:
        if isinstance(block, Table):
            _docx_table(out, block)
        elif block.kind == "title":
            out.add_heading(block.text, level=1)
        else:
            out.add_paragraph(block.text)
    issued = datetime.datetime.fromisoformat(record.published_date or f"{record.report_year or 2020}-12-31")
    out.core_properties.created = out.core_properties.modified = issued
    out.core_properties.last_printed = issued
    buf = io.BytesIO()
    out.save(buf)
    return _fixed_zip_times(buf.getvalue(), issued)


def _fixed_zip_times(data: bytes, when: datetime.datetime) -> bytes:
    """The same zip with every member dated ``when``: python-docx stamps the clock time.

    Without this two renderings of one report differ byte for byte, and the
    corpus would not be deterministic for a seed.
    """
    src = zipfile.ZipFile(io.BytesIO(data))
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            fixed = zipfile.ZipInfo(info.filename, date_time=when.timetuple()[:6])
            fixed.compress_type = zipfile.ZIP_DEFLATED
            dst.writestr(fixed, src.read(info.filename))
    return buf.getvalue()


def _docx_table(out: object, table: Table) -> None:
    cells = grid_positions(table)
    nrows = max(r + c.rowspan for r, _, c in cells)
    t = out.add_table(rows=nrows, cols=table.ncols)  # type: ignore[attr-defined]
    t.style = "Table Grid"
    # Cell objects taken once: python-docx recomputes the whole grid on every
    # ``table.cell()`` call. Merged regions never overlap, so each region's
    # corner cells are still the ones taken here when it is merged.
    grid = t._cells
    for r, c, cell in cells:
        origin = grid[r * table.ncols + c]
        if cell.rowspan > 1 or cell.colspan > 1:
            corner = grid[(r + cell.rowspan - 1) * table.ncols + min(c + cell.colspan, table.ncols) - 1]
            origin = origin.merge(corner)
        origin.text = cell.text


def render_pdf(record: Report, rng: random.Random | None = None) -> bytes:
    """A PDF with ruled tables; see :mod:`bench.synthetic.pdf` for how it is written."""
    from bench.synthetic.pdf import document_pdf

    rng = rng or random.Random(0)
    return document_pdf(compose(record, rng, inner_spaces=False))
