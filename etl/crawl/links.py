"""What a page of a 政府信息公开年报 column links to: reports, attachments, the next list page.

Pure functions over a page's bytes and URL, so the rules can be tested
without a network. Agencies' sites come from a handful of CMSs (TRS WCM,
Hanweb, 大汉, 拓尔思): a column is a list page of links titled
"XX2023年政府信息公开工作年度报告", paginated as ``index.html``,
``index_1.html``, ... (the CMS writes ``createPageHTML(12, 0, "index",
"html")`` into the page and draws the pager with JavaScript) or with a
"下一页" link; a report is a page holding the report as HTML, or a page
that only links the report as an attachment (PDF, DOC/DOCX, WPS, OFD).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urldefrag, urljoin, urlsplit

import lxml.html
from lxml import etree

from etl.extract.decode import decode_bytes
from etl.extract.document import ExtractError
from etl.load.rows import iso_date as read_date

# a link (text or title) that names an annual report of information disclosure
REPORT_TITLE = re.compile(
    r"(?:信息公开|政务公开).{0,30}(?:年度报告|年报)|(?:年度报告|年报).{0,30}(?:信息公开|政务公开)"
)
ATTACHMENT_SUFFIXES = (".pdf", ".doc", ".docx", ".wps", ".ofd", ".txt", ".zip")
_NEXT_TEXT = re.compile(r"^\s*(?:下一页|下页|后一页|后页|>|›|»|>>|››)\s*$")
_CREATE_PAGE = re.compile(
    r"createPageHTML\(\s*['\"]?(\d+)['\"]?\s*,\s*['\"]?(\d+)['\"]?\s*,\s*['\"]([\w-]+)['\"]\s*,\s*['\"](\w+)['\"]"
)
_DATE = re.compile(r"(20\d{2}|19\d{2})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})")
_PUBLISHED = re.compile(
    r"(?:发布|印发|成文|公开)(?:日期|时间)\s*[:：]?\s*(\d{4}\s*[-/.年]\s*\d{1,2}\s*[-/.月]\s*\d{1,2})"
)
# a page whose own text is shorter than this and that links attachments only wraps them
WRAPPER_TEXT_CHARS = 1500


@dataclass(frozen=True)
class Link:
    url: str
    text: str
    date: str | None = None  # the date printed beside it on a list page (ISO), if any


@dataclass(frozen=True)
class Page:
    """A fetched HTML page, read for what the crawler needs."""

    title: str
    text: str
    links: list[Link]
    published_date: str | None
    pages: list[str]  # further list pages the CMS's pager script names (createPageHTML)

    def report_links(self, pattern: re.Pattern[str] = REPORT_TITLE) -> list[Link]:
        """Links whose text or target names an annual report, attachments included."""
        return [
            link for link in self.links if pattern.search(link.text) or pattern.search(_file_name(link.url))
        ]

    def attachments(self) -> list[Link]:
        """Links to files (PDF, Word, WPS, OFD, ...), the report's attachment among them."""
        return [link for link in self.links if is_attachment(link.url)]

    def next_pages(self, pattern: re.Pattern[str] | None = None) -> list[str]:
        """The list's further pages: a "下一页" link (or ``pattern``'s), and those the pager script names."""
        found = [
            link.url
            for link in self.links
            if (
                pattern.search(link.text) or pattern.search(link.url)
                if pattern
                else _NEXT_TEXT.match(link.text)
            )
        ]
        return list(dict.fromkeys([*found, *self.pages]))

    def is_wrapper(self) -> bool:
        """A page that only links the report's file: little text of its own and an attachment."""
        return bool(self.attachments()) and len(self.text) < WRAPPER_TEXT_CHARS


def read_page(data: bytes, url: str, declared: str | None = None) -> Page:
    """Read a page's links, title, date and pager; the charset as the bytes say, whatever was declared."""
    try:
        text, _ = decode_bytes(data, declared)
    except ExtractError:
        text = data.decode("gb18030", errors="replace")
    try:
        root = lxml.html.document_fromstring(text or "<html></html>")
    except (ValueError, etree.ParserError):
        return Page("", "", [], None, [])
    base = url
    for href in root.xpath("//base/@href")[:1]:
        base = urljoin(url, str(href).strip())
    for bad in root.xpath("//script|//style|//noscript"):
        if bad.tag != "script":
            bad.drop_tree()
    scripts = " ".join(s.text_content() for s in root.xpath("//script"))
    links: list[Link] = []
    seen: set[str] = set()
    for anchor in root.xpath("//a[@href]"):
        href = str(anchor.get("href", "")).strip()
        if not href or href.startswith(("javascript:", "mailto:", "#")):
            continue
        target = urldefrag(urljoin(base, href))[0]
        if urlsplit(target).scheme not in ("http", "https") or target in seen:
            continue
        seen.add(target)
        label = " ".join((anchor.text_content() or "").split()) or str(anchor.get("title", "")).strip()
        if anchor.get("title") and len(str(anchor.get("title"))) > len(label):
            label = str(anchor.get("title")).strip()  # list pages cut long titles short with "..."
        links.append(Link(target, label, _date_near(anchor)))
    for script in root.xpath("//script"):
        script.drop_tree()
    body_text = " ".join(root.text_content().split())
    title = " ".join((root.findtext(".//title") or "").split())
    published = _PUBLISHED.search(body_text)
    return Page(
        title=title,
        text=body_text,
        links=links,
        published_date=iso_date(published.group(1)) if published else None,
        pages=_pager_pages(scripts, url),
    )


def is_attachment(url: str) -> bool:
    return urlsplit(url).path.lower().endswith(ATTACHMENT_SUFFIXES)


def iso_date(text: str) -> str | None:
    """2024-01-20 for the first date in a text ("2024-1-20", "2024/01/20 10:00", "2024年1月20日"), or None.

    Finds the date; reading it (and refusing 2024-02-30) is the loader's
    :func:`etl.load.rows.iso_date`, so the crawler's manifest dates are the
    dates the loader takes.
    """
    m = _DATE.search(text)
    return read_date(m.group(0)) if m else None


def _date_near(anchor: lxml.html.HtmlElement) -> str | None:
    """The date a list item prints beside its link (in the link's row or list item), if one."""
    node = anchor
    for _ in range(3):
        parent = node.getparent()
        if parent is None:
            break
        node = parent
        if node.tag in ("li", "tr", "dd", "p", "div"):
            own = " ".join(node.text_content().split())
            if len(own) < 300:  # a list item, not the whole list
                return iso_date(own.replace(" ".join(anchor.text_content().split()), " "))
            break
    return None


def _pager_pages(scripts: str, url: str) -> list[str]:
    """index_1.html ... index_N-1.html from a TRS pager call ``createPageHTML(N, current, "index", "html")``."""
    m = _CREATE_PAGE.search(scripts)
    if not m:
        return []
    count, _current, stem, suffix = int(m.group(1)), int(m.group(2)), m.group(3), m.group(4)
    count = min(count, 500)  # a column of annual reports has a few pages; a bound against a broken script
    first = urljoin(url, f"{stem}.{suffix}")
    return [first, *(urljoin(url, f"{stem}_{n}.{suffix}") for n in range(1, count))]


def _file_name(url: str) -> str:
    from urllib.parse import unquote

    return unquote(urlsplit(url).path.rsplit("/", 1)[-1])
