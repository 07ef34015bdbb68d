"""One crawl, as one function: sources and landing folder in, files and a summary out.

``crawl()`` takes the landing folder's lock, opens its state, configures
Scrapy for politeness (robots.txt obeyed, one connection per site, the
site's delay between requests, backoff on 429/503, timeouts, a size limit,
redirects kept on the site, an honest User-Agent), runs the spider and
returns a :class:`CrawlOutcome` with the exit code. It never raises for what
a night can bring (a site down, a page gone, a bad sources file): the
outcome says what happened.

Scrapy runs on a Twisted reactor, which starts once per process: a process
crawls once (the CLI does; tests run the CLI as a subprocess).
"""

from __future__ import annotations

import contextlib
import dataclasses
import fcntl
import logging
import os
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from enum import IntEnum
from pathlib import Path

from etl.crawl.landing import LandingWriter
from etl.crawl.sources import Sources, SourcesError, load_sources
from etl.crawl.spider import ReportSpider, Tally
from etl.crawl.state import CrawlState

log = logging.getLogger("etl.crawl")

VERSION = "1.0"
USER_AGENT = (
    f"nianbao-crawler/{VERSION} (annual reports of government information disclosure, "
    "for a public research warehouse; obeys robots.txt; contact: {contact})"
)
TIMEOUT_SECONDS = 30.0
MAX_FILE_BYTES = 256 * 2**20  # as the loader's limit (NIANBAO_MAX_FILE_MB)


class CrawlExit(IntEnum):
    OK = 0  # everything asked for was fetched (or was unchanged)
    FAILED = 1  # the crawl could not run
    USAGE = 2  # a bad argument or sources file
    SOME_FAILED = 3  # done, but some pages or files could not be fetched (listed)
    LOCKED = 4  # another crawl of this landing folder is running


@dataclass
class CrawlOutcome:
    exit_code: CrawlExit
    sites: list[str] = field(default_factory=list)
    tally: Tally | None = None
    error: str | None = None
    seconds: float = 0.0


@dataclass(frozen=True)
class CrawlSettings:
    recrawl_days: float | None = None  # ask reports again after this many days (None: never)
    delay: float | None = None  # seconds between requests to a site, over the sources file's
    max_list_pages: int = 200  # per site, a bound against endless pagination
    timeout: float = TIMEOUT_SECONDS
    max_file_bytes: int = field(
        default_factory=lambda: int(
            float(os.environ.get("NIANBAO_MAX_FILE_MB", MAX_FILE_BYTES / 2**20)) * 2**20
        )
    )
    contact: str = field(
        default_factory=lambda: os.environ.get("NIANBAO_CRAWL_CONTACT", "see the project's README")
    )


class LockedError(RuntimeError):
    pass


@contextlib.contextmanager
def landing_lock(landing: Path) -> Iterator[None]:
    """One crawl per landing folder at a time (``.crawl/lock``, released when the process ends)."""
    path = landing / ".crawl" / "lock"
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a+") as fh:
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError as exc:
            fh.seek(0)
            holder = fh.read().strip()
            raise LockedError(f"another crawl of {landing} is running ({holder or 'pid unknown'})") from exc
        fh.seek(0)
        fh.truncate()
        fh.write(f"pid {os.getpid()}")
        fh.flush()
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def crawl(
    start_urls: list[str],
    landing: Path,
    sources_file: Path | None = None,
    settings: CrawlSettings | None = None,
) -> CrawlOutcome:
    settings = settings or CrawlSettings()
    started = time.monotonic()
    try:
        sources = load_sources(sources_file)
        chosen = sources.with_start_urls(start_urls) if start_urls else sources
        if settings.delay is not None:
            chosen = Sources([dataclasses.replace(site, delay=settings.delay) for site in chosen.sites])
    except SourcesError as exc:
        return CrawlOutcome(CrawlExit.USAGE, error=str(exc))
    if not chosen.sites:
        return CrawlOutcome(
            CrawlExit.USAGE, error="nothing to crawl: give START_URLs or a sources file with sites"
        )
    try:
        landing.mkdir(parents=True, exist_ok=True)
        with landing_lock(landing):
            state = CrawlState(landing)
            try:
                tally = Tally()
                _run_scrapy(chosen, state, LandingWriter(landing, state), tally, settings)
            finally:
                state.close()
    except LockedError as exc:
        return CrawlOutcome(CrawlExit.LOCKED, error=str(exc))
    except OSError as exc:
        from etl.run.failures import explain

        return CrawlOutcome(CrawlExit.FAILED, error=f"cannot crawl into {landing}: {explain(exc)}")
    code = CrawlExit.SOME_FAILED if tally.failures else CrawlExit.OK
    return CrawlOutcome(
        code, [s.name for s in chosen.sites], tally, seconds=round(time.monotonic() - started, 1)
    )


def scrapy_settings(sources: Sources, settings: CrawlSettings) -> dict[str, object]:
    """Scrapy's settings for a polite crawl of ``sources`` (kept here, in one place, to be read)."""
    return {
        "ROBOTSTXT_OBEY": True,
        "USER_AGENT": USER_AGENT.format(contact=settings.contact),
        "CONCURRENT_REQUESTS": 8,
        "CONCURRENT_REQUESTS_PER_DOMAIN": 1,
        "DOWNLOAD_DELAY": 2.0,
        "DOWNLOAD_SLOTS": {
            domain: {"concurrency": 1, "delay": site.delay}
            for site in sources.sites
            for domain in site.domains
        },
        "RANDOMIZE_DOWNLOAD_DELAY": True,
        "DOWNLOAD_TIMEOUT": settings.timeout,
        "DOWNLOAD_MAXSIZE": settings.max_file_bytes,
        "DOWNLOAD_WARNSIZE": 0,
        "RETRY_ENABLED": True,
        "RETRY_TIMES": 2,
        "RETRY_HTTP_CODES": [408, 429, 500, 502, 503, 504, 522, 524],
        "DOWNLOADER_MIDDLEWARES": {"etl.crawl.polite.BackoffMiddleware": 560},  # before RetryMiddleware (550)
        "REDIRECT_MAX_TIMES": 5,
        "TELNETCONSOLE_ENABLED": False,
        "LOG_LEVEL": "WARNING",
        "LOG_INSTALL_ROOT_HANDLER": False,  # our handlers (text or JSON) carry the crawl's lines
        "COOKIES_ENABLED": True,  # some CMSs set a session cookie before they serve a page
    }


def _run_scrapy(
    sources: Sources, state: CrawlState, writer: LandingWriter, tally: Tally, settings: CrawlSettings
) -> None:
    from scrapy.crawler import CrawlerProcess

    process = CrawlerProcess(scrapy_settings(sources, settings))
    logging.getLogger("scrapy").setLevel(logging.WARNING)
    process.crawl(
        ReportSpider,
        sources=sources,
        state=state,
        writer=writer,
        tally=tally,
        recrawl_days=settings.recrawl_days,
        max_list_pages=settings.max_list_pages,
    )
    process.start()
