"""The spider: from a column's list pages to report pages and their attachments.

Scrapy does the fetching (robots.txt, one connection per site, delays,
retries, timeouts, size limits, redirects kept on the site); this spider
decides what to ask for and what each answer is, with the rules of
:mod:`etl.crawl.links`, and hands every file to :class:`LandingWriter`.

* A list page is asked with its validators; ``304`` means it is as it was:
  its links (kept in the state) are followed where they were not fetched yet.
  Otherwise its report links are followed, and its further pages (a "下一页"
  link, the CMS's pager) are listed too.
* A report link is asked once (again only when a recrawl is due, with
  validators). An HTML answer is a ``report_page``, or a ``wrapper_page``
  when it only links the report's file, whose attachments are then fetched
  as ``attachment`` with the page as their ``parent_url``; any other answer
  (a PDF behind an ``.html`` link) is the attachment itself.
"""

from __future__ import annotations

import logging
import re
from collections import Counter
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from typing import Any

import scrapy
from scrapy.http import Response
from twisted.python.failure import Failure

from etl.crawl.landing import LandingWriter
from etl.crawl.links import REPORT_TITLE, Link, is_attachment, read_page
from etl.crawl.sources import Site, Sources
from etl.crawl.state import CrawlState

log = logging.getLogger("etl.crawl")

_REDIRECTS = (301, 302, 303, 307, 308)
_MAX_HOPS = 5
_HTML = re.compile(
    rb"^\s*(?:<!--.*?-->\s*)*<(?:!doctype\s+html|html|head|body|meta|div|table|p)\b", re.I | re.S
)


@dataclass
class Tally:
    """What a crawl did, for its summary and exit code."""

    list_pages: int = 0
    unchanged: int = 0  # answered 304, or the same bytes as a file already in the folder
    skipped: int = 0  # fetched by an earlier crawl, no recrawl due
    new_files: Counter[str] = field(default_factory=Counter)  # by kind
    robots: int = 0  # not asked: the site's robots.txt forbids it
    backoffs: int = 0
    failures: list[tuple[str, str, str]] = field(default_factory=list)  # (url, kind of error, detail)

    def errors_by_kind(self) -> Counter[str]:
        return Counter(kind for _, kind, _ in self.failures)


