"""File bytes to text and tables, whatever the format.

:func:`extract` looks at the bytes to decide the format, because names lie:
crawled files are saved as ``.html`` when they are PDFs, as ``.doc`` when
they are HTML, or with no extension at all. The name is only a hint, used
where the content alone cannot settle it.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import tempfile
import zipfile
from io import BytesIO
from pathlib import Path, PurePath

from etl.extract.decode import decode_bytes
from etl.extract.document import MAX_UNZIPPED_MARKUP, Extracted, ExtractError, Grid, render_grid
from etl.extract.docx import extract_docx
from etl.extract.html import extract_html
from etl.extract.ofd import extract_ofd
from etl.extract.pdf import extract_pdf
from etl.extract.text import extract_text

__all__ = ["Extracted", "ExtractError", "Grid", "extract", "render_grid"]

_OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ZIP = b"PK\x03\x04"
_RTF = b"{\\rtf"
# The stream a password-protected Office file carries, as its UTF-16 name in the OLE2 directory.
_ENCRYPTION_INFO = "EncryptionInfo".encode("utf-16-le")
# Markup that only HTML starts with; a plain-text report never opens this way.
_HTML_START = re.compile(
    r"<\s*(?:!doctype\s+html|html|head|body|meta|title|table|div|p|span|center|font|br)\b", re.IGNORECASE
)
_HTML_SUFFIXES = {".htm", ".html", ".shtml", ".xhtml", ".jsp", ".asp", ".aspx", ".php"}
# Formats that are certainly not a report's text, by their first bytes.
_OTHER_MAGIC = (
    (b"\x89PNG", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF8", "a GIF image"),
    (b"II*\x00", "a TIFF image"),
    (b"MM\x00*", "a TIFF image"),
    (b"Rar!", "a RAR archive"),
    (b"7z\xbc\xaf", "a 7-Zip archive"),
    (b"\x1f\x8b", "a gzip archive"),
)
_CONVERT_TIMEOUT = 180  # seconds; a large .doc converts in a few, a hung soffice must not stall a run


def extract(data: bytes, name: str) -> Extracted:
    """Read a report file's bytes into text and tables, choosing the extractor by content.

    ``name`` (a file name or path) is a hint for ambiguous content only. Raises
    :class:`ExtractError` with a stable ``code`` and an actionable message
    when the file cannot be read as a report.
    """
    if not data.strip(b" \t\r\n\x00"):
        raise ExtractError("empty", "the file is empty; check the download or the crawl that produced it")
    head = data[:1024]
    if b"%PDF-" in head:
        return extract_pdf(data)
    if data.startswith(_ZIP):
        return _extract_zip(data, name)
    if data.startswith(_OLE2) or data.startswith(_RTF):
        return _extract_via_libreoffice(data, name)
    for magic, what in _OTHER_MAGIC:
        if data.startswith(magic):
            raise ExtractError(
                "unknown_format",
                f"the file is {what}, not a report document; if it is a scan of a report, OCR it first",
            )
    if _is_html(data, name):
        return extract_html(data)
    return extract_text(data)


def _is_html(data: bytes, name: str) -> bool:
    """Whether text content is an HTML page: markup at its start, or anywhere near it for .html names."""
    sample = data[:4096].removeprefix(b"\xef\xbb\xbf")
    if b"\x00" in sample:  # UTF-16: look at the characters, not the bytes
        try:
            sample_text, _ = decode_bytes(data[:4096])
        except ExtractError:
            return False
    else:
        sample_text = sample.decode("latin-1")  # markup is ASCII in every ASCII-compatible encoding
    start = sample_text.lstrip("\ufeff \t\r\n")[:1024]
    if _HTML_START.match(start) or re.match(r"<!--", start):
        return True
    if PurePath(name).suffix.lower() in _HTML_SUFFIXES:
        return bool(re.search(r"<\s*(?:html|body|table|div|p)\b", sample_text, re.IGNORECASE))
    # Crawled files sometimes carry a metadata header above the page.
    return bool(re.search(r"<\s*(?:!doctype\s+html|html|body|table)\b", start, re.IGNORECASE))


def _extract_zip(data: bytes, name: str) -> Extracted:
    try:
        members = zipfile.ZipFile(BytesIO(data)).infolist()
    except (zipfile.BadZipFile, ValueError, OSError) as exc:
        raise ExtractError(
            "corrupt", f"the file looks like a ZIP/Word file but cannot be opened ({exc}); download it again"
        ) from exc
    names = [m.filename for m in members]
    # Markup is read whole into memory and parsed into a tree; a few hundred
    # kilobytes can declare gigabytes of it (a zip bomb). Images are never read.
    markup = sum(m.file_size for m in members if m.filename.lower().endswith((".xml", ".rels")))
    if markup > MAX_UNZIPPED_MARKUP:
        raise ExtractError(
            "unzips_too_large",
            f"the file unzips to {markup // 2**20} MiB of markup, more than the "
            f"{MAX_UNZIPPED_MARKUP // 2**20} MiB a report's document may have; the file is damaged or hostile",
        )
    if "word/document.xml" in names:
        return extract_docx(data)
    if "OFD.xml" in names:  # GB/T 33190: the Chinese fixed-layout format, zipped XML
        return extract_ofd(data)
    if "content.xml" in names and "mimetype" in names:
        return _extract_via_libreoffice(data, name, suffix=".odt")
    if PurePath(name).suffix.lower() == ".ofd":
        return extract_ofd(data)  # says what the package lacks: "corrupt: ... no OFD.xml"
    kind = "an Excel workbook" if "xl/workbook.xml" in names else "a ZIP archive"
    listed = ", ".join(names[:5]) + (", ..." if len(names) > 5 else "")
    raise ExtractError(
        "unknown_format",
        f"the file is {kind}, not a Word document (it contains: {listed or 'nothing'}); "
        "unpack it and load the report files inside",
    )


def _extract_via_libreoffice(data: bytes, name: str, suffix: str | None = None) -> Extracted:
    """Legacy Word/WPS (OLE2), RTF and ODT: convert to .docx with LibreOffice, then read that.

    There is no maintained pure-Python reader for .doc/.wps tables, and
    LibreOffice's conversion keeps merged cells, so converting is the
    reliable path.
    """
    if data.startswith(_OLE2) and _ENCRYPTION_INFO in data:
        raise ExtractError(
            "encrypted",
            "the Office file is password-protected; get an unprotected copy of the report",
        )
    binary = shutil.which("soffice") or shutil.which("libreoffice")
    if suffix is None:
        given = PurePath(name).suffix.lower()
        default = ".rtf" if data.startswith(_RTF) else ".doc"
        suffix = given if given in {".doc", ".wps", ".rtf", ".dot", ".wpt"} else default
    if binary is None:
        raise ExtractError(
            "needs_conversion",
            f"this is a legacy Word/WPS file ({suffix}) and LibreOffice is not installed; "
            f"convert it with `libreoffice --headless --convert-to docx FILE` and load the .docx, "
            "or install LibreOffice so it is converted automatically",
        )
    with tempfile.TemporaryDirectory(prefix="nianbao-convert-") as tmp:
        source = Path(tmp) / f"report{suffix}"
        source.write_bytes(data)
        command = [
            binary,
            "--headless",
            "--norestore",
            f"-env:UserInstallation={(Path(tmp) / 'profile').as_uri()}",  # no clash with a running soffice
            "--convert-to",
            "docx",
            "--outdir",
            tmp,
            str(source),
        ]
        try:
            subprocess.run(command, capture_output=True, timeout=_CONVERT_TIMEOUT, check=False)
        except (subprocess.TimeoutExpired, OSError) as exc:
            raise ExtractError(
                "corrupt", f"LibreOffice could not convert the file ({exc}); open and re-save it as .docx"
            ) from exc
        converted = Path(tmp) / "report.docx"
        if not converted.exists():
            raise ExtractError(
                "corrupt",
                f"LibreOffice could not convert this {suffix} file to .docx (it may be damaged); "
                "open it in Word or WPS and re-save it as .docx",
            )
        return extract_docx(converted.read_bytes())
