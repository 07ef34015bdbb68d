"""OFD files (GB/T 33190-2016) built in code, shaped like the ones agencies publish.

The package is what OFD producers (Suwell, Foxit, WPS) write: ``OFD.xml``
naming ``Doc_0/Document.xml``, which names its resources (``PublicRes.xml``
with the fonts, ``DocumentRes.xml`` with images) and its pages
(``Pages/Page_N/Content.xml``, locations relative to the document). A page
holds one body layer of ``TextObject``s (one per run of text: a Boundary box,
a TextCode at X/Y inside it with per-character DeltaX, ``g N V`` where the
advances repeat) and ``PathObject``s (one per ruling, drawn inside its
Boundary). Units are millimetres, Y grows downwards, and a text position is
its baseline.
"""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass, field
from xml.sax.saxutils import escape

from builders import Cell

NS = "http://www.ofdspec.org/2016"
A4 = (210.0, 297.0)
TITLE = "某县人民政府2023年政府信息公开工作年度报告"
SECTION2_ROWS = [
    ["信息内容", "本年制发件数", "本年废止件数", "现行有效件数"],
    ["规章", "0", "0", "3"],
    ["规范性文件", "5", "1", "20"],
]


def advance(ch: str, size: float) -> float:
    """How far a character moves the pen: a full em for CJK, half for ASCII."""
    return size / 2 if ord(ch) < 0x2E80 else size


def text_width(text: str, size: float) -> float:
    return sum(advance(ch, size) for ch in text)


@dataclass
class Page:
    """What one page shows: text runs, straight rulings, images (by their boxes)."""

    texts: list[tuple[float, float, str, float]] = field(default_factory=list)  # (x, baseline, text, size)
    lines: list[tuple[float, float, float, float]] = field(default_factory=list)  # (x0, y0, x1, y1)
    boxes: list[tuple[float, float, float, float]] = field(default_factory=list)  # thin filled rules
    images: list[tuple[float, float, float, float]] = field(default_factory=list)  # (x, y, w, h)
    ctm: dict[int, str] = field(default_factory=dict)  # text index -> CTM written for that run

    def text(self, x: float, y: float, text: str, size: float = 3.7) -> Page:
        self.texts.append((x, y, text, size))
        return self

    def paragraph(self, x: float, y: float, text: str, width: float, size: float = 3.7) -> float:
        """Text wrapped at ``width`` mm, line after line; returns the baseline after the last."""
        line = ""
        for ch in text:
            if line and text_width(line + ch, size) > width:
                self.text(x, y, line, size)
                y += size * 1.6
                line = ""
            line += ch
        if line:
            self.text(x, y, line, size)
            y += size * 1.6
        return y

    def table(
        self,
        x: float,
        y: float,
        widths: list[float],
        cells: list[Cell],
        size: float = 3.2,
        boxes: bool = False,
    ) -> float:
        """A ruled table from cells with spans; returns the Y of its bottom rule.

        Rules are drawn only where a cell has an edge, so merged cells have no
        rule inside them, as a word processor draws them. Text is wrapped
        inside its cell. ``boxes`` draws each rule as a thin filled box (what
        some converters write) instead of a stroked line.
        """
        height = max(c.row + c.rowspan for c in cells)
        pitch = size * 1.5
        lines_of = {id(c): _wrap(c.text, sum(widths[c.col : c.col + c.colspan]) - 2, size) for c in cells}
        heights = [pitch + 2.0] * height
        for c in sorted(cells, key=lambda c: c.rowspan):
            need = len(lines_of[id(c)]) * pitch + 2.0
            have = sum(heights[c.row : c.row + c.rowspan])
            if need > have:
                heights[c.row + c.rowspan - 1] += need - have
        lefts = [x + sum(widths[:j]) for j in range(len(widths) + 1)]
        tops = [y + sum(heights[:i]) for i in range(height + 1)]
        edges_h: set[tuple[int, int]] = set()  # (row boundary, column) pieces
        edges_v: set[tuple[int, int]] = set()  # (column boundary, row) pieces
        for c in cells:
            for j in range(c.col, c.col + c.colspan):
                edges_h |= {(c.row, j), (c.row + c.rowspan, j)}
            for i in range(c.row, c.row + c.rowspan):
                edges_v |= {(c.col, i), (c.col + c.colspan, i)}
            top = tops[c.row] + (sum(heights[c.row : c.row + c.rowspan]) - len(lines_of[id(c)]) * pitch) / 2
            for n, line in enumerate(lines_of[id(c)]):
                width = text_width(line, size)
                left = lefts[c.col] + (sum(widths[c.col : c.col + c.colspan]) - width) / 2  # centred
                self.text(left, top + n * pitch + size, line, size)
        rules = [(lefts[j], tops[k], lefts[j + 1], tops[k]) for k, j in sorted(edges_h)]
        rules += [(lefts[k], tops[i], lefts[k], tops[i + 1]) for k, i in sorted(edges_v)]
        for x0, y0, x1, y1 in rules:
            if boxes:
                self.boxes.append((x0, y0 - 0.15, max(x1 - x0, 0.3), max(y1 - y0, 0.3)))
            else:
                self.lines.append((x0, y0, x1, y1))
        return tops[-1]


