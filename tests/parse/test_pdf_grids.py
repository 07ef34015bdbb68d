"""Section 三 and 四 as the PDF extractor renders ruled tables: grids in pieces.

A table that runs over two pages comes out as two grids, each with the
columns its own page's rules draw (9 on the first page, 10 on the next when
only the second page's rows split the label column), label cells spanning
several columns leave empty positions, and blank cells are empty. Every row
is asserted cell by cell; a blank must stay None, never become a 0 read one
column off.
"""

from __future__ import annotations

import pytest
from test_variants import ROW_TEXT, cells, parse

from etl.labels import codes
from etl.parse.cells import fit
from etl.parse.tokens import Token

# row -> (cells printed, as extracted: "" is a blank cell)
ROWS_2019: dict[str, list[str]] = {
    "new_received": ["0", "0", "0", "0", "0", "0", "0"],
    "carried_over": ["", "", "0", "0", "1", "0", "1"],
    "granted": ["0", "0", "0", "0", "0", "0", "0"],
    "partially_granted": ["0", "", "", "0", "0", "0", ""],
    "denied_state_secret": ["", "0", "0", "0", "0", "0", "0"],
    "denied_law_forbidden": ["0", "0", "0", "0", "0", "0", ""],
    "denied_safety_stability": ["0", "0", "", "0", "0", "0", ""],
    "denied_third_party": ["0", "0", "0", "0", "0", "0", "0"],
    "denied_internal_affairs": ["0", "0", "0", "0", "", "", "0"],
    "denied_process_info": ["0", "0", "0", "0", "1", "0", "1"],
    "denied_enforcement_file": ["0", "", "0", "0", "", "", "0"],
    "denied_admin_query": ["0", "0", "0", "0", "0", "", ""],
    "unable_not_held": ["", "0", "0", "0", "0", "", "0"],
    "unable_needs_creation": ["0", "0", "0", "0", "0", "0", "0"],
    "unable_unclear": ["0", "", "0", "0", "0", "0", ""],
    "not_processed_petition": ["0", "0", "", "0", "0", "0", "0"],
    "not_processed_repeat": ["", "0", "0", "0", "0", "0", "0"],
    "not_processed_publication": ["0", "", "0", "0", "0", "0", "0"],
    "not_processed_excessive": ["0", "", "0", "0", "0", "", "0"],
    "not_processed_confirmation": ["", "0", "0", "0", "0", "0", ""],
    "other": ["0", "0", "", "0", "0", "", ""],
    "total_processed": ["", "0", "0", "0", "1", "0", "1"],
    "carried_forward": ["0", "0", "0", "0", "0", "", "0"],
}
PAGE_ONE = ("new_received", "carried_over", "granted", "partially_granted")
REVIEW_HEADER = [
    "行政复议 |  |  |  |  | 行政诉讼" + " | " * 9,
    "结果维持 | 结果纠正 | 其他结果 | 尚未审结 | 总计 | 未经复议直接起诉 |  |  |  |  | 复议后起诉 |  |  |  | ",
    " |  |  |  |  | " + " | ".join(["结果维持", "结果纠正", "其他结果", "尚未审结", "总计"] * 2),
]


def _line(cells: list[str]) -> str:
    return " | ".join(cells)


def pdf_report(rows: dict[str, list[str]], review: list[str] | None = None) -> str:
    """A 2019 report whose section 三 is two grids: 9 columns on page one, 10 on page two."""
    lines = [
        "某某县人民政府办公室2020年政府信息公开工作年度报告",
        "二、主动公开政府信息情况",
        "第二十条第（一）项 |  |  | ",
        "信息内容 | 本年新制作数量 | 本年新公开数量 | 对外公开总数量",
        "规章 | 0 | 3 | 0",
        "三、收到和处理政府信息公开申请情况",
        "（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和） |  | 申请人情况" + " | " * 6,
        " |  | 自然人 | 法人或其他组织 |  |  |  |  | 总计",
    ]
    for code in codes("row", "2019"):
        label = ROW_TEXT[code]
        if code in PAGE_ONE:
            lines.append(_line([label, "", *rows[code]]))  # a label spanning the two label columns
        elif code == "carried_forward" or code in ("other", "total_processed"):
            lines.append(_line(["", label, "", *rows[code]]))  # label spans columns 1-2 of page two
        else:
            lines.append(_line(["", "", label, *rows[code]]))
        if code == "partially_granted":
            lines += ["理", "结", "果"]  # the tall label's last characters, below page one's grid
    lines += ["四、政府信息公开行政复议、行政诉讼情况", *REVIEW_HEADER]
    if review is not None:
        lines.append(_line(review))
    lines += ["五、存在的主要问题及改进情况", "无。"]
    return "\n".join(lines)


