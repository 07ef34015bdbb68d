"""docs/analyst-guide.md, run: every example query, as the read-only role, against the samples.

The SQL is read from the guide's fenced ``sql`` blocks (each opens with an id
comment, ``-- q01 ...``), so the guide and the test can never drift. Every
expected row below was read off the sample reports by hand (see the guide's
"Example questions" for which report says what; ``samples_warehouse.py`` for
the one derived re-issue):

* 安宁市人民政府 2020 (002): 2 new applications, both natural persons, both
  予以公开; 行政处罚 处理决定数量 3567.
* 平潭综合实验区 2021 (pingtan): 新收 64/0/0/2/0/4/70, 予以公开 30, 部分公开 5,
  不予公开 8 (内部事务 1, 执法案卷 6, 行政查询 1), 无法提供 25, 其他处理 三(六)3 1,
  总计 69, 结转 1; 行政复议 1/0/2/0/3; 行政处罚 1282.
* 淮安市人民政府 2024 (pdf): 新收 3001/53/0/0/61/4/3119, 上年结转 34, 予以公开 1362,
  总计 3050, 结转 103; 不予公开 2/31/5/6/8/12/9/105 = 178; 其他处理 71/6/110;
  行政复议 72/64/178/37/351; 行政处罚 3985758.
* 高台县 2016 (003, pre-2019): 行政复议 4 = 维持 2 + 纠错 1 + 其他 1; every
  application indicator blank.
* 阿合奇 2020 (000), 十街彝族乡 2020 (001), 阿尔山 2022 (004): every application
  and review cell 0.
* 平潭综合实验区 2011 (pingtan-2011, published 2012-04-11) and 2014 (pingtan-2014,
  printed as 平潭综合实验区管委会), the unnumbered 2008-2013 统计表: 受理依申请公开信息总数
  0 / 1, 对申请的答复(总)数 0 / 1, 同意公开答复数 0 / 1, 行政复议数 0 / 0.
"""

from __future__ import annotations

import csv
import re
from datetime import date
from decimal import Decimal
from pathlib import Path

import psycopg
import pytest
from psycopg import sql
from samples_warehouse import ANNING_FIRST_ISSUE, SamplesWarehouse, anning_first_publication

from etl.seeds import SEEDS_DIR

pytestmark = pytest.mark.slow

GUIDE = Path(__file__).resolve().parents[2] / "docs" / "analyst-guide.md"
D = Decimal

