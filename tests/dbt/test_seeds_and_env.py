"""The dbt seeds never drift from etl/labels.csv; a URL maps to dbt's variables."""

from __future__ import annotations

import csv
import io

from etl import seeds
from etl.labels import all_labels
from etl.transform import DBT_PROJECT_DIR, dbt_env


def test_committed_seeds_equal_a_fresh_generation() -> None:
    generated = seeds.generate()
    on_disk = {p.name for p in seeds.SEEDS_DIR.glob("*.csv")} - set(seeds.HAND_MAINTAINED)
    assert on_disk == set(generated), "run `python -m etl.seeds`"
    for name, content in generated.items():
        committed = (seeds.SEEDS_DIR / name).read_text(encoding="utf-8")
        assert committed == content, f"{name} is stale: run `python -m etl.seeds`"


def test_seeds_carry_every_label_table_code() -> None:
    labels = all_labels()
    generated = seeds.generate()

    def codes(name: str, column: str) -> set[str]:
        return {r[column] for r in csv.DictReader(io.StringIO(generated[name]))}

    assert codes("applicant_types.csv", "applicant_code") == {r.code for r in labels if r.axis == "applicant"}
    assert codes("application_outcomes.csv", "outcome_code") == {r.code for r in labels if r.axis == "row"}
    assert len(codes("review_results.csv", "review_result_code")) == 15
    outcomes = {
        r["outcome_code"]: r for r in csv.DictReader(io.StringIO(generated["application_outcomes.csv"]))
    }
    assert outcomes["other_unpaid_fee"]["conformed_code"] == "other"
    assert outcomes["carried_forward"]["is_outcome"] == "false"


def test_group_labels_come_from_the_label_table() -> None:
    """Every group code an axis uses has its heading in the table's group axis; the seeds carry it."""
    labels = all_labels()
    for axis, group_axis in seeds.GROUP_AXES.items():
        used = {r.group_code for r in labels if r.axis == axis}
        headed = {r.code for r in labels if r.axis == group_axis}
        assert used <= headed, (axis, used - headed)
    for r in labels:
        assert r.pattern.pattern, (r.axis, r.code)  # every row, group axes too, is a valid parser row
    generated = seeds.generate()
    outcomes = {
        r["outcome_code"]: r for r in csv.DictReader(io.StringIO(generated["application_outcomes.csv"]))
    }
    assert (outcomes["denied_third_party"]["group_zh"], outcomes["denied_third_party"]["group_en"]) == (
        "不予公开",
        "Denied",
    )
    applicants = {
        r["applicant_code"]: r for r in csv.DictReader(io.StringIO(generated["applicant_types.csv"]))
    }
    assert applicants["research"]["group_zh"] == "法人或其他组织"
    items = list(csv.DictReader(io.StringIO(generated["disclosure_items.csv"])))
    fees_2021 = next(r for r in items if r["template"] == "2021" and r["item_code"] == "fees")
    assert (fees_2021["measure_zh"], fees_2021["unit"]) == ("本年收费金额", "amount_10k_yuan")
    procurement = next(r for r in items if r["measure_code"] == "amount_10k_yuan" and r["template"] == "2019")
    assert procurement["measure_zh"] == "采购总金额"


def test_region_codes_hierarchy() -> None:
    regions = {r["code"]: r for r in csv.DictReader(io.StringIO(seeds.region_codes()))}
    assert regions["653023"] == {
        "code": "653023",
        "name": "阿合奇县",
        "level": "county",
        "parent_code": "653000",
    }
    assert regions["653000"]["parent_code"] == "650000"
    assert regions["650000"]["level"] == "province"
    # 仙桃市: a county-level city the province governs directly (no 省直辖县级行政区划 placeholder)
    assert regions["429004"]["parent_code"] == "420000"
    assert regions["330383"]["name"] == "龙港市"  # created in 2019: the table is a current vintage


def test_dbt_env_from_url() -> None:
    env = dbt_env("postgresql://analyst:s%40cret@db.example:6543/warehouse")
    assert env == {
        "NIANBAO_DB_HOST": "db.example",
        "NIANBAO_DB_PORT": "6543",
        "NIANBAO_DB_USER": "analyst",
        "NIANBAO_DB_PASSWORD": "s@cret",
        "NIANBAO_DB_NAME": "warehouse",
    }
    assert dbt_env("postgresql+psycopg://postgres@127.0.0.1/nianbao")["NIANBAO_DB_PORT"] == "5432"
    assert (DBT_PROJECT_DIR / "dbt_project.yml").exists()
    assert (DBT_PROJECT_DIR / "profiles.yml").exists()