def _wrap(text: str, width: float, size: float) -> list[str]:
    out = [""]
    for ch in text:
        if out[-1] and text_width(out[-1] + ch, size) > width:
            out.append("")
        out[-1] += ch
    return out if text else []


def grid_cells(rows: list[list[str]]) -> list[Cell]:
    """Plain rows as cells without spans."""
    return [Cell(i, j, text) for i, row in enumerate(rows) for j, text in enumerate(row)]


def _deltas(text: str, size: float) -> str:
    steps = [advance(ch, size) for ch in text[:-1]]
    if not steps:
        return ""
    if len(set(steps)) == 1 and len(steps) > 1:
        return f"g {len(steps)} {steps[0]:g}"
    return " ".join(f"{s:g}" for s in steps)


def page_xml(page: Page, first_id: int = 100) -> str:
    ids = iter(range(first_id, first_id + 10_000))
    out = [
        f'<?xml version="1.0" encoding="UTF-8"?>\n<ofd:Page xmlns:ofd="{NS}">',
        f"<ofd:Area><ofd:PhysicalBox>0 0 {A4[0]} {A4[1]}</ofd:PhysicalBox></ofd:Area>",
        f'<ofd:Content><ofd:Layer ID="{next(ids)}" Type="Body">',
    ]
    for x0, y0, x1, y1 in page.lines:
        # One PathObject per ruling, drawn from its Boundary's origin (a stroke 0.25 mm wide).
        left, top = min(x0, x1), min(y0, y1)
        w, h = abs(x1 - x0), abs(y1 - y0)
        out.append(
            f'<ofd:PathObject ID="{next(ids)}" Boundary="{left:g} {top:g} {max(w, 0.25):g} {max(h, 0.25):g}" '
            f'LineWidth="0.25"><ofd:StrokeColor Value="0 0 0"/>'
            f"<ofd:AbbreviatedData>M {x0 - left:g} {y0 - top:g} L {x1 - left:g} {y1 - top:g}</ofd:AbbreviatedData>"
            "</ofd:PathObject>"
        )
    for x, y, w, h in page.boxes:
        out.append(
            f'<ofd:PathObject ID="{next(ids)}" Boundary="{x:g} {y:g} {w:g} {h:g}" Stroke="false" Fill="true">'
            f'<ofd:FillColor Value="0 0 0"/><ofd:AbbreviatedData>M 0 0 L {w:g} 0 L {w:g} {h:g} L 0 {h:g} C'
            "</ofd:AbbreviatedData></ofd:PathObject>"
        )
    for n, (x, y, text, size) in enumerate(page.texts):
        # Boundary: the run's box; the TextCode's baseline sits one font size below the box's top.
        ctm = f' CTM="{page.ctm[n]}"' if n in page.ctm else ""
        out.append(
            f'<ofd:TextObject ID="{next(ids)}" Boundary="{x:g} {y - size:g} {text_width(text, size):g} '
            f'{size * 1.3:g}" Font="3" Size="{size:g}"{ctm}><ofd:FillColor Value="0 0 0"/>'
            f'<ofd:TextCode X="0" Y="{size:g}" DeltaX="{_deltas(text, size)}">{escape(text)}</ofd:TextCode>'
            "</ofd:TextObject>"
        )
    for x, y, w, h in page.images:
        out.append(
            f'<ofd:ImageObject ID="{next(ids)}" Boundary="{x:g} {y:g} {w:g} {h:g}" '
            f'CTM="{w:g} 0 0 {h:g} 0 0" ResourceID="2"/>'
        )
    out.append("</ofd:Layer></ofd:Content></ofd:Page>")
    return "\n".join(out)


