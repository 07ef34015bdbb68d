"""A crawler's manifest fills the metadata a file lacks, and says so.

Reading (CSV and JSON Lines, relative and absolute paths, sloppy lines) is
tested without a database; loading with a manifest against a real Postgres,
with hand-made records (``handmade.py``).
"""

from __future__ import annotations

import dataclasses
import json
import logging
from pathlib import Path

import psycopg
import pytest
from handmade import PARSER, json_parse, make_report

from etl.load.rows import fill_values, iso_date
from etl.record import Agency
from etl.run import (
    Files,
    Parser,
    Quarantined,
    Settings,
    Stored,
    discover_files,
    load_manifest,
)
from etl.run import (
    load as run_load,
)
from etl.run.manifest import find_manifests, read_manifest


def nameless(year: int = 2021, date: str | None = None, granted: int = 2):
    """A record whose file names no agency and no date: what the manifest is for."""
    report = make_report(year=year, granted=granted)
    return dataclasses.replace(report, agency=Agency(), published_date=date)


def test_dates_in_the_forms_crawlers_write() -> None:
    assert iso_date("2021-01-20") == "2021-01-20"
    assert iso_date("2021/1/5") == "2021-01-05"
    assert iso_date("2021.01.05") == "2021-01-05"
    assert iso_date("2021年1月5日") == "2021-01-05"
    assert iso_date(" 2021-1-5 ") == "2021-01-05"
    for bad in ("", None, "2021-02-30", "yesterday", "20210105"):
        assert iso_date(bad) is None


def test_csv_and_jsonl_manifests_relative_to_their_folder(tmp_path: Path, caplog) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "manifest.csv").write_text(
        "path,url,title,agency,published_date,crawled_at\n"
        "r1.pdf,https://gov.example/r1,2021年报,甲县人民政府,2022/1/20,2022-02-01\n"
        ",https://gov.example/nopath,,,,\n"
        "r2.pdf,,,,not a date,\n",
        encoding="utf-8-sig",  # Excel's BOM
    )
    (tmp_path / "b" / "deep").mkdir(parents=True)
    absolute = tmp_path / "elsewhere" / "r3.html"
    (tmp_path / "b" / "deep" / "manifest.jsonl").write_text(
        json.dumps({"path": "../r2.html", "agency": "乙县人民政府"}, ensure_ascii=False)
        + "\n{broken\n[1, 2]\n\n"
        + json.dumps({"path": str(absolute), "title": "丙"}, ensure_ascii=False)
        + "\n",
        encoding="utf-8",
    )
    with caplog.at_level(logging.WARNING, logger="etl.run.manifest"):
        manifest = load_manifest([tmp_path])

    assert [p.relative_to(tmp_path).as_posix() for p in manifest.files] == [
        "a/manifest.csv",
        "b/deep/manifest.jsonl",
    ]
    r1 = manifest.get(tmp_path / "a" / "r1.pdf")
    assert r1 is not None
    assert r1.agency == "甲县人民政府" and r1.published_date == "2022-01-20"
    assert r1.stored() == {
        "url": "https://gov.example/r1",
        "title": "2021年报",
        "agency": "甲县人民政府",
        "published_date": "2022/1/20",
        "crawled_at": "2022-02-01",  # extra columns are kept as given
        "manifest": f"{tmp_path / 'a' / 'manifest.csv'}:2",
    }
    assert manifest.get(tmp_path / "a" / "r2.pdf").published_date is None
    assert manifest.get(tmp_path / "b" / "r2.html").agency == "乙县人民政府"
    assert manifest.get(absolute).fields == {"title": "丙"}
    assert manifest.get(tmp_path / "a" / "unlisted.pdf") is None
    messages = " ".join(r.getMessage() for r in caplog.records)
    assert "no path" in messages and "not a date" in messages
    assert "not JSON" in messages and "not a JSON object" in messages


def test_a_manifest_without_a_path_column_is_ignored(tmp_path: Path, caplog) -> None:
    bad = tmp_path / "manifest.csv"
    bad.write_text("file,agency\nr1.pdf,甲\n", encoding="utf-8")
    with caplog.at_level(logging.WARNING):
        assert read_manifest(bad) == []
    assert "'path' column" in caplog.text
    assert read_manifest(tmp_path / "missing.csv") == []


def test_explicit_manifest_wins_and_hidden_folders_are_skipped(tmp_path: Path) -> None:
    (tmp_path / "manifest.csv").write_text("path,agency\nr.txt,从文件夹\n", encoding="utf-8")
    (tmp_path / ".cache").mkdir()
    (tmp_path / ".cache" / "manifest.csv").write_text("path,agency\nr.txt,隐藏\n", encoding="utf-8")
    explicit = tmp_path.parent / f"{tmp_path.name}-crawler.jsonl"
    explicit.write_text(json.dumps({"path": str(tmp_path / "r.txt"), "agency": "显式"}), encoding="utf-8")

    assert find_manifests([tmp_path]) == [tmp_path / "manifest.csv"]
    assert load_manifest([tmp_path], [explicit]).get(tmp_path / "r.txt").agency == "显式"


