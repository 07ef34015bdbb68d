"""What the crawler has fetched, kept beside the landing folder: what makes it incremental and resumable.

``LANDING/.crawl/state.sqlite`` (the landing folder's loader skips hidden
folders) holds, per URL, what came back (its SHA-256, the file it went to,
its HTTP validators, when) and, per list page, the links found on it. With
it, a second crawl asks a list page again only with its validators (``304
Not Modified``: nothing to read), replays the links a list page had for those
not fetched yet (so a crawl killed half-way resumes where it stopped), does
not ask a report or attachment again until a recrawl is due, and stores a
file reached by two URLs once (by its SHA-256). Each fact is committed as it
is learnt: a crash loses at most the file being written.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from dataclasses import dataclass
from pathlib import Path

SCHEMA = """
create table if not exists fetched (
    url text primary key,
    kind text not null,            -- list_page, report_page, wrapper_page, attachment
    status integer,                -- HTTP status of the last answer
    sha256 text,
    path text,                     -- the file in the landing folder (relative), if one was written
    etag text,
    last_modified text,
    fetched_at text not null
);
create table if not exists list_links (
    list_url text not null,
    url text not null,
    text text,
    date text,
    primary key (list_url, url)
);
create table if not exists list_pages (
    list_url text not null,
    page_url text not null,        -- a further page of the same list ("下一页", the pager)
    primary key (list_url, page_url)
);
create table if not exists blobs (
    sha256 text primary key,
    path text not null
);
"""


@dataclass(frozen=True)
class Fetched:
    url: str
    kind: str
    status: int | None
    sha256: str | None
    path: str | None
    etag: str | None
    last_modified: str | None
    fetched_at: str


class CrawlState:
    """The state database of one landing folder."""

    def __init__(self, landing: Path) -> None:
        folder = landing / ".crawl"
        folder.mkdir(parents=True, exist_ok=True)
        self.path = folder / "state.sqlite"
        self.db = sqlite3.connect(self.path, isolation_level=None)  # autocommit: each fact as learnt
        self.db.executescript(SCHEMA)

    def close(self) -> None:
        self.db.close()

    def get(self, url: str) -> Fetched | None:
        row = self.db.execute(
            "select url, kind, status, sha256, path, etag, last_modified, fetched_at from fetched where url = ?",
            (url,),
        ).fetchone()
        return Fetched(*row) if row else None

    def due(self, url: str, recrawl_days: float | None) -> bool:
        """Whether a report or attachment URL should be asked (again): never fetched, or a recrawl is due."""
        seen = self.get(url)
        if seen is None or seen.status is None or seen.status >= 400:
            return True
        if recrawl_days is None:
            return False
        age = dt.datetime.now(dt.UTC) - dt.datetime.fromisoformat(seen.fetched_at)
        return age.total_seconds() >= recrawl_days * 86400

    def record(
        self,
        url: str,
        kind: str,
        status: int | None,
        *,
        sha256: str | None = None,
        path: str | None = None,
        etag: str | None = None,
        last_modified: str | None = None,
    ) -> None:
        old = self.get(url)
        if status == 304 and old is not None:  # unchanged: keep what the last full answer said
            kind, sha256, path = old.kind, old.sha256, old.path
            etag, last_modified = etag or old.etag, last_modified or old.last_modified
        self.db.execute(
            "insert or replace into fetched values (?, ?, ?, ?, ?, ?, ?, ?)",
            (url, kind, status, sha256, path, etag, last_modified, now()),
        )

    def remember_links(self, list_url: str, links: list[tuple[str, str, str | None]]) -> None:
        self.db.executemany(
            "insert or replace into list_links values (?, ?, ?, ?)", [(list_url, *link) for link in links]
        )

    def links_of(self, list_url: str) -> list[tuple[str, str, str | None]]:
        return self.db.execute(
            "select url, text, date from list_links where list_url = ?", (list_url,)
        ).fetchall()

    def remember_pages(self, list_url: str, pages: list[str]) -> None:
        self.db.executemany("insert or ignore into list_pages values (?, ?)", [(list_url, p) for p in pages])

    def pages_of(self, list_url: str) -> list[str]:
        return [
            r[0] for r in self.db.execute("select page_url from list_pages where list_url = ?", (list_url,))
        ]

    def blob(self, sha256: str) -> str | None:
        row = self.db.execute("select path from blobs where sha256 = ?", (sha256,)).fetchone()
        return row[0] if row else None

    def add_blob(self, sha256: str, path: str) -> None:
        self.db.execute("insert or ignore into blobs values (?, ?)", (sha256, path))


def now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
