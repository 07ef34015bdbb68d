"""HTML pages: chrome dropped, rowspan/colspan resolved, blanks kept blank."""

from __future__ import annotations

import pytest
from builders import (
    SECTION3_NOTE,
    Cell,
    expected_grid,
    html_report,
    html_table,
    section3_cells,
    section4_cells,
)

from etl.extract.document import COVERED, ExtractError
from etl.extract.html import declared_charset, extract_html


def page(body: str, head: str = "") -> bytes:
    return f"<html><head>{head}</head><body>{body}</body></html>".encode()


def test_gbk_report_tables_come_back_exactly() -> None:
    extracted = extract_html(html_report("gbk"))
    assert extracted.format == "html"
    assert extracted.encoding == "gb18030"
    assert extracted.tables == [expected_grid(section3_cells()), expected_grid(section4_cells())]


def test_section3_rows_in_detail() -> None:
    section3 = extract_html(html_report("gbk")).tables[0]
    C = COVERED  # a position a merged cell covers: no cell of its own
    assert section3[0] == [SECTION3_NOTE, C, C, "申请人情况", C, C, C, C, C, C]
    assert section3[1] == [C, C, C, "自然人", "法人或其他组织", C, C, C, C, "总计"]
    assert section3[2] == [C, C, C, C, "商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他", C]
    # the label was wrapped with <br>; the blank (&nbsp;) research cell stays blank (""), zeros stay
    # zeros, and the columns the label's colspan covers are COVERED
    assert section3[3] == [
        "一、本年新收政府信息公开申请数量",
        C,
        C,
        "3001",
        "53",
        "0",
        "",
        "61",
        "4",
        "3119",
    ]
    assert section3[5][:4] == ["三、本年度办理结果", "（一）予以公开", C, "1288"]
    assert section3[7][:4] == [C, "（三）不予公开", "1.属于国家秘密", "2"]
    assert section3[14][:4] == [C, C, "8.属于行政查询事项", "105"]
    assert section3[26] == [C, "（七）总计", C, "2932", "53", "0", "", "61", "4", "3050"]
    assert section3[27] == ["四、结转下年度继续办理", C, C, "103", "0", "0", "", "0", "0", "103"]


def test_section4_rowspan_beside_colspan() -> None:
    section4 = extract_html(html_report("gbk")).tables[1]
    assert (
        section4[1]
        == ["结果维持", "结果纠正", "其他结果", "尚未审结", "总计", "未经复议直接起诉"]
        + [COVERED] * 4
        + ["复议后起诉"]
        + [COVERED] * 4
    )
    assert section4[2] == [COVERED] * 5 + ["结果维持", "结果纠正", "其他结果", "尚未审结", "总计"] * 2
    assert section4[3] == ["72", "64", "178", "37", "351", "13", "4", "8", "1", "26", "", "", "", "", ""]


def test_text_in_reading_order_without_chrome() -> None:
    text = extract_html(html_report("gbk")).text
    lines = text.split("\n")
    assert lines[0] == "某某县人民政府2021年政府信息公开工作年度报告"
    for chrome in ("网站导航", "版权所有", "var nav", "请启用JavaScript", "border: 1px", "首页"):
        assert chrome not in text
    # <br> splits a paragraph into lines
    assert "本报告根据《中华人民共和国政府信息公开条例》编制。" in lines
    assert "报告所列统计期限自2021年1月1日至2021年12月31日。" in lines
    # tables rendered in place, between their headings
    heading3 = lines.index("三、收到和处理政府信息公开申请情况")
    heading4 = lines.index("四、政府信息公开行政复议、行政诉讼情况")
    c = COVERED
    assert (
        lines[heading3 + 4]
        == f"一、本年新收政府信息公开申请数量 | {c} | {c} | 3001 | 53 | 0 |  | 61 | 4 | 3119"
    )
    assert lines[heading4 - 1] == f"四、结转下年度继续办理 | {c} | {c} | 103 | 0 | 0 |  | 0 | 0 | 103"
    assert lines[heading4 + 4] == "72 | 64 | 178 | 37 | 351 | 13 | 4 | 8 | 1 | 26 |  |  |  |  | "
    assert lines[-1] == "五、存在的主要问题及改进情况"


def test_utf8_page_declaring_gb2312() -> None:
    data = html_report("utf-8").replace(b'charset="utf-8"', b'charset="gb2312"')
    extracted = extract_html(data)
    assert extracted.encoding == "utf-8"
    assert extracted.tables[1] == expected_grid(section4_cells())


def test_declared_charset_forms() -> None:
    assert declared_charset(b'<meta charset="gbk">') == "gbk"
    assert declared_charset(b"<META http-equiv=Content-Type content='text/html; charset=GB2312'>") == "GB2312"
    assert declared_charset(b'<?xml version="1.0" encoding="gb18030"?><html>') == "gb18030"
    assert declared_charset(b"<html><body>no declaration") is None


def test_ragged_rows_and_rowspan_past_the_end() -> None:
    body = (
        "<table>"
        "<tr><td rowspan='5'>A</td><td>b</td><td>c</td></tr>"
        "<tr><td>d</td></tr>"  # ragged: one cell short
        "<tr><td colspan='2'>e</td><td>f</td></tr>"  # wider than the rest
        "</table>"
    )
    assert extract_html(page(body)).tables == [
        [
            ["A", "b", "c", ""],  # "": cells the ragged rows lack
            [COVERED, "d", "", ""],
            [COVERED, "e", COVERED, "f"],
        ]
    ]