def test_fill_values_from_a_stored_entry() -> None:
    assert fill_values(None) == {}
    assert fill_values({"agency": " 甲 ", "published_date": "2022年1月2日", "url": "u"}) == {
        "agency_name": "甲",
        "published_date": "2022-01-02",
    }
    assert fill_values({"agency": "", "published_date": "soon"}) == {}
    # the sites file's division for the site (etl/sites.toml, written by the crawler)
    assert fill_values({"region_code": "350128"}) == {"region_code": "350128"}
    assert fill_values({"region_code": "35"}) == {}


def _write_manifest(landing: Path, rows: list[dict[str, str]]) -> None:
    columns = ["path", "url", "title", "agency", "published_date", "region_code"]
    lines = [",".join(columns)] + [",".join(r.get(c, "") for c in columns) for r in rows]
    (landing / "manifest.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")


def test_manifest_fills_what_the_file_lacks_and_records_it(
    fresh_database: str, write_report, landing: Path
) -> None:
    write_report("sub/nameless.txt", nameless())
    write_report("named.txt", make_report("自称县人民政府", 2021))
    write_report("unlisted.txt", nameless(year=2019))
    _write_manifest(
        landing,
        [
            {
                "path": "sub/nameless.txt",
                "url": "https://gov.example/a",
                "title": "2021年政府信息公开工作年度报告",
                "agency": "清单县人民政府",
                "published_date": "2022/1/15",
                "region_code": "530181",
            },
            # the file names its agency and date: the parser's reading wins
            {"path": "named.txt", "agency": "清单说的名字", "published_date": "2000-01-01", "region_code": "110101"},
        ],
    )

    result = run_load(
        fresh_database,
        Files(discover_files([landing]), manifest=load_manifest([landing])),
        Settings(parser=Parser(PARSER, json_parse)),
    )

    assert (result.files_loaded, result.manifest_filled) == (3, 1)
    with psycopg.connect(fresh_database) as conn:
        rows = {
            r[0].rsplit("/", 1)[-1]: r[1:]
            for r in conn.execute(
                "select source_path, agency_name, published_date::text, manifest_fields, region_code from raw.reports"
            )
        }
        assert rows["nameless.txt"] == (
            "清单县人民政府", "2022-01-15", ["agency_name", "published_date", "region_code"], "530181"
        )
        assert rows["named.txt"] == ("自称县人民政府", "2022-01-20", [], "530181")  # its own place wins
        assert rows["unlisted.txt"] == (None, None, [], None)
        stored = conn.execute(
            "select d.manifest from raw.documents d join raw.reports r using (sha256) "
            "where r.source_path like %s",
            ("%nameless.txt",),
        ).fetchone()[0]
        assert stored["url"] == "https://gov.example/a"
        assert stored["title"] == "2021年政府信息公开工作年度报告"
        assert stored["manifest"].endswith("manifest.csv:2")
        # the manifest itself is not loaded as a report
        assert conn.execute("select count(*) from raw.documents").fetchone() == (3,)


def test_reparse_fills_the_same_gaps_from_the_stored_manifest(
    fresh_database: str, write_report, landing: Path
) -> None:
    write_report("nameless.txt", nameless())
    _write_manifest(
        landing, [{"path": "nameless.txt", "agency": "清单县人民政府", "published_date": "2022-01-15"}]
    )
    run_load(
        fresh_database,
        Files(discover_files([landing]), manifest=load_manifest([landing])),
        Settings(parser=Parser(PARSER, json_parse)),
    )
    (landing / "nameless.txt").unlink()
    (landing / "manifest.csv").unlink()

    result = run_load(fresh_database, Stored(), Settings(parser=Parser("test-2", json_parse)))

    assert (result.files_seen, result.files_loaded, result.manifest_filled) == (1, 1, 1)
    with psycopg.connect(fresh_database) as conn:
        rows = conn.execute(
            "select parser_version, agency_name, manifest_fields from raw.reports order by report_id"
        ).fetchall()
    assert rows == [
        (PARSER, "清单县人民政府", ["agency_name", "published_date"]),
        ("test-2", "清单县人民政府", ["agency_name", "published_date"]),
    ]


