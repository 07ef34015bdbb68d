"""Shared helpers for the parser's property and fuzz tests.

Hypothesis examples cannot take function-scoped fixtures, so the helpers are
plain functions exposed through one session fixture, ``parse``, which parses
a text the way the CLI does for a text file.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable

import pytest

from etl.parse import parse_text
from etl.record import Report, Source


def parse(text: str) -> Report:
    """Parse a report text with a text-file source, as ``nianbao parse`` would."""
    digest = hashlib.sha256(text.encode("utf-8", errors="surrogatepass")).hexdigest()
    return parse_text(
        text, source=Source(path="synthetic.txt", sha256=digest, format="text", encoding="utf-8")
    )


@pytest.fixture(scope="session")
def parse_report() -> Callable[[str], Report]:
    return parse
