"""Choosing the extractor by content, and refusing what is not a report."""

from __future__ import annotations

import io
import random
import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest
from builders import docx_report, html_report, pdf_file, pdf_text

from etl.extract import ExtractError, extract

SAMPLES = Path(__file__).resolve().parents[2] / "etl" / "samples"
OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504 + b"WordDocument"
REPORT = "十街彝族乡2020年政府信息公开工作年度报告\r\n一、总体情况\r\n自然人 | 商业企业\r\n3 | 0\r\n"


def code_of(data: bytes, name: str = "report") -> str:
    with pytest.raises(ExtractError) as error:
        extract(data, name)
    assert error.value.message
    return error.value.code


def test_empty_files() -> None:
    assert code_of(b"") == "empty"
    assert code_of(b" \r\n\t\n") == "empty"


def test_random_bytes_are_binary() -> None:
    assert code_of(random.Random(1).randbytes(5000), "report.txt") == "binary"


def test_images_and_archives_are_unknown_formats() -> None:
    assert code_of(b"\x89PNG\r\n\x1a\n" + b"\x00" * 100, "report.html") == "unknown_format"
    assert code_of(b"Rar!\x1a\x07\x00" + b"\x00" * 100) == "unknown_format"


def test_zip_that_is_not_a_word_file() -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("2021年报.txt", "一、总体情况")
    with pytest.raises(ExtractError) as error:
        extract(buffer.getvalue(), "report.docx")
    assert error.value.code == "unknown_format"
    assert "2021年报.txt" in error.value.message


def test_truncated_zip_is_corrupt() -> None:
    assert code_of(docx_report()[:200], "report.docx") == "corrupt"


@pytest.mark.parametrize(
    ("codec", "encoding"),
    [("utf-8", "utf-8"), ("utf-8-sig", "utf-8-sig"), ("gbk", "gb18030"), ("utf-16", "utf-16")],
)
def test_text_files(codec: str, encoding: str) -> None:
    extracted = extract(REPORT.encode(codec), "report.txt")
    assert (extracted.format, extracted.encoding) == ("text", encoding)
    assert extracted.text == REPORT.replace("\r\n", "\n")
    assert extracted.tables == []


def test_samples_are_text() -> None:
    for path in sorted(SAMPLES.glob("*.txt")):
        extracted = extract(path.read_bytes(), path.name)
        assert (extracted.format, extracted.encoding) == ("text", "utf-8"), path.name


def test_html_is_recognised_by_content_not_name() -> None:
    assert extract(html_report("gbk"), "report.txt").format == "html"
    assert extract(html_report("utf-8"), "").format == "html"
    utf16 = html_report("utf-8").decode().replace('charset="utf-8"', 'charset="utf-16"').encode("utf-16")
    assert extract(utf16, "report.htm").format == "html"
    # a fragment with no <html> (saved innerHTML)
    fragment = "<table><tr><td>自然人</td><td>3</td></tr></table>".encode()
    assert extract(fragment, "x").tables == [[["自然人", "3"]]]


def test_text_named_html_without_markup_stays_text() -> None:
    assert extract(REPORT.encode(), "report.html").format == "text"


def test_pdf_by_magic_whatever_the_name() -> None:
    data = pdf_file([pdf_text(40, 500, "annual report")])
    extracted = extract(data, "report.html")
    assert (extracted.format, extracted.text) == ("pdf", "annual report")


def test_docx_by_content() -> None:
    assert extract(docx_report(), "download.aspx").format == "docx"


def test_legacy_word_without_libreoffice(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(shutil, "which", lambda name: None)
    with pytest.raises(ExtractError) as error:
        extract(OLE2, "report.wps")
    assert error.value.code == "needs_conversion"
    assert "libreoffice --headless --convert-to docx FILE" in error.value.message
    assert ".wps" in error.value.message


def test_legacy_word_is_converted_with_libreoffice(monkeypatch: pytest.MonkeyPatch) -> None:
    """With soffice on PATH the file is converted in a temporary directory and the .docx read."""
    calls: list[list[str]] = []

    def fake_run(command: list[str], **kwargs: object) -> subprocess.CompletedProcess[bytes]:
        calls.append(command)
        outdir = Path(command[command.index("--outdir") + 1])
        source = Path(command[-1])
        assert source.read_bytes() == OLE2
        (outdir / f"{source.stem}.docx").write_bytes(docx_report())
        return subprocess.CompletedProcess(command, 0, b"", b"")

    monkeypatch.setattr(
        shutil, "which", lambda name: "/opt/libreoffice/program/soffice" if name == "soffice" else None
    )
    monkeypatch.setattr(subprocess, "run", fake_run)
    extracted = extract(OLE2, "report.doc")
    assert extracted.format == "docx"
    assert "3001 | 53" in extracted.text
    assert calls[0][:2] == ["/opt/libreoffice/program/soffice", "--headless"]
    assert calls[0][calls[0].index("--convert-to") + 1] == "docx"
    assert not Path(calls[0][-1]).exists()  # the temporary directory is gone


def test_failed_conversion_is_corrupt(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(shutil, "which", lambda name: "/usr/bin/soffice")
    monkeypatch.setattr(subprocess, "run", lambda command, **kwargs: subprocess.CompletedProcess(command, 1))
    assert code_of(OLE2, "report.doc") == "corrupt"


def test_password_protected_office_file() -> None:
    data = OLE2 + "EncryptionInfo".encode("utf-16-le") + b"\x00" * 64
    assert code_of(data, "report.docx") == "encrypted"
