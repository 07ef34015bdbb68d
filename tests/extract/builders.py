"""Report files built from known values, for extractor tests.

A table is described once, as cells placed on a grid with their spans
(:class:`Cell`). From that one description the builders write HTML (cells
listed row by row, covered positions left out, as HTML requires) and DOCX
(python-docx merges), and :func:`expected_grid` gives the grid an extractor
must return: text at each origin, ``""`` at every covered or blank position.
"""

from __future__ import annotations

import functools
import hashlib
import io
from dataclasses import dataclass

import docx

from etl.extract.document import COVERED

Grid = list[list[str]]

APPLICANTS = ["自然人", "商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他", "总计"]


@dataclass(frozen=True)
class Cell:
    row: int
    col: int
    text: str
    rowspan: int = 1
    colspan: int = 1


# Section 三, template 2021: (row label path, values for the 7 applicant columns).
# None is a blank cell (&nbsp; in HTML, an empty cell in Word), never zero.
SECTION3_VALUES: list[tuple[str, list[str | None]]] = [
    ("一、本年新收政府信息公开申请数量", ["3001", "53", "0", None, "61", "4", "3119"]),
    ("二、上年结转政府信息公开申请数量", ["34", "0", "0", None, "0", "0", "34"]),
    ("（一）予以公开", ["1288", "21", "0", None, "50", "3", "1362"]),
    ("（二）部分公开（区分处理的，只计这一情形，不计其他情形）", ["447", "7", "0", None, "0", "0", "454"]),
    ("1.属于国家秘密", ["2", "0", "0", None, "0", "0", "2"]),
    ("2.其他法律行政法规禁止公开", ["30", "1", "0", None, "0", "0", "31"]),
    ("3.危及“三安全一稳定”", ["5", "0", "0", None, "0", "0", "5"]),
    ("4.保护第三方合法权益", ["6", "0", "0", None, "0", "0", "6"]),
    ("5.属于三类内部事务信息", ["7", "1", "0", None, "0", "0", "8"]),
    ("6.属于四类过程性信息", ["12", "0", "0", None, "0", "0", "12"]),
    ("7.属于行政执法案卷", ["9", "0", "0", None, "0", "0", "9"]),
    ("8.属于行政查询事项", ["105", "0", "0", None, "0", "0", "105"]),
    ("1.本机关不掌握相关政府信息", ["746", "12", "0", None, "10", "1", "769"]),
    ("2.没有现成信息需要另行制作", ["11", "0", "0", None, "0", "0", "11"]),
    ("3.补正后申请内容仍不明确", ["1", "0", "0", None, "0", "0", "1"]),
    ("1.信访举报投诉类申请", ["56", "6", "0", None, "0", "0", "62"]),
    ("2.重复申请", ["25", "0", "0", None, "0", "0", "25"]),
    ("3.要求提供公开出版物", ["0", "0", "0", None, "0", "0", "0"]),
    ("4.无正当理由大量反复申请", ["0", "0", "0", None, "0", "0", "0"]),
    ("5.要求行政机关确认或重新出具已获取信息", ["1", "0", "0", None, "0", "0", "1"]),
    (
        "1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请",
        ["67", "3", "0", None, "1", "0", "71"],
    ),
    (
        "2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请",
        ["6", "0", "0", None, "0", "0", "6"],
    ),
    ("3.其他", ["108", "2", "0", None, "0", "0", "110"]),
    ("（七）总计", ["2932", "53", "0", None, "61", "4", "3050"]),
    ("四、结转下年度继续办理", ["103", "0", "0", None, "0", "0", "103"]),
]
SECTION3_NOTE = "（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）"


