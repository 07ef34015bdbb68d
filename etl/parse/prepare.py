"""Clean a report's text before parsing: NULs, line endings, page furniture, Markdown.

Page numbers ("- 3 -", "第 3 页") sit inside tables in text taken from PDFs;
a crawler's ``&nbsp;`` stands in blank cells. Neither is a value.

Pinyin glosses a mirror puts after characters ("報(bào)告") go too: they cut
every label in two.

Text that PDF-to-Markdown converters give has tables as ``| a | b |`` rows
(the layout the parser reads) plus Markdown's own furniture: ``|---|---|``
delimiter rows (whose dashes would read as blank cells), ``#`` heading
markers, and header rows of placeholders the converter made up ("数据1",
"Column2") whose digits would read as values. All three are dropped; the
rows themselves stay as they are.
"""

from __future__ import annotations

import re

_PAGE = re.compile(
    r"^[ \t\u3000]*(?:[-—–－][ \t]*\d{1,3}[ \t]*[-—–－]|第[ \t]*\d{1,3}[ \t]*页(?:[ \t]*[,，/]?[ \t]*共[ \t]*\d{1,3}[ \t]*页)?|\d{1,3}[ \t]*/[ \t]*\d{1,3})[ \t]*$",
    re.M,
)


_DELIMITER = re.compile(r"^[ \t]*\|?(?:[ \t]*:?-{3,}:?[ \t]*\|)+[ \t]*(?::?-{3,}:?)?[ \t]*$", re.M)
_HEADING_MARK = re.compile(r"^[ \t]*#{1,6}[ \t]+", re.M)
_PLACEHOLDER = re.compile(
    r"(?<=\|)[ \t]*(?:数据|列|栏|字段|Column|Col|Field|Unnamed:?)[ \t_]*\d{1,2}[ \t]*(?=\|)", re.IGNORECASE
)


# Mirrors of mainland pages gloss characters with their pinyin: 報(bào)告, 統(tǒng)計(jì)局
_PINYIN_GLOSS = re.compile(r"(?<=[\u4e00-\u9fff])\((?:[a-zA-Zāáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜüńňǹ]+\s?){1,3}\)")


def prepare(text: str) -> str:
    text = text.replace("\x00", "").replace("\r\n", "\n").replace("\r", "\n").lstrip("\ufeff")
    if "(" in text:
        text = _PINYIN_GLOSS.sub("", text)
    if "|-" in text or "| -" in text or "|:-" in text:
        text = _markdown(text)
    return _PAGE.sub("", text)


def _markdown(text: str) -> str:
    """Markdown tables to plain bar rows: no delimiter rows, headings, or placeholder headers."""
    lines = text.split("\n")
    out: list[str] = []
    markdown = False
    for line in lines:
        if _DELIMITER.fullmatch(line):
            markdown = True
            if out and out[-1].count("|") >= 2:
                header = _PLACEHOLDER.sub(" ", out[-1])  # the header row above the delimiter
                if header.replace("|", "").strip():
                    out[-1] = header
                else:
                    out.pop()  # nothing but placeholders: no row at all
            continue
        out.append(line)
    text = "\n".join(out)
    return _HEADING_MARK.sub("", text) if markdown else text
