"""Which printed forms of an agency's name meet on one identity (division, unit), and which stay apart.

The names are as real reports print them (most from the corpus in
tests/corpus); the identity is what the warehouse keys an agency by.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from etl.parse.agency import agency_unit
from etl.parse.region import agency_kind, resolve
from etl.pipeline import parse_file

CORPUS = Path(__file__).resolve().parents[1] / "corpus" / "files"


def identity(name: str, text: str | None = None) -> tuple[str | None, str | None]:
    place = resolve(name, text or name)
    return place.code, agency_unit(name, place.code, place.level, agency_kind(name))


@pytest.mark.parametrize(
    "forms, expected",
    [
        # a county's government, with and without its prefecture, and under its name before 2016
        (["淮安市洪泽区人民政府", "洪泽区人民政府", "洪泽县人民政府", "洪泽区政府"], ("320813", "人民政府")),
        # a place name alone is its government
        (["安宁市", "安宁市人民政府", "安宁市政府"], ("530181", "人民政府")),
        (["上海市", "上海市人民政府"], ("310000", "人民政府")),
        # the government's office, however abbreviated
        (["阿合奇县人民政府办公室", "阿合奇县政府办公室", "阿合奇县政府办"], ("653023", "人民政府办公室")),
        # a township with and without its county and its 人民政府
        (["桃江县松木塘镇", "桃江县松木塘镇人民政府", "桃江县松木塘镇政府"], ("430922", "松木塘镇人民政府")),
        (["道里区经纬街道", "道里区经纬街道办事处"], ("230102", "经纬街道办事处")),
        # traditional characters (a mirror of a mainland page)
        (["懷化市統計局", "怀化市统计局"], ("431200", "统计局")),
        # a county renamed in 2014 (苍山县 → 兰陵县, same code)
        (["苍山县人民政府", "兰陵县人民政府"], ("371324", "人民政府")),
    ],
)
def test_forms_of_one_agency_meet(forms: list[str], expected: tuple[str, str]) -> None:
    assert {form: identity(form) for form in forms} == dict.fromkeys(forms, expected)


@pytest.mark.parametrize(
    "first, second",
    [
        # a government and its office
        ("上海市人民政府", "上海市人民政府办公厅"),
        # the zone's body and the county's government, both in 平潭: a person may map them, the parser does not
        ("平潭综合实验区", "平潭县人民政府"),
        ("平潭综合实验区管委会", "平潭县人民政府"),
        # abbreviations are not expanded: a person maps them (dbt_project/seeds/agency_names.csv)
        ("平潭县地税局", "平潭县地方税务局"),
        # the same department name in two counties
        ("永嘉县统计局", "江苏省统计局"),
        # the same town name in two counties
        ("桃江县松木塘镇", "安化县松木塘镇"),
    ],
)
def test_different_agencies_stay_apart(first: str, second: str) -> None:
    assert identity(first) != identity(second)


def test_a_name_whose_division_is_not_settled_gets_no_unit() -> None:
    """朝阳区 is in 北京 and in 长春; a report that names neither keeps its agency to itself."""
    code, unit = identity("朝阳区人民政府", "朝阳区人民政府2020年政府信息公开工作年度报告")
    assert (code, unit) == (None, None)
    assert identity("太平镇人民政府") == (None, None)  # a town name dozens of counties share


def test_national_agencies_are_their_whole_name() -> None:
    assert identity("国家税务总局") == (None, "国家税务总局")


@pytest.mark.parametrize(
    "files, unit",
    [
        (["r001.pdf", "r002.pdf"], "人民政府"),  # 洪泽区人民政府 (2023), 淮安市洪泽区人民政府 (2024)
        (["g008.txt", "g009.txt", "g011.txt"], None),  # 松木塘镇 twice, 石牛江镇 once: see below
    ],
)
def test_real_reports(files: list[str], unit: str | None) -> None:
    paths = [
        CORPUS / f if (CORPUS / f).exists() else CORPUS.parents[2] / "var" / "corpus-fetched" / f
        for f in files
    ]
    if not all(p.exists() for p in paths):
        pytest.skip("fetched PDFs are not committed (var/corpus-fetched)")
    records = [parse_file(p) for p in paths]
    identities = [(r.agency.region_code, r.agency.unit) for r in records]
    if unit is not None:
        assert set(identities) == {("320813", unit)}
    else:  # two towns of 桃江县: the two 松木塘镇 reports meet, 石牛江镇 stays apart
        assert identities[0] == identities[1] == ("430922", "松木塘镇人民政府")
        assert identities[2] == ("430922", "石牛江镇人民政府")


@pytest.mark.parametrize(
    "old, new, code",
    [
        # a district created in 2019 from a prefecture merged away (莱芜市 into 济南市, 莱城区 → 莱芜区)
        ("莱城区人民政府", "济南市莱芜区人民政府", "370116"),
        # county-level cities of the 2020s
        ("横县人民政府", "横州市人民政府", "450181"),
        ("沙湾县人民政府", "沙湾市人民政府", "654203"),
        # recoded twice (542623 → 540422 in 2015, → 540481 米林市 in 2023)
        ("米林县人民政府", "米林市人民政府", "540481"),
    ],
)
def test_a_report_before_a_division_change_meets_the_one_after(old: str, new: str, code: str) -> None:
    assert identity(old) == identity(new) == (code, "人民政府")