def section3_cells(values: list[tuple[str, list[str | None]]] = SECTION3_VALUES) -> list[Cell]:
    """The 2021 template's section 三 table: 3 header rows, 25 data rows, 10 columns.

    Column 0 holds 三、本年度办理结果 (rowspan 22), column 1 the (三)...(六)
    groups (rowspans 8, 3, 5, 3), column 2 the numbered outcomes; single
    labels such as 一、本年新收... span all three label columns.
    """
    cells = [
        Cell(0, 0, SECTION3_NOTE, rowspan=3, colspan=3),
        Cell(0, 3, "申请人情况", colspan=7),
        Cell(1, 3, "自然人", rowspan=2),
        Cell(1, 4, "法人或其他组织", colspan=5),
        Cell(1, 9, "总计", rowspan=2),
        *(Cell(2, 4 + i, label) for i, label in enumerate(APPLICANTS[1:6])),
    ]
    labels = [label for label, _ in values]
    # (first data row index, label column, colspan) for each row label
    layout = [(0, 0, 3), (1, 0, 3), (2, 1, 2), (3, 1, 2)] + [(i, 2, 1) for i in range(4, 23)]
    layout += [(23, 1, 2), (24, 0, 3)]
    for index, col, colspan in layout:
        cells.append(Cell(3 + index, col, labels[index], colspan=colspan))
    cells += [
        Cell(5, 0, "三、本年度办理结果", rowspan=22),
        Cell(7, 1, "（三）不予公开", rowspan=8),
        Cell(15, 1, "（四）无法提供", rowspan=3),
        Cell(18, 1, "（五）不予处理", rowspan=5),
        Cell(23, 1, "（六）其他处理", rowspan=3),
    ]
    for index, (_, row_values) in enumerate(values):
        for j, value in enumerate(row_values):
            cells.append(Cell(3 + index, 3 + j, value or ""))
    return cells


SECTION4_VALUES: list[str | None] = [
    "72",
    "64",
    "178",
    "37",
    "351",
    "13",
    "4",
    "8",
    "1",
    "26",
    None,
    None,
    None,
    None,
    None,
]


def section4_cells(values: list[str | None] = SECTION4_VALUES) -> list[Cell]:
    """Section 四: 行政复议 (5 columns, header rowspan 2) and 行政诉讼 (2 x 5 columns)."""
    results = ["结果维持", "结果纠正", "其他结果", "尚未审结", "总计"]
    cells = [Cell(0, 0, "行政复议", colspan=5), Cell(0, 5, "行政诉讼", colspan=10)]
    cells += [Cell(1, i, label, rowspan=2) for i, label in enumerate(results)]
    cells += [Cell(1, 5, "未经复议直接起诉", colspan=5), Cell(1, 10, "复议后起诉", colspan=5)]
    cells += [Cell(2, 5 + i, label) for i, label in enumerate(results * 2)]
    cells += [Cell(3, i, value or "") for i, value in enumerate(values)]
    return cells


def expected_grid(cells: list[Cell]) -> Grid:
    """The grid an extractor must return: origin text, COVERED where a merge covers, "" where blank."""
    height = max(c.row + c.rowspan for c in cells)
    width = max(c.col + c.colspan for c in cells)
    grid = [[""] * width for _ in range(height)]
    for c in cells:
        for i in range(c.rowspan):
            for j in range(c.colspan):
                grid[c.row + i][c.col + j] = c.text if i == j == 0 else COVERED
    return grid


def html_table(cells: list[Cell], wrap: dict[str, str] | None = None) -> str:
    """A <table> with rowspan/colspan, blank cells as &nbsp;.

    ``wrap`` maps a cell text to the HTML written instead (a label wrapped
    with <br>, say), so tests can check that the text comes back whole.
    """
    wrap = wrap or {}
    height = max(c.row + c.rowspan for c in cells)
    rows: list[list[Cell]] = [[] for _ in range(height)]
    for c in cells:
        rows[c.row].append(c)
    out = ['<table border="1" cellspacing="0">']
    for row in rows:
        out.append("<tr>")
        for c in sorted(row, key=lambda cell: cell.col):
            attrs = (f' rowspan="{c.rowspan}"' if c.rowspan > 1 else "") + (
                f' colspan="{c.colspan}"' if c.colspan > 1 else ""
            )
            body = wrap.get(c.text, c.text) if c.text else "&nbsp;"
            out.append(f"<td{attrs}><p>{body}</p></td>")
        out.append("</tr>")
    out.append("</table>")
    return "\n".join(out)


