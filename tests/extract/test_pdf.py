"""PDF reports: the real 淮安市 2024 report, and hand-built PDFs for the edge cases.

The expected values of the 淮安市 report were read off the rendered pages
of the document, not from the extractor's output.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from builders import pdf_drawing_only, pdf_file, pdf_ruled_table, pdf_text

from etl.extract.document import COVERED, Extracted, ExtractError
from etl.extract.pages import PAGE_NUMBER
from etl.extract.pdf import extract_pdf

HUAIAN = Path(__file__).resolve().parents[2] / "etl" / "samples" / "pdf" / "huaian-city-2024.pdf"


@pytest.fixture(scope="module")
def huaian() -> Extracted:
    return extract_pdf(HUAIAN.read_bytes())


def _row(grid: list[list[str]], label: str) -> list[str]:
    """The row whose cells include ``label``."""
    rows = [row for row in grid if label in row]
    assert len(rows) == 1, f"{label!r} found in {len(rows)} rows"
    return rows[0]


def test_huaian_tables_found(huaian: Extracted) -> None:
    assert huaian.format == "pdf"
    assert huaian.encoding is None
    # 二 (page 3, 4 columns), 二 continued (page 4, 2 columns), 三 (pages 4-5 joined), 四
    assert [(len(t), len(t[0])) for t in huaian.tables] == [(8, 4), (6, 2), (28, 10), (4, 15)]


def test_huaian_section2_active_disclosure(huaian: Extracted) -> None:
    first, second = huaian.tables[0], huaian.tables[1]
    assert first[0] == ["第二十条 第（一）项", C, C, C]
    assert first[1] == ["信息内容", "本年制发件数", "本年废止件数", "现行有效件数"]
    assert _row(first, "规章") == ["规章", "1", "0", "11"]
    assert _row(first, "行政规范性文件") == ["行政规范性文件", "8", "26", "66"]
    assert _row(first, "行政许可") == ["行政许可", "447228", C, C]
    assert _row(second, "行政处罚") == ["行政处罚", "3985758"]
    assert _row(second, "行政强制") == ["行政强制", "88283"]
    assert _row(second, "行政事业性收费") == ["行政事业性收费", "96171.6"]
    assert second[4] == ["信息内容", "本年收费金额（单位：万元）"]


# Section 三 as printed: label path, then 自然人, 商业企业, 科研机构, 社会公益组织,
# 法律服务机构, 其他, 总计.
C = COVERED  # a position a merged cell covers
SECTION3 = [
    ("一、本年新收政府信息公开申请数量", C, C, "3001 53 0 0 61 4 3119"),
    ("二、上年结转政府信息公开申请数量", C, C, "34 0 0 0 0 0 34"),
    ("三、本年度办理结果", "（一）予以公开", C, "1288 21 0 0 50 3 1362"),
    (C, "（二）部分公开（区分处理的，只计这一情形，不计其他情形）", C, "447 7 0 0 0 0 454"),
    (C, "（三）不予公开", "1.属于国家秘密", "2 0 0 0 0 0 2"),
    (C, C, "2.其他法律行政法规禁止公开", "30 1 0 0 0 0 31"),
    (C, C, "3.危及“三安全一稳定”", "5 0 0 0 0 0 5"),
    (C, C, "4.保护第三方合法权益", "6 0 0 0 0 0 6"),
    (C, C, "5.属于三类内部事务信息", "7 1 0 0 0 0 8"),
    (C, C, "6.属于四类过程性信息", "12 0 0 0 0 0 12"),
    (C, C, "7.属于行政执法案卷", "9 0 0 0 0 0 9"),
    (C, C, "8.属于行政查询事项", "105 0 0 0 0 0 105"),
    (C, "（四）无", "1.本机关不掌握相关政府信息", "746 12 0 0 10 1 769"),
    # page 5 starts here: the rest of "（四）无法提供" is printed in the first cell of the new page,
    # whose first column is a cell of its own (""), not covered
    ("", "法提供", "2.没有现成信息需要另行制作", "11 0 0 0 0 0 11"),
    (C, C, "3.补正后申请内容仍不明确", "1 0 0 0 0 0 1"),
    (C, "（五）不予处理", "1.信访举报投诉类申请", "56 6 0 0 0 0 62"),
    (C, C, "2.重复申请", "25 0 0 0 0 0 25"),
    (C, C, "3.要求提供公开出版物", "0 0 0 0 0 0 0"),
    (C, C, "4.无正当理由大量反复申请", "0 0 0 0 0 0 0"),
    (C, C, "5.要求行政机关确认或重新出具已获取信息", "1 0 0 0 0 0 1"),
    (
        C,
        "（六）其他处理",
        "1、申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请",
        "67 3 0 0 1 0 71",
    ),
    (C, C, "2、申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请", "6 0 0 0 0 0 6"),
    (C, C, "3、其他", "108 2 0 0 0 0 110"),
    (C, "（七）总计", C, "2932 53 0 0 61 4 3050"),
    ("四、结转下年度继续办理", C, C, "103 0 0 0 0 0 103"),
]


def test_huaian_section3_applications(huaian: Extracted) -> None:
    section3 = huaian.tables[2]
    assert section3[0] == [
        "（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）", C, C, "申请人情况", C, C, C, C, C, C,
    ]  # fmt: skip
    assert section3[1] == [C, C, C, "自然人", "法人或其他组织", C, C, C, C, "总计"]
    assert section3[2] == [C, C, C, C, "商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他", C]
    expected = [[a, b, c, *values.split()] for a, b, c, values in SECTION3]
    assert section3[3:] == expected


def test_huaian_section4_review_litigation(huaian: Extracted) -> None:
    section4 = huaian.tables[3]
    assert section4[0] == ["行政复议", C, C, C, C, "行政诉讼"] + [C] * 9
    assert section4[1][5] == "未经复议直接起诉" and section4[1][10] == "复议后起诉"
    assert section4[1][:5] == ["结果维持", "结果纠正", "其他结果", "尚未审结", "总计"]
    assert section4[3] == "72 64 178 37 351 13 4 8 1 26 12 1 1 6 20".split()


def test_huaian_text_has_tables_in_place(huaian: Extracted) -> None:
    lines = huaian.text.split("\n")
    assert lines[:2] == ["淮安市人民政府", "2024 年政府信息公开工作年度报告"]
    # page numbers ("- 1 -" ... "- 6 -") are gone
    assert not [line for line in lines if line.startswith("- ") and line.endswith(" -")]
    i2 = lines.index("二、主动公开政府信息情况")
    assert lines[i2 + 1] == f"第二十条 第（一）项 | {C} | {C} | {C}"
    assert lines[i2 + 3] == "规章 | 1 | 0 | 11"
    i3 = lines.index("三、收到和处理政府信息公开申请情况")
    assert (
        lines[i3 + 4] == f"一、本年新收政府信息公开申请数量 | {C} | {C} | 3001 | 53 | 0 | 0 | 61 | 4 | 3119"
    )
    # the table crossing pages 4 and 5 is one block of lines, no page break inside
    assert lines[i3 + 28] == f"四、结转下年度继续办理 | {C} | {C} | 103 | 0 | 0 | 0 | 0 | 0 | 103"
    assert lines[i3 + 29] == "四、政府信息公开行政复议、行政诉讼情况"
    assert lines[i3 + 33] == "72 | 64 | 178 | 37 | 351 | 13 | 4 | 8 | 1 | 26 | 12 | 1 | 1 | 6 | 20"
    assert lines[i3 + 34] == "五、存在的主要问题及改进情况"
    # a boxed paragraph (white rectangles behind the text) stays text, not a one-column table
    assert "子邮箱：hazwgkc@163.com）。" in lines
    assert lines[-1] == "办法》，全年收取政府信息公开信息处理费 3940 元。"


def test_table_continued_on_next_page_with_repeated_header() -> None:
    widths = [100.0, 60.0, 60.0]
    header = ["Item", "A", "B"]
    page1 = (
        pdf_text(40, 560, "Annual report")
        + pdf_ruled_table(40, 540, widths, [header, ["x", "1", "2"], ["y", "3", ""]])
        + pdf_text(200, 20, "- 1 -")
    )
    page2 = (
        pdf_ruled_table(40, 570, widths, [header, ["z", "", "5"]])
        + pdf_text(40, 400, "End of table")
        + pdf_text(200, 20, "Page 2 of 3")
    )
    # page 3 starts with a table of the same width, but page 2 ended with text: a new table
    page3 = pdf_ruled_table(40, 570, widths, [["New", "C", "D"]]) + pdf_text(200, 20, "-3-")
    extracted = extract_pdf(pdf_file([page1, page2, page3]))
    assert extracted.tables == [
        [header, ["x", "1", "2"], ["y", "3", ""], ["z", "", "5"]],
        [["New", "C", "D"]],
    ]
    assert extracted.text.split("\n") == [
        "Annual report",
        "Item | A | B",
        "x | 1 | 2",
        "y | 3 | ",
        "z |  | 5",
        "End of table",
        "New | C | D",
    ]


def test_encrypted_pdf() -> None:
    data = pdf_file([pdf_text(40, 500, "secret")], user_password="open-sesame")
    with pytest.raises(ExtractError) as error:
        extract_pdf(data)
    assert error.value.code == "encrypted"
    assert "password" in error.value.message


def test_encrypted_with_empty_user_password_is_readable() -> None:
    # Owner-password-only PDFs (printing/copying restricted) open without a password.
    data = pdf_file([pdf_text(40, 500, "restricted but readable")], user_password="")
    assert extract_pdf(data).text == "restricted but readable"


def test_pdf_without_text_layer() -> None:
    with pytest.raises(ExtractError) as error:
        extract_pdf(pdf_file([pdf_drawing_only(), pdf_drawing_only()]))
    assert error.value.code == "scanned_pdf"
    assert "OCR it first" in error.value.message


def test_corrupt_pdf() -> None:
    with pytest.raises(ExtractError) as error:
        extract_pdf(b"%PDF-1.4\n1 0 obj << /Type /Catalog >> garbage without xref")
    assert error.value.code == "corrupt"


@pytest.mark.parametrize(
    "line", ["- 3 -", "—3—", "－ 12 －", "第 3 页", "第3页 共5页", "共5页 第3页", "Page 3 of 5"]
)
def test_page_number_lines(line: str) -> None:
    assert PAGE_NUMBER.match(line)


@pytest.mark.parametrize("line", ["3", "2024", "3119 件", "第三页", "一、总体情况", "- 3 - 本年"])
def test_lines_that_are_not_page_numbers(line: str) -> None:
    assert not PAGE_NUMBER.match(line)


def test_blank_table_row_is_kept() -> None:
    # section 四 with no cases: a row of empty cells is printed, and blank is a fact to keep
    widths = [60.0, 60.0, 60.0]
    rows = [["Review", "", ""], ["Upheld", "Other", "Total"], ["", "", ""]]
    extracted = extract_pdf(
        pdf_file([pdf_text(40, 560, "Section 4") + pdf_ruled_table(40, 540, widths, rows)])
    )
    assert extracted.tables == [rows]
    assert extracted.text.split("\n") == ["Section 4", "Review |  | ", "Upheld | Other | Total", " |  | "]


def test_page_number_beside_other_text_is_dropped() -> None:
    # the last character of a tall label stands at the height of the footer's "- 1 -"
    page = (
        pdf_text(40, 560, "Report")
        + pdf_text(40, 20, "Z")
        + pdf_text(200, 20, "- 1 -")
        + pdf_text(40, 100, "Total")
        + pdf_text(200, 100, "3")
        + pdf_text(40, 80, "Page 2 of 5 printed")
    )
    assert extract_pdf(pdf_file([page])).text.split("\n") == ["Report", "Total 3", "Page 2 of 5 printed", "Z"]


def test_a_pdf_without_pages_is_damaged_not_scanned() -> None:
    """A page tree that yields no page (broken, or looping and cut off) is no scan to OCR."""
    with pytest.raises(ExtractError) as error:
        extract_pdf(pdf_file([]))
    assert error.value.code == "corrupt" and "page tree" in error.value.message
