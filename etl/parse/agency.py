"""An agency's own part of its name: what stays the same however the report prints it.

Reports name one agency many ways: 淮安市洪泽区人民政府 and 洪泽区人民政府,
安宁市 and 安宁市人民政府, 桃江县松木塘镇 and 松木塘镇人民政府, 懷化市統計局
and 怀化市统计局, 洪泽县 (before 2016) and 洪泽区. Once the report's division
is known (``etl.parse.region.resolve``), the *unit* is the name with that
division's names (today's, and those it had before a change since 2010) taken
off its front, in simplified characters, with the suffix forms of one kind
of agency made one:

==================  ==========================================  ==================
kind                printed                                     unit
==================  ==========================================  ==================
government          安宁市, 安宁市政府, 安宁市人民政府              人民政府
government_office   X县政府办, X县政府办公室, X县人民政府办公室       人民政府办公室
township            松木塘镇, 松木塘镇政府, 松木塘镇人民政府        松木塘镇人民政府
township (street)   云武街道, 云武街道办事处                       云武街道办事处
department          X市统计局                                    统计局
==================  ==========================================  ==================

The warehouse keys an agency by (division, unit): the unit is the same
whichever way the report prints its place. No other word is changed:
市科委 and 市科学技术委员会 stay two units until a person maps one to the
other (dbt_project/seeds/agency_names.csv), and a report whose division is
not settled gets no unit at all, so nothing is merged on a guess.
"""

from __future__ import annotations

import re

from etl.parse.normalize import simplify
from etl.parse.region import _SUFFIX, _alias_codes, division_name, former_names

_SPACE = re.compile(r"[\s\u3000]+")
_GOVERNMENT = re.compile(r"^(?:人民政府|政府)?$")
_OFFICE = re.compile(r"^(?:人民)?政府办(?:公(?P<hall>室|厅))?$")
_TOWNSHIP = re.compile(
    r"^(?:人民政府)?(?P<base>.+?(?:民族乡|乡|镇|苏木|街道))(?:人民政府|政府|街道办事处|办事处)?$"
)
_SHORT_FORMS = (("管委会", "管理委员会"),)


def agency_unit(name: str | None, code: str | None, level: str | None, kind: str | None) -> str | None:
    """The unit of an agency named ``name`` in division ``code`` (see the module), or None.

    None where the name or the division is unknown (a national agency has no
    division: its unit is its whole name), or where nothing is left of the
    name but its place for an agency that is no government.
    """
    if not name:
        return None
    text = _SPACE.sub("", simplify(name))
    for short, full in _SHORT_FORMS:
        text = text.replace(short, full)
    if level == "national" and code is None:
        return text or None
    if code is None:
        return None
    rest = _strip_places(text, code)
    if kind == "government" and _GOVERNMENT.match(rest):
        return "人民政府"
    office = _OFFICE.match(rest)
    if kind == "government_office" and office:
        return "人民政府办公" + (office.group("hall") or "室")
    township = _TOWNSHIP.match(rest) if kind == "township" else None
    if township:
        base = township.group("base")
        return base + ("办事处" if base.endswith("街道") else "人民政府")
    return rest or None


def _strip_places(text: str, code: str) -> str:
    """``text`` without the names of ``code`` and its parents at its front (full names, then stems).

    A special zone that is no division of its own (``etl/region_aliases.csv``:
    平潭综合实验区 in 平潭县) is the agency's name, not its place: it stays.
    """
    for alias, alias_code in _alias_codes().items():
        if alias_code == code and text.startswith(alias):
            return text
    names: list[str] = []
    for c in dict.fromkeys((code[:2] + "0000", code[:4] + "00", code)):
        current = division_name(c)
        if current and current != "市辖区":
            names.append(current)
        names.extend(former_names(c))
    stems = [_SUFFIX.sub("", n) for n in names]
    candidates = sorted({*names, *(s for s in stems if len(s) >= 2)}, key=len, reverse=True)
    changed = True
    while changed and text:
        changed = False
        for candidate in candidates:
            if text.startswith(candidate) and len(text) > len(candidate) or text == candidate:
                text = text[len(candidate) :]
                changed = True
                break
    return text
