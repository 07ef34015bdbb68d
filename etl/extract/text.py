"""Plain-text reports: decoding is the whole job."""

from __future__ import annotations

from etl.extract.decode import decode_bytes
from etl.extract.document import Extracted, ExtractError


def extract_text(data: bytes) -> Extracted:
    """Decode a text file; its tables, if any, are already lines of text for the parser."""
    text, encoding = decode_bytes(data)
    if not text.strip():
        raise ExtractError("empty", "the file holds only whitespace; check the download or the crawl")
    return Extracted(format="text", encoding=encoding, text=text)
