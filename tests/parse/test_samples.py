"""Every cell of the real sample reports, as the reports print them.

Expected values were read off the sample texts by hand (etl/samples/), not
produced by the parser.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from etl.labels import APPLICANTS, PROCEEDINGS, RESULTS, codes
from etl.parse import parse_text
from etl.record import Report, Source

SAMPLES = Path(__file__).resolve().parents[2] / "etl" / "samples"


def parse(name: str) -> Report:
    path = SAMPLES / name
    return parse_text(path.read_text(encoding="utf-8"), source=Source(str(path), "test"))


def apps(report: Report) -> dict[tuple[str, str], object]:
    return {(c.row, c.applicant): c.value for c in report.applications}


def disclosure(report: Report) -> dict[tuple[str, str], object]:
    return {(c.item, c.measure): c.value for c in report.active_disclosure}


def review(report: Report) -> list[object]:
    assert [(c.proceeding, c.result) for c in report.review_litigation] == [
        (p, r) for p in PROCEEDINGS for r in RESULTS
    ]
    return [c.value for c in report.review_litigation]


def all_zero_applications(template: str) -> dict[tuple[str, str], object]:
    return {(row, a): 0 for row in codes("row", template) for a in APPLICANTS}


def test_aheqi_2020_one_cell_per_line_with_blank_lines() -> None:
    r = parse("000_a14c2c8461655229.txt")
    assert (r.status, r.template, r.report_year) == ("parsed", "2019", 2020)
    assert r.agency.name == "阿合奇县人民政府办公室"
    assert (r.agency.region_code, r.agency.level, r.agency.kind) == ("653023", "county", "government_office")
    assert r.published_date == "2021-01-30"
    assert disclosure(r) == {
        ("regulations", "new_made"): 0,
        ("regulations", "new_published"): 0,
        ("regulations", "total_published"): 0,
        ("normative_documents", "new_made"): 1,
        ("normative_documents", "new_published"): 0,
        ("normative_documents", "total_published"): 18,
        ("licensing", "prior_year_items"): 0,
        ("licensing", "change"): 0,
        ("licensing", "decisions"): 0,
        ("other_services", "prior_year_items"): 0,
        ("other_services", "change"): 0,
        ("other_services", "decisions"): 0,
        ("penalty", "prior_year_items"): 0,
        ("penalty", "change"): 0,
        ("penalty", "decisions"): 0,
        ("coercion", "prior_year_items"): 0,
        ("coercion", "change"): 0,
        ("coercion", "decisions"): 0,
        ("fees", "prior_year_items"): 0,
        ("fees", "change"): 0,
        ("procurement", "items"): 180,
        ("procurement", "amount_10k_yuan"): Decimal("92.8050"),
    }
    raw_amount = next(c.raw for c in r.active_disclosure if c.measure == "amount_10k_yuan")
    assert raw_amount == "92.8050万元"
    assert apps(r) == all_zero_applications("2019")
    assert "other" in {c.row for c in r.applications}
    assert review(r) == [0] * 15
    assert r.findings == [] and r.errors == []


def test_shijie_township_without_title() -> None:
    r = parse("001_b46b09af154a8c88.txt")
    assert (r.status, r.template, r.report_year) == ("parsed", "2019", 2020)
    assert r.agency.name == "十街彝族乡"
    # a township's code is the county above it: 易门县
    assert (r.agency.region_code, r.agency.level, r.agency.kind) == ("530425", "township", "township")
    d = disclosure(r)
    assert [d[("regulations", m)] for m in ("new_made", "new_published", "total_published")] == [9, 9, 9]
    assert [d[("other_services", m)] for m in ("prior_year_items", "change", "decisions")] == [179, 179, 179]
    assert sum(v for v in d.values() if v is not None) == 27 + 537
    assert len(d) == 22
    assert apps(r) == all_zero_applications("2019")
    assert review(r) == [0] * 15


def test_anning_2020_pipe_rows_with_signed_changes_and_money() -> None:
    r = parse("002_0494dfef68de25df.txt")
    assert (r.status, r.template, r.report_year) == ("parsed", "2019", 2020)
    assert (r.agency.name, r.agency.region_code, r.agency.level) == ("安宁市人民政府", "530181", "county")
    assert r.published_date == "2021-02-02"
    d = disclosure(r)
    assert d[("licensing", "prior_year_items")] == 174 and d[("licensing", "change")] == 3
    assert d[("licensing", "decisions")] == 3826
    assert (d[("other_services", "change")], d[("other_services", "decisions")]) == (-4, 1013)
    assert (d[("penalty", "prior_year_items")], d[("penalty", "change")], d[("penalty", "decisions")]) == (
        4798,
        -183,
        3567,
    )
    assert (d[("coercion", "prior_year_items")], d[("coercion", "change")], d[("coercion", "decisions")]) == (
        215,
        5,
        84,
    )
    assert (d[("fees", "prior_year_items")], d[("fees", "change")]) == (3, 0)
    assert d[("procurement", "items")] == 144
    assert d[("procurement", "amount_10k_yuan")] == Decimal("1732.633648")
    assert [d[("normative_documents", m)] for m in ("new_made", "new_published", "total_published")] == [
        7,
        7,
        7,
    ]
    change_raw = {c.item: c.raw for c in r.active_disclosure if c.measure == "change"}
    assert change_raw["penalty"] == "减183" and change_raw["licensing"] == "增3"
    expected = all_zero_applications("2019")
    for row in ("new_received", "granted", "total_processed"):
        expected[(row, "natural_person")] = 2
        expected[(row, "total")] = 2
    assert apps(r) == expected
    assert review(r) == [0] * 15
    assert r.findings == []


def test_gaotai_2016_legacy_statistics_table() -> None:
    r = parse("003_725222af666056f0.txt")
    assert (r.status, r.template, r.report_year) == ("parsed", "pre2019", 2016)
    assert (r.agency.name, r.agency.region_code) == ("高台县", "620724")
    assert r.published_date == "2017-03-07"
    assert r.applications == [] and r.review_litigation == [] and r.active_disclosure == []
    stats = {s.indicator: s for s in r.legacy_stats}
    assert stats["一 主动公开情况"].value == 67467
    assert stats["一.(一) 主动公开政府信息数"].value == 15689
    assert stats["一.(一).其中 主动公开规范性文件数"].value == 7584
    assert stats["一.(一).其中 制发规范性文件总数"].value == 8105
    assert stats["一.(二) 通过不同渠道和方式公开政府信息的情况"].value == 51778
    assert stats["一.(二).1 政府公报公开政府信息数"].value is None  # printed blank, not 0
    assert stats["一.(二).2 政府网站公开政府信息数"].value == 32785
    assert stats["一.(二).4 政务微信公开政府信息数"].value == 14758
    assert stats["一.(二).5 其他方式公开政府信息数"].value == 4235
    assert stats["三.(一).3 网络申请数"].value is None
    assert stats["四 行政复议数量"].value == 4
    assert stats["四.(一) 维持具体行政行为数"].value == 2
    assert stats["四.(二) 被依法纠错数"].value == 1
    assert stats["四.(三) 其他情形数"].value == 1
    assert stats["七 依申请公开信息收取的费用"].unit == "万元"
    assert stats["九.(三) 接受培训人员数"].unit == "人次"
    assert [
        stats[f"八.({n}) {name}"].value
        for n, name in (
            ("一", "政府信息公开工作专门机构数"),
            ("二", "设置政府信息公开查阅点数"),
            ("三", "从事政府信息公开工作人员数"),
        )
    ] == [2, 7, 7]
    filled = {k: s.value for k, s in stats.items() if s.value is not None}
    assert len(filled) == 16
    assert len(r.legacy_stats) == 65


def test_aershan_2022_cell_per_line_with_bars_and_cut_headers() -> None:
    r = parse("004_2f396f1e852b3100.txt")
    assert (r.status, r.template, r.report_year) == ("parsed", "2021", 2022)
    assert (r.agency.name, r.agency.region_code, r.agency.kind) == (
        "阿尔山市政务服务局",
        "152202",
        "department",
    )
    assert disclosure(r) == {
        ("regulations", "issued"): 0,
        ("regulations", "repealed"): 0,
        ("regulations", "in_force"): 0,
        ("normative_documents", "issued"): 0,
        ("normative_documents", "repealed"): 0,
        ("normative_documents", "in_force"): 0,
        ("licensing", "decisions"): 0,
        ("penalty", "decisions"): 0,
        ("coercion", "decisions"): 0,
        ("fees", "amount_10k_yuan"): 0,
    }
    assert apps(r) == all_zero_applications("2021")
    assert "other" not in {c.row for c in r.applications}
    assert review(r) == [0] * 15


def test_pingtan_2021_glued_cells_split_by_identities() -> None:
    r = parse("pingtan-2021-glued.txt")
    assert (r.status, r.template, r.report_year) == ("parsed", "2021", 2021)
    assert r.agency.name == "平潭综合实验区" and r.agency.region_code == "350128"
    assert r.published_date == "2022-02-08"
    a = apps(r)
    row = lambda code: [a[(code, x)] for x in APPLICANTS]  # noqa: E731
    assert row("new_received") == [64, 0, 0, 2, 0, 4, 70]
    assert row("carried_over") == [0] * 7
    assert row("granted") == [27, 0, 0, 2, 0, 1, 30]
    assert row("partially_granted") == [5, 0, 0, 0, 0, 0, 5]
    assert row("denied_internal_affairs") == [1, 0, 0, 0, 0, 0, 1]
    assert row("denied_enforcement_file") == [6, 0, 0, 0, 0, 0, 6]
    assert row("denied_admin_query") == [1, 0, 0, 0, 0, 0, 1]
    # "220000325" splits two ways with a true row total; the column balances pick one
    assert row("unable_not_held") == [22, 0, 0, 0, 0, 3, 25]
    assert row("other_other") == [1, 0, 0, 0, 0, 0, 1]
    assert row("total_processed") == [63, 0, 0, 2, 0, 4, 69]
    assert row("carried_forward") == [1, 0, 0, 0, 0, 0, 1]
    zero_rows = set(codes("row", "2021")) - {
        "new_received",
        "granted",
        "partially_granted",
        "denied_internal_affairs",
        "denied_enforcement_file",
        "denied_admin_query",
        "unable_not_held",
        "other_other",
        "total_processed",
        "carried_forward",
    }
    assert all(row(c) == [0] * 7 for c in zero_rows)
    assert review(r) == [1, 0, 2, 0, 3, 12, 0, 0, 0, 12, 0, 0, 0, 0, 0]
    d = disclosure(r)
    assert (d[("licensing", "decisions")], d[("penalty", "decisions")], d[("coercion", "decisions")]) == (
        2293,
        1282,
        42,
    )
    assert d[("fees", "amount_10k_yuan")] == Decimal("24252.311082")
    assert [d[("regulations", m)] for m in ("issued", "repealed", "in_force")] == [0, 0, 0]
    # "693665" is three cells with no identity to choose a split: left null, said so
    assert [d[("normative_documents", m)] for m in ("issued", "repealed", "in_force")] == [None, None, None]
    assert [f.rule for f in r.findings] == ["ambiguous_cells"]
    assert "normative_documents" in r.findings[0].where


@pytest.mark.parametrize("name", sorted(p.name for p in SAMPLES.glob("*.txt")))
def test_record_is_json_the_spec_way(name: str) -> None:
    r = parse(name)
    back = Report.from_json(r.to_json())
    assert back == r
    keys = list(r.to_dict())
    assert keys == [
        "source",
        "status",
        "errors",
        "agency",
        "report_year",
        "template",
        "published_date",
        "active_disclosure",
        "applications",
        "review_litigation",
        "legacy_stats",
        "findings",
    ]
