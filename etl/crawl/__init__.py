"""The crawler: agencies' 年报 columns to files in the landing folder, with their manifest.

``crawl(start_urls, landing)`` (``runner``) fetches, politely and
incrementally, the report pages and attachments a column links, and writes
each into the landing folder with its ``manifest.jsonl`` line, ready for
``nianbao run``. The modules each do one job: ``sources`` reads the sites
file (``etl/sites.toml``), ``links`` reads a page for its report links,
attachments and further pages (pure), ``state`` remembers what was fetched
(what makes a crawl incremental and resumable), ``landing`` writes files and
manifest lines, ``polite`` slows down when a site asks, ``spider`` decides
what to fetch and what each answer is. Scrapy does the fetching; see
docs/crawling.md for why Scrapy.
"""

from etl.crawl.runner import CrawlExit, CrawlOutcome, CrawlSettings, crawl
from etl.crawl.sources import SITES_FILE, SourcesError, load_sources

__all__ = [
    "SITES_FILE",
    "CrawlExit",
    "CrawlOutcome",
    "CrawlSettings",
    "SourcesError",
    "crawl",
    "load_sources",
]
