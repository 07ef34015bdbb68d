"""A real ``dbt build`` over hand-made raw rows: what the marts promise, checked.

See ``conftest.py`` for the rows: 安宁市人民政府 2020 (parsed twice, and
re-published), its 2019 report, a 2021-template report, a report naming no
agency, one in a county cpca does not know, and two from runs that did not
complete.
"""

from __future__ import annotations

import json
import re
import uuid
from decimal import Decimal

import psycopg
import pytest
from dbt_warehouse import BuiltWarehouse, sha
from psycopg import sql

from etl.transform import mart_row_counts, run_dbt

pytestmark = pytest.mark.slow

MARTS = {
    "dim_agency",
    "dim_agency_name",
    "dim_applicant_type",
    "dim_application_outcome",
    "dim_disclosure_item",
    "dim_region",
    "dim_region_change",
    "dim_review_result",
    "dim_year",
    "fct_application_outcomes",
    "fct_disclosure_counts",
    "fct_legacy_stats",
    "fct_reconciliation_findings",
    "fct_reports",
    "fct_review_litigation",
    "rpt_agency_year",
    "rpt_outcomes_year",
    "rpt_publication_coverage",
    "rpt_region_year",
}


def one(conn: psycopg.Connection, query: str, *params: object) -> tuple:
    row = conn.execute(query, params).fetchone()
    assert row is not None, query
    return row


def test_build_succeeds_and_reconciliation_tests_only_warn(built_warehouse: BuiltWarehouse) -> None:
    result = built_warehouse.result
    assert result.error is None
    assert result.success, [(n.name, n.message) for n in result.failed]
    assert result.failed == []
    built = {n.name for n in result.nodes if n.resource_type == "model" and n.status == "success"}
    assert MARTS <= built
    warned = {n.name for n in result.warnings}
    # the 2021 report's review total (5) is not 1+0+0+0; 安宁's 2019 carried_forward (1)
    # is not its 2020 carried_over (0); a report used an applicant code nobody knows
    assert "assert_review_litigation_total" in warned
    assert "assert_carried_forward_matches_next_year" in warned
    assert any("is_recognised" in name and "applicant" in name for name in warned)
    assert "assert_applications_balance" not in warned
    assert result.rows_affected()["fct_reports"] == 7


def test_schemas_are_exactly_staging_intermediate_marts(marts: psycopg.Connection) -> None:
    schemas = {r[0] for r in marts.execute("select table_schema from information_schema.tables")}
    assert {"staging", "intermediate", "marts", "seeds"} <= schemas
    assert not {s for s in schemas if s.endswith(("_marts", "_staging"))}
    views = {
        r[0]
        for r in marts.execute(
            "select table_name from information_schema.views where table_schema = 'staging'"
        )
    }
    assert "stg_raw__reports" in views


def test_cell_value_and_blank_stays_null(marts: psycopg.Connection, built_warehouse: BuiltWarehouse) -> None:
    report_id = built_warehouse.ids["anning"]
    granted = one(
        marts,
        "select value, raw, document_sha256 from marts.fct_application_outcomes"
        " where report_id = %s and applicant_code = 'natural_person' and outcome_code = 'granted'",
        report_id,
    )
    assert granted == (Decimal(2), "2", sha("anning-a"))
    blank = one(
        marts,
        "select value, raw from marts.fct_application_outcomes"
        " where report_id = %s and applicant_code = 'commercial' and outcome_code = 'new_received'",
        report_id,
    )
    assert blank == (None, "")
    money = one(
        marts,
        "select value from marts.fct_disclosure_counts where report_id = %s and disclosure_item_key = %s",
        report_id,
        "procurement.amount_10k_yuan",
    )
    assert money == (Decimal("1732.633648"),)


def test_incomplete_runs_never_reach_the_marts(
    marts: psycopg.Connection, built_warehouse: BuiltWarehouse
) -> None:
    hidden = [built_warehouse.ids["aborted"], built_warehouse.ids["running"]]
    for table in (
        "fct_reports",
        "fct_application_outcomes",
        "fct_review_litigation",
        "fct_disclosure_counts",
    ):
        count = one(marts, f"select count(*) from marts.{table} where report_id = any(%s)", hidden)
        assert count == (0,), table
    agencies = {r[0] for r in marts.execute("select agency_name from marts.dim_agency")}
    assert "高台县人民政府" not in agencies
    assert "运行中机关" not in agencies
    assert one(
        marts, "select count(*) from marts.dim_year where report_year = 2016 and report_count > 0"
    ) == (0,)


