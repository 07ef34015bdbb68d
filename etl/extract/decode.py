"""Bytes to text for plain-text and HTML reports.

Most files are UTF-8 or GB18030/GBK; those are settled by a strict decode,
which is fast and almost never wrong (GBK text is practically never valid
UTF-8). The statistical detector (charset-normalizer) is slow and runs only
when neither strict decode works. A charset an HTML page declares is used,
but only after the bytes are checked against it: pages regularly declare
``gb2312`` while serving UTF-8, or ``iso-8859-1`` while serving GBK.
"""

from __future__ import annotations

import codecs
import re

from etl.extract.document import ExtractError

# Declared names that mean "some GB encoding"; GB18030 decodes all of them.
_GB_NAMES = {"gb2312", "gbk", "gb18030", "cp936", "x-gbk", "gb_2312-80", "euc-cn", "hz-gb-2312"}
# Declared names that decode any byte sequence, so a strict decode proves nothing.
_SINGLE_BYTE = {"latin-1", "iso8859-1", "cp1252", "ascii", "iso8859-15"}

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ufffd\ue000-\uf8ff]")
_LIKELY = re.compile(r"[\t\n\r\x20-\x7e\u2000-\u206f\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]")
_SAMPLE = 200_000  # characters checked for plausibility; enough to judge, cheap on big files
_MAX_BAD = 0.02  # share of control / replacement / private-use characters a text may carry
_LENIENT_MAX_BAD = 0.002  # share of undecodable bytes tolerated when no strict decode works

_UNREADABLE_HINT = (
    "check that this is the report itself (not an image, archive or database file); "
    "if it is a text file, re-save it as UTF-8"
)


def decode_bytes(data: bytes, declared: str | None = None) -> tuple[str, str]:
    """Decode a text or HTML file, returning ``(text, encoding_name)``.

    ``declared`` is a charset the file claims for itself (an HTML ``<meta>``);
    it is tried after UTF-8 and kept only if the bytes decode cleanly with it.
    The text has NUL characters removed and line endings normalised to LF.
    Raises :class:`ExtractError` (``binary`` or ``encoding``) when the bytes
    are not readable text.
    """
    result = _decode(data, declared)
    if result is None:
        if _looks_binary(data):
            raise ExtractError("binary", f"the file is binary data, not text; {_UNREADABLE_HINT}")
        raise ExtractError(
            "encoding",
            "the text encoding could not be recognised (tried UTF-8, UTF-16, GB18030 and detection); "
            "open the file in an editor, check it is readable, and re-save it as UTF-8",
        )
    text, encoding = result
    return _normalise(text), encoding


def _decode(data: bytes, declared: str | None) -> tuple[str, str] | None:
    bom = _decode_bom(data)
    if bom is not None:
        return bom
    if b"\x00" in data:
        utf16 = _decode_utf16_without_bom(data)
        if utf16 is not None:
            return utf16
        # Stray NULs (padding, a crashed write) in a UTF-8/GBK file: drop them, and let the
        # plausibility check refuse binary data, which has other control bytes too.
        data = data.replace(b"\x00", b"")
    # In order of cost and certainty; each runs only if the one before failed.
    return (
        _strict(data, "utf-8")
        or _declared(data, declared)
        or _strict(data, "gb18030")
        or _lenient(data)
        or _detected(data)
    )


def _decode_bom(data: bytes) -> tuple[str, str] | None:
    """A byte-order mark settles the encoding outright."""
    boms = (
        (codecs.BOM_UTF8, "utf-8-sig", "utf-8-sig"),
        (codecs.BOM_UTF32_LE, "utf-32", "utf-32"),  # before UTF-16 LE: it starts with the same two bytes
        (codecs.BOM_UTF32_BE, "utf-32", "utf-32"),
        (codecs.BOM_UTF16_LE, "utf-16", "utf-16"),
        (codecs.BOM_UTF16_BE, "utf-16", "utf-16"),
    )
    for bom, codec, name in boms:
        if data.startswith(bom):
            try:
                return data.decode(codec), name
            except UnicodeDecodeError:
                if codec.startswith("utf-32"):
                    continue  # a UTF-16 LE file whose first character is U+0000 is not worth a failure
                text = data.decode(codec, errors="replace")
                return (text, name) if _plausible(text) else None
    return None


