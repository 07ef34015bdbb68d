"""The pre-2019 政府信息公开情况统计表: numbered indicators, unit, count.

Indicators are kept one by one as the table prints them, with their path in
the table's numbering (``三.(一).3 网络申请数``) and unit (条, 件, 万元 ...),
so no meaning is forced onto them here; dbt maps the comparable ones onto
the outcome codes of the later templates.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from etl.parse.glued import is_digit_run
from etl.parse.normalize import nfkc, normalize, squeeze
from etl.parse.tokens import Token, tokenize
from etl.record import LegacyStat

UNITS = ("人次", "万元", "条", "件", "个", "次", "人", "项", "元")
_START = re.compile(r"统计表|统\s*计\s*指\s*标")
_TABLE_AFTER = re.compile(r"统计指标|指标名称|指标|单位|一[、.]\s*主动公开")
# the table's header words, also where a glued page runs them into the first indicator
_HEADER_WORDS = re.compile(r"统计表|指标名称|计量单位|(?:19|20)\d{2}\s*年度|本年度|历年累计")
_CJK = re.compile(r"[\u4e00-\u9fff]")
_CUMULATIVE = re.compile(r"历年累计|累计数|累计")
_END = re.compile(r"单位负责人|审核人|填报人|填表人|联系电话|附件下载|打印本页|关闭窗口")
_L1 = re.compile(r"^(?P<n>[一二三四五六七八九十]+)\s*[、.,]\s*")
_L2 = re.compile(r"^[(（](?P<n>[一二三四五六七八九十]+)[)）]\s*")
_L3 = re.compile(r"^(?P<n>\d{1,2})\s*[.、,]\s*(?=\D)")
_SUB = re.compile(r"^其中\s*[:：]?\s*")
_NOTE = re.compile(r"[(（][^()（）]*[)）]")
_HEADER = {"统计指标", "单位", "统计数", "指标", "数量", "统计指标单位统计数"}
_BREAK_BEFORE = re.compile(
    r"(?=[一二三四五六七八九十]{1,2}[、.](?=[\u4e00-\u9fff]))"
    r"|(?=[(（][一二三四五六七八九十]{1,2}[)）])"
    r"|(?=其中\s*[:：])"
    r"|(?<![\d.])(?=\d[.、](?=[\u4e00-\u9fff]))"
)
_HEADER_RUN = re.compile(  # simplified or traditional
    r"[统統]\s*[计計]\s*指\s*[标標](?:\s*\|?\s*[单單]\s*位)?(?:\s*\|?\s*[统統]\s*[计計]\s*[数數])?"
)
_SKIP = re.compile(
    r"^[(（]\s*\d{4}\s*年度?\s*[)）]$|^填报单位|^附件|^政府信息公开情况统计表"
    r"|^(?:指标名称|统计指标|指标|计量单位|单位|统计数|数量|\d{4}年度?|本年度?|历年累计|累计数?|名称)+$"
)


@dataclass
class LegacyTable:
    stats: list[LegacyStat] = field(default_factory=list)
    # the table lost its line breaks: unnumbered sub-items whose value cell was
    # empty run into the next label, so some indicators may be merged or missing
    glued: bool = False
    # indicators of a 本年度 | 历年累计 table whose two numbers ran together and split more than one way
    ambiguous: list[str] = field(default_factory=list)


def parse_legacy(text: str) -> LegacyTable:
    norm_text = normalize(text)
    start = _table_start(norm_text)
    if not start:
        return LegacyTable()
    end = _END.search(norm_text, start.end())
    region = text[start.start() : end.start() if end else len(text)]
    cumulative = bool(_CUMULATIVE.search(normalize(region[:200])))
    breaks = len(_BREAK_BEFORE.findall(region))
    glued = breaks > 10 and region.count("\n") < breaks / 3
    # one indicator per line, also on pages that lost their line breaks; the
    # header repeated on each page ("统计指标 单位 统计数") is no indicator's text
    region = _BREAK_BEFORE.sub("\n", _HEADER_WORDS.sub("\n", _HEADER_RUN.sub("\n", region)))
    reader = _Reader()
    for raw_line in region.split("\n"):
        line = normalize(raw_line).strip()
        if not line or squeeze(line) in _HEADER or _SKIP.search(squeeze(line)):
            continue
        tokens = tokenize(raw_line, first_cell_is_label=False, between_labels=False)
        for n, t in enumerate(tokens):
            following = tokens[n + 1] if n + 1 < len(tokens) else None
            reader.take(t, following)
        reader.end_of_line()
    reader.flush()
    ambiguous = _split_year_and_cumulative(reader) if cumulative else []
    return LegacyTable(_unique(reader.stats), glued, ambiguous)


def _table_start(norm_text: str) -> re.Match[str] | None:
    """Where the 统计表 starts: at the table, not at a sentence that mentions it.

    The opening paragraph often says the report "由概述……和统计表组成"; the table
    itself is followed by its header (统计指标 / 指标名称 / 单位) or its first
    numbered indicator.
    """
    for m in _START.finditer(norm_text):
        # up to the end of the sentence (normalize() turns "。" into "."): prose names the table too
        window = re.split(r"[。.](?!\d)", norm_text[m.end() : m.end() + 60], maxsplit=1)[0]
        if _TABLE_AFTER.search(window):
            return m
    return None


def _split_year_and_cumulative(reader: _Reader) -> list[str]:
    """Indicators of a 本年度 | 历年累计 table that show one number where the row has two cells.

    Two counts run together ("206912106"): the year's figure is the first
    part and cannot exceed the running total; where only one cut satisfies
    that ("00" is 0 and 0, "728" is 7 and 28) it is taken. A number standing
    alone may be either column's, and two amounts run together ("3.3612.87")
    cannot be cut. Those are left null and named: never one number made of
    two, never the running total for the year's figure.
    """
    ambiguous = []
    for stat in reader.stats:
        if stat.value is None or stat.raw is None:
            continue
        seen, glued = reader.values_seen.get(id(stat), 0), reader.glued_value.get(id(stat), False)
        digits = nfkc(stat.raw)
        if glued and is_digit_run(stat.raw) and seen == 1:
            cuts = [
                (digits[:i], digits[i:])
                for i in range(1, len(digits))
                if _plain(digits[:i]) and _plain(digits[i:]) and int(digits[:i]) <= int(digits[i:])
            ]
            if len(cuts) == 1:
                stat.value, stat.raw = int(cuts[0][0]), cuts[0][0]  # the year's cell, as its part printed it
                continue
        elif seen > 1 and not (glued and not is_digit_run(stat.raw)):
            continue  # the year's cell and the running total's, apart: the first is the year's
        stat.value, stat.raw = None, None  # which text is this cell's is what is not known
        ambiguous.append(stat.indicator)
    return ambiguous


def _plain(digits: str) -> bool:
    return digits == "0" or not digits.startswith("0")


class _Reader:
    """Indicators from a stream of tokens: label text, then a unit, then a value.

    Several indicators may share a line (a glued page, a two-column table) and
    one indicator may span lines (a wrapped label, a note in parentheses).
    """

    def __init__(self) -> None:
        self.stats: list[LegacyStat] = []
        self.path: list[str] = ["", "", "", ""]
        self.current: LegacyStat | None = None
        self.pending: list[str] = []
        self.pending_unit: str | None = None
        self.open_note = False  # inside a note whose label was already taken
        # "其中：" alone on its line: the numbered lines after it are its sub-items ("其中.1 …")
        self.sub_numbering = False
        # value cells read per indicator (two in a 本年度 | 历年累计 table), and whether the
        # first was cut out of text ("条206912106")
        self.values_seen: dict[int, int] = {}
        self.glued_value: dict[int, bool] = {}

    def take(self, t: Token, following: Token | None) -> None:
        if t.kind == "noise":
            text = normalize(t.raw).strip()
            if self.open_note:
                close = text.find(")")
                if close < 0:
                    return
                self.open_note = False
                text = text[close + 1 :].strip()
            unit = next((u for u in UNITS if text.endswith(u)), None)
            if unit and (
                text == unit or (following is not None and following.is_cell and not self._in_note(text))
            ):
                # "条", or "政府信息数条15689": a unit glued between label and value
                label = text[: -len(unit)]
                if label:
                    self.pending.append(label)
                if self.pending:
                    self.pending_unit = unit
                elif self.current is not None and self.current.unit is None:
                    self.current.unit = unit
                return
            if text:
                self.pending.append(text)
            return
        if t.kind not in ("value", "blank"):
            return
        if t.glued and self._in_note():
            self.pending.append(t.raw)  # "(...计1条)": a number inside a note is words
            return
        target = self.flush() or self.current
        if target is not None:
            self.values_seen[id(target)] = self.values_seen.get(id(target), 0) + 1
            if target.raw is None:
                target.value, target.raw = t.value, t.raw
                self.glued_value[id(target)] = t.glued

    def end_of_line(self) -> None:
        if self.pending and not self._in_note():
            self.flush()

    def flush(self) -> LegacyStat | None:
        """Make the pending label an indicator (None when it is not one)."""
        if not self.pending:
            return None
        label = "".join(self.pending)
        unit, self.pending, self.pending_unit = self.pending_unit, [], None
        if label.count("(") > label.count(")"):
            self.open_note = True
            label = label[: label.rfind("(")]
        if unit is None:
            # "政府公报公开政府信息数条" with its value cell empty: the unit still ends the label
            unit = next((u for u in UNITS if label.endswith(u) and len(label) > len(u) + 1), None)
            if unit:
                label = label[: -len(unit)]
        if not label or _is_note(label) or _is_prose(label) or not _CJK.search(label):
            return None  # "." left of an amount cut in two is no indicator
        indicator = _indicator(label, self.path, self)
        if indicator is None:
            return None
        if indicator.startswith("\x00sub:"):
            parent = _joined(self.path)
            indicator = f"{parent}.其中 {indicator[5:]}" if parent else f"其中 {indicator[5:]}"
        self.current = LegacyStat(indicator, unit, None, None)
        self.stats.append(self.current)
        return self.current

    def _in_note(self, more: str = "") -> bool:
        text = "".join(self.pending) + more
        return text.count("(") > text.count(")")


def _is_prose(label: str) -> bool:
    """A sentence, not an indicator's name: indicators are short noun phrases without sentence punctuation."""
    name = _without_notes(squeeze(normalize(label))).lstrip("0123456789.、一二三四五六七八九十()")
    words = re.sub(r"\d[\d,.]*", "", name)  # a number's commas and points are no punctuation
    return len(words) > 40 or bool(re.search(r"[,;。!?]|\.(?!\d)", words))


