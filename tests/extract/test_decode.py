"""Bytes to text: the encodings real report files come in."""

from __future__ import annotations

import random

import charset_normalizer
import pytest

from etl.extract.decode import decode_bytes
from etl.extract.document import ExtractError

REPORT = "阿合奇县人民政府办公室\n2020年政府信息公开工作年度报告\n一、总体情况\n本年新收政府信息公开申请数量 | 12 | 0\n“三安全一稳定”（一）\n"


@pytest.fixture
def no_detector(monkeypatch: pytest.MonkeyPatch) -> None:
    """Fail if the slow statistical detector runs: UTF-8 and GB18030 must not need it."""

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("charset-normalizer must not run for UTF-8 or GB18030 input")

    monkeypatch.setattr(charset_normalizer, "from_bytes", refuse)


def test_utf8_without_detector(no_detector: None) -> None:
    assert decode_bytes(REPORT.encode("utf-8")) == (REPORT, "utf-8")


def test_utf8_bom_is_removed(no_detector: None) -> None:
    assert decode_bytes(REPORT.encode("utf-8-sig")) == (REPORT, "utf-8-sig")


def test_gbk_reads_as_gb18030_without_detector(no_detector: None) -> None:
    assert decode_bytes(REPORT.encode("gbk")) == (REPORT, "gb18030")


def test_gb18030_only_characters() -> None:
    text = "𠀀 and € in a GB18030 file\n"  # four-byte sequences GBK lacks
    assert decode_bytes(text.encode("gb18030")) == (text, "gb18030")


@pytest.mark.parametrize("codec", ["utf-16", "utf-16-le", "utf-16-be"])
def test_utf16_with_bom(codec: str) -> None:
    data = (
        b"\xff\xfe" if codec == "utf-16-le" else b"\xfe\xff" if codec == "utf-16-be" else b""
    ) + REPORT.encode(codec)
    assert decode_bytes(data) == (REPORT, "utf-16")


@pytest.mark.parametrize("codec", ["utf-16-le", "utf-16-be"])
def test_utf16_without_bom_is_sniffed(codec: str) -> None:
    # "一" is U+4E00: its low byte is NUL, so NUL positions alone cannot tell the byte order.
    assert decode_bytes(REPORT.encode(codec)) == (REPORT, codec)


def test_line_endings_and_nuls_are_normalised() -> None:
    data = "一、总体情况\r\n二、主动公开\r三、申请\x00\n".encode()
    assert decode_bytes(data) == ("一、总体情况\n二、主动公开\n三、申请\n", "utf-8")


def test_declared_charset_is_verified_against_the_bytes() -> None:
    # Declares GB2312 but is served as UTF-8: the bytes win.
    assert decode_bytes(REPORT.encode("utf-8"), declared="gb2312") == (REPORT, "utf-8")
    # Declares UTF-8 (or Latin-1, which decodes anything) but is GBK.
    assert decode_bytes(REPORT.encode("gbk"), declared="utf-8") == (REPORT, "gb18030")
    assert decode_bytes(REPORT.encode("gbk"), declared="iso-8859-1") == (REPORT, "gb18030")
    # An unknown charset name is ignored.
    assert decode_bytes(REPORT.encode("gbk"), declared="x-no-such-charset") == (REPORT, "gb18030")


def test_declared_charset_is_used_when_it_reads() -> None:
    text = "政府資訊公開 年度報告\n"
    assert decode_bytes(text.encode("big5"), declared="big5") == (text, "big5")


def test_a_few_broken_bytes_do_not_change_the_encoding() -> None:
    data = (REPORT * 50).encode("gbk") + b"\xff" + "结尾".encode("gbk")
    text, encoding = decode_bytes(data)
    assert encoding == "gb18030"
    assert text.startswith(REPORT) and text.endswith("\ufffd结尾")


def test_detector_is_the_fallback() -> None:
    text = "Привет мир, это тест кодировки. Ещё одна строка текста для проверки."
    decoded, encoding = decode_bytes(text.encode("cp1251"))
    assert decoded == text
    assert encoding not in ("utf-8", "gb18030")


def test_binary_bytes_are_refused() -> None:
    data = random.Random(7).randbytes(4000)
    with pytest.raises(ExtractError) as error:
        decode_bytes(data)
    assert error.value.code == "binary"
    assert "not text" in error.value.message


def test_nul_heavy_bytes_are_refused() -> None:
    data = b"\x00\x01\x02\x03ABCD" * 200
    with pytest.raises(ExtractError) as error:
        decode_bytes(data)
    assert error.value.code in ("binary", "encoding")
