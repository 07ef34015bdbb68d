"""The pre-2019 政府信息公开情况统计表: numbered indicators, unit, count.

Indicators are kept one by one as the table prints them, with their path in
the table's numbering (``三.(一).3 网络申请数``) and unit (条, 件, 万元 ...),
so no meaning is forced onto them here; dbt maps the comparable ones onto
the outcome codes of the later templates.
"""

from __future__ import annotations

import re

from etl.parse.normalize import normalize, squeeze
from etl.parse.tokens import Token, tokenize
from etl.record import LegacyStat

UNITS = ("人次", "万元", "条", "件", "个", "次", "人", "项", "元")
_START = re.compile(r"统计表|统\s*计\s*指\s*标")
_END = re.compile(r"单位负责人|审核人|填报人|填表人|联系电话")
_L1 = re.compile(r"^(?P<n>[一二三四五六七八九十]+)\s*[、.,]\s*")
_L2 = re.compile(r"^[(（](?P<n>[一二三四五六七八九十]+)[)）]\s*")
_L3 = re.compile(r"^(?P<n>\d{1,2})\s*[.、,]\s*(?=\D)")
_SUB = re.compile(r"^其中\s*[:：]?\s*")
_NOTE = re.compile(r"[(（][^()（）]*[)）]")
_HEADER = {"统计指标", "单位", "统计数", "指标", "数量", "统计指标单位统计数"}
_SKIP = re.compile(r"^[(（]\s*\d{4}\s*年度?\s*[)）]$|^填报单位|^附件|^政府信息公开情况统计表")


def parse_legacy(text: str) -> list[LegacyStat]:
    norm_text = normalize(text)
    start = _START.search(norm_text)
    if not start:
        return []
    end = _END.search(norm_text, start.end())
    region = text[start.start() : end.start() if end else len(text)]
    stats: list[LegacyStat] = []
    path: list[str] = ["", "", "", ""]
    current: LegacyStat | None = None
    sub_parent = ""
    open_note = False
    for raw_line in region.split("\n"):
        line = normalize(raw_line).strip()
        if not line or squeeze(line) in _HEADER or _SKIP.search(squeeze(line)):
            continue
        tokens = tokenize(raw_line, first_cell_is_label=False, between_labels=False)
        label_parts = [
            t.raw.strip() for t in tokens if t.kind == "noise" and normalize(t.raw).strip() not in UNITS
        ]
        units = [
            normalize(t.raw).strip()
            for t in tokens
            if t.kind == "noise" and normalize(t.raw).strip() in UNITS
        ]
        values = _outside_notes(tokens, depth=1 if open_note else 0)
        label = normalize("".join(label_parts)).strip()
        if open_note and label:
            # the rest of a note wrapped from the line above: "...建设维护等方\n面的经费)"
            closing = label.find(")")
            open_note = closing < 0
            label = "" if closing < 0 else label[closing + 1 :].strip()
        if label.count("(") > label.count(")"):
            open_note = True
            label = label[: label.rfind("(")]
        if label and not _is_note(label):
            indicator = _indicator(label, path)
            if indicator is None:
                continue
            if indicator.startswith("\x00sub:"):
                name = indicator[5:]
                sub_parent = _joined(path)
                indicator = f"{sub_parent}.其中 {name}" if sub_parent else f"其中 {name}"
            current = LegacyStat(indicator, None, None, None)
            stats.append(current)
        if current is None:
            continue
        if units and current.unit is None:
            current.unit = units[0]
        if values and current.raw is None:
            current.value, current.raw = values[0].value, values[0].raw
    return _unique(stats)


def _outside_notes(tokens: list[Token], depth: int) -> list[Token]:
    """Value cells, leaving out numbers written into a parenthesised note ("(...计1\n条)").

    A number glued to the note's words is part of it; a separate cell after an
    unclosed note ("(...政府网站 万元 0", the note wrapping in its cell) is not.
    """
    out = []
    for t in tokens:
        if t.kind == "noise":
            text = normalize(t.raw)
            depth = max(0, depth + text.count("(") - text.count(")"))
        elif t.kind in ("value", "blank") and not (depth and t.glued):
            out.append(t)
    return out


def _is_note(label: str) -> bool:
    """A parenthetical continuation such as "(不同渠道和方式公开相同信息计1条)"."""
    return bool(re.fullmatch(r"[(（][^)）]*[)）]", label)) and not _L2.match(label)


def _indicator(label: str, path: list[str]) -> str | None:
    for level, pattern in enumerate((_L1, _L2, _L3)):
        m = pattern.match(label)
        if m:
            n = m.group("n")
            path[level] = n if level != 1 else f"({n})"
            for deeper in range(level + 1, len(path)):
                path[deeper] = ""
            name = _without_notes(squeeze(label[m.end() :]))
            return f"{_joined(path)} {name}" if name else None
    m = _SUB.match(label)
    if m:
        return "\x00sub:" + _without_notes(squeeze(label[m.end() :]))
    if not any(path):
        return None  # text before the first numbered indicator
    return "\x00sub:" + _without_notes(squeeze(label))


def _without_notes(name: str) -> str:
    """Drop notes from an indicator name: 专职人员数(不包括政府公报...) is 专职人员数.

    The note is not part of the name, and dropping it keeps the name the same
    whether the note sits on the label's line or wraps onto the next.
    """
    return _NOTE.sub("", name) or name


def _joined(path: list[str]) -> str:
    return ".".join(p for p in path if p)


def _unique(stats: list[LegacyStat]) -> list[LegacyStat]:
    seen: dict[str, int] = {}
    out = []
    for s in stats:
        if s.indicator in seen:
            seen[s.indicator] += 1
            s.indicator = f"{s.indicator} #{seen[s.indicator]}"
        else:
            seen[s.indicator] = 1
        out.append(s)
    return out
