"""OFD reports: packages built in code (ofd_builder), read as text with tables in place."""

from __future__ import annotations

import io
import zipfile

import pytest
from builders import expected_grid, section3_cells
from ofd_builder import SECTION2_ROWS, TITLE, Page, grid_cells, ofd_file, report_ofd, report_pages

import etl.extract.document
import etl.extract.ofd
from etl.extract.document import COVERED, ExtractError
from etl.extract.ofd import extract_ofd
from etl.parse import parse_text
from etl.record import Source

C = COVERED


def _lines(data: bytes) -> list[str]:
    return extract_ofd(data).text.split("\n")


def _zip(entries: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as zf:
        for name, content in entries.items():
            zf.writestr(name, content)
    return buffer.getvalue()


def _code(data: bytes) -> ExtractError:
    with pytest.raises(ExtractError) as caught:
        extract_ofd(data)
    return caught.value


def test_report_text_in_reading_order() -> None:
    extracted = extract_ofd(report_ofd())
    assert extracted.format == "ofd"
    assert extracted.encoding is None
    lines = extracted.text.split("\n")
    assert lines[0] == TITLE
    # a paragraph wrapped on the page comes back as its printed lines, in order
    assert lines[1].startswith("本报告根据《中华人民共和国政府信息公开条例》")
    assert lines[2].endswith("2023年1月1日起至2023年12月31日止。")
    assert lines.index("一、总体情况") < lines.index("二、主动公开政府信息情况")
    assert "- 1 -" not in lines and "- 2 -" not in lines  # page numbers dropped


def test_report_table_rows_in_place() -> None:
    extracted = extract_ofd(report_ofd())
    assert extracted.tables == [[["第二十条第（一）项", C, C, C], *SECTION2_ROWS]]
    lines = extracted.text.split("\n")
    start = lines.index("二、主动公开政府信息情况")
    assert lines[start + 1 : start + 5] == [
        f"第二十条第（一）项 | {C} | {C} | {C}",
        "信息内容 | 本年制发件数 | 本年废止件数 | 现行有效件数",
        "规章 | 0 | 0 | 3",
        "规范性文件 | 5 | 1 | 20",
    ]
    assert lines[start + 5] == "三、收到和处理政府信息公开申请情况"  # page 2 follows the table


def test_pages_in_document_order_not_name_order() -> None:
    first, second = Page().text(25, 30, "第一页的内容"), Page().text(25, 30, "第二页的内容")
    data = ofd_file([first, second])
    # Document.xml lists Page_1's content first: the document's order wins over entry names.
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        entries = {name: zf.read(name) for name in zf.namelist()}
    document = entries["Doc_0/Document.xml"].decode()
    entries["Doc_0/Document.xml"] = (
        document.replace("Pages/Page_0/", "Pages/Page_X/")
        .replace("Pages/Page_1/", "Pages/Page_0/")
        .replace("Pages/Page_X/", "Pages/Page_1/")
        .encode()
    )
    assert _lines(data) == ["第一页的内容", "第二页的内容"]
    assert _lines(_zip(entries)) == ["第二页的内容", "第一页的内容"]


def test_characters_grouped_by_baseline_and_ordered_by_x() -> None:
    page = Page()
    page.text(80, 50.4, "右边")  # the same line, written first and a hair lower
    page.text(25, 50, "左边的文字")
    page.text(25, 40, "上一行")
    assert _lines(ofd_file([page])) == ["上一行", "左边的文字 右边"]


def test_ctm_and_repeated_deltas() -> None:
    page = Page().text(25, 40, "压缩的文字2023").text(25, 60, "1234567890")
    page.ctm[0] = "0.89 0 0 1 0 0"  # condensed text, as invoices and some converters print it
    assert _lines(ofd_file([page])) == ["压缩的文字2023", "1234567890"]


def test_fake_bold_printed_twice_read_once() -> None:
    page = Page().text(25, 40, "加粗标题").text(25.1, 40, "加粗标题")
    assert _lines(ofd_file([page])) == ["加粗标题"]


def test_merged_cells_of_section3() -> None:
    page = Page()
    page.table(6, 20, [20, 30, 50] + [14] * 7, section3_cells(), size=3.0)
    extracted = extract_ofd(ofd_file([page]))
    assert extracted.tables == [expected_grid(section3_cells())]


def test_rules_drawn_as_thin_boxes_and_wrapped_label() -> None:
    page = Page()
    cells = grid_cells([["信息内容", "本年制发件数"], ["行政规范性文件", "8"]])
    page.table(25, 30, [16, 40], cells, boxes=True)  # 行政规范性文件 wraps in a 16 mm column
    assert extract_ofd(ofd_file([page])).tables == [[["信息内容", "本年制发件数"], ["行政规范性文件", "8"]]]


def test_table_running_onto_next_page_is_one_grid() -> None:
    header = ["信息内容", "本年处理决定数量"]
    first, second = Page(), Page()
    first.text(25, 30, "（续表前的文字）")
    first.table(25, 250, [60, 60], grid_cells([header, ["行政许可", "12"]]))
    second.table(25, 20, [60, 60], grid_cells([header, ["行政处罚", "7"]]))  # header repeated
    second.text(25, 80, "后面的文字")
    extracted = extract_ofd(ofd_file([first, second]))
    assert extracted.tables == [[header, ["行政许可", "12"], ["行政处罚", "7"]]]
    assert extracted.text.split("\n") == [
        "（续表前的文字）",
        "信息内容 | 本年处理决定数量",
        "行政许可 | 12",
        "行政处罚 | 7",
        "后面的文字",
    ]


def test_boxed_paragraph_is_text() -> None:
    page = Page()
    page.table(25, 30, [150], grid_cells([["一个框起来的段落"]]))
    extracted = extract_ofd(ofd_file([page]))
    assert extracted.tables == []
    assert extracted.text == "一个框起来的段落"


def test_truncated_ofd_is_corrupt() -> None:
    data = report_ofd()
    error = _code(data[: len(data) // 2])
    assert error.code == "corrupt"
    assert "ZIP" in error.message


def test_zip_without_ofd_xml_is_corrupt() -> None:
    error = _code(_zip({"Doc_0/Document.xml": b"<Document/>"}))
    assert error.code == "corrupt"
    assert "OFD.xml" in error.message


def test_missing_document_and_page_named() -> None:
    with zipfile.ZipFile(io.BytesIO(report_ofd())) as zf:
        entries = {name: zf.read(name) for name in zf.namelist()}
    no_page = {k: v for k, v in entries.items() if k != "Doc_0/Pages/Page_1/Content.xml"}
    error = _code(_zip(no_page))
    assert (error.code, "page 2" in error.message) == ("corrupt", True)
    no_document = {k: v for k, v in entries.items() if k != "Doc_0/Document.xml"}
    error = _code(_zip(no_document))
    assert (error.code, "Doc_0/Document.xml" in error.message) == ("corrupt", True)
    broken = {**entries, "Doc_0/Pages/Page_0/Content.xml": entries["Doc_0/Pages/Page_0/Content.xml"][:300]}
    error = _code(_zip(broken))
    assert (error.code, "not well-formed XML" in error.message) == ("corrupt", True)


def test_image_only_ofd() -> None:
    error = _code(ofd_file([Page(images=[(0, 0, 210, 297)]), Page(images=[(0, 0, 210, 297)])]))
    assert error.code == "image_only"
    assert "page images, not text" in error.message


def test_one_scanned_page_among_text_pages_is_skipped() -> None:
    data = ofd_file([Page().text(25, 30, "正文"), Page(images=[(0, 0, 210, 297)])])
    assert extract_ofd(data).text == "正文"


def test_unzipped_markup_bound(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(etl.extract.ofd, "MAX_UNZIPPED_MARKUP", 2000)
    error = _code(report_ofd())
    assert error.code == "unzips_too_large"


def test_page_count_bound(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(etl.extract.ofd, "MAX_PAGES", 1)
    error = _code(report_ofd())
    assert error.code == "too_many_pages"
    assert "2 pages" in error.message


def test_table_size_bound(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(etl.extract.document, "MAX_TABLE_CELLS", 10)
    error = _code(report_ofd())  # a 4 x 4 ruled table
    assert error.code == "table_too_large"


def test_report_parses_section2() -> None:
    text = extract_ofd(ofd_file(report_pages())).text
    report = parse_text(text, source=Source(path="x.ofd", sha256="x", format="ofd"))
    cells = {(c.item, c.measure): c.value for c in report.active_disclosure}
    assert [cells[("normative_documents", m)] for m in ("issued", "repealed", "in_force")] == [5, 1, 20]
    assert [cells[("regulations", m)] for m in ("issued", "repealed", "in_force")] == [0, 0, 3]


def test_an_ofd_goes_through_the_pipeline_to_a_record() -> None:
    """Recognised by its content whatever its name, read, parsed: the record names the format."""
    from etl.pipeline import parse_bytes

    for name in ("report.ofd", "download.bin"):
        record = parse_bytes(report_ofd(), name)
        assert record.source.format == "ofd", name
        cells = {(c.item, c.measure): c.value for c in record.active_disclosure}
        assert cells[("normative_documents", "issued")] == 5, cells


def test_a_zip_named_ofd_without_its_entry_file_is_corrupt() -> None:
    from etl.pipeline import parse_bytes

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as z:
        z.writestr("readme.txt", "not an OFD")
    record = parse_bytes(buffer.getvalue(), "report.ofd")
    assert record.status == "rejected"
    assert record.errors[0].code == "corrupt" and "OFD.xml" in record.errors[0].message
