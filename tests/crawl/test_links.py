"""Reading a column's pages and the sources file, without a network."""

from __future__ import annotations

from pathlib import Path

import pytest

from etl.crawl.links import is_attachment, iso_date, read_page
from etl.crawl.sources import SITES_FILE, SourcesError, load_sources

URL = "http://www.example.gov.cn/zwgk/nb/index.html"


def html(body: str, charset: str = "gbk") -> bytes:
    return (
        f'<html><head><meta charset="{charset}"><title>年报</title></head><body>{body}</body></html>'.encode(
            "gb18030"
        )
    )


def test_report_links_with_their_dates_whatever_the_declared_charset() -> None:
    page = read_page(
        html(
            "<ul><li><a href='t1.html' title='某县人民政府2023年政府信息公开工作年度报告'>某县人民政府2023年政府...</a>"
            "<span>2024年1月20日</span></li>"
            "<li><a href='../news/1.html'>县长调研</a><span>2024-02-01</span></li>"
            "<li><a href='/u/某县卫健局2023年政府信息公开年报.pdf'>附件</a></li></ul>"
        ),
        URL,
        declared="utf-8",  # the header lies: the bytes are GBK
    )
    reports = page.report_links()
    assert [(link.url, link.text, link.date) for link in reports] == [
        (
            "http://www.example.gov.cn/zwgk/nb/t1.html",
            "某县人民政府2023年政府信息公开工作年度报告",
            "2024-01-20",
        ),
        (
            "http://www.example.gov.cn/u/某县卫健局2023年政府信息公开年报.pdf",
            "附件",
            None,
        ),  # named by its file
    ]


def test_further_pages_from_a_next_link_and_from_the_pager_script() -> None:
    page = read_page(
        html('<a href=\'index_1.html\'>下一页</a><script>createPageHTML(3, 0, "index", "shtml");</script>'),
        URL,
    )
    assert page.next_pages() == [
        "http://www.example.gov.cn/zwgk/nb/index_1.html",
        "http://www.example.gov.cn/zwgk/nb/index.shtml",
        "http://www.example.gov.cn/zwgk/nb/index_1.shtml",
        "http://www.example.gov.cn/zwgk/nb/index_2.shtml",
    ]


def test_a_page_that_only_links_the_report_file_is_a_wrapper() -> None:
    wrapper = read_page(html("<p>发布时间：2024-01-20</p><a href='/f/nb.pdf'>下载附件</a>"), URL)
    assert wrapper.is_wrapper() and wrapper.published_date == "2024-01-20"
    full = read_page(html("<p>" + "一、总体情况。" * 400 + "</p><a href='/f/nb.pdf'>下载</a>"), URL)
    assert not full.is_wrapper()


@pytest.mark.parametrize(
    "text, expected",
    [
        ("2024-1-20", "2024-01-20"),
        ("2024/01/20 10:00", "2024-01-20"),
        ("2024年1月20日", "2024-01-20"),
        ("2024-13-01", None),
    ],
)
def test_dates_as_pages_print_them(text: str, expected: str | None) -> None:
    assert iso_date(text) == expected


def test_attachments_by_suffix() -> None:
    assert is_attachment("http://x.gov.cn/a/b.OFD") and is_attachment("http://x.gov.cn/a.wps")
    assert not is_attachment("http://x.gov.cn/a/b.html")


def test_the_shipped_sites_file_reads() -> None:
    sites = load_sources(SITES_FILE).sites
    assert sites and all(s.start_urls and s.domains for s in sites)
    pingtan = load_sources(SITES_FILE).site_of("https://www.pingtan.gov.cn/zwgk/zfxxgk/zfxxgknb/index_1.html")
    assert pingtan is not None and pingtan.region_code == "350128"


@pytest.mark.parametrize(
    "entry, complaint",
    [
        ('name = "甲"\nstart_urls = ["http://a.gov.cn/"]\nlink_pattern = "("', "not a regular expression"),
        ('name = "甲"\nstart_urls = ["http://a.gov.cn/"]\ndelay = -1', "delay"),
        ('name = "甲"\nstart_urls = ["http://a.gov.cn/"]\nregion_code = "35"', "six digits"),
        ('start_urls = ["http://a.gov.cn/"]', "needs a name"),
    ],
)
def test_a_bad_entry_is_named(tmp_path: Path, entry: str, complaint: str) -> None:
    path = tmp_path / "sites.toml"
    path.write_text("[[site]]\n" + entry + "\n", encoding="utf-8")
    with pytest.raises(SourcesError) as error:
        load_sources(path)
    assert complaint in str(error.value) and "site 1" in str(error.value)


def test_a_start_url_no_entry_lists_is_crawled_with_the_defaults() -> None:
    chosen = load_sources(SITES_FILE).with_start_urls(["https://nb.example.gov.cn/col/1/index.html"])
    [site] = chosen.sites
    assert site.domains == ("nb.example.gov.cn",) and site.delay == 2.0