def test_newest_parser_wins_per_document(marts: psycopg.Connection, built_warehouse: BuiltWarehouse) -> None:
    ids = built_warehouse.ids
    rows = marts.execute(
        "select report_id, parser_version, parse_count from marts.fct_reports where document_sha256 = %s",
        (sha("anning-a"),),
    ).fetchall()
    # 0.10.0 beats 0.9.0: versions compare by their numbers, not as text
    assert rows == [(ids["anning"], "0.10.0", 2)]
    old = one(
        marts,
        "select count(*) from marts.fct_application_outcomes where report_id = %s",
        ids["anning_old_parse"],
    )
    assert old == (0,)


def test_latest_version_per_agency_year(marts: psycopg.Connection, built_warehouse: BuiltWarehouse) -> None:
    ids = built_warehouse.ids
    rows = {
        r[0]: r[1:]
        for r in marts.execute(
            "select report_id, is_latest, version_rank, version_count from marts.fct_reports"
            " where agency_name = '安宁市人民政府' and report_year = 2020"
        )
    }
    # published 2021-01-20 beats the re-publication dated 2020-12-31, though that was loaded later
    assert rows == {ids["anning"]: (True, 1, 2), ids["anning_republished"]: (False, 2, 2)}
    flags = marts.execute(
        "select distinct is_latest from marts.fct_application_outcomes where report_id = %s",
        (ids["anning_republished"],),
    ).fetchall()
    assert flags == [(False,)]
    assert one(
        marts,
        "select report_id from marts.rpt_agency_year where agency_name = '安宁市人民政府' and report_year = 2020",
    ) == (ids["anning"],)


def test_unknown_agency_maps_to_unknown_member(
    marts: psycopg.Connection, built_warehouse: BuiltWarehouse
) -> None:
    report_id = built_warehouse.ids["nameless"]
    assert one(
        marts, "select agency_key, is_latest from marts.fct_reports where report_id = %s", report_id
    ) == (
        "unknown",
        True,
    )
    member = one(
        marts,
        "select agency_name, region_code, is_unknown, report_count from marts.dim_agency where agency_key = 'unknown'",
    )
    assert member == ("未知机关", "unknown", True, 1)
    assert one(marts, "select count(*) from marts.rpt_agency_year where agency_key = 'unknown'") == (0,)
    # the unrecognised applicant code still has its dimension row, so the fact keeps its cell
    assert one(
        marts, "select is_recognised from marts.dim_applicant_type where applicant_code = 'mystery_applicant'"
    ) == (False,)


def test_agency_region_hierarchy(marts: psycopg.Connection) -> None:
    anning = one(
        marts,
        "select agency_kind, agency_level, region_code, province_name, prefecture_name, county_name, report_count"
        " from marts.dim_agency where agency_name = '安宁市人民政府'",
    )
    assert anning == ("government", "county", "530181", "云南省", "昆明市", "安宁市", 2)
    new_county = one(
        marts,
        "select r.is_recognised, r.region_level, r.province_name, r.county_code"
        " from marts.dim_agency a join marts.dim_region r using (region_code) where a.agency_name = '新设县人民政府'",
    )
    assert new_county == (False, "county", "新疆维吾尔自治区", "659999")
    beijing = one(
        marts, "select prefecture_name, full_name from marts.dim_region where region_code = '110101'"
    )
    assert beijing == ("北京市", "北京市 东城区")


