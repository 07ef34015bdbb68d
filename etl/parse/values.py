"""One table cell's text to a value: counts, signed changes, money, blanks.

"Blank is not 0": an empty cell, "/", "-", "——" or "无" is ``None`` with its
raw text kept. "增3" is 3 and "减183" is -183 (the 2019 template's 本年增/减
column). Money is in 万元: "1732.633648万元" is 1732.633648 and "5000元" is
0.5. Full-width digits and thousands separators are accepted.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from functools import lru_cache

from etl.parse.normalize import nfkc
from etl.record import Value

BLANK_MARKERS = frozenset(
    {"", "/", "-", "—", "——", "–", "－", "无", "空", "\\", "—/—", "nbsp", "&nbsp;", "/ ", "×"}
)

_NUMBER = re.compile(
    r"""^(?P<sign>[+\-]|增加?|减少?)?\s*
        (?P<num>\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?)\s*
        (?P<unit>万元|元|件|条|个|次|人次|人|项|%)?$""",
    re.VERBOSE,
)


def is_blank(text: str) -> bool:
    return nfkc(text).strip().replace(" ", "") in BLANK_MARKERS


# More digits than any row of figures run together could hold (fifteen cells of
# nine digits): such a run is a cell nobody can read, not a number, and never
# a reason to reject the report (Python refuses int() past 4,300 digits).
MAX_NUMBER_CHARS = 200


def parse_value(text: str) -> tuple[bool, Value]:
    """``(is_value_cell, value)``: whether the text is a value cell at all, and its number.

    Blank markers are value cells with ``None``; text that is neither a number
    nor a blank marker is not a value cell (a label fragment, say). A digit
    run longer than :data:`MAX_NUMBER_CHARS` is a value cell without a value.
    """
    if text.isdigit() and text.isascii():
        return (True, None) if len(text) > MAX_NUMBER_CHARS else (True, int(text))
    return _parse_value(text) if len(text) <= 32 else _parse_value.__wrapped__(text)


@lru_cache(maxsize=1 << 16)
def _parse_value(text: str) -> tuple[bool, Value]:
    """:func:`parse_value` past its fast path; cached, as cell texts repeat (values are immutable)."""
    s = nfkc(text).strip()
    if s.replace(" ", "") in BLANK_MARKERS:
        return True, None
    m = _NUMBER.match(s)
    if not m:
        return False, None
    if len(m.group("num")) > MAX_NUMBER_CHARS:
        return True, None
    num = m.group("num").replace(",", "")
    try:
        d = Decimal(num)
    except InvalidOperation:  # pragma: no cover - the regex admits only digits
        return False, None
    sign = m.group("sign") or ""
    if sign.startswith("减") or sign == "-":
        d = -d
    if m.group("unit") == "元":
        d = d / Decimal(10000)
    if "." in num or m.group("unit") == "元":
        return True, d.normalize() if d != d.to_integral_value() else _keep_scale(d)
    return True, int(d)


def _keep_scale(d: Decimal) -> Value:
    """A decimal that happens to be whole (``92.0``) stays a Decimal: money is money."""
    return d
