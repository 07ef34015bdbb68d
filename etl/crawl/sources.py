"""The sites to crawl, and what each says of the agency behind it: ``etl/sites.toml``.

One table serves two purposes. The crawler reads each site's column pages
(start URLs), its own link or pagination rule where the default misses, and
its pace; the loader's manifest gets the site's agency and place, so that a
report that names itself only "我局" still lands on its agency. A site
entry::

    [[site]]
    name = "平潭综合实验区"            # how the operator calls it
    agency = "平潭综合实验区"          # the agency whose reports the column holds, if one
    region_code = "350128"            # its division (GB/T 2260), if known
    start_urls = ["https://www.pingtan.gov.cn/zwgk/zfxxgk/zfxxgknb/"]
    domains = ["pingtan.gov.cn"]      # hosts the crawl may enter (default: the start URLs')
    link_pattern = "年报"              # a report link's text (regex; default etl.crawl.links.REPORT_TITLE)
    next_pattern = "下一页|index_\\d+"  # a next-page link's text or URL (regex; default "下一页" and the pager)
    delay = 3.0                       # seconds between requests to the site (default 2)

A start URL given on the command line that no entry lists is crawled with
the defaults.
"""

from __future__ import annotations

import dataclasses
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

SITES_FILE = Path(__file__).resolve().parents[1] / "sites.toml"
DEFAULT_DELAY = 2.0


class SourcesError(ValueError):
    """The sources file cannot be used; the message names the entry and the field."""


@dataclass(frozen=True)
class Site:
    name: str
    start_urls: tuple[str, ...]
    domains: tuple[str, ...]
    agency: str | None = None
    region_code: str | None = None
    link_pattern: re.Pattern[str] | None = None
    next_pattern: re.Pattern[str] | None = None
    delay: float = DEFAULT_DELAY

    def covers(self, url: str) -> bool:
        host = (urlsplit(url).hostname or "").lower()
        return any(host == d or host.endswith("." + d) for d in self.domains)


@dataclass
class Sources:
    sites: list[Site] = field(default_factory=list)

    def site_of(self, url: str) -> Site | None:
        """The site a URL belongs to (the most specific domain), or None."""
        matches = [s for s in self.sites if s.covers(url)]
        return max(matches, key=lambda s: max(len(d) for d in s.domains), default=None)

    def with_start_urls(self, urls: list[str]) -> Sources:
        """These sources, plus a default site for each URL no entry covers; only sites being crawled."""
        chosen: dict[str, Site] = {}
        for url in urls:
            _check_url(url, "a start URL")
            site = self.site_of(url)
            if site is None:
                host = (urlsplit(url).hostname or "").lower()
                site = Site(name=host, start_urls=(url,), domains=(host,))
            elif url not in site.start_urls:
                site = dataclasses.replace(site, start_urls=(*site.start_urls, url))
            chosen[site.name] = site
        return Sources(list(chosen.values()))


def load_sources(path: Path | None = None) -> Sources:
    """Read a sources file (default: etl/sites.toml); :class:`SourcesError` names what is wrong."""
    path = path or SITES_FILE
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise SourcesError(f"{path}: no such sources file") from exc
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise SourcesError(f"{path}: not a TOML file ({exc})") from exc
    sites = []
    for n, entry in enumerate(data.get("site", []), start=1):
        where = f"{path}: site {n} ({entry.get('name', 'unnamed')})"
        starts = entry.get("start_urls") or []
        if not entry.get("name") or not isinstance(starts, list):
            raise SourcesError(f"{where}: needs a name and a list of start_urls")
        for url in starts:
            _check_url(url, where)
        domains = entry.get("domains") or sorted({(urlsplit(u).hostname or "").lower() for u in starts})
        if not domains:
            raise SourcesError(f"{where}: no domain (give start_urls or domains)")
        try:
            link = re.compile(entry["link_pattern"]) if entry.get("link_pattern") else None
            nxt = re.compile(entry["next_pattern"]) if entry.get("next_pattern") else None
        except re.error as exc:
            raise SourcesError(f"{where}: a pattern is not a regular expression ({exc})") from exc
        delay = entry.get("delay", DEFAULT_DELAY)
        if not isinstance(delay, int | float) or delay < 0:
            raise SourcesError(f"{where}: delay must be a number of seconds, 0 or more")
        region = entry.get("region_code")
        if region is not None and not re.fullmatch(r"\d{6}", str(region)):
            raise SourcesError(f"{where}: region_code must be six digits (GB/T 2260)")
        sites.append(
            Site(
                name=str(entry["name"]),
                start_urls=tuple(starts),
                domains=tuple(d.lower() for d in domains),
                agency=entry.get("agency"),
                region_code=str(region) if region is not None else None,
                link_pattern=link,
                next_pattern=nxt,
                delay=float(delay),
            )
        )
    return Sources(sites)


def _check_url(url: object, where: str) -> None:
    parts = urlsplit(str(url))
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise SourcesError(f"{where}: {url!r} is not an http(s) URL")