EXPECTED: dict[str, list[tuple]] = {
    "q01": [
        ("150000", "内蒙古自治区", 2022, 1, D(0), D(0), D(0), None),
        ("320000", "江苏省", 2024, 1, D(3119), D(1362), D(3050), D("0.4466")),
        # 平潭 2011 and 2014, the 2008-2013 table (unnumbered): 受理 0 / 1, 答复 0 / 1, 同意公开 0 / 1
        ("350000", "福建省", 2011, 1, D(0), D(0), D(0), None),
        ("350000", "福建省", 2014, 1, D(1), D(1), D(1), D(1)),
        ("350000", "福建省", 2021, 1, D(70), D(30), D(69), D("0.4348")),
        ("530000", "云南省", 2020, 2, D(2), D(2), D(2), D(1)),
        ("620000", "甘肃省", 2016, 1, None, None, None, None),
        ("650000", "新疆维吾尔自治区", 2020, 1, D(0), D(0), D(0), None),
    ],
    "q02": [
        (
            "安宁市人民政府",
            2020,
            date(2021, 1, 15),
            False,
            3,
            "applications_balance, applications_outcome_sum, applications_row_total",
        ),
    ],
    "q03": [
        ("淮安市人民政府", D(351), D(64), D(314), D("0.2038")),
        ("高台县", D(4), D(1), D(4), D("0.25")),
    ],
    "q04": [
        ("natural_person", "自然人", D(3067), 6),
        ("commercial", "法人或其他组织/商业企业", D(53), 6),
        ("research", "法人或其他组织/科研机构", D(0), 6),
        ("public_interest", "法人或其他组织/社会公益组织", D(2), 6),
        ("legal_services", "法人或其他组织/法律服务机构", D(61), 6),
        ("other_org", "法人或其他组织/其他", D(8), 6),
        ("total", "总计", D(3191), 6),
    ],
    "q05": [
        ("三(三)1", "属于国家秘密", D(2), D("0.0108")),
        ("三(三)2", "其他法律行政法规禁止公开", D(31), D("0.1667")),
        ("三(三)3", "危及“三安全一稳定”", D(5), D("0.0269")),
        ("三(三)4", "保护第三方合法权益", D(6), D("0.0323")),
        ("三(三)5", "属于三类内部事务信息", D(9), D("0.0484")),
        ("三(三)6", "属于四类过程性信息", D(12), D("0.0645")),
        ("三(三)7", "属于行政执法案卷", D(15), D("0.0806")),
        ("三(三)8", "属于行政查询事项", D(106), D("0.5699")),
    ],
    "q06": [
        ("淮安市人民政府", 2024, D(34), D(3119), D(3050), D(103), D(69)),
        ("平潭综合实验区", 2021, D(0), D(70), D(69), D(1), D(1)),
    ],
    "q07": [
        ("ogi_2008", 3, 2, D(1), D(4), D(1), D("0.25"), "legacy_stats"),
        ("ogi_2019", 6, 6, D(3191), D(354), D(64), D("0.2019"), "table"),
    ],
    "q08": [
        ("province", "530000", "云南省", 2, D(2), D(2), D(1)),
        ("prefecture", "530100", "昆明市", 1, D(2), D(2), D(1)),
        ("county", "530181", "安宁市", 1, D(2), D(2), D(1)),
        ("prefecture", "530400", "玉溪市", 1, D(0), D(0), None),
        ("county", "530425", "易门县", 1, D(0), D(0), None),
    ],
    "q09": [
        ("ambiguous_cells", "parser", 1, 1, 1),
        ("applications_balance", "report", 1, 1, 0),
        ("applications_outcome_sum", "report", 1, 1, 0),
        ("applications_row_total", "report", 1, 1, 0),
    ],
    "q10": [
        ("安宁市人民政府", 2020, date(2021, 2, 2), 1, 2, True, 0, D(2)),
        ("安宁市人民政府", 2020, date(2021, 1, 15), 2, 2, False, 3, D(3)),
    ],
    "q11": [
        ("淮安市人民政府", 2024, "2021", "本年处理决定数量", D(3985758), "3985758"),
        ("安宁市人民政府", 2020, "2019", "本年处理决定数量", D(3567), "3567"),
        ("平潭综合实验区", 2021, "2021", "本年处理决定数量", D(1282), "1282"),
    ],
    "q12": [
        ("一", "本年新收政府信息公开申请数量", D(2), "2"),
        ("三(一)", "予以公开", D(2), "2"),
        ("三(七)", "总计", D(2), "2"),
    ],
    "q13": [
        ("淮安市人民政府", 2024, "2021", "三(六)1=71 三(六)2=6 三(六)3=110", D(187)),
        ("平潭综合实验区", 2021, "2021", "三(六)1=0 三(六)2=0 三(六)3=1", D(1)),
    ],
    "q14": [
        ("三.(一) 收到申请数", None, "applications_received", "same"),
        ("三.(二) 申请办结数", None, "total_processed", "approximate"),
        ("三.(三).2 同意公开答复数", None, "granted", "same"),
        ("三.(三).3 同意部分公开答复数", None, "partially_granted", "same"),
        ("三.(三).4 不同意公开答复数", None, "denied", "approximate"),
        ("三.(三).5 不属于本行政机关公开数", None, "unable", "approximate"),
        ("三.(三).6 申请信息不存在数", None, "unable", "approximate"),
        ("四 行政复议数量", D(4), "review_total", "same"),
        ("四.(一) 维持具体行政行为数", D(2), "review_upheld", "same"),
        ("四.(二) 被依法纠错数", D(1), "review_corrected", "same"),
        ("四.(三) 其他情形数", D(1), "review_other", "same"),
        ("五 行政诉讼数量", None, "litigation_total", "same"),
        ("五.(一) 维持具体行政行为或者驳回原告诉讼请求数", None, "litigation_upheld", "same"),
        ("五.(二) 被依法纠错数", None, "litigation_corrected", "same"),
        ("五.(三) 其他情形数", None, "litigation_other", "same"),
    ],
    # 昆明市's fourteen county-level divisions (GB/T 2260) but 安宁市, the one the samples hold
    "q15": [
        (code, name + "人民政府", "no_report_loaded")
        for code, name in (
            ("530102", "五华区"),
            ("530103", "盘龙区"),
            ("530111", "官渡区"),
            ("530112", "西山区"),
            ("530113", "东川区"),
            ("530114", "呈贡区"),
            ("530115", "晋宁区"),
            ("530124", "富民县"),
            ("530125", "宜良县"),
            ("530126", "石林彝族自治县"),
            ("530127", "嵩明县"),
            ("530128", "禄劝彝族苗族自治县"),
            ("530129", "寻甸回族彝族自治县"),
        )
    ],
    # pingtan-2011.txt: 发布时间 2012-04-11; the 2008 regulation's deadline is 31 March
    "q16": [("平潭综合实验区", 2011, date(2012, 4, 11), "report", "2008", date(2012, 3, 31), 11)],
    # pingtan-2011 and 2021 print 平潭综合实验区, pingtan-2014 平潭综合实验区管委会
    "q17": [
        ("福建省福州市平潭县平潭综合实验区", "平潭综合实验区", "division and unit", 2011, 2021, 2),
        ("福建省福州市平潭县平潭综合实验区", "平潭综合实验区管委会", "agency_names: same_agency", 2014, 2014, 1),
    ],
}


