"""Clean a report's text before parsing: NULs, line endings, page furniture.

Page numbers ("- 3 -", "第 3 页") sit inside tables in text taken from PDFs;
a crawler's ``&nbsp;`` stands in blank cells. Neither is a value.
"""

from __future__ import annotations

import re

_PAGE = re.compile(
    r"^[ \t\u3000]*(?:[-—–－][ \t]*\d{1,3}[ \t]*[-—–－]|第[ \t]*\d{1,3}[ \t]*页(?:[ \t]*[,，/]?[ \t]*共[ \t]*\d{1,3}[ \t]*页)?|\d{1,3}[ \t]*/[ \t]*\d{1,3})[ \t]*$",
    re.M,
)


def prepare(text: str) -> str:
    text = text.replace("\x00", "").replace("\r\n", "\n").replace("\r", "\n").lstrip("\ufeff")
    return _PAGE.sub("", text)