def _expected(printed: list[str]) -> list[int | None]:
    return [int(c) if c else None for c in printed]


def test_grid_in_two_pieces_reads_every_cell_in_its_column() -> None:
    r = parse(pdf_report(ROWS_2019, review=[""] * 15))
    for code, printed in ROWS_2019.items():
        assert cells(r, code) == _expected(printed), code
    assert not [f for f in r.findings if f.rule == "ambiguous_cells"]


def test_blank_review_row_is_fifteen_blanks_not_a_missing_section() -> None:
    r = parse(pdf_report(ROWS_2019, review=[""] * 15))
    assert "section_missing" not in [e.code for e in r.errors]
    assert [c.value for c in r.review_litigation] == [None] * 15


def test_wrapped_numbers_are_joined_only_when_the_row_total_holds() -> None:
    rows = dict(ROWS_2019)
    rows["new_received"] = ["１９９ ７", "２２７", "１３", "２０", "６７", "７９", "２４０ ３"]
    rows["carried_over"] = ["１２５", "０", "０", "０", "０", "０", "１２５"]
    rows["granted"] = ["９３３", "１２８", "６", "６", "４０", "４５", "１１５ ８"]  # total 1158: holds
    rows["total_processed"] = ["", "２１２ ２", "２２７", "１３", "２０", "６７", "７９"]  # no total to check
    r = parse(pdf_report(rows, review=[""] * 15))
    assert cells(r, "new_received") == [1997, 227, 13, 20, 67, 79, 2403]
    assert cells(r, "carried_over") == [125, 0, 0, 0, 0, 0, 125]
    assert cells(r, "granted") == [933, 128, 6, 6, 40, 45, 1158]
    assert cells(r, "total_processed") == [None] * 7
    where = [f.where for f in r.findings if f.rule == "ambiguous_cells"]
    assert len(where) == 1 and where[0].startswith("applications.total_processed")


def test_wrapped_number_whose_total_fails_is_declined() -> None:
    rows = dict(ROWS_2019)
    rows["granted"] = ["９３", "１２８", "６", "６", "４０", "４５", "１１５ ８"]  # 318 is not 1158
    r = parse(pdf_report(rows, review=[""] * 15))
    assert cells(r, "granted") == [None] * 7
    assert any(f.rule == "ambiguous_cells" and f.where.startswith("applications.granted") for f in r.findings)


def _tokens(kinds: str) -> list[Token]:
    """``e`` an empty cell ("|  |"), ``p`` padding ("||"), ``0`` a value."""
    return [Token("value", "0", 0) if k == "0" else Token("empty", "", None, pad=k == "p") for k in kinds]


@pytest.mark.parametrize(
    ("kinds", "expected"),
    [
        ("e00e00ee", None),  # which end's empty is the filler is not settled
        ("ee000000e", None),
        ("0000000ee", "0000000"),
        ("ee0000000", "0000000"),
        ("e00e00epp", "e00e00e"),  # padding goes first; then exactly seven
        ("e0000000e", "0000000"),  # one reading only: both ends are fillers
        ("e000000", "e000000"),
    ],
)
def test_fit_trims_fillers_only_when_certain(kinds: str, expected: str | None) -> None:
    got = fit(_tokens(kinds), 7)
    assert (None if got is None else "".join("0" if t.kind == "value" else "e" for t in got)) == expected