def html_report(encoding: str = "gbk") -> bytes:
    """A 2021-template report page: chrome to drop, prose, sections 三 and 四 as tables.

    Encoded in ``encoding`` and declaring it in ``<meta charset>``, as GBK
    government sites do.
    """
    section3 = html_table(
        section3_cells(), wrap={"一、本年新收政府信息公开申请数量": "一、本年新收政府信<br>息公开申请数量"}
    )
    page = f"""<!DOCTYPE html>
<html><head><meta charset="{encoding}"><title>某某县人民政府2021年政府信息公开工作年度报告</title>
<style>td {{ border: 1px solid; }}</style><script>var nav = "首页 | 政务公开";</script></head>
<body>
<header><a href="/">首页</a> 政务公开</header>
<nav><ul><li>网站导航</li><li>机构设置</li></ul></nav>
<div class="article">
<h1>某某县人民政府2021年政府信息公开工作年度报告</h1>
<p>本报告根据《中华人民共和国政府信息公开条例》编制。<br>报告所列统计期限自2021年1月1日至2021年12月31日。</p>
<p>三、收到和处理政府信息公开申请情况</p>
{section3}
<p>四、政府信息公开行政复议、行政诉讼情况</p>
{html_table(section4_cells())}
<p>五、存在的主要问题及改进情况</p>
</div>
<noscript>请启用JavaScript</noscript>
<footer>版权所有 某某县人民政府 ICP备案</footer>
</body></html>"""
    return page.encode(encoding)


def docx_table(
    document: docx.document.Document, cells: list[Cell], wrap: dict[str, list[str]] | None = None
) -> None:
    """Add a Word table with python-docx merges (gridSpan, vMerge) from cell placements.

    ``wrap`` maps a cell text to the paragraphs written instead (a label
    wrapped over two paragraphs, say).
    """
    wrap = wrap or {}
    height = max(c.row + c.rowspan for c in cells)
    width = max(c.col + c.colspan for c in cells)
    table = document.add_table(rows=height, cols=width)
    rows = table.rows  # row.cells is cheap; table.cell() rebuilds every cell of the table on each call
    for c in cells:
        target = rows[c.row].cells[c.col]
        if c.rowspan > 1 or c.colspan > 1:
            target = target.merge(rows[c.row + c.rowspan - 1].cells[c.col + c.colspan - 1])
        paragraphs = wrap.get(c.text, [c.text])
        target.text = paragraphs[0]
        for extra in paragraphs[1:]:
            target.add_paragraph(extra)


@functools.cache  # python-docx is slow at merging; every test gets the same bytes
def docx_report() -> bytes:
    """A .docx report: paragraphs and merged-cell tables interleaved, one nested table."""
    document = docx.Document()
    document.add_heading("某某县人民政府2021年政府信息公开工作年度报告", level=1)
    document.add_paragraph("三、收到和处理政府信息公开申请情况")
    docx_table(
        document,
        section3_cells(),
        wrap={"一、本年新收政府信息公开申请数量": ["一、本年新收政府信", "息公开申请数量"]},
    )
    document.add_paragraph("四、政府信息公开行政复议、行政诉讼情况")
    docx_table(document, section4_cells())
    document.add_paragraph("五、存在的主要问题及改进情况")
    outer = document.add_table(rows=1, cols=2)
    outer.cell(0, 0).text = "附注"
    inner = outer.cell(0, 1).add_table(rows=1, cols=2)
    inner.cell(0, 0).text = "甲"
    inner.cell(0, 1).text = "乙"
    document.add_paragraph("六、其他需要报告的事项")
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


# PDF files written by hand: pdfplumber cannot write, and no PDF writer is a
# project dependency. Offsets in the xref table are computed, so the files
# are valid, not merely tolerated.

_PAD = bytes.fromhex("28BF4E5E4E758A4164004E56FFFA01082E2E00B6D0683E802F0CA9FE6453697A")