def ofd_file(pages: list[Page], *, doc_root: str = "Doc_0/Document.xml") -> bytes:
    """An OFD package of these pages, an image entry beside them when a page shows one."""
    folder = doc_root.rpartition("/")[0]
    prefix = f"{folder}/" if folder else ""
    entries: dict[str, bytes] = {
        "OFD.xml": (
            f'<?xml version="1.0" encoding="UTF-8"?>\n<ofd:OFD xmlns:ofd="{NS}" DocType="OFD" Version="1.0">'
            "<ofd:DocBody><ofd:DocInfo><ofd:DocID>6a2c0f0b6d3e4bb5a3f1d2c9e8b7a601</ofd:DocID>"
            "<ofd:Creator>nianbao tests</ofd:Creator><ofd:CreationDate>2024-01-15</ofd:CreationDate>"
            f"</ofd:DocInfo><ofd:DocRoot>{doc_root}</ofd:DocRoot></ofd:DocBody></ofd:OFD>"
        ).encode(),
        doc_root: (
            f'<?xml version="1.0" encoding="UTF-8"?>\n<ofd:Document xmlns:ofd="{NS}"><ofd:CommonData>'
            f"<ofd:PageArea><ofd:PhysicalBox>0 0 {A4[0]} {A4[1]}</ofd:PhysicalBox></ofd:PageArea>"
            "<ofd:PublicRes>PublicRes.xml</ofd:PublicRes><ofd:DocumentRes>DocumentRes.xml</ofd:DocumentRes>"
            f"<ofd:MaxUnitID>{100 + 10_000 * len(pages)}</ofd:MaxUnitID></ofd:CommonData><ofd:Pages>"
            + "".join(
                f'<ofd:Page ID="{10 + i}" BaseLoc="Pages/Page_{i}/Content.xml"/>' for i in range(len(pages))
            )
            + "</ofd:Pages></ofd:Document>"
        ).encode(),
        f"{prefix}PublicRes.xml": (
            f'<?xml version="1.0" encoding="UTF-8"?>\n<ofd:Res xmlns:ofd="{NS}" BaseLoc="Res"><ofd:Fonts>'
            '<ofd:Font ID="3" FontName="宋体" FamilyName="宋体"/></ofd:Fonts></ofd:Res>'
        ).encode(),
        f"{prefix}DocumentRes.xml": (
            f'<?xml version="1.0" encoding="UTF-8"?>\n<ofd:Res xmlns:ofd="{NS}" BaseLoc="Res"><ofd:MultiMedias>'
            '<ofd:MultiMedia ID="2" Type="Image" Format="PNG"><ofd:MediaFile>scan.png</ofd:MediaFile>'
            "</ofd:MultiMedia></ofd:MultiMedias></ofd:Res>"
        ).encode(),
    }
    for i, page in enumerate(pages):
        entries[f"{prefix}Pages/Page_{i}/Content.xml"] = page_xml(page, 100 + 10_000 * i).encode()
    if any(page.images for page in pages):
        entries[f"{prefix}Res/scan.png"] = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, content in entries.items():
            zf.writestr(name, content)
    return buffer.getvalue()


def report_pages() -> list[Page]:
    """A short 2021-template report: title, prose, section 二's first table on page 1; more prose on page 2."""
    first = Page()
    first.text(105 - text_width(TITLE, 6) / 2, 30, TITLE, 6)  # centred title
    y = first.paragraph(
        25,
        45,
        "本报告根据《中华人民共和国政府信息公开条例》（以下简称《条例》）和上级要求编制。"
        "本报告所列数据的统计期限自2023年1月1日起至2023年12月31日止。",
        160,
    )
    first.text(25, y + 4, "一、总体情况", 3.7)
    y = first.paragraph(32, y + 12, "2023年，某县人民政府认真贯彻落实《条例》，主动公开政府信息1234条。", 153)
    first.text(25, y + 4, "二、主动公开政府信息情况", 3.7)
    cells = [Cell(0, 0, "第二十条第（一）项", colspan=4)] + [
        Cell(i + 1, j, text) for i, row in enumerate(SECTION2_ROWS) for j, text in enumerate(row)
    ]
    first.table(25, y + 10, [40, 40, 40, 40], cells)
    first.text(103, 285, "- 1 -", 3.2)  # the page number in the footer
    second = Page()
    second.text(25, 30, "三、收到和处理政府信息公开申请情况", 3.7)
    second.paragraph(32, 40, "本年度共收到政府信息公开申请15件，均已按时办结。", 153)
    second.text(25, 55, "四、政府信息公开行政复议、行政诉讼情况", 3.7)
    second.text(25, 70, "五、存在的主要问题及改进情况", 3.7)
    second.text(103, 285, "- 2 -", 3.2)
    return [first, second]


def report_ofd() -> bytes:
    return ofd_file(report_pages())
