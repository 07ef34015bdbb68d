"""Fuzz tests: whatever text comes in, the parser returns a record and never invents a number.

Real inputs are cut short by crawlers, mis-decoded, shuffled by PDF
extraction or not reports at all. For every such input ``parse_text`` must
not raise, must return a :class:`Report` with one of the three statuses, and
every non-null figure it returns must be read from the input: its ``raw`` is
in the input (whitespace aside) and states exactly its ``value``.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from importlib import resources

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bench.synthetic import TEXT_LAYOUTS, random_template_year, render_text
from bench.synthetic.compare import cells, squeeze, value_from_raw
from bench.synthetic.generate import generate_report
from etl.record import Report

STATUSES = {"parsed", "partial", "rejected"}
FUZZ = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
Parse = Callable[[str], Report]


def _samples() -> list[str]:
    folder = resources.files("etl").joinpath("samples")
    return sorted(p.read_text(encoding="utf-8") for p in folder.iterdir() if p.name.endswith(".txt"))


SAMPLES = _samples()


def _rendered(seed: int, layout: str) -> str:
    rng = random.Random(seed)
    template, year = random_template_year(rng)
    return render_text(generate_report(rng, template=template, year=year), layout, rng)


def assert_honest(report: Report, text: str) -> None:
    """The parser's contract on any input: a record, a status, no invented figure."""
    assert isinstance(report, Report)
    assert report.status in STATUSES
    flat = squeeze(text)
    for key, (value, raw) in cells(report).items():
        if value is None:
            continue
        assert raw is not None and squeeze(raw), f"{key}: value {value!r} without raw text"
        assert squeeze(raw) in flat, f"{key}: raw {raw!r} is not in the input"
        assert value_from_raw(raw) == value, f"{key}: value {value!r} does not match raw {raw!r}"


reports = st.builds(_rendered, st.integers(0, 2**32 - 1), st.sampled_from(TEXT_LAYOUTS))
texts = st.one_of(reports, st.sampled_from(SAMPLES))


@FUZZ
@given(text=texts, cut=st.floats(0, 1))
def test_truncated(parse_report: Parse, text: str, cut: float) -> None:
    text = text[: int(len(text) * cut)]
    assert_honest(parse_report(text), text)


@FUZZ
@given(text=texts, seed=st.integers(0, 2**32 - 1))
def test_shuffled_lines(parse_report: Parse, text: str, seed: int) -> None:
    lines = text.split("\n")
    random.Random(seed).shuffle(lines)
    text = "\n".join(lines)
    assert_honest(parse_report(text), text)


MISDECODINGS: dict[str, Callable[[str], str]] = {
    "gbk_as_latin1": lambda t: t.encode("gbk", errors="replace").decode("latin-1"),
    "utf8_as_latin1": lambda t: t.encode("utf-8").decode("latin-1"),
    "utf8_as_gbk": lambda t: t.encode("utf-8").decode("gbk", errors="replace"),
    "gbk_as_utf8": lambda t: t.encode("gbk", errors="replace").decode("utf-8", errors="replace"),
    "utf16_as_utf8": lambda t: t.encode("utf-16-le").decode("utf-8", errors="replace"),
}


@pytest.mark.parametrize("misdecode", MISDECODINGS)
@settings(max_examples=15, deadline=None)
@given(text=texts)
def test_misdecoded(parse_report: Parse, misdecode: str, text: str) -> None:
    text = MISDECODINGS[misdecode](text)
    assert_honest(parse_report(text), text)


@FUZZ
@given(text=st.text(max_size=3000))
def test_random_unicode(parse_report: Parse, text: str) -> None:
    assert_honest(parse_report(text), text)


@FUZZ
@given(data=st.binary(max_size=6000), codec=st.sampled_from(["latin-1", "utf-8", "gb18030"]))
def test_random_bytes_as_text(parse_report: Parse, data: bytes, codec: str) -> None:
    text = data.decode(codec, errors="replace")
    assert_honest(parse_report(text), text)


@FUZZ
@given(
    text=texts,
    edits=st.lists(
        st.tuples(st.floats(0, 1), st.sampled_from(["delete", "digit", "junk", "newline"])), max_size=30
    ),
    seed=st.integers(0, 2**32 - 1),
)
def test_corrupted_characters(
    parse_report: Parse, text: str, edits: list[tuple[float, str]], seed: int
) -> None:
    """Digits changed, characters dropped or inserted: still no figure from nowhere."""
    rng = random.Random(seed)
    chars = list(text)
    for where, edit in edits:
        if not chars:
            break
        i = min(int(where * len(chars)), len(chars) - 1)
        if edit == "delete":
            del chars[i]
        elif edit == "digit":
            chars[i] = rng.choice("0123456789")
        elif edit == "junk":
            chars.insert(
                i, rng.choice(["|", "\t", "  ", "一、", "(三)", "总计", "增", "万元", "\u00a0", "\r"])
            )
        else:
            chars.insert(i, "\n")
    text = "".join(chars)
    assert_honest(parse_report(text), text)


@pytest.mark.parametrize(
    "text",
    [
        "",
        " ",
        "\n\n\n",
        "\x00" * 50,
        "|" * 500,
        "0\n" * 2000,
        "一、总体情况\n" * 100,
        "三、收到和处理政府信息公开申请情况",
    ],
    ids=["empty", "space", "newlines", "nul", "pipes", "zeros", "headings", "lone_heading"],
)
def test_degenerate_inputs(parse_report: Parse, text: str) -> None:
    assert_honest(parse_report(text), text)