def test_rowspan_crossing_rows_with_colspans() -> None:
    cells = [
        Cell(0, 0, "a", rowspan=3),
        Cell(0, 1, "b", colspan=2),
        Cell(0, 3, "c", rowspan=2, colspan=2),
        Cell(1, 1, "d", rowspan=2),
        Cell(1, 2, "e"),
        Cell(2, 2, "f", colspan=3),
        Cell(3, 0, "g", colspan=5),
    ]
    assert extract_html(page(html_table(cells))).tables == [expected_grid(cells)]


def test_nested_table_is_cell_text() -> None:
    body = (
        "<table><tr><td>申请人</td><td><table><tr><td>商业企业</td><td>科研机构</td></tr></table></td></tr>"
        "<tr><td>数量</td><td>5</td></tr></table>"
    )
    assert extract_html(page(body)).tables == [[["申请人", "商业企业 科研机构"], ["数量", "5"]]]


def test_layout_table_is_read_as_blocks() -> None:
    report_table = html_table(section4_cells())
    body = (
        "<table width='100%'><tr><td>栏目导航<br>政务公开</td>"
        f"<td><p>四、政府信息公开行政复议、行政诉讼情况</p>{report_table}</td></tr></table>"
    )
    extracted = extract_html(page(body))
    assert extracted.tables == [expected_grid(section4_cells())]
    assert extracted.text.split("\n")[:3] == [
        "栏目导航",
        "政务公开",
        "四、政府信息公开行政复议、行政诉讼情况",
    ]


def test_wrapped_label_and_nbsp_cells() -> None:
    body = "<table><tr><td>本年新收政府信\n息公开申请数量</td><td>&nbsp;</td><td> 12 </td><td>3<br>4</td></tr></table>"
    assert extract_html(page(body)).tables == [[["本年新收政府信息公开申请数量", "", "12", "3 4"]]]


def test_hidden_elements_are_dropped() -> None:
    body = "<p>一、总体情况</p><div style='display: none'>隐藏</div><p hidden>也隐藏</p>"
    assert extract_html(page(body)).text == "一、总体情况"


def test_tables_as_images_are_refused() -> None:
    body = (
        "<p>一、总体情况</p><p>" + "本机关认真贯彻落实条例要求，推进政务公开。" * 5 + "</p>"
        "<p>三、收到和处理政府信息公开申请情况</p><p><img src='table3.png'></p>"
        "<p>四、政府信息公开行政复议、行政诉讼情况</p><table><tr><td><img src='t4.png'></td></tr></table>"
    )
    with pytest.raises(ExtractError) as error:
        extract_html(page(body))
    assert error.value.code == "image_only"
    assert "OCR" in error.value.message


def test_page_of_images_only_is_refused() -> None:
    with pytest.raises(ExtractError) as error:
        extract_html(page("<div><img src='p1.jpg'><img src='p2.jpg'></div>"))
    assert error.value.code == "image_only"


def test_a_logo_does_not_make_a_page_image_only() -> None:
    lines = "".join(f"<p>{v}</p>" for v in ["自然人", "商业企业", "3", "0", "5", "1", "9", "2"])
    prose = "<p>" + "本机关认真贯彻落实条例要求，推进政务公开。" * 5 + "</p>"
    body = (
        f"<img src='logo.png'>{prose}<p>三、收到和处理政府信息公开申请情况</p>{lines}"
        "<p>四、政府信息公开行政复议、行政诉讼情况</p>"
    )
    assert "商业企业" in extract_html(page(body)).text


def test_script_only_page_is_empty() -> None:
    with pytest.raises(ExtractError) as error:
        extract_html(page("<div id='app'></div><script>render()</script>"))
    assert error.value.code == "empty"
    assert "JavaScript" in error.value.message


@pytest.mark.parametrize(
    "table",
    [
        # 11 KB of HTML asking for gigabytes: every cell spans many rows and the widest columns
        "<table>"
        + "<tr>"
        + '<td rowspan="5000" colspan="1000">x</td>' * 3
        + "</tr>"
        + "<tr><td>1</td></tr>" * 400
        + "</table>",
        # spans within bounds one by one, a rectangle beyond them together
        "<table>" + "<tr>" + '<td colspan="900">a</td>' + "</tr>" + "<tr><td>1</td></tr>" * 300 + "</table>",
    ],
)
def test_a_table_larger_than_any_report_is_refused_before_it_is_built(table: str) -> None:
    html = f"<html><body><p>某县2023年政府信息公开工作年度报告</p>{table}</body></html>".encode()
    with pytest.raises(ExtractError) as caught:
        extract_html(html)
    assert caught.value.code == "table_too_large"
    assert "rows x" in caught.value.message


def test_text_the_parser_cannot_reach_is_a_damaged_page_not_javascript() -> None:
    """Elements nested 100,000 deep: libxml2 stops at its depth limit, and the page's text with it.
    The reason must say so, not blame JavaScript (a page whose body really is empty)."""
    deep = b"<html><body>" + b"<div>" * 100_000 + "某县2023年政府信息公开工作年度报告".encode() * 3
    deep += b"</div>" * 100_000 + b"</body></html>"
    with pytest.raises(ExtractError) as caught:
        extract_html(deep)
    assert caught.value.code == "corrupt" and "nested deeper" in caught.value.message
    script_only = b"<html><head><script>var report = 'loaded later by the page script';</script></head><body><div id=app></div></body></html>"
    with pytest.raises(ExtractError) as caught:
        extract_html(script_only)
    assert caught.value.code == "empty" and "JavaScript" in caught.value.message