class ReportSpider(scrapy.Spider):
    name = "nianbao"

    def __init__(
        self,
        sources: Sources,
        state: CrawlState,
        writer: LandingWriter,
        tally: Tally,
        recrawl_days: float | None = None,
        max_list_pages: int = 200,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.sources = sources
        self.state = state
        self.writer = writer
        self.tally = tally
        self.recrawl_days = recrawl_days
        self.max_list_pages = max_list_pages
        self.allowed_domains = sorted({d for s in sources.sites for d in s.domains})
        self._list_pages_asked: Counter[str] = Counter()

    async def start(self) -> AsyncIterator[scrapy.Request]:
        for site in self.sources.sites:
            for url in site.start_urls:
                request = self._list_request(url, site)
                if request is not None:
                    yield request

    # -- requests ------------------------------------------------------------
    def _validators(self, url: str) -> dict[str, str]:
        seen = self.state.get(url)
        headers = {}
        if seen is not None and seen.status is not None and seen.status < 400:
            if seen.etag:
                headers["If-None-Match"] = seen.etag
            if seen.last_modified:
                headers["If-Modified-Since"] = seen.last_modified
        return headers

    def _list_request(self, url: str, site: Site) -> scrapy.Request | None:
        if self._list_pages_asked[site.name] >= self.max_list_pages:
            return None
        self._list_pages_asked[site.name] += 1
        return scrapy.Request(
            url,
            callback=self.parse_list,
            errback=self.failed,
            headers=self._validators(url),
            meta={"site": site, "kind": "list_page", "handle_httpstatus_list": [304]},
            priority=10,  # lists first: they say what there is
        )

    def _file_request(
        self, link: Link, site: Site, kind: str, parent: str | None, title: str | None
    ) -> scrapy.Request | None:
        if not self.state.due(link.url, self.recrawl_days):
            self.tally.skipped += 1
            return None
        return scrapy.Request(
            link.url,
            callback=self.parse_file,
            errback=self.failed,
            headers=self._validators(link.url),
            meta={
                "site": site,
                "kind": kind,
                "parent_url": parent,
                "title": title or link.text,
                "date": link.date,
                "handle_httpstatus_list": [304, *_REDIRECTS],
            },
        )

    # -- answers ---------------------------------------------------------------
    def parse_list(self, response: Response) -> Iterator[scrapy.Request]:
        site: Site = response.meta["site"]
        self.tally.list_pages += 1
        etag, modified = _validator_headers(response)
        if response.status == 304:  # as it was: what it linked is known (and may not all be fetched yet)
            self.tally.unchanged += 1
            self.state.record(response.url, "list_page", 304)
            links = [Link(url, text or "", date) for url, text, date in self.state.links_of(response.url)]
            pages = self.state.pages_of(response.url)
        else:
            page = read_page(response.body, response.url, _declared(response))
            links = page.report_links(site.link_pattern or REPORT_TITLE)
            pages = [u for u in page.next_pages(site.next_pattern) if site.covers(u) and u != response.url]
            self.state.remember_links(response.url, [(link.url, link.text, link.date) for link in links])
            self.state.remember_pages(response.url, pages)
            self.state.record(response.url, "list_page", response.status, etag=etag, last_modified=modified)
        for link in links:
            yield from self._follow(link, site, parent=response.url)
        for url in pages:
            request = self._list_request(url, site)
            if request is not None:
                yield request

    def _follow(self, link: Link, site: Site, parent: str) -> Iterator[scrapy.Request]:
        attachment = is_attachment(link.url)
        request = self._file_request(
            link, site, "attachment" if attachment else "report", parent if attachment else None, None
        )
        if request is not None:
            yield request
            return
        seen = self.state.get(link.url)
        if seen is not None and seen.kind == "wrapper_page":  # fetched before: its files may not all be
            for url, text, date in self.state.links_of(link.url):
                follow = self._file_request(Link(url, text or "", date), site, "attachment", link.url, text)
                if follow is not None:
                    yield follow

    def parse_file(self, response: Response) -> Iterator[scrapy.Request]:
        site: Site = response.meta["site"]
        kind: str = response.meta["kind"]
        etag, modified = _validator_headers(response)
        if response.status == 304:
            self.tally.unchanged += 1
            self.state.record(response.url, kind, 304)
            return
        if response.status in _REDIRECTS:
            yield from self._redirect(response, site)
            return
        content_type = (response.headers.get(b"Content-Type") or b"").decode("latin-1")
        is_html = "html" in content_type.lower() or (
            not content_type and bool(_HTML.match(response.body[:2048]))
        )
        followups: list[scrapy.Request] = []
        title = response.meta.get("title")
        date = response.meta.get("date")
        if kind == "report" and is_html:
            page = read_page(response.body, response.url, _declared(response))
            kind = "wrapper_page" if page.is_wrapper() else "report_page"
            title = title or page.title
            date = date or page.published_date
            if kind == "wrapper_page":
                self.state.remember_links(
                    response.url, [(a.url, title or a.text, date) for a in page.attachments()]
                )
                for attachment in page.attachments():
                    request = self._file_request(
                        attachment, site, "attachment", response.url, title or attachment.text
                    )
                    if request is not None:
                        request.meta["date"] = date
                        followups.append(request)
        elif kind == "report":
            kind = "attachment"  # a file behind a page-like link
        saved = self.writer.save(
            response.url,
            response.body,
            {
                "title": title,
                "agency": site.agency,
                "region_code": site.region_code,
                "site": site.name,
                "published_date": date,
                "kind": kind,
                "parent_url": response.meta.get("parent_url"),
                "content_type": content_type or None,
                "etag": etag,
                "last_modified": modified,
            },
        )
        self.state.record(
            response.url,
            kind,
            response.status,
            sha256=saved.sha256,
            path=saved.path,
            etag=etag,
            last_modified=modified,
        )
        if saved.new:
            self.tally.new_files[kind] += 1
            log.info("saved %s %s (%d new so far)", kind, saved.path, sum(self.tally.new_files.values()))
        else:
            self.tally.unchanged += 1
        yield from followups

    def _redirect(self, response: Response, site: Site) -> Iterator[scrapy.Request]:
        """Follow a redirect that stays on the site; one that leaves it is listed, not followed."""
        location = (response.headers.get(b"Location") or b"").decode("latin-1")
        target = response.urljoin(location) if location else ""
        hops = response.meta.get("hops", 0)
        if not target or not site.covers(target) or hops >= _MAX_HOPS:
            why = (
                "no Location"
                if not target
                else f"led outside the site, to {target}"
                if not site.covers(target)
                else "too many redirects"
            )
            self.state.record(response.url, response.meta["kind"], response.status)
            self.tally.failures.append(
                (response.url, "offsite" if target and not site.covers(target) else "redirect", why)
            )
            log.warning("%s: not followed (%s)", response.url, why)
            return
        # the link is answered (by its target): a later crawl does not ask it again until a recrawl is due
        self.state.record(response.url, response.meta["kind"], response.status)
        yield response.request.replace(url=target, meta={**response.meta, "hops": hops + 1}, headers={})

    def failed(self, failure: Failure) -> None:
        request = getattr(failure, "request", None)
        url = request.url if request is not None else "?"
        kind, detail = _failure_kind(failure)
        if kind == "robots":
            self.tally.robots += 1
            return
        kind_of_page = request.meta.get("kind", "?") if request is not None else "?"
        if request is not None:
            status = getattr(getattr(failure.value, "response", None), "status", None)
            self.state.record(url, kind_of_page if kind_of_page != "report" else "report_page", status or 599)
        self.tally.failures.append((url, kind, detail))
        log.warning("%s: %s (%s)", url, kind, detail)


def _failure_kind(failure: Failure) -> tuple[str, str]:
    from scrapy.exceptions import IgnoreRequest
    from scrapy.spidermiddlewares.httperror import HttpError
    from twisted.internet.error import DNSLookupError, TCPTimedOutError, TimeoutError

    value = failure.value
    if isinstance(value, HttpError):
        status = value.response.status
        return f"http_{status}", f"the site answered {status}"
    if isinstance(value, IgnoreRequest):
        text = str(value)
        if (
            "robots" in text.lower()
            or type(value).__name__ == "IgnoreRequest"
            and "Forbidden by robots" in text
        ):
            return "robots", text
        if "offsite" in text.lower() or "Filtered offsite" in text:
            return "offsite", f"led outside the site ({text})"
        if "maxsize" in text.lower() or "larger than" in text.lower() or "Cancelling" in text:
            return "too_large", text
        return "ignored", text or type(value).__name__
    if isinstance(value, DNSLookupError):
        return "dns", str(value)
    if isinstance(value, TimeoutError | TCPTimedOutError) or "Timeout" in type(value).__name__:
        return "timeout", str(value)
    text = str(value)
    if type(value).__name__ == "DownloadCancelledError" or "download max size" in text or "maxsize" in text.lower():
        return "too_large", f"larger than the size limit (NIANBAO_MAX_FILE_MB): {text}"[:300]
    return "network", f"{type(value).__name__}: {text}"[:300]


def _validator_headers(response: Response) -> tuple[str | None, str | None]:
    etag = response.headers.get(b"ETag")
    modified = response.headers.get(b"Last-Modified")
    return (etag.decode("latin-1") if etag else None, modified.decode("latin-1") if modified else None)


def _declared(response: Response) -> str | None:
    content_type = (response.headers.get(b"Content-Type") or b"").decode("latin-1")
    m = re.search(r"charset=([\w-]+)", content_type, re.I)
    return m.group(1) if m else None