def _is_note(label: str) -> bool:
    """A parenthetical continuation such as "(不同渠道和方式公开相同信息计1条)"."""
    return bool(re.fullmatch(r"[(（][^)）]*[)）]", label)) and not _L2.match(label)


def _indicator(label: str, path: list[str], reader: _Reader) -> str | None:
    """The indicator's key (numbering path, a space, its name), updating the path it opens.

    Tables number their lines (一、/(一)/1.) or not at all; an unnumbered line
    under a numbered one is its "其中" sub-item, and in a table without
    一/(一) numbering it is a line of its own. "其中：" alone on a line makes
    the numbered lines after it its sub-items: 主动公开文件数 / 其中.1 政府网站公开数.
    """
    for level, pattern in enumerate((_L1, _L2, _L3)):
        m = pattern.match(label)
        if m:
            n = m.group("n")
            if level < 2:
                reader.sub_numbering = False
            path[level] = n if level != 1 else f"({n})"
            if level == 2 and reader.sub_numbering:
                path[level] = f"其中.{n}"
            for deeper in range(level + 1, len(path)):
                path[deeper] = ""
            name = _without_notes(squeeze(label[m.end() :]))
            return f"{_joined(path)} {name}" if name else None
    m = _SUB.match(label)
    if m:
        name = _without_notes(squeeze(label[m.end() :]))
        if not name:
            reader.sub_numbering = True
            return None
        return "\x00sub:" + name
    if not (path[0] or path[1]):
        # a table that does not number its main lines: each unnumbered line is one
        reader.sub_numbering = False
        for level in range(len(path)):
            path[level] = ""
        name = _without_notes(squeeze(label))
        return name or None
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