def test_code_dimensions(marts: psycopg.Connection) -> None:
    outcomes = {
        r[0]: r[1:]
        for r in marts.execute(
            "select outcome_code, conformed_code, group_code, is_outcome from marts.dim_application_outcome"
        )
    }
    assert outcomes["other"] == ("other", "other", True)
    assert outcomes["other_no_correction"] == ("other", "other", True)
    assert outcomes["denied_state_secret"] == ("denied_state_secret", "denied", True)
    assert outcomes["total_processed"] == ("total_processed", "total", False)
    assert one(marts, "select count(*) from marts.dim_review_result where is_recognised") == (15,)
    # the 2021 template's heading (本年处理决定数量), with the 2019 label beside it
    assert one(
        marts,
        "select templates, measure_zh, measure_zh_2019 from marts.dim_disclosure_item"
        " where disclosure_item_key = 'licensing.decisions'",
    ) == ("2019 2021", "本年处理决定数量", "处理决定数量")
    year = one(marts, "select template, regulation_regime from marts.dim_year where report_year = 2020")
    assert year == ("2019", "ogi_2019")
    assert one(marts, "select template from marts.dim_year where report_year = -1") == ("unknown",)


def test_rpt_agency_year_and_region_rollup(marts: psycopg.Connection) -> None:
    anning = one(
        marts,
        "select applications_received, granted, total_processed, grant_rate, penalty_decisions,"
        " review_total, review_corrected, review_correction_rate, finding_count"
        " from marts.rpt_agency_year where agency_name = '安宁市人民政府' and report_year = 2020",
    )
    assert anning == (2, 2, 2, Decimal("1.0000"), 3567, 2, 1, Decimal("0.5000"), 1)
    aershan = one(
        marts,
        "select otherwise_handled, total_processed, licensing_decisions"
        " from marts.rpt_agency_year where agency_name = '阿尔山市政务服务局'",
    )
    # 2021's three 其他处理 rows sum into the 2019 template's one
    assert aershan == (3, 3, 10)
    yunnan = marts.execute(
        "select region_code, region_level, agency_count, applications_received from marts.rpt_region_year"
        " where report_year = 2020 order by region_code"
    ).fetchall()
    assert yunnan == [
        ("000000", "national", 1, 2),  # the national row: every agency of the year
        ("530000", "province", 1, 2),
        ("530100", "prefecture", 1, 2),
        ("530181", "county", 1, 2),
    ]


def test_pre2019_indicators_conform(marts: psycopg.Connection, built_warehouse: BuiltWarehouse) -> None:
    row = one(
        marts,
        "select applications_received, granted, unable, review_total, review_corrected,"
        " review_correction_rate, litigation_total, metrics_source, has_approximate_metrics"
        " from marts.rpt_agency_year where report_id = %s",
        built_warehouse.ids["sunan_2017"],
    )
    # 同意公开 -> granted; 不属于本机关 + 信息不存在 -> unable (approximate); 四.(二) 被依法纠错 -> corrected
    assert row == (9, 5, 3, 4, 1, Decimal("0.2500"), None, "legacy_stats", True)
    mapped = {
        r[0]: r[1:]
        for r in marts.execute(
            "select indicator_number, conformed_metric, comparability, value from marts.fct_legacy_stats"
            " where report_id = %s",
            (built_warehouse.ids["sunan_2017"],),
        )
    }
    assert mapped["四.(二)"] == ("review_corrected", "same", 1)
    assert mapped["三.(三).6"] == ("unable", "approximate", 2)
    assert mapped["八.(一)"] == (None, "not_comparable", 2)
    assert one(
        marts, "select metrics_source from marts.rpt_agency_year where agency_name = '安宁市人民政府'"
    ) == ("table",)


def test_findings(marts: psycopg.Connection, built_warehouse: BuiltWarehouse) -> None:
    row = one(
        marts,
        "select rule_code, finding_kind, is_reconciliation_rule, expected, actual, difference, is_latest"
        " from marts.fct_reconciliation_findings where report_id = %s",
        built_warehouse.ids["anning"],
    )
    assert row == ("applications_row_total", "report", True, 2, 3, 1, True)


