"""Text normalisation for matching: one form for full-width, traditional and spaced text.

Matching works on a normalised copy; values keep the raw text they came
from. NFKC folds full-width digits, letters and brackets to half-width
(``（一）`` → ``(一)``, ``１２`` → ``12``); OpenCC folds traditional characters
to simplified ones so ``收到和處理`` matches ``收到和处理``.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

_QUOTE_PAIRS = (
    ("“", '"'),
    ("”", '"'),
    ("‘", "'"),
    ("’", "'"),
    ("〔", "["),
    ("〕", "]"),
    ("【", "["),
    ("】", "]"),
)
_HAS_QUOTE = re.compile("[“”‘’〔〕【】]")
_SPACES = re.compile(r"[\s\u3000\xa0\u2063]+")
# What extractors write where a merged cell covers a grid position (etl.extract.document.COVERED):
# parsing reads text only, so it carries its own copy of the mark.
COVERED = "\u2063"
# Cells, label fragments and units repeat across lines and reports: short
# texts are normalised once per process (the parser's hottest calls).
_CACHED_LEN = 64
_CACHE_SIZE = 1 << 16


@lru_cache(maxsize=1)
def _t2s():
    try:
        import opencc

        return opencc.OpenCC("t2s")
    except Exception:  # pragma: no cover - opencc is a declared dependency
        return None


def nfkc(text: str) -> str:
    """Full-width to half-width, compatibility characters folded, quotes unified."""
    if text.isascii():
        return text
    if len(text) <= _CACHED_LEN:
        return _nfkc_short(text)
    return _nfkc(text)


@lru_cache(maxsize=_CACHE_SIZE)
def _nfkc_short(text: str) -> str:
    return _nfkc(text)


def _nfkc(text: str) -> str:
    text = unicodedata.normalize("NFKC", text)
    if _HAS_QUOTE.search(text):
        # str.replace beats str.translate with a dict on long texts by two orders of magnitude
        for old, new in _QUOTE_PAIRS:
            text = text.replace(old, new)
    return text


# Taiwan-usage words that mirrors of mainland pages put in place of the mainland's (a big5
# gateway prints 政府資訊公開 for 政府信息公开); each keeps its length, so offsets still map
_TAIWAN_WORDS = (("资讯", "信息"), ("网路", "网络"))


def simplify(text: str) -> str:
    """Traditional to simplified Chinese, Taiwan usage to the mainland's (no-op on simplified text)."""
    converter = _t2s()
    if converter is None or text.isascii():
        return text
    simplified = converter.convert(text)
    if simplified != text:  # it was traditional: a mirror may also have swapped words
        for taiwan, mainland in _TAIWAN_WORDS:
            simplified = simplified.replace(taiwan, mainland)
    return simplified


def normalize(text: str) -> str:
    """The form every label search runs on: NFKC, simplified, ``、``/``．`` unified."""
    if not text:
        return text
    if len(text) <= _CACHED_LEN:
        return _normalize_short(text)
    return _normalize(text)


@lru_cache(maxsize=_CACHE_SIZE)
def _normalize_short(text: str) -> str:
    return _normalize(text)


def _normalize(text: str) -> str:
    return simplify(nfkc(text)).replace("．", ".").replace("。", ".")


def squeeze(text: str) -> str:
    """Drop all white space (labels are printed with spaces and line breaks inside)."""
    return _SPACES.sub("", text)
