"""`nianbao export` and `nianbao docs` on the sample warehouse: files read back and compared with the marts."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from decimal import Decimal
from pathlib import Path

import openpyxl
import pandas as pd
import psycopg
import pyarrow.parquet as pq
import pytest
from samples_warehouse import SamplesWarehouse
from typer.testing import CliRunner

from etl.cli import app

pytestmark = pytest.mark.slow
REPO = Path(__file__).resolve().parents[2]
runner = CliRunner()


def invoke(url: str, *args: str):  # type: ignore[no-untyped-def]
    return runner.invoke(app, list(args), env={"DATABASE_URL": url}, catch_exceptions=False)


def mart_rows(url: str, table: str) -> tuple[list[str], list[tuple]]:
    with psycopg.connect(url) as conn, conn.cursor() as cur:
        cur.execute(f'select * from marts."{table}"')
        return [d.name for d in cur.description or []], cur.fetchall()


def same(value: object) -> object:
    """A database value as the export keeps it: numbers as numbers, NULL as None."""
    if value is None or value is pd.NA or (isinstance(value, float) and value != value):
        return None
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, list | tuple) or type(value).__name__ == "ndarray":
        return tuple(same(v) for v in value)
    if hasattr(value, "item"):  # numpy scalars
        return same(value.item())
    return value


def test_parquet_holds_every_mart_row_for_row(samples_warehouse: SamplesWarehouse, tmp_path: Path) -> None:
    url = samples_warehouse.url
    result = invoke(url, "export", "--format", "parquet", "--out", str(tmp_path))
    assert result.exit_code == 0, result.output
    with psycopg.connect(url) as conn:
        tables = [
            r[0]
            for r in conn.execute(
                "select table_name from information_schema.tables where table_schema = 'marts'"
            )
        ]
    assert len(tables) >= 19
    for table in tables:
        columns, rows = mart_rows(url, table)
        frame = pq.read_table(tmp_path / f"{table}.parquet").to_pandas()
        assert list(frame.columns) == columns, table
        exported = sorted((tuple(same(v) for v in row) for row in frame.itertuples(index=False)), key=repr)
        expected = sorted((tuple(same(v) for v in row) for row in rows), key=repr)
        assert exported == expected, table


def test_csv_opens_in_excel_with_chinese_and_blanks(
    samples_warehouse: SamplesWarehouse, tmp_path: Path
) -> None:
    result = invoke(samples_warehouse.url, "export", "rpt_agency_year", "dim_agency", "--out", str(tmp_path))
    assert result.exit_code == 0, result.output
    raw = (tmp_path / "rpt_agency_year.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # the BOM Excel needs to read UTF-8
    frame = pd.read_csv(
        tmp_path / "rpt_agency_year.csv", encoding="utf-8-sig", dtype=str, keep_default_na=False
    )
    huaian = frame[frame.agency_name == "淮安市人民政府"].iloc[0]
    assert (huaian.report_year, huaian.applications_received, huaian.granted) == ("2024", "3119", "1362")
    gaotai = frame[frame.agency_name == "高台县"].iloc[0]
    assert gaotai.applications_received == "" and gaotai.review_total == "4"  # blank stays blank, not 0
    agencies = pd.read_csv(tmp_path / "dim_agency.csv", encoding="utf-8-sig", keep_default_na=False)
    pingtan = agencies[agencies.canonical_name == "福建省福州市平潭县平潭综合实验区"].iloc[0]
    assert json.loads(pingtan.printed_names) == ["平潭综合实验区", "平潭综合实验区管委会"]
    dictionary = pd.read_csv(tmp_path / "dictionary.csv", encoding="utf-8-sig", keep_default_na=False)
    grant_rate = dictionary[
        (dictionary.table == "rpt_agency_year") & (dictionary.column == "grant_rate")
    ].iloc[0]
    assert "公开率" in grant_rate.description and "granted" in grant_rate.description.lower()
    assert set(dictionary.table) == {"rpt_agency_year", "dim_agency"}


def test_a_query_exports_its_rows(samples_warehouse: SamplesWarehouse, tmp_path: Path) -> None:
    query = "select agency_name, report_year, granted from marts.rpt_agency_year where granted is not null"
    result = invoke(
        samples_warehouse.url, "export", "--query", query, "--name", "granted", "--out", str(tmp_path)
    )
    assert result.exit_code == 0, result.output
    frame = pd.read_csv(tmp_path / "granted.csv", encoding="utf-8-sig")
    columns, rows = mart_rows(samples_warehouse.url, "rpt_agency_year")
    granted = columns.index("granted")
    assert len(frame) == sum(1 for r in rows if r[granted] is not None) > 0
    assert list(frame.columns) == ["agency_name", "report_year", "granted"]


def test_excel_has_a_dictionary_sheet_and_refuses_what_it_cannot_hold(
    samples_warehouse: SamplesWarehouse, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    result = invoke(
        samples_warehouse.url, "export", "dim_agency", "fct_reports", "-f", "xlsx", "--out", str(tmp_path)
    )
    assert result.exit_code == 0, result.output
    book = openpyxl.load_workbook(tmp_path / "nianbao.xlsx", read_only=True)
    assert book.sheetnames == ["数据字典 dictionary", "dim_agency", "fct_reports"]
    header = next(book["fct_reports"].iter_rows(max_row=1, values_only=True))
    assert "source_url" in header and "agency_name" in header

    monkeypatch.setattr("etl.export.EXCEL_MAX_ROWS", 5)  # the limit set small: fct_reports has 10 rows
    refused = invoke(
        samples_warehouse.url, "export", "fct_reports", "-f", "xlsx", "--out", str(tmp_path / "big")
    )
    assert refused.exit_code == 2
    assert "more rows than an Excel sheet holds" in refused.stderr and "csv or parquet" in refused.stderr
    assert not (tmp_path / "big" / "nianbao.xlsx").exists()


def test_an_unknown_mart_is_named(samples_warehouse: SamplesWarehouse, tmp_path: Path) -> None:
    result = invoke(samples_warehouse.url, "export", "dim_agencyy", "--out", str(tmp_path))
    assert result.exit_code == 2 and "no mart named dim_agencyy" in result.stderr


def test_docs_generates_and_serves_on_localhost(samples_warehouse: SamplesWarehouse) -> None:
    env = {**os.environ, "DATABASE_URL": samples_warehouse.url}
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = subprocess.Popen(
        [sys.executable, "-m", "etl.cli", "docs", "--port", str(port)],
        cwd=REPO,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + 300
        page = None
        while time.monotonic() < deadline and server.poll() is None:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/index.html", timeout=5) as answer:
                    page = answer.read()
                break
            except OSError:
                time.sleep(0.5)
        assert page is not None and b"dbt" in page.lower(), (
            server.stderr.read() if server.poll() is not None else ""
        )
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/catalog.json", timeout=5) as answer:
            catalog = json.loads(answer.read())
        assert "model.nianbao.rpt_publication_coverage" in catalog["nodes"]
    finally:
        server.terminate()
        server.wait(timeout=30)
