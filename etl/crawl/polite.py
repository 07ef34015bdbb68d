"""Slowing down when a site asks: 429 Too Many Requests and 503, with or without Retry-After.

Scrapy retries such answers (``RETRY_HTTP_CODES``) but at the same pace. A
government site that says it is overloaded is told so by its operators for
a reason: this downloader middleware doubles the site's delay (up to
:data:`MAX_DELAY`), or takes the delay the site's ``Retry-After`` asks for,
before Scrapy's retry asks again. The delay stays raised for the rest of the
crawl.
"""

from __future__ import annotations

import logging
from typing import Any

MAX_DELAY = 120.0


class BackoffMiddleware:
    """Raise a slot's download delay on 429/503 (sits before Scrapy's RetryMiddleware)."""

    def process_response(self, request: Any, response: Any, spider: Any) -> Any:
        if response.status in (429, 503):
            slot_key = request.meta.get("download_slot")
            crawler = getattr(spider, "crawler", None)
            slots = getattr(getattr(getattr(crawler, "engine", None), "downloader", None), "slots", {})
            slot = slots.get(slot_key) if slot_key else None
            asked = _seconds(response.headers.get(b"Retry-After"))
            if slot is not None:
                slot.delay = min(MAX_DELAY, max(asked or 0.0, slot.delay * 2 if slot.delay else 1.0))
            spider.tally.backoffs += 1
            logging.getLogger("etl.crawl").info(
                "%s answered %s: slowing down to %.1f s between requests",
                request.url,
                response.status,
                slot.delay if slot is not None else asked or 0.0,
            )
        return response


def _seconds(value: bytes | None) -> float | None:
    if not value:
        return None
    try:
        return max(0.0, float(value.decode("ascii").strip()))
    except ValueError:
        return None  # an HTTP date: the doubling applies
