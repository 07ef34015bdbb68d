"""A record laid out as a report: title, prose, headings and template tables.

Every renderer (each text layout, HTML, DOCX, PDF) starts from the same
:class:`Document`, so a difference between layouts is only a difference in
how blocks and cells are written out, never in what the report says. Tables
keep the official templates' merged cells (rowspan/colspan) so HTML and DOCX
can reproduce them and the text layouts can flatten them the ways real
pages do.

Style choices that real reports vary (full-width brackets, "1、" for "1.",
spaces inside labels, truncated headers, traditional characters, title and
metadata forms) are drawn once per document into :class:`Style`.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from bench.synthetic.labels import by_code, labels
from bench.synthetic.legacy import table_rows
from bench.synthetic.places import address_of
from etl.record import Report

APPLICATIONS_NOTE = "(本列数据的勾稽关系为:第一项加第二项之和,等于第三项加第四项之和)"
PARTIAL_NOTE = "(区分处理的,只计这一情形,不计其他情形)"
_SPACED = {"商业企业": "商业 企业", "科研机构": "科研 机构", "社会公益组织": "社会公益 组织"}
_TRUNCATED = {"本年增/减": "本年增/", "结果纠正": "结果", "其他结果": "其他", "尚未审结": "尚未"}
_HALF_TO_FULL = str.maketrans({"(": "（", ")": "）", ":": "：", ",": "，"})


@dataclass
class Cell:
    """One table cell as printed; ``role`` tells renderers what kind of text it is.

    Roles: ``head`` (column headers), ``label`` (row labels), ``group`` (a row
    label spanning sub-rows, e.g. "(三)不予公开"), ``vertical`` (the tall
    "三、本年度办理结果" label), ``value`` (a figure, its text is the record's raw),
    ``unit`` (the legacy table's 单位 column).
    """

    text: str
    rowspan: int = 1
    colspan: int = 1
    role: str = "label"


@dataclass
class Table:
    """A template table: rows of origin cells, merged cells as spans."""

    kind: str  # disclosure | applications | review | legacy
    ncols: int
    rows: list[list[Cell]]


def grid_positions(table: Table) -> list[tuple[int, int, Cell]]:
    """(row, column, cell) of every origin cell, merges resolved as a browser would."""
    taken: set[tuple[int, int]] = set()
    out = []
    for r, row in enumerate(table.rows):
        c = 0
        for cell in row:
            while (r, c) in taken:
                c += 1
            out.append((r, c, cell))
            for dr in range(cell.rowspan):
                for dc in range(cell.colspan):
                    taken.add((r + dr, c + dc))
            c += cell.colspan
    return out


@dataclass
class Para:
    """A paragraph of prose, a heading, the title, or a metadata line."""

    text: str
    kind: str = "para"  # para | heading | title | meta


Block = Para | Table


@dataclass
class Style:
    """Per-report printing habits, drawn once so a report is self-consistent."""

    full_brackets: bool = False
    enum_comma: bool = False  # "1、" instead of "1."
    spaced_labels: bool = False  # "商业 企业"
    truncated_headers: bool = False  # "本年增/", "结果", "尚未"
    traditional: bool = False
    wrap_headers: bool = False  # "本年新\n制作数量" inside one cell
    title: str = "full"  # full | split | du | none
    meta: str = "none"  # none | portal | crawler
    iso_dates: bool = True
    notes_in_labels: bool = True  # the legacy table's "(不同渠道...计1条)" notes
    repeat_legacy_header: bool = False
    # pre-2019: a 本年度 | 历年累计 pair of value columns (平潭 2011-2018), and prose that names
    # the new templates' words (行政许可, 规范性文件, 行政复议) and the 统计表 before the table
    cumulative_column: bool = False
    wordy_legacy_prose: bool = False

    @classmethod
    def draw(cls, rng: random.Random) -> Style:
        return cls(
            full_brackets=rng.random() < 0.3,
            enum_comma=rng.random() < 0.15,
            spaced_labels=rng.random() < 0.1,
            truncated_headers=rng.random() < 0.15,
            traditional=rng.random() < 0.03,
            wrap_headers=rng.random() < 0.2,
            title=rng.choices(["full", "split", "du", "none"], weights=[60, 10, 20, 10])[0],
            meta=rng.choices(["none", "portal", "crawler"], weights=[60, 25, 15])[0],
            iso_dates=rng.random() < 0.5,
            notes_in_labels=rng.random() < 0.7,
            repeat_legacy_header=rng.random() < 0.3,
            cumulative_column=rng.random() < 0.25,
            wordy_legacy_prose=rng.random() < 0.5,
        )


@dataclass
class Document:
    """The whole report as blocks, with the style it was written in."""

    blocks: list[Block] = field(default_factory=list)
    style: Style = field(default_factory=Style)


@cache
def _s2t() -> Any:
    import opencc

    return opencc.OpenCC("s2t")


class _Labeler:
    """Applies a style's label habits: brackets, enumeration, spaces, characters."""

    def __init__(self, style: Style, inner_spaces: bool) -> None:
        self.style = style
        self.inner_spaces = inner_spaces

    def __call__(self, text: str, *, head: bool = False) -> str:
        s = self.style
        indent = text[: len(text) - len(text.lstrip(" "))]
        text = text.lstrip(" ")
        if head and s.truncated_headers:
            text = _TRUNCATED.get(text, text)
        if head and s.spaced_labels and self.inner_spaces:
            text = _SPACED.get(text, text)
        if s.enum_comma and len(text) > 1 and text[0].isdigit() and text[1] == ".":
            text = text[0] + "、" + text[2:]
        if s.full_brackets:
            text = text.translate(_HALF_TO_FULL)
        if s.traditional:
            text = _s2t().convert(text)
        return indent + text


def _date_text(iso: str, style: Style) -> str:
    y, m, d = iso.split("-")
    return iso if style.iso_dates else f"{y}年{int(m)}月{int(d)}日"


def _split_numbering(numbering: str) -> tuple[str, str, str]:
    """ "三(三)1" -> ("三", "(三)", "1"); "一" -> ("一", "", "")."""
    if "(" not in numbering:
        return numbering, "", ""
    head, rest = numbering.split("(", 1)
    sub, leaf = rest.split(")", 1)
    return head, f"({sub})", leaf


def _disclosure_table(record: Report, lab: _Labeler) -> Table:
    template = "2021" if record.template == "2021" else "2019"
    raw = {(c.item, c.measure): c.raw or "" for c in record.active_disclosure}
    rows: list[list[Cell]] = []
    items = labels("item", template)
    groups: list[tuple[str, list]] = []
    for it in items:
        if not groups or groups[-1][0] != it.numbering:
            groups.append((it.numbering, []))
        groups[-1][1].append(it)
    for numbering, group in groups:
        rows.append([Cell(lab(numbering), colspan=4, role="head")])
        measures = group[0].measures
        headers = [_measure_header(m, template, group[0].code) for m in measures]
        if lab.style.wrap_headers:
            headers = [h.replace("本年新", "本年新\n", 1) for h in headers]
        head_cells = [Cell(lab(_heading("item_header")), role="head")] + [
            Cell(lab(h, head=True), role="head") for h in headers
        ]
        head_cells[-1].colspan = 4 - len(measures)
        rows.append(head_cells)
        for it in group:
            cells = [Cell(lab(it.label_zh))] + [
                Cell(raw.get((it.code, m), ""), role="value") for m in measures
            ]
            cells[-1].colspan = 4 - len(measures)
            rows.append(cells)
    return Table("disclosure", 4, rows)


def _measure_header(code: str, template: str, item: str) -> str:
    """A measure's column heading above ``item`` as ``template`` prints it.

    The label table's ``measure_heading`` axis holds the headings a template
    prints for one item instead of the measure's own label (2021's
    本年收费金额 over the fee column); money columns add their unit.
    """
    heading = next(
        (h.label_zh for h in labels("measure_heading", template) if h.code == code and h.group_code == item),
        None,
    )
    measure = by_code("measure", code, template)
    text = heading or measure.label_zh
    return text + "(单位:万元)" if measure.group_code == "amount_10k_yuan" else text


@cache
def _heading(code: str) -> str:
    """A fixed heading of the templates' tables (申请人情况, 三、本年度办理结果, ...), from the label table."""
    lab = by_code("heading", code, "2019")
    return f"{lab.numbering}、{lab.label_zh}" if lab.numbering else lab.label_zh


@cache
def _row_groups() -> dict[str, str]:
    """The sub-group headings of 三 by numbering: "(三)" -> "不予公开", from the row_group axis."""
    return {
        _split_numbering(g.numbering)[1]: g.label_zh
        for g in labels("row_group", "2019")
        if g.numbering.startswith("三(")
    }


@cache
def _row_label(code: str, template: str) -> tuple[str, str, str, str]:
    """(numbering head, group, leaf, printed label) of an application row."""
    lab = by_code("row", code, template if code not in ("other",) else "2019")
    head, sub, leaf = _split_numbering(lab.numbering)
    text = lab.label_zh + (PARTIAL_NOTE if code == "partially_granted" else "")
    return head, sub, leaf, text


def _applications_table(record: Report, lab: _Labeler) -> Table:
    template = "2021" if record.template == "2021" else "2019"
    rows_order: list[str] = []
    raw: dict[tuple[str, str], str] = {}
    for c in record.applications:
        if c.row not in rows_order:
            rows_order.append(c.row)
        raw[(c.row, c.applicant)] = c.raw or ""
    applicants = [a.code for a in labels("applicant", template)]
    parts = labels("applicant", template)
    group = {g.code: g.label_zh for g in labels("applicant_group", template)}
    out: list[list[Cell]] = [
        [
            Cell(lab(APPLICATIONS_NOTE), rowspan=3, colspan=3, role="head"),
            Cell(lab(_heading("applicant_header")), colspan=7, role="head"),
        ],
        [
            Cell(lab(group["natural_person"]), rowspan=2, role="head"),
            Cell(lab(group["legal_person_or_org"]), colspan=5, role="head"),
            Cell(lab(group["total"]), rowspan=2, role="head"),
        ],
        [Cell(lab(p.label_zh, head=True), role="head") for p in parts[1:6]],
    ]
    third = [r for r in rows_order if _row_label(r, template)[0] == "三"]
    group_sizes: dict[str, int] = {}
    for r in third:
        sub = _row_label(r, template)[1]
        if _row_label(r, template)[2]:
            group_sizes[sub] = group_sizes.get(sub, 0) + 1
    seen_groups: set[str] = set()
    for r in rows_order:
        head, sub, leaf, text = _row_label(r, template)
        values = [Cell(raw.get((r, a), ""), role="value") for a in applicants]
        cells: list[Cell] = []
        if head != "三":
            cells.append(Cell(lab(f"{head}、{text}"), colspan=3))
        else:
            if r == third[0]:
                cells.append(Cell(lab(_heading("outcomes_header")), rowspan=len(third), role="vertical"))
            if leaf:
                if sub not in seen_groups:
                    seen_groups.add(sub)
                    cells.append(Cell(lab(sub + _row_groups()[sub]), rowspan=group_sizes[sub], role="group"))
                cells.append(Cell(lab(f"{leaf}.{text}")))
            else:
                cells.append(Cell(lab(sub + text), colspan=2))
        out.append(cells + values)
    return Table("applications", 10, out)


def _review_table(record: Report, lab: _Labeler) -> Table:
    raw = {(c.proceeding, c.result): c.raw or "" for c in record.review_litigation}
    results = [r.label_zh for r in labels("result", "2021")]
    first = [Cell(lab(t, head=True) if i else lab(t), rowspan=2, role="head") for i, t in enumerate(results)]
    rows = [
        [
            Cell(lab(by_code("proceeding_group", "review", "2021").label_zh), colspan=5, role="head"),
            Cell(lab(by_code("proceeding_group", "litigation", "2021").label_zh), colspan=10, role="head"),
        ],
        [
            *first,
            Cell(lab("未经复议直接起诉"), colspan=5, role="head"),
            Cell(lab("复议后起诉"), colspan=5, role="head"),
        ],
        [Cell(lab(t, head=True), role="head") for t in results * 2],
        [
            Cell(raw.get((p.code, r.code), ""), role="value")
            for p in labels("proceeding", "2021")
            for r in labels("result", "2021")
        ],
    ]
    return Table("review", 15, rows)


def _legacy_table(record: Report, lab: _Labeler, style: Style) -> Table:
    header = [
        Cell(lab("统 计 指 标"), role="head"),
        Cell(lab("单位"), role="head"),
        Cell(lab("统计数"), role="head"),
    ]
    if style.cumulative_column:
        header[2] = Cell(lab(f"{record.report_year}年度"), role="head")
        header.append(Cell(lab("历年累计"), role="head"))
    rows = [header]
    stats = {s.indicator: s for s in record.legacy_stats}
    for i, row in enumerate(table_rows(record.report_year or 2016)):
        stat = stats.get(row.indicator)
        if stat is None:
            continue
        if style.repeat_legacy_header and i and i % 28 == 0:
            rows.append([Cell(c.text, role="head") for c in header])
        text = "  " * row.depth + row.printed_number + row.label
        if row.note and style.notes_in_labels:
            text += "\n" + "  " * (row.depth + 1) + row.note
        cells = [Cell(lab(text)), Cell(stat.unit or "", role="unit"), Cell(stat.raw or "", role="value")]
        if style.cumulative_column:
            cells.append(Cell(_cumulative(stat.raw), role="cumulative"))
        rows.append(cells)
    return Table("legacy", len(header), rows)


def _cumulative(raw: str | None) -> str:
    """A running total the year's figure is part of, printed beside it (blank where the year is)."""
    if not raw:
        return ""
    if raw.isdigit():
        value = int(raw)
        return str(value * (1 + value % 7) + value % 5)
    try:
        whole, _, decimals = raw.partition(".")
        return f"{int(whole) * 3 + 1}.{decimals}" if decimals else raw
    except ValueError:
        return raw  # a blank mark, printed again


def _title(record: Report, style: Style) -> str:
    du = "年度" if style.title == "du" else "年"
    return f"{record.agency.name}{record.report_year}{du}政府信息公开工作年度报告"


def _meta(record: Report, style: Style, rng: random.Random, title: str) -> list[Para]:
    date = _date_text(record.published_date, style) if record.published_date else ""
    if style.meta == "portal":
        index = f"{rng.randint(10000, 99999)}-{(record.report_year or 2020) + 1}-{rng.randint(1, 999):06d}"
        lines = [f"索  引  号 {index} 主题分类 政务公开", f"名        称 {title}"]
        if date:
            lines.append(f"成文日期 {date} 发布日期 {date}")
        lines.append(f"发文单位 {record.agency.name}")
        return [Para(x, "meta") for x in lines]
    if style.meta == "crawler":
        lines = [f"标题: {title}"]
        if date:
            lines.append(
                f"发布时间: {record.published_date} {rng.randint(8, 18):02d}:{rng.randint(0, 59):02d}"
            )
        lines += [
            "文号: ",
            f"发布机构: {record.agency.name}",
            "栏目: 政府信息公开年报",
            "=" * 20 + " 正文 " + "=" * 20,
        ]
        return [Para(x, "meta") for x in lines]
    return []


def _intro(record: Report, rng: random.Random) -> str:
    year, name = record.report_year, record.agency.name
    address = address_of(record.agency)
    phone = f"0{rng.randint(100, 999)}-{rng.randint(2000000, 8999999)}"
    where = f"(地址:{address}{rng.choice(['人民路', '建设路', '政府街', '行政中心'])}{rng.randint(1, 99)}号;电话:{phone})"
    return (
        f"根据《中华人民共和国政府信息公开条例》(以下简称《条例》)要求,{name}编制了本年度报告。"
        f"本报告所列数据的统计期限自{year}年1月1日起至{year}年12月31日止。"
        f"如对本报告有疑问,请与{name}联系{where}。"
    )


_PROSE = [
    "坚持以公开为常态、不公开为例外,依法全面主动公开政府信息,着力提升信息公开质量和实效。",
    "进一步完善政府信息公开指南和目录,畅通依申请公开渠道,规范答复文书格式。",
    "加强政府网站和政务新媒体日常监测,发现问题及时督促整改。",
    "落实政务公开工作考核机制,将政务公开纳入年度绩效考核。",
]


def compose(
    record: Report, rng: random.Random, *, style: Style | None = None, inner_spaces: bool = True
) -> Document:
    """The record as a report document; ``style`` drawn from ``rng`` when not given.

    ``inner_spaces`` allows spaces inside labels ("商业 企业"); layouts that
    separate cells by spaces turn it off, since no reader could tell the two apart.
    """
    style = style or Style.draw(rng)
    lab = _Labeler(style, inner_spaces)
    doc = Document(style=style)
    title = _title(record, style)
    doc.blocks += _meta(record, style, rng, title)
    if style.title == "split":
        cut = title.index("政府信息公开")
        doc.blocks += [Para(title[: cut + 2], "title"), Para(title[cut + 2 :], "title")]
    elif style.title != "none":
        doc.blocks.append(Para(title, "title"))
    doc.blocks.append(Para(_intro(record, rng)))
    if record.template == "pre2019":
        _legacy_body(doc, record, rng, lab)
    else:
        _body(doc, record, rng, lab)
        doc.blocks += _signature(record)
    return doc


def _signature(record: Report) -> list[Block]:
    """The agency and date closing the body; signatures write dates as 2021年1月20日."""
    if not record.published_date:
        return []
    y, m, d = record.published_date.split("-")
    return [Para(record.agency.name or ""), Para(f"{y}年{int(m)}月{int(d)}日")]


def _body(doc: Document, record: Report, rng: random.Random, lab: _Labeler) -> None:
    year = record.report_year
    h = lambda t: Para(lab(t), "heading")  # noqa: E731
    doc.blocks += [
        h("一、总体情况"),
        Para(f"{year}年,{record.agency.name}" + "".join(rng.sample(_PROSE, 2))),
        h("二、主动公开政府信息情况"),
        _disclosure_table(record, lab),
        h("三、收到和处理政府信息公开申请情况"),
        _applications_table(record, lab),
        h("四、政府信息公开行政复议、行政诉讼情况"),
        _review_table(record, lab),
        h("五、存在的主要问题及改进情况"),
        Para("一是政策解读形式较单一;二是公开内容的规范性有待提升。下一步将" + rng.choice(_PROSE)),
        h("六、其他需要报告的事项"),
        Para(rng.choice(["无。", "本年度未收取信息处理费。", "无其他需要报告的事项。"])),
    ]


def _legacy_body(doc: Document, record: Report, rng: random.Random, lab: _Labeler) -> None:
    year = record.report_year
    h = lambda t: Para(lab(t), "heading")  # noqa: E731
    wordy = doc.style.wordy_legacy_prose
    doc.blocks += [
        h("一、概述"),
        Para(
            f"{year}年,{record.agency.name}"
            + "".join(rng.sample(_PROSE, 2))
            + (
                "全文包括概述、主动公开情况、依申请公开情况和存在的问题,并附政府信息公开情况统计表。"
                if wordy
                else ""
            )
        ),
        h("二、主动公开政府信息情况"),
        Para(rng.choice(_PROSE) + (_wordy(rng) if wordy else "")),
        h("三、依申请公开政府信息和不予公开政府信息情况"),
        Para(
            rng.choice(_PROSE)
            + (f"全年因政府信息公开申请引起行政复议{rng.randint(0, 5)}件。" if wordy else "")
        ),
        h("四、存在的主要问题及改进措施"),
        Para(rng.choice(_PROSE)),
        *_signature(record),
        Para("附件"),
        Para(lab("政府信息公开情况统计表"), "heading"),
        Para(f"({year}年度)"),
        Para(f"填报单位(盖章):{record.agency.name}"),
        _legacy_table(record, lab, doc.style),
    ]
    if rng.random() < 0.6:
        # The table's own footer, as in sample 003; otherwise the file just ends.
        doc.blocks.append(
            Para(f"单位负责人:{rng.choice(_PEOPLE)}    审核人:    填报人:{rng.choice(_PEOPLE)}")
        )


_PEOPLE = ["王建国", "李红梅", "张伟", "刘成君", "赵登兴", "陈静"]


def _wordy(rng: random.Random) -> str:
    """Prose of a pre-2019 report that names the later templates' rows, with counts and percentages."""
    return (
        f"全年主动公开规范性文件{rng.randint(1, 60)}件,公开行政许可事项{rng.randint(1, 300)}项、"
        f"行政处罚决定{rng.randint(0, 90)}件,予以公开的占{rng.randint(50, 99)}.{rng.randint(0, 9)}%。"
    )