def _decode_utf16_without_bom(data: bytes) -> tuple[str, str] | None:
    """UTF-16 without a BOM: the byte order whose decode reads as text wins.

    Counting NULs at odd or even offsets is not enough for Chinese: ``一`` is
    U+4E00, whose low byte is NUL, so both offsets carry NULs. Decoding both
    ways and keeping the one that looks like text is reliable.
    """
    trimmed = data[: len(data) - (len(data) % 2)]
    best: tuple[float, str, str] | None = None
    for codec in ("utf-16-le", "utf-16-be"):
        try:
            text = trimmed.decode(codec)
        except UnicodeDecodeError:
            continue
        score = _text_score(text)
        if best is None or score > best[0]:
            best = (score, text, codec)
    if best is not None and best[0] >= 0.8:
        return best[1], best[2]
    return None


def _strict(data: bytes, codec: str) -> tuple[str, str] | None:
    try:
        text = data.decode(codec)
    except (UnicodeDecodeError, LookupError):
        return None
    return (text, codec) if _plausible(text) else None


def _declared(data: bytes, declared: str | None) -> tuple[str, str] | None:
    """The declared charset, if the bytes bear it out.

    GB names map to GB18030 (a superset; GB2312 pages routinely use GBK
    characters). A single-byte charset decodes anything, so it is only
    believed when GB18030 does not also read the bytes as text.
    """
    if not declared:
        return None
    try:
        name = codecs.lookup(declared.strip().lower()).name
    except LookupError:
        return None
    if name.startswith(("utf-16", "utf-32")):
        return None  # a UTF-16 page would have been caught by its BOM or NULs; HTML treats this as UTF-8
    if name in _GB_NAMES or declared.strip().lower() in _GB_NAMES:
        return _strict(data, "gb18030")
    if name in _SINGLE_BYTE:
        return _strict(data, "gb18030") or _strict(data, name)
    return _strict(data, name)


def _lenient(data: bytes) -> tuple[str, str] | None:
    """UTF-8 or GB18030 with a handful of broken bytes (a truncated or spliced file).

    Real files are often one encoding with a few damaged bytes; guessing a
    different encoding for them does more harm than a few replacement marks.
    """
    best: tuple[int, str, str] | None = None
    for codec in ("utf-8", "gb18030"):
        text = data.decode(codec, errors="replace")
        bad = text.count("\ufffd")
        if bad <= max(1, len(text) * _LENIENT_MAX_BAD) and (best is None or bad < best[0]):
            best = (bad, text, codec)
    if best is None or not _plausible(best[1]):
        return None
    return best[1], best[2]


def _detected(data: bytes) -> tuple[str, str] | None:
    """charset-normalizer, for the rare file that neither UTF-8 nor GB18030 reads."""
    from charset_normalizer import from_bytes

    match = from_bytes(data).best()
    if match is None:
        return None
    text = str(match)
    return (text, match.encoding.replace("_", "-")) if _plausible(text) else None


def _plausible(text: str) -> bool:
    """Whether decoded text reads as text: few control, replacement or private-use characters."""
    sample = text[:_SAMPLE]
    if not sample:
        return True
    bad = len(_CONTROL.findall(sample))
    return bad <= len(sample) * _MAX_BAD


def _text_score(text: str) -> float:
    """Share of characters a Chinese report is made of (chooses a UTF-16 byte order).

    Decoding with the wrong byte order also yields printable characters, but
    rare ones (U+0A00 for a newline, U+3200 for a digit); ASCII, common Han
    characters and CJK punctuation are what the right order gives.
    """
    sample = text[:_SAMPLE]
    if not sample:
        return 0.0
    return len(_LIKELY.findall(sample)) / len(sample)


def _looks_binary(data: bytes) -> bool:
    """Bytes that are mostly control characters or NULs are not a text file in any encoding."""
    sample = data[:65536]
    if not sample:
        return False
    controls = sum(1 for b in sample if b < 0x20 and b not in (0x09, 0x0A, 0x0D, 0x0C))
    return controls > len(sample) * 0.05


def _normalise(text: str) -> str:
    """Remove NULs and a stray BOM, and use LF line endings throughout."""
    text = text.replace("\x00", "")
    if text.startswith("\ufeff"):
        text = text[1:]
    return text.replace("\r\n", "\n").replace("\r", "\n")
