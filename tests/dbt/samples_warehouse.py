"""The bundled sample reports, loaded by the real loader, for tests that query the marts as analysts do.

The samples (``etl/samples``) are real reports, plus one derived from a real
one, by two edits a reader can check against the original, so that the
analyst guide's questions about re-published reports and broken totals have
an answer on a fresh ``make run``: ``002_anning-2020-first-issue-derived.txt``
(:data:`ANNING_EDITS`; a test checks the file is exactly those edits).
Every figure the tests expect is read off these texts by hand.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from etl.load import LoadResult
from etl.transform import DbtResult

SAMPLES = Path(__file__).resolve().parents[2] / "etl" / "samples"
ANNING_SAMPLE = SAMPLES / "002_0494dfef68de25df.txt"

# 安宁市人民政府 2020, as if first issued on 2021-01-15 with a typing error in
# the 总计 column of (七)总计 (3 where the rows add up to 2), then corrected and
# re-issued on 2021-02-02 (the sample as bundled). The re-issue is the latest
# version; the first issue stays in fct_reports with its three findings.
ANNING_EDITS = (
    ("(七)总计 | 2 | 0 | 0 | 0 | 0 | 0 | 2 |", "(七)总计 | 2 | 0 | 0 | 0 | 0 | 0 | 3 |"),
    ("\n2021年2月2日", "\n2021年1月15日"),
)


ANNING_FIRST_ISSUE = SAMPLES / "002_anning-2020-first-issue-derived.txt"


def anning_first_publication() -> str:
    """The derived first issue of 安宁's 2020 report: the bundled sample with :data:`ANNING_EDITS`."""
    text = ANNING_SAMPLE.read_text(encoding="utf-8")
    for old, new in ANNING_EDITS:
        assert text.count(old) == 1, old
        text = text.replace(old, new)
    return text


@dataclass
class SamplesWarehouse:
    """A database holding the samples (and the derived first issue) after one ``dbt build``."""

    url: str
    load: LoadResult
    build: DbtResult
    work_dir: Path
