"""The pre-2019 政府信息公开情况统计表: its indicators and how they are coded.

Reports for 2008-2018 carry no fixed table; the commonest is the statistics
table of sample 003 (高台县 2016). Reports before 2014 lack its 回应解读 block,
so the numbering of the later blocks shifts: the indicator codes are computed
from the table as printed, never fixed in advance.

Indicator code convention (``legacy_indicator``), following the spec's
examples ``三.(一).3 网络申请数`` and ``四 行政复议数量``: the numbering path of
the row, segments joined by ``.``, a space, then the label without its
numbering, without a leading ``其中:`` and without a parenthesised note
("(不同渠道和方式公开相同信息计1条)" describes the row, it does not name it,
and it is printed on the label's line in some layouts and below it in
others). A row printed with no numbering of its own
(``其中:主动公开规范性文件数``, ``涉及商业秘密``) is a "其中" row of the
numbered row it sits under: ``一.(一).其中 主动公开规范性文件数``,
``三.(三).4.其中 涉及商业秘密`` (the parser's convention).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

_CN = "一二三四五六七八九十"


@dataclass(frozen=True)
class Node:
    """An indicator of the table template: label, unit, note and children."""

    label: str
    unit: str | None = None
    note: str | None = None
    children: tuple[Node, ...] = ()
    numbered: bool = True
    money: bool = False


def _n(
    label: str, unit: str | None = None, *children: Node, note: str | None = None, money: bool = False
) -> Node:
    return Node(label, unit, note, tuple(children), True, money)


def _sub(label: str, unit: str | None = None) -> Node:
    return Node(label, unit, None, (), False)


_RESPONSES = _n(
    "回应解读情况",
    None,
    _n("回应公众关注热点或重大舆情数", "次", note="(不同方式回应同一热点或舆情计1次)"),
    _n(
        "通过不同渠道和方式回应解读的情况",
        None,
        _n("参加或举办新闻发布会总次数", "次", _sub("其中:主要负责同志参加新闻发布会次数", "次")),
        _n("政府网站在线访谈次数", "次", _sub("其中:主要负责同志参加政府网站在线访谈次数", "次")),
        _n("政策解读稿件发布数", "条"),
        _n("微博微信回应事件数", "次"),
        _n("其他方式回应事件数", "次"),
    ),
)

_TREE_BEFORE = (
    _n(
        "主动公开情况",
        "条",
        _n(
            "主动公开政府信息数",
            "条",
            _sub("其中:主动公开规范性文件数", "条"),
            _sub("制发规范性文件总数", "件"),
            note="(不同渠道和方式公开相同信息计1条)",
        ),
        _n(
            "通过不同渠道和方式公开政府信息的情况",
            "条",
            _n("政府公报公开政府信息数", "条"),
            _n("政府网站公开政府信息数", "条"),
            _n("政务微博公开政府信息数", "条"),
            _n("政务微信公开政府信息数", "条"),
            _n("其他方式公开政府信息数", "条"),
        ),
    ),
)

_TREE_AFTER = (
    _n(
        "依申请公开情况",
        None,
        _n(
            "收到申请数",
            "件",
            _n("当面申请数", "件"),
            _n("传真申请数", "件"),
            _n("网络申请数", "件"),
            _n("信函申请数", "件"),
        ),
        _n("申请办结数", "件", _n("按时办结数", "件"), _n("延期办结数", "件")),
        _n(
            "申请答复数",
            "件",
            _n("属于已主动公开范围数", "件"),
            _n("同意公开答复数", "件"),
            _n("同意部分公开答复数", "件"),
            _n(
                "不同意公开答复数",
                "件",
                _sub("其中:涉及国家秘密", "件"),
                _sub("涉及商业秘密", "件"),
                _sub("涉及个人隐私", "件"),
                _sub("危及国家安全、公共安全、经济安全和社会稳定", "件"),
                _sub("不是《条例》所指政府信息", "件"),
                _sub("法律法规规定的其他情形", "件"),
            ),
            _n("不属于本行政机关公开数", "件"),
            _n("申请信息不存在数", "件"),
            _n("告知作出更改补充数", "件"),
            _n("告知通过其他途径办理数", "件"),
        ),
    ),
    _n(
        "行政复议数量", "件", _n("维持具体行政行为数", "件"), _n("被依法纠错数", "件"), _n("其他情形数", "件")
    ),
    _n(
        "行政诉讼数量",
        "件",
        _n("维持具体行政行为或者驳回原告诉讼请求数", "件"),
        _n("被依法纠错数", "件"),
        _n("其他情形数", "件"),
    ),
    _n("举报投诉数量", "件"),
    _n("依申请公开信息收取的费用", "万元", money=True),
    _n(
        "机构建设和保障经费情况",
        None,
        _n("政府信息公开工作专门机构数", "个"),
        _n("设置政府信息公开查阅点数", "个"),
        _n(
            "从事政府信息公开工作人员数",
            "人",
            Node("专职人员数", "人", "(不包括政府公报及政府网站工作人员数)"),
            _n("兼职人员数", "人"),
        ),
        _n(
            "政府信息公开专项经费",
            "万元",
            note="(不包括用于政府公报编辑管理及政府网站建设维护等方面的经费)",
            money=True,
        ),
    ),
    _n(
        "政府信息公开会议和培训情况",
        None,
        _n("召开政府信息公开工作会议或专题会议数", "次"),
        _n("举办各类培训班数", "次"),
        _n("接受培训人员数", "人次"),
    ),
)


@dataclass(frozen=True)
class Row:
    """One printed row of the statistics table, with its code."""

    indicator: str
    printed_number: str  # "一、", "(一)", "1.", or "" for an unnumbered row
    label: str  # as printed, with "其中:" where the template has it
    note: str | None
    unit: str | None
    depth: int
    money: bool


def legacy_indicator(path: list[str], label: str, *, numbered: bool = True) -> str:
    """The spec's indicator code for a row: numbering path, space, bare label."""
    bare = label.removeprefix("其中:").removeprefix("其中：")
    where = ".".join(path) if numbered else ".".join(path) + ".其中"
    return f"{where} {bare}"


@cache
def table_rows(year: int) -> tuple[Row, ...]:
    """The statistics table a report for ``year`` prints, in order, with codes."""
    tree = (*_TREE_BEFORE, *((_RESPONSES,) if year >= 2014 else ()), *_TREE_AFTER)
    out: list[Row] = []

    def walk(nodes: tuple[Node, ...], path: list[str], depth: int) -> None:
        k = 0
        for node in nodes:
            if node.numbered:
                k += 1
                seg = [_CN[k - 1], f"({_CN[k - 1]})", str(k)][min(depth, 2)]
                printed = [f"{_CN[k - 1]}、", f"({_CN[k - 1]})", f"{k}."][min(depth, 2)]
                here = [*path, seg]
            else:
                printed, here = "", path
            out.append(
                Row(
                    legacy_indicator(here, node.label, numbered=node.numbered),
                    printed,
                    node.label,
                    node.note,
                    node.unit,
                    depth,
                    node.money,
                )
            )
            walk(node.children, here, depth + 1)

    walk(tree, [], 0)
    return tuple(out)
