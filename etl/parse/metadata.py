"""Report year, agency name and published date, from the title, page header or prose.

Each field is taken from the most reliable place that has it: the title
("XX2020年政府信息公开工作年度报告"), then a page header (标题 / 发布机构 /
发文单位 / 发布日期), then the statistics-period sentence, then the prose.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

from etl.parse.normalize import nfkc, normalize, simplify
from etl.parse.region import starts_with_division
from etl.parse.stream import Stream

_TITLE = re.compile(
    r"(?P<year>(?:19|20)\d{2})\s*年\s*度?\s*(?:的)?\s*(?:政\s*府|政\s*务)\s*信\s*息\s*公\s*开\s*(?:工\s*作)?\s*(?:年\s*度)?\s*(?:报\s*告|年\s*报)"
)
_TITLE_AFTER = re.compile(
    r"(?P<year>(?:19|20)\d{2})年度?(?P<agency>[\u4e00-\u9fff()]{2,30}?)(?:政府)?信息公开(?:工作)?(?:年度)?报告"
)
# "2022年度XX区人民政府信息公开工作年度报告": the year before the agency
_YEAR_FIRST = re.compile(
    r"(?P<year>(?:19|20)\d{2})\s*年度?\s*(?P<agency>[\u4e00-\u9fff()]{2,30}?(?:人民政府|政府|局|委员会|委|办公室|办公厅|厅|中心|办|乡|镇|街道|办事处|区|县|市))"
    r"\s*(?:政府)?\s*信息公开(?:工作)?(?:年度)?报告"
)
_CN_YEAR = re.compile(r"[〇零○一二三四五六七八九]{4}(?=\s*年)")
_CN_DIGITS = str.maketrans("〇零○一二三四五六七八九", "00012345678" + "9")
_NAME_CHARS = re.compile(r"[\u4e00-\u9fff()（）]+$")
_FIELD = re.compile(
    r"(?:发布机构|发文单位|发文机关|填报单位(?:\(盖章\))?|来源|信息来源)\s*[:：]?\s*(?P<name>[\u4e00-\u9fff()（）]{2,30})"
)
_PERIOD = re.compile(
    # "2023年1月1日", and "20231月1日" where a page lost the 年
    r"统计(?:期限|时限|时间|区间|周期|数据)?[^。\n]{0,25}?(?P<year>(?:19|20)\d{2})\s*年?\s*1\s*月\s*1\s*日"
)
_TABLE_YEAR = re.compile(r"[(（]\s*(?P<year>(?:19|20)\d{2})\s*年度?\s*[)）]")
_YEAR = re.compile(r"(?P<year>(?:19|20)\d{2})\s*年")
# "一、总体情况 2022年,国家新闻出版署坚持……": the overview opens with the year it covers
_OVERVIEW_YEAR = re.compile(
    r"[一1][、.]\s*(?:总体情况|概述)\s*(?:\(一\)[^\n]{0,20}\s*)?(?P<year>(?:19|20)\d{2})\s*年\s*[,，以来]"
)
_DATE_FIELD = re.compile(
    r"(?P<field>发布日期|发布时间|发文日期|成文日期|印发日期|填报日期|日期)\s*[:：]?\s*"
    r"(?P<y>(?:19|20)\d{2})\s*[-年/.]\s*(?P<m>\d{1,2})\s*[-月/.]\s*(?P<d>\d{1,2})"
)
_SIGNATURE = re.compile(
    r"^\s*(?P<y>(?:19|20)\d{2})\s*年\s*(?P<m>\d{1,2})\s*月\s*(?P<d>\d{1,2})\s*日\s*$", re.M
)
# "……等规定,特向社会公布海南海事局2020年…报告": the sentence's verb is no part of the name
_LEAD_WORDS = re.compile(r"^(?:特向社会公布|向社会公布|现予以?公布|现将|特此公布|现公布|公布)")
_NAME_PREFIX = re.compile(r"^(?:标题|名称|题目|正文|当前位置|首页|关于|《)+")
_PROSE_AGENCY = re.compile(
    r"[\u4e00-\u9fff]{2,10}?(?:人民政府办公室|人民政府|街道办事处|民族乡|乡|镇|街道)(?=政府|党委|人民|[,,。、在的])"
)
_LINE_BREAK = re.compile(r"[ \t\u3000]*\n[ \t\u3000]*")
_AGENCY_END = re.compile(
    r"(?:人民政府|政府|行政公署|管委会|委员会|办公室|办公厅|办事处|街道|局|委|厅|中心|办|乡|镇|院|所|站|署|处|队|会)$"
)
_NAME = r"(?P<name>[\u4e00-\u9fff()]{2,30}?)"
_AUTHOR_PATTERNS = (
    re.compile(r"(?:本报告由|报告由)" + _NAME + r"(?:根据|依据|按照|编制|编写|制作|负责)"),
    re.compile(r"[,，。:：;；]" + _NAME + r"(?:编制|编写|制作)(?:形成)?(?:了|完成)"),
    re.compile(r"请与" + _NAME + r"联系"),
)
_SPLIT_WORDS = re.compile(r"公开|[了的在和与对由为是及将把从向]")
# "本县", "我局", "贵单位": a reference, not a name; but 贵州 is a province
_BAD_NAME = re.compile(
    r"^(?!贵州)(?:我|本|全|各|该|贵|此)(?:县|市|区|乡|镇|局|委|办|单位|机关|部门|省|州|旗|盟|街道|政府)|^(?:县|市|区|乡|镇)(?:人民)?政府"
)


# Words of the sentence a name was cut from: "通过寻召乡", "由大南街道编制的", "认真编制了…"
_LEADING_WORDS = re.compile(r"^(?:通过|经过|由)")  # not 对, 向, 将: 对坊乡, 向阳镇, 将乐县
_TRAILING_WORDS = re.compile(r"(?:编制的|编制|编写的|编写|制作的|制作)$")
_VERB = re.compile(r"编制了?|编写了?|公开|公布")


def _tidy(name: str | None) -> str | None:
    """A name without the sentence around it; None for a reference such as 我镇 or 本局."""
    if not name:
        return None
    simple = simplify(name)
    cut = max((m.end() for m in _VERB.finditer(simple)), default=0)
    if cut >= len(simple):
        return None  # "认真编制了": the sentence's verb, no name
    if cut:
        name, simple = name[cut:], simple[cut:]
    lead = _LEADING_WORDS.match(simple)
    if lead and len(simple) - lead.end() >= 2:
        name, simple = name[lead.end() :], simple[lead.end() :]
    trail = _TRAILING_WORDS.search(simple)
    if trail and trail.start() >= 2:
        name = name[: trail.start()]
    if _reference(name) or len(name) < 2:
        return None
    return name


def _reference(name: str) -> bool:
    """ "本县", "我局", "全市": a reference to an agency, not its name; but 全州县 and 贵州 are places."""
    return bool(_BAD_NAME.match(name)) and not starts_with_division(name)


@dataclass
class Metadata:
    agency_name: str | None = None
    report_year: int | None = None
    published_date: str | None = None


def read_metadata(text: str, stream: Stream) -> Metadata:
    text = _arabic_years(text)
    head = text[:6000]
    meta = Metadata()
    title = _title(text, stream)
    if title:
        meta.agency_name, meta.report_year = title
    if meta.agency_name:
        meta.agency_name = _tidy(meta.agency_name)
    if not meta.agency_name:
        for find in (_field_agency, _stated_agency, _prose_agency):
            meta.agency_name = _tidy(find(head if find is _field_agency else text))
            if meta.agency_name:
                break
    if meta.report_year is None:
        meta.report_year = _year(text)
    meta.published_date = _published(text)
    return meta


def _title(text: str, stream: Stream) -> tuple[str | None, int] | None:
    """Agency and year from the first title-like phrase."""
    norm = normalize(text[:8000])
    plain_text = nfkc(text[:8000])
    src = plain_text if len(plain_text) == len(norm) else norm  # names as printed, not simplified
    year_first = _YEAR_FIRST.search(norm)
    plain = _TITLE.search(norm)
    if year_first and (plain is None or year_first.start() < plain.start()):
        name = _clean_name(src[year_first.start("agency") : year_first.end("agency")])
        if name and not name.startswith(("政府", "政务", "本")):
            return name, int(year_first.group("year"))
    for m in _TITLE.finditer(norm):
        if _cited(norm, m.start()):
            continue  # 《关于做好2012年政府信息公开工作年度报告有关事项的通知》 names another document
        year = int(m.group("year"))
        line_start = norm.rfind("\n", 0, m.start()) + 1
        before = src[line_start : m.start()].strip()
        before = re.split(r"[\s:：,，。;；》<>\]]", before)[-1] if before else ""
        name = _clean_name(before)
        if not name and not before:
            # "淮安市人民政府\n2024 年政府信息公开工作年度报告": the name on the line above
            previous = src[:line_start].rstrip().rsplit("\n", 1)[-1].strip()
            if len(previous) <= 30 and _NAME_CHARS.fullmatch(previous):
                name = _clean_name(previous)
        if not name:
            after = _TITLE_AFTER.match(re.sub(r"\s+", "", norm[m.start() : m.start() + 80]))
            if after and not after.group("agency").startswith(("政府", "政务")):
                name = _clean_name(after.group("agency"))
        if name and len(name) >= 2:
            return name, year
        return None, year
    return None


def _cited(text: str, index: int) -> bool:
    """Whether ``index`` stands inside a 《…》 citation (a notice's title, not this report's)."""
    opening = text.rfind("《", 0, index)
    return opening >= 0 and text.rfind("》", opening, index) < 0 and index - opening < 80


def _arabic_years(text: str) -> str:
    """ "二〇二〇年" to "2020年" (titles and signatures write years in Chinese numerals)."""
    return (
        _CN_YEAR.sub(lambda m: m.group().translate(_CN_DIGITS), text)
        if "〇" in text or "○" in text or "零" in text
        else text
    )


def _clean_name(name: str) -> str | None:
    name = _NAME_PREFIX.sub("", name.strip())
    lead = _LEAD_WORDS.match(simplify(name))  # OpenCC keeps lengths: cut the printed name as far
    if lead:
        name = name[lead.end() :]
    m = _NAME_CHARS.search(name)
    name = m.group() if m else ""
    return name if len(name) >= 2 else None


def _field_agency(head: str) -> str | None:
    norm, plain = normalize(head), nfkc(head)
    src = plain if len(plain) == len(norm) else norm
    for m in _FIELD.finditer(norm):
        name = _clean_name(src[m.start("name") : m.end("name")])
        if name and not name.startswith(("本", "网")):
            return name
    return None


def _stated_agency(text: str) -> str | None:
    """The agency a report's opening sentence names as its author ("XX编制了本报告").

    Lines are joined first (text from PDFs wraps names across lines), and the
    name is cut from the NFKC text, not the simplified one: OpenCC folds some
    characters of place names ("乾安县" would become "干安县").
    """
    plain = _LINE_BREAK.sub("", nfkc(text[:6000]))
    simple = normalize(plain)
    source = plain if len(plain) == len(simple) else simple
    for pattern in _AUTHOR_PATTERNS:
        for m in pattern.finditer(simple):
            found = source[m.start("name") : m.end("name")]
            name = _clean_name(re.split(r"了|公开", found)[-1])
            if name and _AGENCY_END.search(name) and not _reference(name):
                return name
    return None


def _prose_agency(text: str) -> str | None:
    """The township or government the prose names most (reports without a title)."""
    counts = Counter(
        _SPLIT_WORDS.split(m.group())[-1] for m in _PROSE_AGENCY.finditer(normalize(text[:15000]))
    )
    ranked = [(n * len(name), name) for name, n in counts.items() if not _reference(name)]
    return max(ranked)[1] if ranked else None


def _year(text: str) -> int | None:
    norm = normalize(text)
    for pattern in (_PERIOD, _TABLE_YEAR, _OVERVIEW_YEAR):
        m = pattern.search(norm)
        if m:
            return int(m.group("year"))
    years = Counter(int(m.group("year")) for m in _YEAR.finditer(norm[:20000]))
    plausible = [(n, y) for y, n in years.items() if 2007 <= y <= 2030]
    return max(plausible)[1] if plausible else None


def _published(text: str) -> str | None:
    norm = normalize(text)
    found: dict[str, str] = {}
    for m in _DATE_FIELD.finditer(norm):
        found.setdefault(m.group("field"), _iso(m.group("y"), m.group("m"), m.group("d")) or "")
    for key in ("发布日期", "发布时间", "发文日期", "成文日期", "印发日期"):
        if found.get(key):
            return found[key]
    tail = norm[-3000:]
    sigs = list(_SIGNATURE.finditer(tail))
    if sigs:
        m = sigs[-1]
        return _iso(m.group("y"), m.group("m"), m.group("d"))
    for key in ("填报日期", "日期"):
        if found.get(key):
            return found[key]
    return None


def _iso(y: str, m: str, d: str) -> str | None:
    mi, di = int(m), int(d)
    if not (1 <= mi <= 12 and 1 <= di <= 31):
        return None
    return f"{int(y):04d}-{mi:02d}-{di:02d}"
