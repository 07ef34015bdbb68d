"""Files into the landing folder, each with its manifest line: what ``nianbao run`` reads next.

A file is written under a folder per host (``www.pingtan.gov.cn/...``), its
name taken from its URL, to a temporary name first and renamed when whole, so
a crawl killed mid-write leaves no half file for the loader. Its line goes to
``manifest.jsonl`` (the columns ``etl.run.manifest`` reads) after the file is
in place. The same bytes reached by another URL are not written again: the
first file stands for both.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlsplit

from etl.crawl.state import CrawlState, now

MANIFEST = "manifest.jsonl"
_UNSAFE = re.compile(r"[^\w.\-\u4e00-\u9fff]+")
_TYPES = {
    "text/html": ".html",
    "application/pdf": ".pdf",
    "application/msword": ".doc",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": ".docx",
    "application/ofd": ".ofd",
}


@dataclass(frozen=True)
class Saved:
    path: str  # relative to the landing folder
    sha256: str
    new: bool  # False: the same bytes were already in the folder


class LandingWriter:
    def __init__(self, landing: Path, state: CrawlState) -> None:
        self.landing = landing
        self.state = state
        self.manifest = landing / MANIFEST

    def save(self, url: str, body: bytes, entry: dict[str, str | None]) -> Saved:
        """Write ``body`` fetched from ``url`` and its manifest ``entry`` (the caller's columns)."""
        sha256 = hashlib.sha256(body).hexdigest()
        existing = self.state.blob(sha256)
        if existing is not None and (self.landing / existing).exists():
            return Saved(existing, sha256, new=False)
        relative = self._name_for(url, entry.get("content_type"), sha256)
        target = self.landing / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        partial = target.with_name(f".{target.name}.part")
        partial.write_bytes(body)
        os.replace(partial, target)
        line = {"path": relative, "url": url, **entry, "sha256": sha256}
        line.setdefault("fetched_at", now())
        with self.manifest.open("a", encoding="utf-8") as fh:
            fh.write(
                json.dumps({k: v for k, v in line.items() if v not in (None, "")}, ensure_ascii=False) + "\n"
            )
            fh.flush()
            os.fsync(fh.fileno())
        self.state.add_blob(sha256, relative)
        return Saved(relative, sha256, new=True)

    def _name_for(self, url: str, content_type: str | None, sha256: str) -> str:
        parts = urlsplit(url)
        host = _UNSAFE.sub("_", (parts.hostname or "site").lower())
        path = unquote(parts.path).strip("/") or "index"
        pieces = [_UNSAFE.sub("_", p)[:80] or "_" for p in path.split("/") if p not in ("", ".", "..")]
        name = pieces[-1] if pieces else "index"
        stem, dot, suffix = name.rpartition(".")
        if not dot or len(suffix) > 5:
            stem, suffix = name, ""
        wanted = _TYPES.get((content_type or "").split(";")[0].strip().lower())
        if not suffix or (wanted == ".html" and f".{suffix.lower()}" not in (".html", ".htm", ".shtml")):
            suffix = (wanted or ".bin").lstrip(".")
        if parts.query:
            stem += "_" + hashlib.sha256(parts.query.encode()).hexdigest()[:8]
        folder = "/".join([host, *pieces[:-1]])
        candidate = f"{folder}/{stem}.{suffix}"
        existing = self.landing / candidate
        # the same bytes already there (a crawl killed before its manifest line): write it again in place;
        # another version at the same URL: keep both
        if existing.exists() and hashlib.sha256(existing.read_bytes()).hexdigest() != sha256:
            candidate = f"{folder}/{stem}.{sha256[:12]}.{suffix}"
        return candidate
