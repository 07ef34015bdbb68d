"""One agency, however its reports print its name; who published, and when (#14).

Real report text (the sample of 阿尔山市政务服务局 2022) is loaded under six
agency names through the real parser, as variants of one report would be
published: a 卫生健康局 with and without its league and under its name before
the 2018 reform, the city's government as 人民政府 and as 政府, and the
government's office. The marts must key them as four agencies, take the two
forms of one agency-year as two versions of one report, say how each name was
matched, and answer the coverage questions; a change to the mapping file must
re-key history on the next run.
"""

from __future__ import annotations

import hashlib
import json
import shutil
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import psycopg
import pytest

from bench.databases import create_database, drop_database
from etl import transform
from etl.migrate import upgrade
from etl.run import Files, Settings, discover_files, execute, load_manifest
from etl.run.files import SAMPLES_DIR

pytestmark = pytest.mark.slow

SAMPLE = SAMPLES_DIR / "004_2f396f1e852b3100.txt"
PRINTED = "阿尔山市政务服务局"
VARIANTS = {
    "health.txt": "阿尔山市卫生健康局",
    "health-league.txt": "兴安盟阿尔山市卫生和计划生育局",
    "government.txt": "阿尔山市人民政府",
    "government-short.txt": "阿尔山市政府",
    "office.txt": "阿尔山市政府办公室",
    "office-2.txt": "阿尔山市人民政府办公室",
}


def key(identity: str) -> str:
    return hashlib.md5(identity.encode()).hexdigest()  # noqa: S324 - the marts' key, not a secret


