"""A minimal PDF writer for synthetic reports: text, ruled tables, page breaks.

No PDF library is a dependency of the project (reportlab or fpdf2 would be the
one to add), so this writes PDF objects directly. Text uses the standard
Chinese font ``STSong-Light`` with the predefined ``UniGB-UCS2-H`` CMap, the
way reportlab's ``UnicodeCIDFont`` does: the font is not embedded, every PDF
reader substitutes a Song face, and pdfminer/pdfplumber map the codes back to
Unicode from their bundled Adobe-GB1 tables. Tables are drawn as ruled grids
with merged cells, and cross pages the way real reports' tables do, so
extracted text shows the same wrapped labels, one-character-per-line tall
labels and "- 3 -" page numbers as published PDFs.
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass, field

from bench.synthetic.compose import Document, Table, grid_positions

PAGE_W, PAGE_H = 595.0, 842.0
MARGIN = 56.0
SIZE = 10.5
LEADING = SIZE * 1.5
PAD = 3.0
CONTENT_W = PAGE_W - 2 * MARGIN
_COLUMNS = {
    "disclosure": [0.34, 0.22, 0.22, 0.22],
    "applications": [0.045, 0.10, 0.295] + [0.08] * 7,
    "review": [1 / 15] * 15,
    "legacy": [0.64, 0.12, 0.24],
}


def _char_w(ch: str) -> float:
    return SIZE * (0.5 if ord(ch) < 0x80 else 1.0)


def _clean(text: str) -> str:
    """Characters the Adobe-GB1 font can show (GBK covers it); others become '?'."""
    out = []
    for ch in text.replace("\u00a0", " "):
        try:
            ch.encode("gbk")
            out.append(ch)
        except UnicodeEncodeError:
            out.append("?")
    return "".join(out)


def wrap(text: str, width: float) -> list[str]:
    """Lines of ``text`` that fit ``width`` points, breaking anywhere as CJK text may."""
    lines: list[str] = []
    for para in text.split("\n"):
        line, w = "", 0.0
        for ch in para:
            cw = _char_w(ch)
            if line and w + cw > width:
                lines.append(line)
                line, w = "", 0.0
            line += ch
            w += cw
        lines.append(line)
    return lines


@dataclass
class _Page:
    ops: list[str] = field(default_factory=list)

    def text(self, x: float, y: float, s: str) -> None:
        if s:
            data = _clean(s).encode("utf-16-be").hex()
            self.ops.append(f"BT /F1 {SIZE} Tf {x:.2f} {y:.2f} Td <{data}> Tj ET")

    def rect(self, x: float, y: float, w: float, h: float) -> None:
        self.ops.append(f"{x:.2f} {y:.2f} {w:.2f} {h:.2f} re S")


class _Writer:
    """Flows blocks down pages, starting a new page when one is full."""

    def __init__(self) -> None:
        self.pages: list[_Page] = [_Page()]
        self.y = PAGE_H - MARGIN

    @property
    def page(self) -> _Page:
        return self.pages[-1]

    def new_page(self) -> None:
        self.pages.append(_Page())
        self.y = PAGE_H - MARGIN

    def paragraph(self, text: str, *, center: bool = False) -> None:
        for line in wrap(text, CONTENT_W):
            if self.y - LEADING < MARGIN:
                self.new_page()
            self.y -= LEADING
            x = MARGIN + (CONTENT_W - sum(_char_w(c) for c in line)) / 2 if center else MARGIN
            self.page.text(x, self.y, line)

    def table(self, table: Table) -> None:
        fractions = _COLUMNS[table.kind]
        if table.kind == "legacy" and table.ncols == 4:  # with a 历年累计 column
            fractions = [0.52, 0.12, 0.18, 0.18]
        widths = [f * CONTENT_W for f in fractions]
        xs = [MARGIN + sum(widths[:i]) for i in range(len(widths) + 1)]
        cells = grid_positions(table)
        nrows = max(r + c.rowspan for r, _, c in cells)
        heights = [LEADING + 2 * PAD] * nrows
        wrapped = {}
        for r, c, cell in cells:
            lines = wrap(cell.text, xs[c + cell.colspan] - xs[c] - 2 * PAD) if cell.text.strip() else []
            wrapped[(r, c)] = lines
            need = len(lines) * LEADING + 2 * PAD
            span = range(r, r + cell.rowspan)
            if sum(heights[i] for i in span) < need:
                heights[r + cell.rowspan - 1] += need - sum(heights[i] for i in span)
        # Place rows on pages: (page index, top y) of each row.
        place: list[tuple[int, float]] = []
        for h in heights:
            if self.y - h < MARGIN:
                self.new_page()
            place.append((len(self.pages) - 1, self.y))
            self.y -= h
        for r, c, cell in cells:
            rows = range(r, r + cell.rowspan)
            x0, x1 = xs[c], xs[c + cell.colspan]
            by_page: dict[int, list[int]] = {}
            for i in rows:
                by_page.setdefault(place[i][0], []).append(i)
            first = True
            for p, members in by_page.items():
                top = place[members[0]][1]
                bottom = place[members[-1]][1] - heights[members[-1]]
                self.pages[p].rect(x0, bottom, x1 - x0, top - bottom)
                if first:
                    lines = wrapped[(r, c)]
                    y = top - PAD - ((top - bottom - 2 * PAD) - len(lines) * LEADING) / 2
                    for line in lines:
                        y -= LEADING
                        w = sum(_char_w(ch) for ch in line)
                        self.pages[p].text(x0 + max(PAD, (x1 - x0 - w) / 2), y + 3, line)
                    first = False


def document_pdf(doc: Document) -> bytes:
    """The document as PDF bytes: A4 pages, 10.5 pt Song, page numbers at the foot."""
    w = _Writer()
    for block in doc.blocks:
        if isinstance(block, Table):
            w.table(block)
        else:
            w.paragraph(block.text, center=block.kind == "title")
    for i, page in enumerate(w.pages, 1):
        page.text(PAGE_W / 2 - 12, MARGIN / 2, f"- {i} -")
    return _serialize([p.ops for p in w.pages])


def _serialize(pages: list[list[str]]) -> bytes:
    objs: list[bytes] = []

    def add(body: bytes) -> int:
        objs.append(body)
        return len(objs)

    catalog = add(b"")
    pages_id = add(b"")
    descriptor = add(
        b"<< /Type /FontDescriptor /FontName /STSong-Light /Flags 6 /FontBBox [-25 -254 1000 880]"
        b" /ItalicAngle 0 /Ascent 880 /Descent -120 /CapHeight 880 /StemV 93 >>"
    )
    cidfont = add(
        b"<< /Type /Font /Subtype /CIDFontType0 /BaseFont /STSong-Light"
        b" /CIDSystemInfo << /Registry (Adobe) /Ordering (GB1) /Supplement 2 >>"
        + f" /FontDescriptor {descriptor} 0 R /DW 1000 /W [1 95 500] >>".encode()
    )
    font = add(
        b"<< /Type /Font /Subtype /Type0 /BaseFont /STSong-Light-UniGB-UCS2-H /Encoding /UniGB-UCS2-H"
        + f" /DescendantFonts [{cidfont} 0 R] >>".encode()
    )
    kids = []
    for ops in pages:
        data = zlib.compress(("0.5 w\n" + "\n".join(ops)).encode("ascii"))
        content = add(
            f"<< /Length {len(data)} /Filter /FlateDecode >>\nstream\n".encode() + data + b"\nendstream"
        )
        kids.append(
            add(
                f"<< /Type /Page /Parent {pages_id} 0 R /MediaBox [0 0 {PAGE_W:.0f} {PAGE_H:.0f}]"
                f" /Resources << /Font << /F1 {font} 0 R >> >> /Contents {content} 0 R >>".encode()
            )
        )
    objs[catalog - 1] = f"<< /Type /Catalog /Pages {pages_id} 0 R >>".encode()
    objs[pages_id - 1] = (
        f"<< /Type /Pages /Kids [{' '.join(f'{k} 0 R' for k in kids)}] /Count {len(kids)} >>".encode()
    )
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for i, body in enumerate(objs, 1):
        offsets.append(len(out))
        out += f"{i} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objs) + 1}\n0000000000 65535 f \n".encode()
    out += b"".join(f"{o:010d} 00000 n \n".encode() for o in offsets)
    out += f"trailer\n<< /Size {len(objs) + 1} /Root {catalog} 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    return bytes(out)