def test_contracts_and_descriptions_reach_postgres(marts: psycopg.Connection) -> None:
    comment = one(
        marts,
        "select col_description('marts.fct_application_outcomes'::regclass, ordinal_position::int)"
        " from information_schema.columns"
        " where table_schema = 'marts' and table_name = 'fct_application_outcomes' and column_name = 'value'",
    )[0]
    assert "NULL" in comment and "绝不记为 0" in comment
    table_comment = one(marts, "select obj_description('marts.dim_agency'::regclass, 'pg_class')")[0]
    assert "机关" in table_comment and "agencies" in table_comment
    constraints = {
        (table, kind)
        for table, kind in marts.execute(
            "select conrelid::regclass::text, contype::text from pg_constraint"
            " where connamespace = 'marts'::regnamespace"
        )
    }
    for table in MARTS:
        assert (f"marts.{table}", "p") in constraints, table
    assert ("marts.fct_application_outcomes", "f") in constraints
    value_type = one(
        marts,
        "select data_type from information_schema.columns"
        " where table_schema = 'marts' and table_name = 'fct_application_outcomes' and column_name = 'value'",
    )
    assert value_type == ("numeric",)


@pytest.fixture(scope="module")
def docs_artifacts(built_warehouse: BuiltWarehouse) -> tuple[dict, dict]:
    """`dbt docs generate` on the built warehouse: its manifest and catalog (what the docs site shows)."""
    work_dir = built_warehouse.work_dir / "docs"
    docs = run_dbt(["docs", "generate"], built_warehouse.url, work_dir=work_dir)
    assert docs.success, docs.error
    manifest = json.loads((work_dir / "target" / "manifest.json").read_text(encoding="utf-8"))
    catalog = json.loads((work_dir / "target" / "catalog.json").read_text(encoding="utf-8"))
    return manifest, catalog


_CHINESE = re.compile(r"[\u4e00-\u9fff]")
_ENGLISH = re.compile(r"[A-Za-z]{3,}")


def _bilingual(text: str | None) -> bool:
    return bool(text and _CHINESE.search(text) and _ENGLISH.search(text))


def test_every_model_and_column_is_described_in_chinese_and_english(
    docs_artifacts: tuple[dict, dict],
) -> None:
    """Each model, seed and source, and each column the database really has, carries a description
    with Chinese and English in it (what `dbt docs` and, for marts and seeds, PostgreSQL comments show)."""
    manifest, catalog = docs_artifacts
    gaps = []
    nodes = {**manifest["nodes"], **manifest["sources"]}
    for unique_id, node in nodes.items():
        if node["resource_type"] not in ("model", "seed", "source"):
            continue
        if not _bilingual(node.get("description")):
            gaps.append(unique_id)
        described = {name: c.get("description") for name, c in node["columns"].items()}
        in_database = (catalog["nodes"].get(unique_id) or catalog["sources"].get(unique_id) or {}).get(
            "columns", {}
        )
        assert in_database, f"{unique_id} is not in the catalog"
        gaps += [f"{unique_id}.{name}" for name in in_database if not _bilingual(described.get(name))]
    assert gaps == []


def test_mart_keys_and_foreign_keys_are_tested(docs_artifacts: tuple[dict, dict]) -> None:
    """Every mart's primary key has a uniqueness test and is not null; every foreign key a relationships test."""
    manifest, _ = docs_artifacts
    tests: dict[str, list[dict]] = {}
    for node in manifest["nodes"].values():
        if node["resource_type"] == "test":
            for parent in node["depends_on"]["nodes"]:
                tests.setdefault(parent, []).append(node)
    marts = [n for n in manifest["nodes"].values() if n["resource_type"] == "model" and n["name"] in MARTS]
    assert {n["name"] for n in marts} == MARTS
    for model in marts:
        own = tests.get(model["unique_id"], [])
        kinds = {((t.get("test_metadata") or {}).get("name"), t.get("column_name")) for t in own}
        keys = [c["columns"] for c in model["constraints"] if c["type"] == "primary_key"]
        keys += [
            [name]
            for name, c in model["columns"].items()
            if any(x["type"] == "primary_key" for x in c["constraints"])
        ]
        assert len(keys) == 1, model["name"]
        key = keys[0]
        if len(key) == 1:
            assert ("unique", key[0]) in kinds and ("not_null", key[0]) in kinds, model["name"]
        else:
            combos = [
                t["test_metadata"]["kwargs"].get("columns")
                for t in own
                if (t.get("test_metadata") or {}).get("name") == "unique_combination"
            ]
            assert key in combos, model["name"]
            for name in key:  # not null by the enforced contract
                assert any(x["type"] == "not_null" for x in model["columns"][name]["constraints"]), (
                    model["name"],
                    name,
                )
        for name, column in model["columns"].items():
            for constraint in column["constraints"]:
                if constraint["type"] == "foreign_key":
                    assert ("relationships", name) in kinds, (model["name"], name)


