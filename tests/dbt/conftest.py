"""Databases built by a real ``dbt build``, once, for the dbt tests that query them.

A ``dbt build`` costs seconds, so each database is filled once, dbt builds
once, and the tests only query the marts:

* ``built_warehouse`` (per module): hand-made raw rows (``dbt_warehouse.py``)
  chosen to exercise every rule the marts promise;
* ``samples_warehouse`` (per session, shared by the read-only role and the
  analyst guide tests, which only read): the sample reports loaded by the
  real loader (``samples_warehouse.py``).
"""

from __future__ import annotations

from collections.abc import Iterator

import psycopg
import pytest
from dbt_warehouse import (
    AERSHAN,
    ANNING,
    BuiltWarehouse,
    anning_2020,
    applications,
    insert_report,
    insert_run,
    review,
    sha,
)
from samples_warehouse import SamplesWarehouse

from bench.databases import create_database, drop_database
from etl.migrate import upgrade
from etl.record import Agency, ApplicationCell, DisclosureCell, LegacyStat, Report, Source
from etl.run import (
    Files,
    sample_files,
)
from etl.run import (
    load as run_load,
)
from etl.transform import dbt_build


@pytest.fixture(scope="session")
def samples_warehouse(
    pg_server_url: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[SamplesWarehouse]:
    """A fresh database, migrated to head, the samples loaded with ``etl.run.load``, after one ``dbt build``."""
    url = create_database(pg_server_url, prefix="nianbao_samples")
    try:
        upgrade(url)
        load = run_load(url, Files(sample_files()))
        work_dir = tmp_path_factory.mktemp("dbt-samples")
        build = dbt_build(url, work_dir=work_dir)
        yield SamplesWarehouse(url=url, load=load, build=build, work_dir=work_dir)
    finally:
        drop_database(pg_server_url, url)


@pytest.fixture(scope="module")
def built_warehouse(pg_server_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[BuiltWarehouse]:
    """A migrated database of the module's own, filled with raw rows, after one ``dbt build``."""
    url = create_database(pg_server_url, prefix="nianbao_dbt")
    try:
        upgrade(url)
        ids: dict[str, int] = {}
        with psycopg.connect(url) as conn:
            run1 = insert_run(conn, "completed", "0.9.0")
            aborted = insert_run(conn, "aborted")
            running = insert_run(conn, "running")
            run3 = insert_run(conn, "completed_with_quarantine", "0.10.0")

            # one document parsed twice: 0.10.0 is newer than 0.9.0 (numerically, not as text)
            ids["anning_old_parse"] = insert_report(
                conn, anning_2020("anning-a", "2021-01-20", 1), run1, "0.9.0"
            )
            ids["anning"] = insert_report(conn, anning_2020("anning-a", "2021-01-20", 2), run3, "0.10.0")
            # a re-publication issued earlier but loaded later: not the latest version
            ids["anning_republished"] = insert_report(
                conn,
                anning_2020("anning-b", "2020-12-31", 2),
                run3,
                "0.10.0",
                loaded_at="2024-06-01T00:00:00+00:00",
            )
            # the previous year: its carried_forward (1) breaks 2020's carried_over (0)
            ids["anning_2019"] = insert_report(
                conn,
                Report(
                    source=Source(path="anning-2019.txt", sha256=sha("anning-2019")),
                    agency=ANNING,
                    report_year=2019,
                    template="2019",
                    applications=applications("total", carried_forward=1),
                ),
                run1,
            )
            # 2021 template: the 其他处理 split; a review total that breaks its own sum
            ids["aershan"] = insert_report(
                conn,
                Report(
                    source=Source(path="aershan.txt", sha256=sha("aershan")),
                    agency=AERSHAN,
                    report_year=2022,
                    template="2021",
                    published_date="2023-01-10",
                    applications=applications(
                        "total", other_no_correction=1, other_unpaid_fee=0, other_other=2, total_processed=3
                    ),
                    review_litigation=review("review", 1, 0, 0, 0, 5),
                    active_disclosure=[DisclosureCell("licensing", "decisions", 10, "10")],
                ),
                run1,
            )
            # no agency name: the unknown member; an applicant code the label table lacks
            ids["nameless"] = insert_report(
                conn,
                Report(
                    source=Source(path="nameless.txt", sha256=sha("nameless")),
                    status="partial",
                    report_year=2021,
                    template="2021",
                    applications=[ApplicationCell("granted", "mystery_applicant", 4, "4")],
                ),
                run1,
            )
            # a region code cpca does not know
            ids["new_county"] = insert_report(
                conn,
                Report(
                    source=Source(path="new-county.txt", sha256=sha("new-county")),
                    agency=Agency(
                        name="新设县人民政府", region_code="659999", level="county", kind="government"
                    ),
                    report_year=2023,
                    template="2021",
                ),
                run1,
            )
            # a pre-2019 report: its 统计表 indicators feed the conformed metrics
            ids["sunan_2017"] = insert_report(
                conn,
                Report(
                    source=Source(path="sunan-2017.txt", sha256=sha("sunan-2017")),
                    agency=Agency(name="肃南裕固族自治县人民政府", region_code="620721", level="county"),
                    report_year=2017,
                    template="pre2019",
                    legacy_stats=[
                        LegacyStat("三.(一) 收到申请数", "件", 9, "9"),
                        LegacyStat("三.(三).2 同意公开答复数", "件", 5, "5"),
                        LegacyStat("三.(三).5 不属于本行政机关公开数", "件", 1, "1"),
                        LegacyStat("三.(三).6 申请信息不存在数", "件", 2, "2"),
                        LegacyStat("四 行政复议数量", "件", 4, "4"),
                        LegacyStat("四.(一) 维持具体行政行为数", "件", 2, "2"),
                        LegacyStat("四.(二) 被依法纠错数", "件", 1, "1"),
                        LegacyStat("四.(三) 其他情形数", "件", 1, "1"),
                        LegacyStat("五 行政诉讼数量", "件", None, ""),
                        LegacyStat("八.(一) 政府信息公开工作专门机构数", "个", 2, "2"),
                    ],
                ),
                run1,
            )
            # rows of runs that did not complete must never reach the marts
            ids["aborted"] = insert_report(
                conn,
                Report(
                    source=Source(path="gaotai.txt", sha256=sha("gaotai")),
                    agency=Agency(name="高台县人民政府", region_code="620724"),
                    report_year=2016,
                    template="pre2019",
                    legacy_stats=[LegacyStat("三.(一) 收到申请数", "件", 7, "7")],
                    applications=applications("total", new_received=7),
                ),
                aborted,
            )
            ids["running"] = insert_report(
                conn,
                Report(
                    source=Source(path="running.txt", sha256=sha("running")),
                    agency=Agency(name="运行中机关"),
                    report_year=2020,
                    template="2019",
                ),
                running,
            )
            conn.commit()

        work_dir = tmp_path_factory.mktemp("dbt")
        result = dbt_build(url, work_dir=work_dir)
        yield BuiltWarehouse(url=url, result=result, work_dir=work_dir, ids=ids)
    finally:
        drop_database(pg_server_url, url)


@pytest.fixture()
def marts(built_warehouse: BuiltWarehouse) -> Iterator[psycopg.Connection]:
    """A read connection to the built warehouse."""
    with psycopg.connect(built_warehouse.url) as conn:
        yield conn
        conn.rollback()
