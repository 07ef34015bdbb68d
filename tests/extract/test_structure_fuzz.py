"""Mutated table structure: Word and HTML tables whose span attributes take any value.

The probe's fuzzing found ten mutations of ``gridSpan`` that hung the
extractor and small files that asked for gigabytes. Here a real-shaped
report's span attributes (Word ``gridSpan``, ``gridBefore``; HTML
``rowspan``, ``colspan``) are replaced by drawn values, small, huge, negative
or not numbers at all. Whatever they are, extraction ends with text or with
an :class:`ExtractError` naming the reason; the grid it builds stays within
the table bounds; and the parser takes the text without raising.
"""

from __future__ import annotations

import io
import re
import zipfile

from builders import docx_report, html_report
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from etl.extract import extract
from etl.extract.document import MAX_TABLE_CELLS, ExtractError
from etl.parse import parse_text
from etl.record import Source

SPAN = st.one_of(
    st.integers(min_value=-5, max_value=40),
    st.sampled_from([0, 999, 1000, 1001, 65535, 100_000_000, 2**31, 2**63]),
    st.sampled_from(["", "x", "1.5", "9" * 30, "-0", " 3 "]),
)
DOCX = docx_report()
HTML = html_report("utf-8")
DOCX_SPANS = re.compile(rb'(<w:(?:gridSpan|gridBefore) w:val=")([^"]*)(")')
HTML_SPANS = re.compile(rb"((?:rowspan|colspan)=[\"']?)([^\"' >]*)")


def _mutated_docx(values: list[object]) -> bytes:
    found = iter(values)
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(DOCX)) as source, zipfile.ZipFile(out, "w") as target:
        for item in source.infolist():
            data = source.read(item)
            if item.filename == "word/document.xml":
                data = DOCX_SPANS.sub(lambda m: m.group(1) + str(next(found, 2)).encode() + m.group(3), data)
            target.writestr(item, data, compress_type=zipfile.ZIP_DEFLATED)
    return out.getvalue()


def _mutated_html(values: list[object]) -> bytes:
    found = iter(values)
    return HTML_SPANS.sub(lambda m: m.group(1) + str(next(found, 2)).encode(), HTML)


def _extracts_within_bounds(data: bytes, name: str) -> None:
    try:
        extracted = extract(data, name)
    except ExtractError as exc:
        assert exc.code in {"table_too_large", "corrupt"}, (exc.code, exc.message)
        return
    for grid in extracted.tables:
        assert sum(len(row) for row in grid) <= MAX_TABLE_CELLS
    record = parse_text(extracted.text, source=Source(path=name, sha256="x", format=extracted.format))
    assert record.status in {"parsed", "partial", "rejected"}


def test_the_fixtures_carry_span_attributes() -> None:
    with zipfile.ZipFile(io.BytesIO(DOCX)) as docx:
        assert len(DOCX_SPANS.findall(docx.read("word/document.xml"))) >= 5
    assert len(HTML_SPANS.findall(HTML)) >= 5


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(SPAN, min_size=1, max_size=12))
def test_word_spans_of_any_value(values: list[object]) -> None:
    _extracts_within_bounds(_mutated_docx(values), "mutated.docx")


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(SPAN, min_size=1, max_size=12))
def test_html_spans_of_any_value(values: list[object]) -> None:
    _extracts_within_bounds(_mutated_html(values), "mutated.html")
