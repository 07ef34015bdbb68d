"""A landing folder holding pages that are not reports loads only the reports (#13).

List pages, a page that only links the report's PDF (here: one for an
agency-year a real report covers, published later, which as a loaded record
would have become that agency-year's latest version and blanked its
figures), a disclosure guide, a news item and a README sit beside the
sample reports. Each is quarantined as ``not_a_report`` with its reason,
and every mart holds exactly what it holds without them.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import psycopg
import pytest

from bench.databases import create_database, drop_database
from etl.migrate import upgrade
from etl.run import Files, discover_files, sample_files
from etl.run import load as run_load
from etl.transform import dbt_build

pytestmark = pytest.mark.slow

NOT_REPORTS = Path(__file__).resolve().parents[1] / "fixtures" / "not-reports"
VOLATILE = frozenset({"report_id", "run_id", "parsed_at", "first_loaded_at", "document_count"})


def marts(url: str) -> dict[str, list[tuple]]:
    """Every mart's rows without the columns two loads differ in by construction, sorted."""
    out: dict[str, list[tuple]] = {}
    with psycopg.connect(url) as conn:
        tables = [
            r[0]
            for r in conn.execute(
                "select table_name from information_schema.tables where table_schema = 'marts' order by 1"
            )
        ]
        for table in tables:
            columns = [
                r[0]
                for r in conn.execute(
                    "select column_name from information_schema.columns "
                    "where table_schema = 'marts' and table_name = %s and data_type not like 'timestamp%%' "
                    "order by ordinal_position",
                    (table,),
                )
                if r[0] not in VOLATILE
            ]
            listed = ", ".join(f'"{c}"' for c in columns)
            rows = conn.execute(f'select {listed} from marts."{table}"').fetchall()
            out[table] = sorted(rows, key=repr)
    return out


def build(pg_server_url: str, folders: list[Path], work_dir: Path) -> tuple[str, object]:
    url = create_database(pg_server_url, prefix="nianbao_notrep")
    upgrade(url)
    result = run_load(url, Files(discover_files(folders)))
    built = dbt_build(url, work_dir=work_dir)
    assert built.success, built.error or [n.message for n in built.failed]
    return url, result


def test_pages_that_are_not_reports_never_reach_the_marts(pg_server_url: str, tmp_path: Path) -> None:
    samples = tmp_path / "samples"
    samples.mkdir()
    for f in sample_files():
        shutil.copy(f, samples / f.name)
    others = tmp_path / "not-reports"
    shutil.copytree(NOT_REPORTS, others)
    # the wrapper page of a report the folder holds, published after it
    (others / "anning-wrapper.html").write_text(
        "<html><body><h1>安宁市人民政府2020年政府信息公开工作年度报告</h1>"
        "<p>发布时间：2021-03-30</p><p>附件：安宁市2020年政府信息公开工作年度报告.pdf</p></body></html>",
        encoding="utf-8",
    )

    plain_url, plain = build(pg_server_url, [samples], tmp_path / "dbt-plain")
    mixed_url, mixed = build(pg_server_url, [samples, others], tmp_path / "dbt-mixed")
    try:
        assert mixed.files_loaded == plain.files_loaded == len(sample_files())  # type: ignore[attr-defined]
        rejected = {Path(q.path).name: q for q in mixed.quarantined}  # type: ignore[attr-defined]
        assert set(rejected) == {p.name for p in others.iterdir()}
        assert {q.error_code for q in rejected.values()} == {"not_a_report"}
        assert all(q.path in q.reason for q in rejected.values())
        assert marts(mixed_url) == marts(plain_url)
        with psycopg.connect(mixed_url) as conn:
            figures = conn.execute(
                "select count(*) from marts.fct_application_outcomes f join marts.fct_reports r using (report_id) "
                "where r.agency_name = '安宁市人民政府' and r.report_year = 2020 and f.value is not null"
            ).fetchone()
        assert figures is not None and figures[0] > 0
    finally:
        drop_database(pg_server_url, plain_url)
        drop_database(pg_server_url, mixed_url)
