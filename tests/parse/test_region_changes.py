"""The table of division-code changes (etl/region_changes.csv) and the chains through it.

The known cases were checked by hand against yescallop/areacodes (its
``diff/`` files and the approving documents they quote), not read off the
table: 莱芜 is 2018, not 2019, because 国函〔2018〕163号 is of 2018-12-26 and
the 2018 list (as of 31 December) already has 济南市莱芜区.
"""

from __future__ import annotations

import csv
import os
from collections import defaultdict
from pathlib import Path

import pytest

from etl.region_history import (
    CHANGES_CSV,
    FIRST_YEAR,
    KINDS,
    LAST_YEAR,
    Change,
    build,
    current_code,
    load_changes,
    to_csv,
)

REGION_CODES = Path(__file__).resolve().parents[2] / "dbt_project" / "seeds" / "region_codes.csv"
CHANGES = load_changes()


def current_codes() -> set[str]:
    with REGION_CODES.open(encoding="utf-8", newline="") as fh:
        return {row["code"] for row in csv.DictReader(fh)}


def rows(old_code: str) -> list[tuple[str, str, str | None, str | None, int, str]]:
    return [
        (c.old_code, c.old_name, c.new_code, c.new_name, c.year, c.kind)
        for c in CHANGES
        if c.old_code == old_code
    ]


def test_the_table_has_its_columns_and_every_row_is_well_formed() -> None:
    with CHANGES_CSV.open(encoding="utf-8", newline="") as fh:
        assert next(csv.reader(fh)) == [
            "old_code",
            "old_name",
            "new_code",
            "new_name",
            "year",
            "kind",
            "source",
        ]
    assert len(CHANGES) > 300
    for c in CHANGES:
        assert len(c.old_code) == 6 and c.old_code.isdigit(), c
        assert c.old_name, c
        assert c.kind in KINDS, c
        assert FIRST_YEAR <= c.year <= LAST_YEAR, c
        assert c.source.strip(), c
        if c.kind == "abolished":
            assert c.new_code is None and c.new_name is None, c
        else:
            assert c.new_code is not None and len(c.new_code) == 6 and c.new_code.isdigit(), c
            assert c.new_name, c
        if c.kind == "renamed":
            assert c.new_code == c.old_code and c.new_name != c.old_name, c
        if c.kind == "recoded":
            assert c.new_code != c.old_code, c
    assert len({(c.old_code, c.new_code, c.year) for c in CHANGES}) == len(CHANGES)


def test_rows_from_the_dataset_cite_its_commit_and_diff() -> None:
    for c in CHANGES:
        if c.year < LAST_YEAR:
            assert c.source.startswith("yescallop/areacodes@"), c
            assert f"diff/{c.year - 1}-{c.year}.diff" in c.source, c


def test_a_split_has_several_successors_and_nothing_else_does() -> None:
    groups: dict[tuple[str, int], list[Change]] = defaultdict(list)
    for c in CHANGES:
        groups[c.old_code, c.year].append(c)
    for (code, year), group in groups.items():
        kinds = {c.kind for c in group}
        if "split" in kinds:
            assert kinds == {"split"} and len(group) >= 2, (code, year, group)
        else:
            assert len(group) == 1, (code, year, group)


def test_every_new_code_is_current_or_changes_later() -> None:
    current = current_codes()
    for c in CHANGES:
        if c.new_code is None:
            continue
        later = [d for d in CHANGES if d.old_code == c.new_code and d.year > c.year]
        assert c.new_code in current or later, c


def _splits_downstream(code: str, since: int) -> bool:
    """Whether following ``code`` from ``since`` passes a split or an abolition."""
    step = [c for c in CHANGES if c.old_code == code and c.year >= since]
    if not step:
        return False
    first = min(c.year for c in step)
    step = [c for c in step if c.year == first]
    if any(c.kind in ("split", "abolished") for c in step):
        return True
    return any(_splits_downstream(c.new_code, first + 1) for c in step if c.new_code)