def test_docs_generate_and_rebuild_with_reader_grants(
    built_warehouse: BuiltWarehouse, docs_artifacts: tuple[dict, dict]
) -> None:
    """`dbt docs generate` works; a second build leaves the marts as they were and
    grants the read-only role select on every mart (and nothing in raw)."""
    url = built_warehouse.url
    before = mart_row_counts(url)
    assert set(before) == MARTS
    _, catalog = docs_artifacts
    assert "model.nianbao.fct_application_outcomes" in catalog["nodes"]

    role = f"nianbao_reader_{uuid.uuid4().hex[:8]}"  # roles are cluster-wide: one of our own
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(sql.SQL("create role {}").format(sql.Identifier(role)))
    try:
        again = run_dbt(
            ["build", "--vars", json.dumps({"reader_role": role})], url, work_dir=built_warehouse.work_dir
        )
        assert again.success, [(n.name, n.message) for n in again.failed]
        assert mart_row_counts(url) == before
        with psycopg.connect(url) as conn:
            for table in MARTS:
                assert one(conn, "select has_table_privilege(%s, %s, 'select')", role, f"marts.{table}") == (
                    True,
                )
            assert one(conn, "select has_schema_privilege(%s, 'marts', 'usage')", role) == (True,)
            assert one(conn, "select has_schema_privilege(%s, 'raw', 'usage')", role) == (False,)
            assert one(conn, "select has_table_privilege(%s, 'raw.reports', 'select')", role) == (False,)
            assert one(conn, "select has_table_privilege(%s, 'marts.fct_reports', 'insert')", role) == (
                False,
            )
    finally:
        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute(sql.SQL("drop owned by {}").format(sql.Identifier(role)))
            conn.execute(sql.SQL("drop role {}").format(sql.Identifier(role)))


def test_every_declared_foreign_key_is_in_postgres(
    marts: psycopg.Connection, docs_artifacts: tuple[dict, dict]
) -> None:
    """The contracts' foreign keys are added after the insert (not in the CREATE): all of them, on the right columns."""
    manifest, _ = docs_artifacts
    declared = set()
    for node in manifest["nodes"].values():
        if node["resource_type"] != "model" or node["schema"] != "marts":
            continue
        for column, info in node["columns"].items():
            for constraint in info.get("constraints", []):
                if constraint["type"] == "foreign_key":
                    # "ref('dim_region')" as written, or the relation dbt resolved it to
                    target = re.findall(r"\w+", constraint["to"].replace("ref", ""))[-1]
                    declared.add((node["name"], column, target))
    present = {
        (table.split(".")[-1], column, target.split(".")[-1])
        for table, column, target in marts.execute(
            "select c.conrelid::regclass::text, a.attname::text, c.confrelid::regclass::text"
            " from pg_constraint c join pg_attribute a on a.attrelid = c.conrelid and a.attnum = c.conkey[1]"
            " where c.contype = 'f' and c.connamespace = 'marts'::regnamespace"
        )
    }
    assert len(declared) > 20
    assert present == declared


def test_rpt_outcomes_year_sums_the_latest_cells_and_keeps_blank_apart(marts: psycopg.Connection) -> None:
    """The dashboard summary says what the cell fact says, per cell, and NULL where no report printed a figure."""
    summed = {
        (row[0], row[1]): (row[2], row[3])
        for row in marts.execute(
            "select outcome_code, applicant_code, sum(value), sum(reports_with_a_figure)::int"
            " from marts.rpt_outcomes_year group by 1, 2"
        )
    }
    facts = {
        (row[0], row[1]): (row[2], row[3])
        for row in marts.execute(
            "select outcome_code, applicant_code, sum(value), count(value)::int"
            " from marts.fct_application_outcomes where is_latest group by 1, 2"
        )
    }
    assert summed == facts and len(facts) >= 10
    # a group where every report left the cell blank is NULL, never 0
    blank = marts.execute(
        "select count(*) from marts.rpt_outcomes_year where reports_with_a_figure = 0 and value is not null"
    ).fetchone()
    assert blank == (0,)