def guide_queries() -> dict[str, str]:
    """Every fenced ``sql`` block of the guide, by the id its first line names."""
    text = GUIDE.read_text(encoding="utf-8")
    queries: dict[str, str] = {}
    for block in re.findall(r"^```sql\n(.*?)^```", text, flags=re.S | re.M):
        found = re.match(r"--\s*(q\d+)\b", block)
        assert found, f"a sql block without an id comment: {block[:60]!r}"
        assert found[1] not in queries, f"{found[1]} twice"
        queries[found[1]] = block
    return queries


def guide_table(marker: str) -> list[list[str]]:
    """The body rows of the markdown table between ``<!-- marker:start -->`` and ``<!-- marker:end -->``."""
    text = GUIDE.read_text(encoding="utf-8")
    found = re.search(rf"<!-- {marker}:start -->\n(.*?)<!-- {marker}:end -->", text, flags=re.S)
    assert found, marker
    lines = [line for line in found[1].splitlines() if line.startswith("|")]
    return [[cell.strip() for cell in line.strip("|").split("|")] for line in lines[2:]]


def test_the_derived_sample_is_two_edits_of_the_real_one() -> None:
    assert ANNING_FIRST_ISSUE.read_text(encoding="utf-8") == anning_first_publication()


def test_every_query_is_checked() -> None:
    queries = guide_queries()
    assert len(queries) >= 10
    assert set(queries) == set(EXPECTED)


@pytest.mark.parametrize("qid", sorted(EXPECTED))
def test_guide_query_gives_the_checked_result(samples_warehouse: SamplesWarehouse, qid: str) -> None:
    """The query runs as nianbao_reader (what an analyst connects as) and returns the rows read by hand."""
    assert samples_warehouse.load.status == "completed"
    with psycopg.connect(samples_warehouse.url) as conn:
        conn.execute(sql.SQL("set role {}").format(sql.Identifier("nianbao_reader")))
        rows = conn.execute(guide_queries()[qid]).fetchall()
        conn.rollback()
    assert rows == EXPECTED[qid]


def test_legacy_indicator_map_in_the_guide_is_the_seed() -> None:
    """The guide's pre-2019 mapping table says what the seed dbt uses says."""
    with (SEEDS_DIR / "legacy_indicator_map.csv").open(encoding="utf-8", newline="") as fh:
        seed = {(r["indicator_number"], r["metric"], r["comparability"]) for r in csv.DictReader(fh)}
    documented = {(row[0], row[2], row[3]) for row in guide_table("legacy-indicator-map")}
    assert documented == seed


def test_every_dashboard_column_has_a_definition(samples_warehouse: SamplesWarehouse) -> None:
    """Each column of rpt_agency_year and rpt_region_year is named in the guide's metric tables."""
    for table, marker in (("rpt_agency_year", "metrics"), ("rpt_region_year", "region-metrics")):
        named = {name for row in guide_table(marker) for name in re.findall(r"`([a-z0-9_]+)`", row[0])}
        if marker == "region-metrics":
            # "applications_received ... carried_forward": the run of columns rpt_agency_year defines
            named |= {
                name for row in guide_table("metrics") for name in re.findall(r"`([a-z0-9_]+)`", row[0])
            }
        with psycopg.connect(samples_warehouse.url) as conn:
            columns = {
                r[0]
                for r in conn.execute(
                    "select column_name from information_schema.columns"
                    " where table_schema = 'marts' and table_name = %s",
                    (table,),
                )
            }
        assert columns - named == set(), table