def test_every_chain_ends_at_a_current_code_or_at_a_split() -> None:
    current = current_codes()
    for c in CHANGES:
        end = current_code(c.old_code, c.year)
        if _splits_downstream(c.old_code, c.year):
            assert end is None or end in current, c  # None unless every branch meets again
        else:
            assert end in current, (c, end)
            assert end == current_code(c.new_code or "", c.year + 1), c
        assert current_code(c.old_code) == current_code(c.old_code, FIRST_YEAR)


def test_a_code_the_table_never_changes_is_its_own() -> None:
    assert current_code("110101") == "110101"  # 东城区: took in 崇文区 in 2010, never changed itself
    assert current_code("320813", 2024) == "320813"  # 洪泽区 today
    assert current_code("999999") == "999999"


def test_hongze_county_became_a_district_of_huaian_in_2016() -> None:
    assert rows("320829") == [("320829", "洪泽县", "320813", "洪泽区", 2016, "recoded")]
    assert "国函〔2016〕100号" in next(c.source for c in CHANGES if c.old_code == "320829")
    assert current_code("320829", 2015) == "320813"


def test_laiwu_went_into_jinan_with_the_2018_list() -> None:
    assert rows("371202") == [("371202", "莱城区", "370116", "莱芜区", 2018, "recoded")]
    assert rows("371203") == [("371203", "钢城区", "370117", "钢城区", 2018, "recoded")]
    assert rows("371200") == [("371200", "莱芜市", "370100", "济南市", 2018, "merged")]
    assert current_code("371202", 2017) == "370116"
    assert current_code("371200", 2015) == "370100"


def test_milin_changed_code_twice_on_its_way_to_a_county_level_city() -> None:
    # 林芝地区 became 地级林芝市 (国函〔2015〕51号), then 米林县 became 米林市 in 2023
    assert rows("542623") == [("542623", "米林县", "540422", "米林县", 2015, "recoded")]
    assert rows("540422") == [("540422", "米林县", "540481", "米林市", 2023, "recoded")]
    assert current_code("542623", 2014) == "540481"
    assert current_code("540422", 2020) == "540481"


def test_county_level_cities_of_the_2020s() -> None:
    assert rows("654223") == [("654223", "沙湾县", "654203", "沙湾市", 2021, "recoded")]
    assert rows("450127") == [("450127", "横县", "450181", "横州市", 2021, "recoded")]
    assert current_code("654223", 2019) == "654203"


def test_a_rename_keeps_the_code() -> None:
    assert rows("371324") == [("371324", "苍山县", "371324", "兰陵县", 2014, "renamed")]
    assert current_code("371324", 2013) == "371324"


def test_a_split_has_no_one_successor() -> None:
    assert sorted(r[2] or "" for r in rows("130721")) == ["130702", "130703", "130705"]  # 宣化县, 2016
    assert {r[5] for r in rows("130721")} == {"split"}
    assert current_code("130721", 2015) is None
    # 庐山区 became 濂溪区 under the same code, and gave 牯岭 to the new 庐山市
    assert sorted((r[2], r[3]) for r in rows("360402")) == [("360402", "濂溪区"), ("360483", "庐山市")]
    assert current_code("360402", 2015) is None
    assert current_code("360402", 2017) == "360402"  # the code as 濂溪区 has it since


def test_chongqing_2025_liangjiang() -> None:
    assert rows("500105") == [("500105", "江北区", "500157", "两江新区", 2025, "merged")]
    assert sorted(r[2] or "" for r in rows("500112")) == ["500109", "500157"]
    assert current_code("500105", 2020) == "500157"
    assert current_code("500112", 2020) is None


@pytest.mark.skipif(
    not os.environ.get("AREACODES_DIR"), reason="set AREACODES_DIR to a yescallop/areacodes clone"
)
def test_the_table_is_what_the_dataset_generates() -> None:
    fresh = to_csv(build(Path(os.environ["AREACODES_DIR"])))
    assert fresh == CHANGES_CSV.read_text(encoding="utf-8")