def pdf_file(pages: list[bytes], *, user_password: str | None = None, owner_password: str = "owner") -> bytes:
    """A PDF with one page per content stream (Helvetica as /F1), A5-sized.

    With ``user_password`` the file is encrypted with the standard security
    handler (RC4, 40-bit, revision 2), so it cannot be opened without it.
    """
    file_id = hashlib.md5(b"nianbao-test").digest()
    key: bytes | None = None
    encrypt_dict = b""
    if user_password is not None:
        o_key = hashlib.md5(_pad(owner_password)).digest()[:5]
        o_value = _rc4(o_key, _pad(user_password))
        permissions = -4
        key = hashlib.md5(
            _pad(user_password) + o_value + permissions.to_bytes(4, "little", signed=True) + file_id
        ).digest()[:5]
        u_value = _rc4(key, _PAD)
        encrypt_dict = (
            b"<< /Filter /Standard /V 1 /R 2 /O <" + o_value.hex().encode() + b"> /U <"
            + u_value.hex().encode() + b"> /P " + str(permissions).encode() + b" >>"
        )  # fmt: skip
    count = len(pages)
    objects: list[bytes] = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [" + b" ".join(f"{4 + 2 * i} 0 R".encode() for i in range(count))
        + f"] /Count {count} >>".encode(),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]  # fmt: skip
    for i, content in enumerate(pages):
        page_number, content_number = 4 + 2 * i, 5 + 2 * i
        objects.append(
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 420 595] /Resources << /Font << /F1 3 0 R >> >> "
            + f"/Contents {content_number} 0 R >>".encode()
        )
        if key is not None:
            object_key = hashlib.md5(key + content_number.to_bytes(3, "little") + b"\x00\x00").digest()[:10]
            content = _rc4(object_key, content)
        objects.append(f"<< /Length {len(content)} >>\nstream\n".encode() + content + b"\nendstream")
        assert page_number + 1 == content_number
    if encrypt_dict:
        objects.append(encrypt_dict)
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += b"".join(f"{offset:010d} 00000 n \n".encode() for offset in offsets)
    trailer = f"<< /Size {len(objects) + 1} /Root 1 0 R /ID [<{file_id.hex()}> <{file_id.hex()}>]"
    if encrypt_dict:
        trailer += f" /Encrypt {len(objects)} 0 R"
    out += f"trailer\n{trailer} >>\nstartxref\n{xref}\n%%EOF\n".encode()
    return bytes(out)


def pdf_text(x: float, y: float, text: str, size: int = 10) -> bytes:
    """Content-stream operators that print ASCII text at (x, y)."""
    escaped = text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")
    return f"BT /F1 {size} Tf {x} {y} Td ({escaped}) Tj ET\n".encode()


def pdf_ruled_table(
    x: float, top: float, widths: list[float], rows: list[list[str]], height: float = 20
) -> bytes:
    """A ruled table (every cell stroked) with text in its cells; ``top`` in PDF units from the bottom."""
    out = bytearray(b"0.5 w\n")
    for r, row in enumerate(rows):
        y = top - (r + 1) * height
        left = x
        for width, text in zip(widths, row, strict=True):
            out += f"{left} {y} {width} {height} re S\n".encode()
            if text:
                out += pdf_text(left + 3, y + 6, text)
            left += width
    return bytes(out)


def pdf_drawing_only() -> bytes:
    """A page with lines, a filled box and a small inline image, and no text: what a scan looks like."""
    return (
        b"1 w 20 20 m 380 560 l S\n"
        b"0.5 g 50 400 200 100 re f\n"
        b"q 100 0 0 100 100 100 cm BI /W 2 /H 2 /CS /G /BPC 8 ID \x00\xff\xff\x00 EI Q\n"
    )


def _pad(password: str) -> bytes:
    return (password.encode("latin-1") + _PAD)[:32]


def _rc4(key: bytes, data: bytes) -> bytes:
    state = list(range(256))
    j = 0
    for i in range(256):
        j = (j + state[i] + key[i % len(key)]) % 256
        state[i], state[j] = state[j], state[i]
    i = j = 0
    out = bytearray()
    for byte in data:
        i = (i + 1) % 256
        j = (j + state[i]) % 256
        state[i], state[j] = state[j], state[i]
        out.append(byte ^ state[(state[i] + state[j]) % 256])
    return bytes(out)
