"""Agency kind, level and six-digit region code (GB/T 2260) from names and text.

Place names are resolved by ``cpca`` (a maintained library of China's
administrative divisions) rather than a list of our own. A township is not
in cpca's table, so its code is the county above it: the most-mentioned
county-level place in the report that cpca can resolve.
"""

from __future__ import annotations

import re
import warnings
from collections import Counter
from functools import lru_cache

_OFFICE = re.compile(r"(?:人民政府|政府)办公(?:室|厅)$|政府办$")
_TOWNSHIP = re.compile(r"(?:乡|镇|街道|街道办事处|苏木|民族乡)(?:人民政府|政府|办事处)?$")
_GOVERNMENT = re.compile(r"(?:人民政府|政府|行政公署|管委会|管理委员会)$")
_PLACE = re.compile(r"(?:省|自治区|市|州|盟|县|区|旗)$")
_DEPARTMENT = re.compile(r"(?:局|委|委员会|办|中心|厅|署|院|所|站|队|部|办公室|处|会)$")
_NATIONAL = re.compile(r"^(?:国务院|国家|中华人民共和国|中国)|部$")
_COUNTY_MENTION = re.compile(r"[\u4e00-\u9fff]{1,6}?(?:自治县|县|旗|区|市)")


def agency_kind(name: str | None) -> str | None:
    if not name:
        return None
    if _OFFICE.search(name):
        return "government_office"
    if _TOWNSHIP.search(name):
        return "township"
    if _GOVERNMENT.search(name) or _PLACE.search(name):
        return "government"
    if _DEPARTMENT.search(name):
        return "department"
    return "other"


@lru_cache(maxsize=65536)
def _lookup(place: str) -> str | None:
    """cpca's adcode for a name, or None."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        import cpca

        frame = cpca.transform([place])
    code = frame["adcode"].iloc[0]
    if code is None or (isinstance(code, float)) or not str(code).strip() or str(code) == "nan":
        return None
    return str(code)[:6]


def code_level(code: str) -> str:
    if code.endswith("0000"):
        return "province"
    if code.endswith("00"):
        return "prefecture"
    return "county"


@lru_cache(maxsize=1)
def _gazetteer() -> tuple[dict[str, list[str]], dict[str, str], int]:
    """cpca's own table of divisions: full name → codes, code → name."""
    from importlib import resources

    by_name: dict[str, list[str]] = {}
    by_code: dict[str, str] = {}
    table = resources.files("cpca").joinpath("resources/adcodes.csv").read_text(encoding="utf-8")
    for line in table.splitlines()[1:]:
        adcode, name = line.split(",")[:2]
        code = adcode[:6]
        by_code[code] = name
        if name != "市辖区":
            by_name.setdefault(name, []).append(code)
    longest = max(len(n) for n in by_name)
    return by_name, by_code, longest


def _prefix_lookup(name: str, text: str) -> str | None:
    """The most specific division an agency name starts with ("北京市海淀区..." → 110108).

    cpca reads "五大连池市" as 大连 when no province precedes it; matching whole
    division names from the start of the agency's name does not.
    """
    by_name, by_code, longest = _gazetteer()
    pos, code = 0, None
    while pos < len(name):
        for size in range(min(longest, len(name) - pos), 1, -1):
            codes = by_name.get(name[pos : pos + size])
            if codes:
                break
        else:
            break
        inside = [c for c in codes if code is None or c.startswith(_stem(code))]
        if not inside:
            break
        if len(inside) > 1:  # a name several provinces share: the one whose parents the report names
            inside.sort(key=lambda c: -_parent_mentions(c, by_code, text))
        code = inside[0]
        pos += size
    return code


def _stem(code: str) -> str:
    return code[:2] if code.endswith("0000") else code[:4] if code.endswith("00") else code


def _parent_mentions(code: str, by_code: dict[str, str], text: str) -> int:
    parents = {code[:2] + "0000", code[:4] + "00"} - {code}
    return sum(text.count(by_code[p]) for p in parents if p in by_code)


def resolve(name: str | None, text: str) -> tuple[str | None, str | None]:
    """``(region_code, level)`` of an agency named ``name`` in a report ``text``."""
    kind = agency_kind(name)
    code = (_prefix_lookup(name, text[:5000]) or _lookup(name)) if name else None
    if code is None or (kind == "township" and code_level(code) != "county"):
        code = _county_from_text(text) or code
    if code is None:
        if name and _NATIONAL.search(name):
            return None, "national"
        return None, "township" if kind == "township" else None
    if kind == "township":
        return code, "township"
    if (
        name
        and _NATIONAL.search(name)
        and code_level(code) == "province"
        and not name.startswith(("国务院", "国家"))
    ):
        pass
    return code, code_level(code)


def _county_from_text(text: str) -> str | None:
    """The county-level place a township report mentions most, resolved by cpca."""
    counts = Counter(m.group() for m in _COUNTY_MENTION.finditer(text[:20000]))
    for place, _ in counts.most_common(8):
        code = _prefix_lookup(place, text[:5000]) or _lookup(place)
        if code and code_level(code) == "county":
            return code
    return None
