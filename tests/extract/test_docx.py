"""Word reports: body order kept, merged cells at their origin only."""

from __future__ import annotations

import io
import zipfile

import docx
import pytest
from builders import docx_report, expected_grid, section3_cells, section4_cells
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls

from etl.extract.document import COVERED, Extracted, ExtractError
from etl.extract.docx import extract_docx, table_grid


@pytest.fixture(scope="module")
def report() -> Extracted:
    return extract_docx(docx_report())


def test_merged_tables_come_back_exactly(report: Extracted) -> None:
    extracted = report
    assert extracted.format == "docx"
    assert extracted.tables[0] == expected_grid(section3_cells())
    assert extracted.tables[1] == expected_grid(section4_cells())


def test_merged_cells_are_not_repeated(report: Extracted) -> None:
    section3 = report.tables[0]
    # python-docx's row.cells would repeat 三、本年度办理结果 in 22 rows and 申请人情况 in 7 columns
    assert sum(row.count("三、本年度办理结果") for row in section3) == 1
    assert section3[0].count("申请人情况") == 1
    # the label written over two paragraphs is one label; the columns its merge covers are
    # COVERED (no cell), and the blank column stays blank ("")
    assert section3[3] == [
        "一、本年新收政府信息公开申请数量",
        COVERED,
        COVERED,
        "3001",
        "53",
        "0",
        "",
        "61",
        "4",
        "3119",
    ]
    assert section3[7][:4] == [COVERED, "（三）不予公开", "1.属于国家秘密", "2"]


def test_body_order_and_nested_table(report: Extracted) -> None:
    extracted = report
    lines = extracted.text.split("\n")
    assert lines[0] == "某某县人民政府2021年政府信息公开工作年度报告"
    assert lines[1] == "三、收到和处理政府信息公开申请情况"
    assert (
        lines[5]
        == f"一、本年新收政府信息公开申请数量 | {COVERED} | {COVERED} | 3001 | 53 | 0 |  | 61 | 4 | 3119"
    )
    i4 = lines.index("四、政府信息公开行政复议、行政诉讼情况")
    assert lines[i4 - 1] == f"四、结转下年度继续办理 | {COVERED} | {COVERED} | 103 | 0 | 0 |  | 0 | 0 | 103"
    assert lines[i4 + 4] == "72 | 64 | 178 | 37 | 351 | 13 | 4 | 8 | 1 | 26 |  |  |  |  | "
    assert lines[i4 + 5 :] == ["五、存在的主要问题及改进情况", "附注 | 甲 乙", "六、其他需要报告的事项"]
    assert extracted.tables[2] == [["附注", "甲 乙"]]


def test_grid_before_and_text_in_a_continued_merge() -> None:
    """Rows that start late (w:gridBefore) and a vMerge continuation that still holds stray text."""
    tbl = parse_xml(
        f"""<w:tbl {nsdecls("w")}>
  <w:tblGrid><w:gridCol/><w:gridCol/><w:gridCol/></w:tblGrid>
  <w:tr>
    <w:tc><w:tcPr><w:vMerge w:val="restart"/></w:tcPr><w:p><w:r><w:t>行政复议</w:t></w:r></w:p></w:tc>
    <w:tc><w:tcPr><w:gridSpan w:val="2"/></w:tcPr><w:p><w:r><w:t>结果</w:t></w:r></w:p></w:tc>
  </w:tr>
  <w:tr>
    <w:tc><w:tcPr><w:vMerge/></w:tcPr><w:p><w:r><w:t>stray</w:t></w:r></w:p></w:tc>
    <w:tc><w:p><w:r><w:t>5</w:t></w:r></w:p></w:tc>
    <w:tc><w:p/></w:tc>
  </w:tr>
  <w:tr>
    <w:trPr><w:gridBefore w:val="1"/></w:trPr>
    <w:tc><w:p><w:r><w:t>0</w:t></w:r></w:p></w:tc>
  </w:tr>
</w:tbl>"""
    )
    # the span's second column and the merge's continuation are COVERED; gridBefore's is no cell either
    assert table_grid(tbl) == [["行政复议", "结果", COVERED], [COVERED, "5", ""], ["", "0", ""]]


def test_tracked_deletions_tabs_and_breaks() -> None:
    document = docx.Document()
    paragraph = document.add_paragraph("本年")
    run = paragraph.add_run("新收")
    run.add_break()
    run.add_text("申请\t12")
    deleted = parse_xml(
        f'<w:del {nsdecls("w")} w:id="1" w:author="a"><w:r><w:delText>删除的</w:delText></w:r></w:del>'
    )
    paragraph._p.append(deleted)
    buffer = io.BytesIO()
    document.save(buffer)
    assert extract_docx(buffer.getvalue()).text == "本年新收\n申请\t12"


def test_corrupt_docx() -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document><not closed")
    with pytest.raises(ExtractError) as error:
        extract_docx(buffer.getvalue())
    assert error.value.code == "corrupt"


def test_a_huge_grid_span_is_refused_before_the_grid_is_built() -> None:
    """A 963-byte DOCX with gridSpan="100000000" once asked for 2.4 GB."""
    tbl = parse_xml(
        f"""<w:tbl {nsdecls("w")}>
  <w:tblGrid><w:gridCol/></w:tblGrid>
  <w:tr><w:tc><w:tcPr><w:gridSpan w:val="100000000"/></w:tcPr><w:p><w:r><w:t>x</w:t></w:r></w:p></w:tc></w:tr>
</w:tbl>"""
    )
    with pytest.raises(ExtractError) as caught:
        table_grid(tbl)
    assert caught.value.code == "table_too_large"


def test_a_zip_bomb_is_refused_before_anything_is_unzipped(monkeypatch: pytest.MonkeyPatch) -> None:
    """A Word file whose parts declare more markup than any report's (limit set small here)."""
    from etl.extract import extract

    whole = docx_report()
    monkeypatch.setattr("etl.extract.MAX_UNZIPPED_MARKUP", 2 * 2**20)
    assert extract(whole, "report.docx").format == "docx"  # a real report is far under the limit

    bomb = io.BytesIO()
    with zipfile.ZipFile(whole_zip := io.BytesIO(whole)) as source, zipfile.ZipFile(bomb, "w") as out:
        for item in source.infolist():
            data = source.read(item)
            if item.filename == "word/document.xml":
                data = data.replace(b"</w:body>", b"<w:p/>" * 500_000 + b"</w:body>")
            out.writestr(item, data, compress_type=zipfile.ZIP_DEFLATED)
    assert len(bomb.getvalue()) < len(whole_zip.getvalue()) + 100_000
    with pytest.raises(ExtractError) as caught:
        extract(bomb.getvalue(), "bomb.docx")
    assert caught.value.code == "unzips_too_large"
    assert "MiB of markup" in caught.value.message