@pytest.fixture(scope="module")
def warehouse(pg_server_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    landing = tmp_path_factory.mktemp("agencies") / "landing"
    landing.mkdir()
    text = SAMPLE.read_text(encoding="utf-8")
    for name, agency in VARIANTS.items():
        (landing / name).write_text(text.replace(PRINTED, agency), encoding="utf-8")
    # the page the government's report sat on says it was published on 2023-05-04: late
    (landing / "manifest.jsonl").write_text(
        json.dumps(
            {
                "path": "government.txt",
                "url": "https://www.aes.gov.cn/zwgk/2023/nb.html",
                "title": "阿尔山市人民政府2022年政府信息公开工作年度报告",
                "published_date": "2023年5月4日",
            },
            ensure_ascii=False,
        )
        + "\n",
        encoding="utf-8",
    )
    url = create_database(pg_server_url, prefix="nianbao_agencies")
    upgrade(url)
    outcome = execute(
        Files(discover_files([landing]), manifest=load_manifest([landing], [])),
        Settings(database_url=url),
    )
    assert outcome.marts is not None and outcome.marts.success, outcome.marts
    assert outcome.load is not None and outcome.load.files_loaded == len(VARIANTS)
    yield url, landing
    drop_database(pg_server_url, url)


def rows(url: str, query: str, *params: object) -> list[tuple]:
    with psycopg.connect(url) as conn:
        return conn.execute(query, params).fetchall()


def test_printed_forms_meet_and_different_agencies_stay_apart(warehouse: tuple[str, Path]) -> None:
    url, _ = warehouse
    agencies = rows(
        url,
        "select canonical_name, agency_unit, printed_names, report_count from marts.dim_agency "
        "where not is_unknown order by canonical_name",
    )
    assert agencies == [
        ("内蒙古自治区兴安盟阿尔山市人民政府", "人民政府", ["阿尔山市人民政府", "阿尔山市政府"], 1),
        (
            "内蒙古自治区兴安盟阿尔山市人民政府办公室",
            "人民政府办公室",
            ["阿尔山市人民政府办公室", "阿尔山市政府办公室"],
            1,
        ),
        (
            "内蒙古自治区兴安盟阿尔山市卫生健康局",
            "卫生健康局",
            ["兴安盟阿尔山市卫生和计划生育局", "阿尔山市卫生健康局"],
            1,
        ),
    ]
    # two forms of one agency's 2022 report are two versions of one agency-year
    versions = rows(
        url,
        "select a.agency_unit, count(*), count(*) filter (where r.is_latest), max(r.version_count) "
        "from marts.fct_reports r join marts.dim_agency a using (agency_key) group by 1 order by 1",
    )
    assert versions == [("人民政府", 2, 1, 2), ("人民政府办公室", 2, 1, 2), ("卫生健康局", 2, 1, 2)]


def test_each_name_says_how_it_was_matched(warehouse: tuple[str, Path]) -> None:
    url, _ = warehouse
    matched = dict(rows(url, "select printed_name, matched_by from marts.dim_agency_name"))
    assert matched == {
        "阿尔山市卫生健康局": "division and unit",
        "兴安盟阿尔山市卫生和计划生育局": "agency_names: renamed",
        "阿尔山市人民政府": "division and unit",
        "阿尔山市政府": "division and unit",
        "阿尔山市政府办公室": "division and unit",
        "阿尔山市人民政府办公室": "division and unit",
    }


def test_parents_are_the_government_above(warehouse: tuple[str, Path]) -> None:
    url, _ = warehouse
    parents = dict(
        rows(url, "select agency_unit, parent_agency_key from marts.dim_agency where not is_unknown")
    )
    government = key("152202|人民政府")
    assert parents == {
        "卫生健康局": government,
        "人民政府办公室": government,
        "人民政府": key("152200|人民政府"),
    }
    assert rows(url, "select agency_key from marts.dim_agency where agency_unit = '人民政府'") == [
        (government,)
    ]


def test_coverage_says_who_did_not_publish_and_who_was_late(warehouse: tuple[str, Path]) -> None:
    url, _ = warehouse
    coverage = {
        (r[0], r[1]): r[2:]
        for r in rows(
            url,
            "select agency_name, report_year, has_report, is_in_division_list, published_on, "
            "published_on_source, deadline, timeliness, days_late from marts.rpt_publication_coverage "
            "where prefecture_name = '兴安盟'",
        )
    }
    # the government published on the date its page gives, past 31 March: late
    assert coverage[("阿尔山市人民政府", 2022)][:6] == (
        True,
        True,
        date(2023, 5, 4),
        "manifest",
        date(2023, 3, 31),
        "late",
    )
    assert coverage[("阿尔山市人民政府", 2022)][6] == 34
    # its neighbours, in the division list, published nothing the warehouse has
    assert coverage[("乌兰浩特市人民政府", 2022)][:2] == (False, True)
    assert coverage[("乌兰浩特市人民政府", 2022)][5] == "no_report_loaded"
    # a department's deadline is 31 January (article 49 of the 2019 regulation)
    health = coverage[("阿尔山市卫生健康局", 2022)]
    assert health[1] is False and health[4] == date(2023, 1, 31)
    counties = rows(
        url,
        "select count(*), count(*) filter (where has_report) from marts.rpt_publication_coverage "
        "where prefecture_name = '兴安盟' and is_in_division_list and agency_level = 'county' and report_year = 2022",
    )
    assert counties == [(6, 1)]  # 兴安盟's six county-level divisions; 阿尔山市 alone published


def test_a_change_to_the_mapping_rekeys_history_on_the_next_run(
    warehouse: tuple[str, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    url, landing = warehouse
    project = tmp_path / "dbt_project"
    shutil.copytree(transform.DBT_PROJECT_DIR, project)
    mapping = project / "seeds" / "agency_names.csv"
    lines = mapping.read_text(encoding="utf-8").splitlines(keepends=True)
    mapping.write_text("".join(line for line in lines if ",卫生和计划生育局," not in line), encoding="utf-8")
    monkeypatch.setattr(transform, "DBT_PROJECT_DIR", project)
    before = rows(url, "select keys_sha256 from status.marts_build")

    outcome = execute(Files(discover_files([landing])), Settings(database_url=url))

    assert outcome.load is not None and outcome.load.files_loaded == 0
    assert outcome.marts is not None and outcome.marts.ran and outcome.marts.success
    assert "--full-refresh" in outcome.marts.message
    units = {r[0] for r in rows(url, "select agency_unit from marts.dim_agency where not is_unknown")}
    assert units == {"人民政府", "人民政府办公室", "卫生和计划生育局", "卫生健康局"}
    assert rows(url, "select keys_sha256 from status.marts_build") != before
