"""`nianbao crawl` against a government site on 127.0.0.1 (tests/crawl/govsite.py), never the internet.

The CLI runs as a subprocess (Scrapy's reactor starts once per process),
with a sources file that gives the site no delay. Every test reads what
came into the landing folder, the manifest, the exit code, the summary, and
the site's own request log (what was asked, and with which validators).
"""

from __future__ import annotations

import fcntl
import json
import os
import signal
import sqlite3
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from govsite import Site, column, wait_for

REPO = Path(__file__).resolve().parents[2]
NIANBAO = [sys.executable, "-m", "etl.cli"]


@pytest.fixture()
def site() -> Iterator[Site]:
    server = Site()
    column(server)
    server.start()
    yield server
    server.stop()


@pytest.fixture()
def sources(tmp_path: Path, site: Site) -> Path:
    path = tmp_path / "sites.toml"
    path.write_text(
        f"""
[[site]]
name = "某县"
agency = "某县人民政府"
region_code = "530181"
start_urls = ["{site.base}/nb/index.html"]
delay = 0
""",
        encoding="utf-8",
    )
    return path


def run_crawl(
    landing: Path, sources: Path, *extra: str, wait: bool = True
) -> subprocess.CompletedProcess[str] | subprocess.Popen[str]:
    args = [
        *NIANBAO,
        "crawl",
        "--landing",
        str(landing),
        "--sources",
        str(sources),
        "--log-format",
        "json",
        *extra,
    ]
    if not wait:
        return subprocess.Popen(args, cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    return subprocess.run(args, cwd=REPO, capture_output=True, text=True, timeout=300)


def manifest(landing: Path) -> dict[str, dict[str, str]]:
    lines = (landing / "manifest.jsonl").read_text(encoding="utf-8").splitlines()
    return {entry["url"].split("/", 3)[3]: entry for entry in map(json.loads, lines)}


def test_a_first_crawl_fetches_the_column(tmp_path: Path, site: Site, sources: Path) -> None:
    landing = tmp_path / "landing"
    result = run_crawl(landing, sources)

    assert result.returncode == 3, result.stderr  # done, but some pages could not be fetched: listed
    summary = json.loads(result.stdout)
    assert summary["new_files"] == {"report_page": 2, "wrapper_page": 1, "attachment": 2}
    assert summary["list_pages"] == 2  # index.html and the pager's index_1.html
    assert {(f["url"].rsplit("/", 1)[1], f["error"]) for f in summary["failed"]} == {
        ("gone.html", "http_404"),
        ("away.html", "offsite"),
    }
    assert summary["not_asked_robots_txt"] == 1 and site.asked("/private/c.html") == []
    assert summary["slowed_down"] == 1 and len(site.asked("/nb/busy.html")) == 2  # 429, then the page
    assert site.asked("/nb/news.html") == []  # not a report link
    assert all(h["user-agent"].startswith("nianbao-crawler/") for _, h in site.log)

    entries = manifest(landing)
    assert set(entries) == {
        "nb/a.html",
        "nb/b.html",
        "files/huaian-2024.pdf",
        "files/aheqi.txt",
        "nb/busy.html",
    }
    # the same bytes under a second URL are stored once
    assert (landing / entries["nb/a.html"]["path"]).read_bytes() == site.routes["/nb/copy.html"].body
    assert summary["unchanged"] == 1
    wrapper, pdf = entries["nb/b.html"], entries["files/huaian-2024.pdf"]
    assert (wrapper["kind"], pdf["kind"]) == ("wrapper_page", "attachment")
    assert pdf["parent_url"] == wrapper["url"] and pdf["content_type"] == "application/pdf"
    assert pdf["etag"] == '"pdf-1"' and len(pdf["sha256"]) == 64 and pdf["fetched_at"].startswith("20")
    # the date beside the link on the list page, in every form the column prints it
    assert entries["nb/a.html"]["published_date"] == "2021-02-02"
    assert entries["files/aheqi.txt"]["published_date"] == "2021-01-30"
    assert entries["nb/busy.html"]["published_date"] == "2017-03-07"
    # read from a page whose header says UTF-8 and whose bytes are GBK: titles as printed
    assert entries["files/aheqi.txt"]["title"].startswith("阿合奇县人民政府办公室2020年")
    assert (
        entries["nb/a.html"]["agency"] == "某县人民政府" and entries["nb/a.html"]["region_code"] == "530181"
    )
    for entry in entries.values():
        assert (landing / entry["path"]).exists()
    assert not list(landing.rglob("*.part"))


@pytest.mark.slow
def test_the_landing_folder_loads_into_the_marts_with_source_urls(
    tmp_path: Path, site: Site, sources: Path, fresh_database: str
) -> None:
    landing = tmp_path / "landing"
    assert run_crawl(landing, sources).returncode == 3
    run = subprocess.run(
        [*NIANBAO, "run", "--log-format", "json", "--landing-dir", str(landing)],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=600,
        env={**os.environ, "DATABASE_URL": fresh_database},
    )
    summary = json.loads(run.stdout)
    assert summary["files_loaded"] == 4, run.stderr
    assert [(Path(q["path"]).name, q["error_code"]) for q in summary["quarantined"]] == [
        ("b.html", "not_a_report")
    ]
    with psycopg.connect(fresh_database) as conn:
        loaded = dict(conn.execute("select agency_name, report_year from raw.reports").fetchall())
        urls = {
            r[0]
            for r in conn.execute("select manifest ->> 'url' from raw.documents where manifest is not null")
        }
    assert loaded == {
        "安宁市人民政府": 2020,
        "淮安市人民政府": 2024,
        "阿合奇县人民政府办公室": 2020,
        "高台县": 2016,
    }
    assert f"{site.base}/files/huaian-2024.pdf" in urls


def test_a_second_crawl_asks_only_with_validators_and_fetches_nothing_again(
    tmp_path: Path, site: Site, sources: Path
) -> None:
    landing = tmp_path / "landing"
    run_crawl(landing, sources)
    before = len(site.log)
    result = run_crawl(landing, sources)

    summary = json.loads(result.stdout)
    assert summary["new_files"] == {}
    asked = [(path, headers.get("if-none-match")) for path, headers in site.log[before:]]
    # list pages again, with their validators (304: nothing to read); reports not at all; the 404 again
    assert sorted(asked) == sorted(
        [
            ("/robots.txt", None),
            ("/nb/index.html", '"list-1"'),
            ("/nb/index_1.html", '"list-2"'),
            ("/nb/gone.html", None),
        ]
    )
    assert len((landing / "manifest.jsonl").read_text(encoding="utf-8").splitlines()) == 5

    # a recrawl is due: reports are asked again, with their validators where the site gave them
    result = run_crawl(landing, sources, "--recrawl-days", "0")
    assert json.loads(result.stdout)["new_files"] == {}
    assert site.asked("/nb/a.html")[-1].get("if-none-match") == '"a-1"'


def test_a_new_report_in_the_column_is_fetched_alone(tmp_path: Path, site: Site, sources: Path) -> None:
    landing = tmp_path / "landing"
    run_crawl(landing, sources)
    listing = site.routes["/nb/index.html"]
    listing.body = listing.body.replace(
        "<ul>".encode("gb18030"),
        "<ul><li><a href='new.html'>某县2024年政府信息公开工作年度报告</a><span>2025-01-20</span></li>".encode(
            "gb18030"
        ),
    )
    listing.etag = '"list-1b"'
    site.routes["/nb/new.html"] = type(listing)(
        site.routes["/nb/busy.html"].body.replace(b"2016", b"2024"), listing.content_type
    )

    summary = json.loads(run_crawl(landing, sources).stdout)
    assert summary["new_files"] == {"report_page": 1}
    assert manifest(landing)["nb/new.html"]["published_date"] == "2025-01-20"


def test_an_interrupted_crawl_resumes_where_it_stopped(tmp_path: Path, site: Site, sources: Path) -> None:
    landing = tmp_path / "landing"
    release = threading.Event()
    site.routes["/files/huaian-2024.pdf"].before = lambda: release.wait(120)
    crawl = run_crawl(landing, sources, wait=False)
    assert isinstance(crawl, subprocess.Popen)
    try:
        wait_for(
            lambda: len(site.asked("/files/huaian-2024.pdf")) == 1 and (landing / "manifest.jsonl").exists()
        )
    finally:
        crawl.send_signal(signal.SIGKILL)
        crawl.wait()
        release.set()
    written = manifest(landing)
    assert "files/huaian-2024.pdf" not in written
    site.routes["/files/huaian-2024.pdf"].before = None
    with sqlite3.connect(landing / ".crawl" / "state.sqlite") as state:
        recorded = {
            url.split("/", 3)[3] for (url,) in state.execute("select url from fetched where status = 200")
        }
    asked_before = {path: len(site.asked("/" + path)) for path in recorded if not path.startswith("nb/index")}
    assert asked_before  # the kill came after some files were in

    result = run_crawl(landing, sources)  # the lock died with the killed crawl

    assert result.returncode == 3, result.stderr
    after = manifest(landing)
    assert "files/huaian-2024.pdf" in after and set(written) < set(after)
    for path, count in asked_before.items():  # what the state holds is not fetched again
        assert len(site.asked("/" + path)) == count, path
    assert not list(landing.rglob("*.part"))


def test_another_crawl_of_the_folder_exits_4(tmp_path: Path, sources: Path) -> None:
    landing = tmp_path / "landing"
    (landing / ".crawl").mkdir(parents=True)
    with (landing / ".crawl" / "lock").open("a+") as held:
        fcntl.flock(held, fcntl.LOCK_EX)
        result = run_crawl(landing, sources)
    assert result.returncode == 4
    assert "another crawl" in json.loads(result.stdout)["error"]


def test_a_bad_sources_file_is_a_usage_error_naming_the_entry(tmp_path: Path) -> None:
    bad = tmp_path / "sites.toml"
    bad.write_text('[[site]]\nname = "甲县"\nstart_urls = ["ftp://example.org/"]\n', encoding="utf-8")
    result = run_crawl(tmp_path / "landing", bad)
    assert result.returncode == 2
    error = json.loads(result.stdout)["error"]
    assert "甲县" in error and "ftp://example.org/" in error


def test_a_file_over_the_size_limit_is_listed_not_saved(tmp_path: Path, site: Site, sources: Path) -> None:
    landing = tmp_path / "landing"
    env = {**os.environ, "NIANBAO_MAX_FILE_MB": "0.1"}  # the limit set small: the 0.3 MB PDF is over it
    result = subprocess.run(
        [*NIANBAO, "crawl", "--landing", str(landing), "--sources", str(sources), "--log-format", "json"],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=300,
        env=env,
    )
    summary = json.loads(result.stdout)
    assert ("huaian-2024.pdf", "too_large") in {
        (f["url"].rsplit("/", 1)[1], f["error"]) for f in summary["failed"]
    }
    assert "files/huaian-2024.pdf" not in manifest(landing)
    assert any(
        '"saved report_page' in line or "saved report_page" in line for line in result.stderr.splitlines()
    )


def test_a_landing_folder_that_cannot_be_made_exits_1_saying_why(tmp_path: Path, sources: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder", encoding="utf-8")
    result = run_crawl(blocker / "landing", sources)
    assert result.returncode == 1
    assert "cannot crawl into" in json.loads(result.stdout)["error"]
    assert "Traceback" not in result.stderr


def test_a_server_error_and_a_timeout_are_retried_then_listed(
    tmp_path: Path, site: Site, sources: Path
) -> None:
    import time as clock

    from govsite import Route

    listing = site.routes["/nb/index.html"]
    listing.body = listing.body.replace(
        "<ul>".encode("gb18030"),
        "<ul><li><a href='broken.html'>某县2021年政府信息公开工作年度报告</a></li>"
        "<li><a href='slow.html'>某县2022年政府信息公开工作年度报告</a></li>".encode("gb18030"),
    )
    site.routes["/nb/broken.html"] = Route(b"<html>error</html>", status=500)
    site.routes["/nb/slow.html"] = Route(b"<html>late</html>", before=lambda: clock.sleep(2.5))

    result = run_crawl(tmp_path / "landing", sources, "--timeout", "1")

    assert result.returncode == 3
    failed = {f["url"].rsplit("/", 1)[1]: f["error"] for f in json.loads(result.stdout)["failed"]}
    assert failed["broken.html"] == "http_500" and failed["slow.html"] == "timeout"
    assert len(site.asked("/nb/broken.html")) == 3  # asked, then retried twice
    assert len(json.loads(result.stdout)["new_files"]) > 0  # the rest of the column came all the same


def test_a_redirect_on_the_site_is_followed_once(tmp_path: Path, site: Site, sources: Path) -> None:
    from govsite import Route, report_page

    listing = site.routes["/nb/index.html"]
    listing.body = listing.body.replace(
        "<ul>".encode("gb18030"),
        "<ul><li><a href='moved.html'>某县2022年政府信息公开工作年度报告</a></li>".encode("gb18030"),
    )
    site.routes["/nb/moved.html"] = Route(b"", status=302, headers={"Location": "/nb/2022/report.html"})
    site.routes["/nb/2022/report.html"] = Route(
        report_page("某县2022年政府信息公开工作年度报告", "2022年政府信息公开工作年度报告正文", "2023-01-10"),
        "text/html; charset=gbk",
    )
    landing = tmp_path / "landing"
    run_crawl(landing, sources)
    assert manifest(landing)["nb/2022/report.html"]["kind"] == "report_page"

    run_crawl(landing, sources)
    assert len(site.asked("/nb/moved.html")) == 1 and len(site.asked("/nb/2022/report.html")) == 1