def test_a_manifest_arriving_after_its_file_is_kept(fresh_database: str, write_report, landing: Path) -> None:
    """A file first stored without a manifest (quarantined, say) gets the crawler's entry later."""
    write_report("nameless.txt", nameless())
    run_load(fresh_database, Files(discover_files([landing])), Settings(parser=Parser(PARSER, json_parse)))
    _write_manifest(landing, [{"path": "nameless.txt", "agency": "迟到县人民政府", "url": "https://x"}])

    again = run_load(
        fresh_database,
        Files(discover_files([landing]), manifest=load_manifest([landing])),
        Settings(parser=Parser("test-2", json_parse)),
    )

    assert again.files_loaded == 1
    with psycopg.connect(fresh_database) as conn:
        assert conn.execute("select manifest->>'url' from raw.documents").fetchone() == ("https://x",)
        assert conn.execute(
            "select agency_name from raw.reports where parser_version = 'test-2'"
        ).fetchone() == ("迟到县人民政府",)


@pytest.mark.parametrize("name", ["manifest.csv", "manifest.jsonl", "Manifest-2024.ndjson"])
def test_manifests_are_not_reports(tmp_path: Path, name: str) -> None:
    from etl.run import discover_files

    (tmp_path / name).write_text("path\n", encoding="utf-8")
    (tmp_path / "r.txt").write_text("x", encoding="utf-8")
    assert [p.name for p in discover_files([tmp_path])] == ["r.txt"]


def test_a_page_the_crawler_calls_a_wrapper_is_never_a_report(
    fresh_database: str, write_report, landing: Path
) -> None:
    """kind = wrapper_page: quarantined unparsed as not_a_report, in a load, a reparse and a retry;
    the attachment beside it loads, and every crawler column stays in raw.documents.manifest."""
    write_report("page.html", make_report("包装县人民政府", 2023))  # reads as a report, but only wraps one
    write_report("attachment.pdf", make_report("包装县人民政府", 2023, granted=7))
    entries = [
        {
            "path": "page.html",
            "url": "https://gov.example/p.html",
            "kind": "wrapper_page",
            "fetched_at": "2024-01-20T02:15:00+08:00",
            "content_type": "text/html",
            "etag": '"abc"',
        },
        {
            "path": "attachment.pdf",
            "url": "https://gov.example/a.pdf",
            "kind": "attachment",
            "parent_url": "https://gov.example/p.html",
            "content_type": "application/pdf",
            "last_modified": "Sat, 20 Jan 2024 02:00:00 GMT",
        },
    ]
    (landing / "manifest.jsonl").write_text(
        "".join(json.dumps(e, ensure_ascii=False) + "\n" for e in entries), encoding="utf-8"
    )
    settings = Settings(parser=Parser(PARSER, json_parse))

    result = run_load(
        fresh_database, Files(discover_files([landing]), manifest=load_manifest([landing])), settings
    )

    assert (result.files_loaded, result.files_quarantined) == (1, 1)
    [q] = result.quarantined
    assert (Path(q.path).name, q.error_code) == ("page.html", "not_a_report")
    assert "wrapper_page" in q.reason
    assert (
        run_load(
            fresh_database, Stored(everything=True), Settings(parser=Parser("test-9", json_parse))
        ).files_loaded
        == 1
    )
    assert run_load(fresh_database, Quarantined(), settings).files_loaded == 0
    with psycopg.connect(fresh_database) as conn:
        loaded = {r[0].rsplit("/", 1)[-1] for r in conn.execute("select source_path from raw.reports")}
        kept = conn.execute(
            "select manifest from raw.documents where original_path like %s", ("%attachment.pdf",)
        ).fetchone()[0]
    assert loaded == {"attachment.pdf"}
    assert (kept["kind"], kept["parent_url"], kept["content_type"]) == (
        "attachment",
        "https://gov.example/p.html",
        "application/pdf",
    )


def test_the_sites_place_gives_an_unplaced_agency_its_unit(
    fresh_database: str, write_report, landing: Path
) -> None:
    """太平镇 is a town of dozens of counties: the parser places none; the county's site settles it."""
    town = dataclasses.replace(
        make_report(year=2022), agency=Agency(name="太平镇人民政府", level="township", kind="township")
    )
    write_report("town.txt", town)
    write_report("elsewhere.txt", dataclasses.replace(town, report_year=2023))
    (landing / "manifest.jsonl").write_text(
        '{"path": "town.txt", "url": "https://www.taojiang.gov.cn/nb/1.html", "region_code": "430922"}\n',
        encoding="utf-8",
    )

    run_load(
        fresh_database,
        Files(discover_files([landing]), manifest=load_manifest([landing])),
        Settings(parser=Parser(PARSER, json_parse)),
    )

    with psycopg.connect(fresh_database) as conn:
        rows = dict(
            (r[0], r[1:])
            for r in conn.execute("select report_year, region_code, agency_unit, manifest_fields from raw.reports")
        )
    assert rows[2022] == ("430922", "太平镇人民政府", ["region_code"])
    assert rows[2023] == (None, None, [])  # no site said where it is: no unit, no merge
